//! Import: an `ArrowArray` and the `ArrowSchema` describing it as an array, validated before
//! anything is read.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::device::{self, ArrowDeviceArray, ARROW_DEVICE_CPU};
use super::schema::{self, Format};
use super::{ArrowArray, ArrowSchema};
use crate::error::{error, Error};
use crate::item::ItemType;

mod nodes;
mod tensor;

use crate::{ArrayProducer, ArrayView};
use nodes::{array_child, field, lists, locate, node, rows, strides_c, Described};

/// An Arrow array taken over from a producer: an array producer (read-only, as the C data
/// interface asks) that calls the array's `release` exactly once, when dropped.
pub struct ArrowImport {
    /// Moved out of the caller's structure; its `Drop` releases it.
    array: ArrowArray,
    parts: Described,
    /// `ARROW_DEVICE_*` and the device's index: the CPU (`-1`) for arrays of the C data
    /// interface.
    device: (i32, i64),
}

// SAFETY: the import owns the array (the C data interface hands ownership over with the
// structure), whose buffers are plain CPU memory; release callbacks carry no thread affinity in
// the specification, and producers (Arrow C++, pyarrow, arrow-rs) release from any thread.
unsafe impl Send for ArrowImport {}

impl core::fmt::Debug for ArrowImport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArrowImport")
            .field("item", &self.parts.item.describe())
            .field("shape", &self.parts.shape)
            .field("strides", &self.parts.strides)
            .field("device", &self.device)
            .field("extension", &self.parts.extension)
            .finish()
    }
}

impl ArrayProducer for ArrowImport {
    /// The array, in place; refused with [`ErrorKind::Unsupported`](crate::ErrorKind) when
    /// its buffers are in device memory the CPU cannot address.
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        self.check_host()?;
        self.parts.view()
    }
}

impl ArrowImport {
    /// The view with the lifetime of the array's buffers rather than of `&self`, for handles
    /// that keep the import beside it.
    ///
    /// # Safety
    /// The view is not used after this import is dropped (which releases the array).
    pub unsafe fn detached_view(&self) -> Result<ArrayView<'static>, Error> {
        self.check_host()?;
        // SAFETY: as in `Described::view`, for as long as the caller's contract keeps the
        // import.
        unsafe {
            crate::ArrayView::from_foreign(
                &self.parts.foreign,
                self.parts.item.clone(),
                &self.parts.shape,
                &self.parts.strides,
            )
        }
    }

    /// Takes the array over (moving it out of `*array`, which is marked released) and
    /// describes it with `schema`, which stays the caller's.
    ///
    /// Ownership passes to this function whatever the result: on success the import calls the
    /// array's `release` once, when dropped; on refusal it has been called once before the
    /// error returns. A NULL or already released `array` is refused with nothing to release.
    ///
    /// # Safety
    /// `array` is NULL or a valid `ArrowArray` the caller owns, and `schema` NULL or a valid
    /// `ArrowSchema` describing it, as the C data interface defines them: the strings are
    /// NUL-terminated, the metadata's lengths describe bytes that are there, every pointer
    /// array has the advertised number of entries, and every buffer holds the values its
    /// length and offset say, valid and unchanged until the array is released.
    pub unsafe fn from_raw(
        array: *mut ArrowArray,
        schema: *const ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        if array.is_null() {
            return Err(error!(Requirement, "a NULL ArrowArray"));
        }
        // SAFETY: `array` is valid per the caller.
        if unsafe { (*array).release.is_none() } {
            return Err(error!(
                Requirement,
                "the ArrowArray has been released (or moved away): its release is NULL"
            ));
        }
        // SAFETY: a bitwise move, as the specification allows; the source is marked released
        // just below, so only `owned` releases it.
        let owned = unsafe { core::ptr::read(array) };
        // SAFETY: `array` is still valid memory of the caller's.
        unsafe { (*array).release = None };
        if schema.is_null() {
            return Err(error!(Requirement, "a NULL ArrowSchema"));
        }
        // SAFETY: the caller's contract, for the CPU.
        unsafe { ArrowImport::take(owned, schema, (ARROW_DEVICE_CPU, -1)) }
    }

    /// Describes `owned` (ours to release) with `schema` on `device`.
    ///
    /// # Safety
    /// As for [`from_raw`](Self::from_raw), with the buffers on `device`.
    unsafe fn take(
        owned: ArrowArray,
        schema: *const ArrowSchema,
        device: (i32, i64),
    ) -> Result<ArrowImport, Error> {
        if schema.is_null() {
            return Err(error!(Requirement, "a NULL ArrowSchema"));
        }
        // SAFETY: valid per the caller; borrowed for this call only.
        let schema = unsafe { &*schema };
        let host = device::is_host_accessible(device.0);
        // SAFETY: the caller's contract. `describe` reads descriptions (and, for memory the CPU
        // addresses, a variable-shape tensor's shapes) and builds no import; on its error
        // `owned` drops here, releasing the array once.
        let parts = unsafe { describe(&owned, schema, host, true) }?;
        if host {
            parts.view()?;
        }
        Ok(ArrowImport {
            array: owned,
            parts,
            device,
        })
    }

    /// Takes over a device array (moving it out of `*array`, which is marked released), as
    /// [`from_raw`](Self::from_raw) does: arrays in memory the CPU addresses
    /// ([`is_host_accessible`](super::is_host_accessible): the CPU, pinned and managed memory)
    /// are viewed in place; on other devices the description is validated arithmetically and
    /// the memory is never touched (the view is refused; [`into_dlpack`](Self::into_dlpack)
    /// hands it on with its device). `sync_event` is not waited on: the producer's work on the
    /// buffers must be complete. A variable-shape tensor off the host is refused, since its
    /// shapes are in device memory.
    ///
    /// # Safety
    /// As for [`from_raw`](Self::from_raw): `array` is NULL or a valid `ArrowDeviceArray` the
    /// caller owns, whose structures and buffer pointers are in CPU memory and whose buffers
    /// are on the device it names, valid until released.
    pub unsafe fn from_device_raw(
        array: *mut ArrowDeviceArray,
        schema: *const ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        if array.is_null() {
            return Err(error!(Requirement, "a NULL ArrowDeviceArray"));
        }
        // SAFETY: valid per the caller.
        let device = unsafe { &*array };
        let (device_type, device_id) = (device.device_type, device.device_id);
        // SAFETY: the same array, valid per the caller; the import takes it whatever the
        // result, so the device checks come after the move (a refusal releases it).
        let inner = unsafe { core::ptr::addr_of_mut!((*array).array) };
        // SAFETY: as in `from_raw`.
        if unsafe { (*inner).release.is_none() } {
            return Err(error!(
                Requirement,
                "the ArrowDeviceArray has been released (or moved away): its release is NULL"
            ));
        }
        // SAFETY: a bitwise move; the source is marked released just below.
        let owned = unsafe { core::ptr::read(inner) };
        // SAFETY: still valid memory of the caller's.
        unsafe { (*inner).release = None };
        if device_type <= 0 || device_id < -1 {
            return Err(error!(
                Requirement,
                "the ArrowDeviceArray names device type {device_type}, index {device_id}: expected a positive ARROW_DEVICE_* and an index of -1 or more"
            ));
        }
        // SAFETY: the caller's contract.
        unsafe { ArrowImport::take(owned, schema, (device_type, device_id)) }
    }

    /// The device the buffers are on: `ARROW_DEVICE_*` and its index (`(1, -1)` for arrays of
    /// the plain C data interface).
    pub fn device(&self) -> (i32, i64) {
        self.device
    }

    /// Whether the CPU addresses the buffers, so that the array is viewed in place.
    pub fn is_host_accessible(&self) -> bool {
        device::is_host_accessible(self.device.0)
    }

    fn check_host(&self) -> Result<(), Error> {
        if self.is_host_accessible() {
            return Ok(());
        }
        Err(error!(
            Unsupported,
            "the Arrow array is in {} memory (device {}), which the CPU cannot read: pass it on (as DLPack) or copy it to the CPU first",
            device::device_name(self.device.0),
            self.device.1
        ))
    }

    /// The shape of the array (the rows first), whatever its device.
    pub fn shape(&self) -> &[usize] {
        &self.parts.shape
    }

    /// Its item type, whatever its device.
    pub fn item(&self) -> &ItemType {
        &self.parts.item
    }

    /// Hands the array on as a read-only DLPack tensor of the same memory, on its device
    /// (never touched): the tensor's deleter releases the Arrow array. Refused for items DLPack
    /// has no type for and strides that are not whole elements.
    #[cfg(feature = "dlpack")]
    pub fn into_dlpack(self) -> Result<*mut crate::dlpack::DLManagedTensorVersioned, Error> {
        use crate::dlpack::{DLDevice, Description, DLPACK_FLAG_BITMASK_READ_ONLY};
        let device_id = match self.device {
            (ARROW_DEVICE_CPU, -1) => 0,
            (_, id) => i32::try_from(id)
                .map_err(|_| error!(Layout, "device index {id} does not fit DLPack's int32"))?,
        };
        let device = DLDevice {
            device_type: self.device.0,
            device_id,
        };
        let description = Description::from_raw_parts(
            self.parts.foreign.first(),
            &self.parts.item,
            &self.parts.shape,
            &self.parts.strides,
            device,
        )?;
        let kept = alloc::sync::Arc::new(Handed {
            description,
            _import: self,
        });
        // SAFETY: a reference into the shared allocation, which lives (and stays put) as long
        // as `kept` and its clones; used only by the export, which keeps `kept`.
        let description: &'static Description = unsafe { &*core::ptr::addr_of!(kept.description) };
        // SAFETY: the description points into the Arrow array's buffers, which stay valid and
        // unchanged until the array is released, when the tensor's deleter drops the last
        // `kept`; the tensor is read-only, as Arrow's buffers are; the description lives in the
        // same shared allocation, which does not move while `kept` lives.
        unsafe { crate::dlpack::export_described(kept, description, DLPACK_FLAG_BITMASK_READ_ONLY) }
    }

    /// As [`from_raw`](Self::from_raw), for an array held by value (as [`export`] returns
    /// it), moved in.
    ///
    /// # Safety
    /// As for [`from_raw`](Self::from_raw).
    ///
    /// [`export`]: super::export
    pub unsafe fn from_parts(
        mut array: ArrowArray,
        schema: &ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        // SAFETY: the caller's contract; `array` is ours, and left released by the move.
        unsafe { ArrowImport::from_raw(&mut array, schema) }
    }

    /// The canonical (or other) extension the schema names, if any.
    pub fn extension(&self) -> Option<&str> {
        self.parts.extension.as_deref()
    }

    /// The names of a tensor's axes, in the logical order of the imported array's axes (the
    /// specification stores them in physical order): the inner axes of an
    /// `arrow.fixed_shape_tensor` (every axis but the first), every axis of an
    /// `arrow.variable_shape_tensor`.
    pub fn dim_names(&self) -> Option<&[String]> {
        self.parts.dim_names.as_deref()
    }

    /// The number of rows (the Arrow array's length).
    pub fn arrow_length(&self) -> i64 {
        self.array.length
    }
}

/// An import handed on through DLPack, with the tensor description pointing into it.
#[cfg(feature = "dlpack")]
struct Handed {
    description: crate::dlpack::Description,
    _import: ArrowImport,
}

// SAFETY: the description's pointers are the import's memory, only passed on, never read through
// this value; the import is `Send`.
#[cfg(feature = "dlpack")]
unsafe impl Send for Handed {}
// SAFETY: as above: nothing is reached through a shared `&Handed` but plain descriptions.
#[cfg(feature = "dlpack")]
unsafe impl Sync for Handed {}

/// Reads the description of `array` with `schema`; `host` when the CPU may read its buffers
/// (which only a variable-shape tensor's shapes need); `table` to read a struct of one child
/// (a one-column table) as that child.
///
/// # Safety
/// As for [`ArrowImport::from_raw`].
unsafe fn describe(
    array: &ArrowArray,
    schema: &ArrowSchema,
    host: bool,
    table: bool,
) -> Result<Described, Error> {
    let what = "the array";
    // SAFETY: the caller's contract.
    let f = unsafe { field(schema, what) }?;
    if table && f.format == Format::Struct && schema.n_children == 1 {
        // A table (or record batch) of one column, as pyarrow tables and Polars data frames
        // stream them: the column.
        // SAFETY: the caller's contract.
        let n = unsafe { node(array, "the one-column table", 1, 1) }?;
        // SAFETY: the checked node has one child.
        let column = unsafe { array_child(array, 0, "the one-column table") }?;
        if n.offset != 0 || column.length != array.length {
            return Err(error!(
                Unsupported,
                "the one-column table (a struct array of length {} and offset {}) holds a column of length {}: import the column itself",
                array.length,
                array.offset,
                column.length
            ));
        }
        // SAFETY: the checked schema has one child, valid per the contract.
        let child = unsafe { nodes::entry(schema.children, 0) };
        if child.is_null() {
            return Err(error!(
                Format,
                "child 0 of the schema of the one-column table is NULL"
            ));
        }
        // SAFETY: the caller's contract covers the children. A struct column is not unwrapped
        // again (no recursion a hostile nesting could deepen).
        let child = unsafe { &*child };
        // SAFETY: as above.
        return unsafe { describe(column, child, host, false) };
    }
    let extension = f.extension.map(|(name, _)| String::from(name));
    let mut described = match f.extension {
        Some((schema::FIXED_SHAPE_TENSOR, meta)) => {
            // SAFETY: the caller's contract.
            unsafe { tensor::fixed_tensor(array, &f, meta) }?
        }
        Some((schema::VARIABLE_SHAPE_TENSOR, _)) if !host => {
            return Err(error!(
                Unsupported,
                "an arrow.variable_shape_tensor in device memory: its shapes are in that memory, which the CPU cannot read"
            ));
        }
        Some((schema::VARIABLE_SHAPE_TENSOR, meta)) => {
            // SAFETY: the caller's contract.
            unsafe { tensor::variable_tensor(array, &f, meta) }?
        }
        _ => {
            if matches!(f.format, Format::Struct | Format::List { .. }) {
                return Err(error!(
                    Unsupported,
                    "{what} is a {} array: its items are not one strided array (import its children one by one)",
                    if f.format == Format::Struct { "struct" } else { "list" }
                ));
            }
            let mut axes = Vec::new();
            let length = u64::try_from(array.length).unwrap_or(0);
            // SAFETY: the caller's contract.
            let (item, first) = unsafe { lists(array, &f, 0, length, &mut axes, what) }?;
            let mut shape = vec![rows(length)?];
            shape.extend_from_slice(&axes);
            let strides = strides_c(&shape, &item)?;
            locate(item, shape, strides, first, None)?
        }
    };
    described.extension = extension;
    Ok(described)
}

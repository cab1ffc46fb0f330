//! Sub-arrays: fixed-shape arrays of items inside one item.

#[allow(unused_imports)]
use super::*;

/// The most axes a sub-array may have (as in NumPy).
pub const MAX_SUBARRAY_NDIM: usize = 64;

/// A fixed-shape array of items inside one item, like `(2,3)f` or a Rust `[[f32; 3]; 2]`.
///
/// Nested sub-arrays are flattened: `(2)3i` and `(2,3)i` are the same sub-array, as in NumPy.
/// Cloning never allocates.
#[derive(Clone)]
pub struct SubArray(pub(super) SubRepr);

/// Sub-arrays of scalars with up to this many axes (and items of at most `u32::MAX` bytes) are
/// stored inline: no allocation.
pub(super) const INLINE_DIMS: usize = 2;

/// Three words, the size of a [`Scalar`] and a tag, so that an [`ItemType`] stays three words
/// and a view small: a sub-array of scalars with one or two axes (`4B`, `(2,3)f`, the common
/// cases) inline, anything else behind one pointer with its facts.
#[derive(Clone)]
pub(super) enum SubRepr {
    /// `dims[..ndim]` of scalars of `kind` and `order`, `itemsize` bytes each.
    Inline {
        kind: ScalarKind,
        order: ByteOrder,
        ndim: u8,
        itemsize: u32,
        dims: [usize; INLINE_DIMS],
    },
    /// Anything else: compile-time (`'static`) or run-time (shared).
    Shared(Shared<SubArrayData>),
}

/// The parts of a sub-array that is not stored inline.
#[doc(hidden)]
pub struct SubArrayData {
    pub(super) item: ItemType,
    pub(super) ndim: usize,
    pub(super) dims: [usize; MAX_SUBARRAY_NDIM],
    pub(super) info: Info,
}

impl SubArrayData {
    /// `[inner; n]` flattened, for compile-time item types only. Its facts are computed here
    /// with saturating arithmetic; [`SubArray::of_static`] refuses what does not fit.
    pub(crate) const fn nest(n: usize, inner: &ItemType) -> SubArrayData {
        let mut dims = [0usize; MAX_SUBARRAY_NDIM];
        dims[0] = n;
        let mut ndim = 1;
        if let ItemType::Array(a) = inner {
            let shape = a.shape_const();
            assert!(shape.len() < MAX_SUBARRAY_NDIM, "too many sub-array axes");
            let mut i = 0;
            while i < shape.len() {
                dims[i + 1] = shape[i];
                i += 1;
            }
            ndim += shape.len();
        }
        let item = match inner {
            ItemType::Array(a) => a.item_const(),
            other => other.static_copy(),
        };
        let info = Info {
            size: n.saturating_mul(inner.itemsize()),
            align: inner.alignment(),
            depth: item.depth() as u8,
            native: inner.is_native_order(),
            padded: inner.has_padding(),
        };
        SubArrayData {
            item,
            ndim,
            dims,
            info,
        }
    }
}

impl SubArray {
    /// The type of each element (never itself a sub-array).
    #[inline]
    pub fn item(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline {
                kind,
                order,
                itemsize,
                ..
            } => ItemType::Scalar(Scalar::raw(*kind, *itemsize as usize, *order)),
            SubRepr::Shared(data) => data.item.clone(),
        }
    }

    /// The shape, outermost axis first (C order).
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.shape_const()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match &self.0 {
            SubRepr::Inline { ndim, dims, .. } => dims[..usize::from(*ndim)].iter().product(),
            SubRepr::Shared(data) if data.item.itemsize() > 0 => {
                data.info.size / data.item.itemsize()
            }
            // Checked to fit in a usize when the sub-array was built.
            _ => self.shape().iter().product(),
        }
    }

    /// Whether there are no elements (an axis of length 0).
    pub fn is_empty(&self) -> bool {
        self.shape().contains(&0)
    }

    pub(super) const fn shape_const(&self) -> &[usize] {
        match &self.0 {
            SubRepr::Inline { ndim, dims, .. } => dims.split_at(*ndim as usize).0,
            SubRepr::Shared(data) => {
                let d = data.get();
                d.dims.split_at(d.ndim).0
            }
        }
    }

    pub(super) const fn item_const(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline {
                kind,
                order,
                itemsize,
                ..
            } => ItemType::Scalar(Scalar::raw(*kind, *itemsize as usize, *order)),
            SubRepr::Shared(Shared::Static(d)) => d.item.static_copy(),
            SubRepr::Shared(_) => panic!("not a compile-time item type"),
        }
    }

    /// The item type `[inner; n]`, built at compile time from `data`, which must be
    /// `SubArrayData::nest(n, inner)`.
    pub(crate) const fn of_static(
        n: usize,
        inner: &ItemType,
        data: &'static SubArrayData,
    ) -> ItemType {
        // The limits `build` applies to sub-arrays read at run time: each axis and the element
        // count within isize::MAX (a zero-size element allows any count otherwise).
        assert!(
            n <= isize::MAX as usize,
            "a sub-array axis is longer than isize::MAX"
        );
        let mut count = n;
        let mut k = 1;
        while k < data.ndim {
            count = match count.checked_mul(data.dims[k]) {
                Some(c) => c,
                None => panic!("a sub-array has more than usize::MAX elements"),
            };
            k += 1;
        }
        assert!(
            count <= isize::MAX as usize,
            "a sub-array has more than isize::MAX elements"
        );
        if n.checked_mul(inner.itemsize()).is_none() {
            panic!("sub-array too large");
        }
        assert!(
            (data.info.depth as usize) <= MAX_NESTING,
            "item type nested too deeply"
        );
        ItemType::Array(SubArray(SubRepr::Shared(Shared::Static(data))))
    }

    pub(super) const fn info(&self) -> Info {
        match &self.0 {
            SubRepr::Inline {
                kind,
                order,
                ndim,
                itemsize,
                dims,
            } => {
                let item = Scalar::raw(*kind, *itemsize as usize, *order);
                // Checked not to overflow when the sub-array was built.
                let n = if *ndim == 1 {
                    dims[0]
                } else {
                    dims[0] * dims[1]
                };
                Info::flat(n * item.size, item.alignment(), order.is_native())
            }
            SubRepr::Shared(data) => data.get().info,
        }
    }

    /// `dims` (checked) of `item`, `size` bytes in all: inline when there are at most
    /// [`INLINE_DIMS`] axes and the item's size fits in 32 bits.
    #[inline]
    fn of_scalar(item: Scalar, dims: &[usize], size: usize) -> ItemType {
        match u32::try_from(item.size) {
            Ok(itemsize) if !dims.is_empty() && dims.len() <= INLINE_DIMS => {
                let mut inline = [0usize; INLINE_DIMS];
                inline[..dims.len()].copy_from_slice(dims);
                ItemType::Array(SubArray(SubRepr::Inline {
                    kind: item.kind,
                    order: item.order,
                    ndim: dims.len() as u8,
                    itemsize,
                    dims: inline,
                }))
            }
            _ => Self::shared(
                ItemType::Scalar(item),
                dims,
                Info::flat(size, item.alignment(), item.order.is_native()),
            ),
        }
    }

    /// A run-time sub-array of `dims` (at most [`MAX_SUBARRAY_NDIM`], checked) of `item`.
    fn shared(item: ItemType, dims_used: &[usize], info: Info) -> ItemType {
        let mut dims = [0usize; MAX_SUBARRAY_NDIM];
        dims[..dims_used.len()].copy_from_slice(dims_used);
        ItemType::Array(SubArray(SubRepr::Shared(Shared::new(SubArrayData {
            item,
            ndim: dims_used.len(),
            dims,
            info,
        }))))
    }

    /// The size of `n` items of `itemsize` bytes in one axis, checked as
    /// [`build`](Self::build) checks it; `None` when larger than `isize::MAX`.
    #[inline]
    pub(crate) fn checked_size(n: usize, itemsize: usize) -> Option<usize> {
        n.checked_mul(itemsize)
            .filter(|&s| s <= isize::MAX as usize && n <= isize::MAX as usize)
    }

    /// `n` of `item` in one axis (what a count before a code means), of `size` bytes as
    /// [`checked_size`](Self::checked_size) gave it.
    #[inline]
    pub(crate) fn inline_1d(item: Scalar, n: usize, size: usize) -> ItemType {
        debug_assert_eq!(Self::checked_size(n, item.size), Some(size));
        Self::of_scalar(item, &[n], size)
    }

    /// `outer` axes of `item` (whose own axes, for a sub-array item, go last), checked.
    pub(super) fn build(item: ItemType, outer: &[usize]) -> Result<ItemType, FormatError> {
        if outer.is_empty() {
            return Err(model_error("a sub-array needs at least one axis"));
        }
        let (base, inner) = match &item {
            ItemType::Array(a) => (a.item(), a.shape()),
            other => (other.clone(), &[][..]),
        };
        let ndim = outer.len() + inner.len();
        if ndim > MAX_SUBARRAY_NDIM {
            return Err(model_error(alloc::format!(
                "a sub-array of {ndim} axes has more than the {MAX_SUBARRAY_NDIM} allowed"
            )));
        }
        let mut dims = [0usize; MAX_SUBARRAY_NDIM];
        dims[..outer.len()].copy_from_slice(outer);
        dims[outer.len()..ndim].copy_from_slice(inner);
        let dims_used = &dims[..ndim];
        if let Some(&d) = dims_used.iter().find(|&&d| d > isize::MAX as usize) {
            return Err(model_error(alloc::format!(
                "a sub-array axis of length {d} is longer than isize::MAX"
            )));
        }
        // The element count must fit in isize too (even for zero-size items), as every reader
        // requires of a shape.
        let count =
            crate::layout::checked_product(1usize, dims_used).filter(|&n| n <= isize::MAX as usize);
        let size = count
            .and_then(|c| c.checked_mul(base.itemsize()))
            .filter(|&n| n <= isize::MAX as usize);
        let (Some(_), Some(size)) = (count, size) else {
            return Err(too_large(dims_used, base.itemsize()));
        };
        if let ItemType::Scalar(s) = &base {
            return Ok(Self::of_scalar(*s, dims_used, size));
        }
        let info = Info {
            size,
            align: base.alignment(),
            depth: base.depth() as u8,
            native: base.is_native_order(),
            padded: base.has_padding(),
        };
        Ok(Self::shared(base, dims_used, info))
    }

    pub(super) fn with_item<R>(&self, f: impl FnOnce(&ItemType) -> R) -> R {
        match &self.0 {
            SubRepr::Inline { .. } => f(&self.item()),
            SubRepr::Shared(data) => f(&data.item),
        }
    }
}

impl PartialEq for SubArray {
    fn eq(&self, other: &Self) -> bool {
        if let (SubRepr::Shared(a), SubRepr::Shared(b)) = (&self.0, &other.0) {
            if a.same(b) {
                return true;
            }
        }
        self.shape() == other.shape() && self.with_item(|a| other.with_item(|b| a == b))
    }
}

impl Eq for SubArray {}

impl Hash for SubArray {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shape().hash(state);
        self.with_item(|i| i.hash(state));
    }
}

impl fmt::Debug for SubArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubArray")
            .field("item", &self.item())
            .field("shape", &self.shape())
            .finish()
    }
}

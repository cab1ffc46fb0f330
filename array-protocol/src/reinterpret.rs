//! Views that read the same bytes as another item type: the real or imaginary part of complex
//! numbers, one field of a record, signed as unsigned, pixels as channels. All O(ndim).

use crate::error::{error, Error};
use crate::item::{ItemType, Scalar, ScalarKind};
use crate::layout::{contiguous_strides, Axes, Order};
use crate::view::{ArrayBase, Data};
use crate::Element;

impl<D: Data> ArrayBase<D> {
    fn complex_part(self, imaginary: bool) -> Result<Self, Error> {
        let part = match self.item.as_scalar() {
            Some(s) if s.kind() == ScalarKind::Complex => {
                Scalar::new(ScalarKind::Float, s.size() / 2, s.order())?
            }
            _ => {
                return Err(error!(
                    ItemType,
                    "expected an array of complex numbers, got items of {}",
                    self.item.describe()
                ))
            }
        };
        let offset = self.offset() + if imaginary { part.size() } else { 0 };
        let (shape, strides) = (
            Axes::from_slice(self.shape()),
            Axes::from_slice(self.strides()),
        );
        self.remake(ItemType::Scalar(part), &shape, &strides, offset)
    }

    /// The real parts of a complex array: items of half the size, the same strides.
    ///
    /// ```
    /// use array_protocol::{ArrayView, ItemType};
    ///
    /// let z = [1.0f64, -1.0, 2.0, -2.0]; // 1 - 1j, 2 - 2j
    /// let v = ArrayView::new(bytemuck::cast_slice(&z), ItemType::from_pep3118("Zd")?, &[2], None, 0)?;
    /// let re = v.clone().real()?;
    /// assert_eq!((re.itemsize(), re.strides()), (8, &[16][..]));
    /// assert_eq!(re.to_vec::<f64>()?, [1.0, 2.0]);
    /// assert_eq!(v.imag()?.to_vec::<f64>()?, [-1.0, -2.0]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn real(self) -> Result<Self, Error> {
        self.complex_part(false)
    }

    /// The imaginary parts of a complex array: the real parts' view, offset by their size.
    pub fn imag(self) -> Result<Self, Error> {
        self.complex_part(true)
    }

    /// One field of a record array. A sub-array field adds its axes at the end, as in NumPy.
    ///
    /// ```
    /// use array_protocol::{ArrayView, ItemType};
    ///
    /// let t = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}")?;
    /// let bytes = vec![0u8; 2 * 24];
    /// let v = ArrayView::new(&bytes, t, &[2], None, 0)?;
    /// let pos = v.clone().field("pos")?;
    /// assert_eq!((pos.shape(), pos.strides()), (&[2, 3][..], &[24, 4][..]));
    /// assert_eq!(v.field("mass")?.offset(), 16);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn field(self, name: &str) -> Result<Self, Error> {
        let Some(field) = self.item.field(name) else {
            let names = match self.item.fields() {
                Some(fields) => alloc::format!(
                    "{:?}",
                    fields
                        .iter()
                        .filter_map(|f| f.name())
                        .collect::<alloc::vec::Vec<_>>()
                ),
                None => alloc::string::String::from("none: the items are not records"),
            };
            return Err(error!(
                ItemType,
                "no field named {name:?} in {}; fields: {names}",
                self.item.describe()
            ));
        };
        let offset = self.offset() + field.offset();
        let mut shape = Axes::from_slice(self.shape());
        let mut strides = Axes::from_slice(self.strides());
        let item = match field.item() {
            ItemType::Array(sub) => {
                let inner = contiguous_strides(sub.shape(), sub.item().itemsize(), Order::C)
                    .ok_or_else(|| error!(Layout, "field {name:?} is too large"))?;
                for (&d, &s) in sub.shape().iter().zip(inner.iter()) {
                    shape.push(d);
                    strides.push(s);
                }
                sub.item().clone()
            }
            other => other.clone(),
        };
        self.remake(item, &shape, &strides, offset)
    }

    /// Checks that the bytes of the current items may be read as `target`, which has no byte
    /// order of its own or the native one: no padding bytes (never exposed as data), and the
    /// native byte order unless `target` is made of single bytes.
    fn check_reinterpretable(&self, target: &ItemType, what: &str) -> Result<(), Error> {
        if self.item.has_padding() {
            return Err(error!(
                ItemType,
                "cannot {what}: items of {} contain padding bytes, which are not data",
                self.item.describe()
            ));
        }
        let bytewise = |t: &ItemType| {
            t.as_scalar()
                .is_some_and(|s| s.order() == crate::ByteOrder::NotApplicable)
        };
        if !self.item.is_native_order() && !bytewise(target) {
            return Err(error!(
                ByteOrder,
                "cannot {what}: items of {} are not in native byte order; copy with to_native_order() first",
                self.item.describe()
            ));
        }
        Ok(())
    }

    /// The same bytes as items of `item`, which must have the same size (signed as unsigned,
    /// a pixel record as `u32`).
    pub fn cast_item(self, item: ItemType) -> Result<Self, Error> {
        if item.itemsize() != self.itemsize() {
            return Err(error!(
                ItemType,
                "cannot view {}-byte items of {} as {}-byte items of {}; sizes must match (split_items changes the size)",
                self.itemsize(),
                self.item.describe(),
                item.itemsize(),
                item.describe()
            ));
        }
        self.check_reinterpretable(
            &item,
            &alloc::format!(
                "view items of {} as {}",
                self.item.describe(),
                item.describe()
            ),
        )?;
        let (shape, strides, offset) = (
            Axes::from_slice(self.shape()),
            Axes::from_slice(self.strides()),
            self.offset(),
        );
        self.remake(item, &shape, &strides, offset)
    }

    /// The same bytes as items of `U`; see [`cast_item`](Self::cast_item).
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element};
    ///
    /// let v = ArrayView::new(bytemuck::cast_slice(&[-1i32, 2]), i32::item_type(), &[2], None, 0)?;
    /// assert_eq!(v.cast::<u32>()?.to_vec::<u32>()?, [u32::MAX, 2]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn cast<U: Element>(self) -> Result<Self, Error> {
        self.cast_item(U::item_type())
    }

    /// Each item seen as several items of `U`, along a new last axis: 512×512 `u32` pixels as a
    /// 512×512×4 array of `u8`.
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element};
    ///
    /// let pixels = [0x0403_0201u32, 0x0807_0605];
    /// let v = ArrayView::new(bytemuck::cast_slice(&pixels), u32::item_type(), &[2], None, 0)?;
    /// let channels = v.split_items::<u8>()?;
    /// assert_eq!((channels.shape(), channels.strides()), (&[2, 4][..], &[4, 1][..]));
    /// let back = channels.merge_items::<u32>()?;
    /// assert_eq!(back.to_vec::<u32>()?, pixels);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn split_items<U: Element>(self) -> Result<Self, Error> {
        self.split_items_as(U::item_type())
    }

    /// [`split_items`](Self::split_items) with an item type known at run time.
    pub fn split_items_as(self, part: ItemType) -> Result<Self, Error> {
        let (size, n) = (self.itemsize(), part.itemsize());
        if n == 0 || size % n != 0 {
            return Err(error!(
                ItemType,
                "cannot split {size}-byte items of {} into items of {} ({n} bytes): the size must divide",
                self.item.describe(),
                part.describe()
            ));
        }
        self.check_reinterpretable(
            &part,
            &alloc::format!(
                "split items of {} into {}",
                self.item.describe(),
                part.describe()
            ),
        )?;
        let mut shape = Axes::from_slice(self.shape());
        let mut strides = Axes::from_slice(self.strides());
        shape.push(size / n);
        strides.push(n as isize);
        let offset = self.offset();
        self.remake(part, &shape, &strides, offset)
    }

    /// The inverse of [`split_items`](Self::split_items): the last axis, which must be
    /// contiguous, becomes one item of `U`.
    pub fn merge_items<U: Element>(self) -> Result<Self, Error> {
        self.merge_items_as(U::item_type())
    }

    /// [`merge_items`](Self::merge_items) with an item type known at run time.
    pub fn merge_items_as(self, whole: ItemType) -> Result<Self, Error> {
        let Some((&len, &stride)) = self.shape().last().zip(self.strides().last()) else {
            return Err(error!(
                Shape,
                "cannot merge items of a 0-D array: there is no last axis"
            ));
        };
        let size = self.itemsize();
        if stride != size as isize && len > 1 {
            return Err(error!(
                Requirement,
                "cannot merge the last axis into items: its stride is {stride} bytes, expected {size} (contiguous)"
            ));
        }
        if len.checked_mul(size) != Some(whole.itemsize()) {
            return Err(error!(
                ItemType,
                "cannot merge {len} items of {} ({size} bytes each) into one of {} ({} bytes)",
                self.item.describe(),
                whole.describe(),
                whole.itemsize()
            ));
        }
        self.check_reinterpretable(
            &whole,
            &alloc::format!(
                "merge items of {} into {}",
                self.item.describe(),
                whole.describe()
            ),
        )?;
        let mut shape = Axes::from_slice(self.shape());
        let mut strides = Axes::from_slice(self.strides());
        shape.remove(shape.len() - 1);
        strides.remove(strides.len() - 1);
        let offset = self.offset();
        self.remake(whole, &shape, &strides, offset)
    }
}

//! Sub-arrays: fixed-shape arrays of items inside one item.

#[allow(unused_imports)]
use super::*;

/// The most axes a sub-array may have (as in NumPy).
pub const MAX_SUBARRAY_NDIM: usize = 64;

/// Sub-arrays of scalars with up to this many axes are stored inline: no allocation.
pub(super) const INLINE_DIMS: usize = 4;

/// A fixed-shape array of items inside one item, like `(2,3)f` or a Rust `[[f32; 3]; 2]`.
///
/// Nested sub-arrays are flattened: `(2)3i` and `(2,3)i` are the same sub-array, as in NumPy.
/// Cloning never allocates.
#[derive(Clone)]
pub struct SubArray(pub(super) SubRepr);

#[derive(Clone)]
pub(super) enum SubRepr {
    /// A sub-array of scalars with few axes.
    Inline {
        item: Scalar,
        ndim: u8,
        dims: [usize; INLINE_DIMS],
        size: usize,
    },
    /// Anything else.
    Shared {
        data: Shared<SubArrayData>,
        info: Info,
    },
}

/// The parts of a sub-array that is not stored inline.
#[doc(hidden)]
pub struct SubArrayData {
    pub(super) item: ItemType,
    pub(super) ndim: usize,
    pub(super) dims: [usize; MAX_SUBARRAY_NDIM],
}

impl SubArrayData {
    /// `[inner; n]` flattened, for compile-time item types only.
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
        SubArrayData { item, ndim, dims }
    }
}

impl SubArray {
    /// The type of each element (never itself a sub-array).
    #[inline]
    pub fn item(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline { item, .. } => ItemType::Scalar(*item),
            SubRepr::Shared { data, .. } => data.item.clone(),
        }
    }

    /// The shape, outermost axis first (C order).
    #[inline]
    pub fn shape(&self) -> &[usize] {
        match &self.0 {
            SubRepr::Inline { ndim, dims, .. } => &dims[..usize::from(*ndim)],
            SubRepr::Shared { data, .. } => &data.dims[..data.ndim],
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match &self.0 {
            SubRepr::Inline { item, size, .. } if item.size > 0 => size / item.size,
            SubRepr::Shared { data, info } if data.item.itemsize() > 0 => {
                info.size / data.item.itemsize()
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
            SubRepr::Shared {
                data: Shared::Static(d),
                ..
            } => d.dims.split_at(d.ndim).0,
            SubRepr::Shared { .. } => panic!("not a compile-time item type"),
        }
    }

    pub(super) const fn item_const(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline { item, .. } => ItemType::Scalar(*item),
            SubRepr::Shared {
                data: Shared::Static(d),
                ..
            } => d.item.static_copy(),
            SubRepr::Shared { .. } => panic!("not a compile-time item type"),
        }
    }

    /// The item type `[inner; n]`, built at compile time: inline when it can be, else from
    /// `data`, which must be `SubArrayData::nest(n, inner)`.
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
        let info = Info {
            size: match n.checked_mul(inner.itemsize()) {
                Some(s) => s,
                None => panic!("sub-array too large"),
            },
            align: inner.alignment(),
            depth: data.item.depth() as u8,
            native: inner.is_native_order(),
            padded: inner.has_padding(),
        };
        assert!(
            (info.depth as usize) <= MAX_NESTING,
            "item type nested too deeply"
        );
        if let ItemType::Scalar(item) = data.item {
            if data.ndim <= INLINE_DIMS {
                let mut dims = [0usize; INLINE_DIMS];
                let mut i = 0;
                while i < data.ndim {
                    dims[i] = data.dims[i];
                    i += 1;
                }
                return ItemType::Array(SubArray(SubRepr::Inline {
                    item,
                    ndim: data.ndim as u8,
                    dims,
                    size: info.size,
                }));
            }
        }
        ItemType::Array(SubArray(SubRepr::Shared {
            data: Shared::Static(data),
            info,
        }))
    }

    pub(super) const fn info(&self) -> Info {
        match &self.0 {
            SubRepr::Inline { item, size, .. } => {
                Info::flat(*size, item.alignment(), item.order.is_native())
            }
            SubRepr::Shared { info, .. } => *info,
        }
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
        let mut dims = [0usize; INLINE_DIMS];
        dims[0] = n;
        ItemType::Array(SubArray(SubRepr::Inline {
            item,
            ndim: 1,
            dims,
            size,
        }))
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
        if let (ItemType::Scalar(item), true) = (&base, ndim <= INLINE_DIMS) {
            // The common case, a few axes of scalars: checked and stored inline, without the
            // full-size axis buffer below.
            let mut dims = [0usize; INLINE_DIMS];
            dims[..outer.len()].copy_from_slice(outer);
            dims[outer.len()..ndim].copy_from_slice(inner);
            let mut count = 1usize;
            for &d in &dims[..ndim] {
                if d > isize::MAX as usize {
                    return Err(model_error(alloc::format!(
                        "a sub-array axis of length {d} is longer than isize::MAX"
                    )));
                }
                count = count
                    .checked_mul(d)
                    .filter(|&n| n <= isize::MAX as usize)
                    .ok_or_else(|| too_large(&dims[..ndim], item.size))?;
            }
            let size = count
                .checked_mul(item.size)
                .filter(|&n| n <= isize::MAX as usize)
                .ok_or_else(|| too_large(&dims[..ndim], item.size))?;
            return Ok(ItemType::Array(SubArray(SubRepr::Inline {
                item: *item,
                ndim: ndim as u8,
                dims,
                size,
            })));
        }
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
            return Err(model_error(alloc::format!(
                "a sub-array of shape {dims_used:?} with {}-byte items is larger than isize::MAX bytes",
                base.itemsize()
            )));
        };
        let depth = base.depth();
        if let ItemType::Scalar(item) = base {
            if ndim <= INLINE_DIMS {
                let mut inline = [0usize; INLINE_DIMS];
                inline[..ndim].copy_from_slice(dims_used);
                return Ok(ItemType::Array(SubArray(SubRepr::Inline {
                    item,
                    ndim: ndim as u8,
                    dims: inline,
                    size,
                })));
            }
        }
        let info = Info {
            size,
            align: base.alignment(),
            depth: depth as u8,
            native: base.is_native_order(),
            padded: base.has_padding(),
        };
        Ok(ItemType::Array(SubArray(SubRepr::Shared {
            data: Shared::Arc(Arc::new(SubArrayData {
                item: base,
                ndim,
                dims,
            })),
            info,
        })))
    }

    pub(super) fn with_item<R>(&self, f: impl FnOnce(&ItemType) -> R) -> R {
        match &self.0 {
            SubRepr::Inline { item, .. } => f(&ItemType::Scalar(*item)),
            SubRepr::Shared { data, .. } => f(&data.item),
        }
    }
}

impl PartialEq for SubArray {
    fn eq(&self, other: &Self) -> bool {
        if let (SubRepr::Shared { data: a, .. }, SubRepr::Shared { data: b, .. }) =
            (&self.0, &other.0)
        {
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

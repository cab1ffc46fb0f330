//! Records: fields at byte offsets, with a total size.

#[allow(unused_imports)]
use super::*;

/// A record: named (or unnamed) fields at byte offsets, with a total size.
///
/// Bytes not covered by a field are padding; they are never exposed as data. Cloning never
/// allocates: a record known at compile time is a `'static` borrow, one read at run time is
/// reference-counted.
#[derive(Clone)]
pub struct Struct(pub(super) Shared<StructData>);

/// The parts of a record: its fields and its facts, behind the one pointer a [`Struct`] holds.
#[doc(hidden)]
pub struct StructData {
    pub(super) fields: Fields,
    pub(super) info: Info,
}

impl StructData {
    /// A record known at compile time, `fields` in `size` bytes; what `#[derive(Element)]`
    /// builds in a constant (and then passes to [`ItemType::record_static`]).
    ///
    /// # Panics
    /// (At compile time, in a constant.) If the fields are out of order, overlap, do not fit
    /// in `size`, or nest deeper than [`MAX_NESTING`].
    pub const fn new(fields: &'static [Field], size: usize) -> StructData {
        let mut facts = RecordFacts::new();
        let mut i = 0;
        while i < fields.len() {
            let f = &fields[i];
            assert!(
                f.offset >= facts.end,
                "record fields must be in offset order and not overlap"
            );
            assert!(
                f.offset.checked_add(f.item.itemsize()).is_some(),
                "record field past the end"
            );
            facts.add(f.offset, &f.item);
            i += 1;
        }
        assert!(facts.end <= size, "record fields past the record's size");
        assert!(
            size <= isize::MAX as usize,
            "record larger than isize::MAX bytes"
        );
        let info = facts.info(size);
        assert!(
            (info.depth as usize) <= MAX_NESTING,
            "item type nested too deeply"
        );
        StructData {
            fields: Fields::Static(fields),
            info,
        }
    }

    /// Whether the record has no data fields.
    pub(crate) const fn is_empty(&self) -> bool {
        match &self.fields {
            Fields::Static(f) => f.is_empty(),
            Fields::Shared(_) => false,
        }
    }

    /// Its size in bytes.
    pub(crate) const fn size(&self) -> usize {
        self.info.size
    }
}

impl Struct {
    /// The data fields, in offset order (padding is not a field).
    #[inline]
    pub fn fields(&self) -> &[Field] {
        &self.0.fields
    }

    /// Total size in bytes, trailing padding included.
    #[inline]
    pub fn size(&self) -> usize {
        self.0.info.size
    }

    /// The padding runs as `(offset, length)`, in offset order, trailing padding included.
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// let t = ItemType::from_pep3118("T{B:a:i:b:B:c:}").unwrap();
    /// assert_eq!(t.as_struct().unwrap().padding(), vec![(1, 3), (9, 3)]);
    /// ```
    pub fn padding(&self) -> Vec<(usize, usize)> {
        let mut gaps = Vec::new();
        let mut end = 0;
        for field in self.fields() {
            if field.offset > end {
                gaps.push((end, field.offset - end));
            }
            end = field.offset + field.item.itemsize();
        }
        if self.size() > end {
            gaps.push((end, self.size() - end));
        }
        gaps
    }

    /// A record known at compile time: `data` as [`StructData::new`] built it.
    #[doc(hidden)]
    pub const fn from_static(data: &'static StructData) -> Struct {
        Struct(Shared::Static(data))
    }

    /// A record from checked fields: computes its facts.
    pub(super) fn from_checked(fields: Arc<[Field]>, size: usize) -> Result<Struct, FormatError> {
        let mut facts = RecordFacts::new();
        for f in fields.iter() {
            facts.add(f.offset, &f.item);
        }
        facts.record(fields, size)
    }
}

/// The facts of a record, gathered field by field (by a reader as it reads, so that building
/// the record needs no second pass over its fields; in constants, by the derive's records).
pub(crate) struct RecordFacts {
    pub(super) info: Info,
    pub(super) end: usize,
}

impl RecordFacts {
    pub(crate) const fn new() -> RecordFacts {
        RecordFacts {
            info: Info {
                size: 0,
                align: 1,
                depth: 1,
                native: true,
                padded: false,
            },
            end: 0,
        }
    }

    /// The next field, `item` at `offset` (at or after the previous field's end).
    #[inline]
    pub(crate) const fn add(&mut self, offset: usize, item: &ItemType) {
        self.add_info(offset, item.info());
    }

    /// The next field, an item with the facts `item`, at `offset`.
    #[inline]
    pub(crate) const fn add_info(&mut self, offset: usize, item: Info) {
        let info = &mut self.info;
        info.padded |= offset > self.end || item.padded;
        self.end = offset + item.size;
        if item.align > info.align {
            info.align = item.align;
        }
        let depth = item.depth.saturating_add(1);
        if depth > info.depth {
            info.depth = depth;
        }
        info.native &= item.native;
    }

    /// The facts of the record of the fields added, taking `size` bytes.
    pub(super) const fn info(&self, size: usize) -> Info {
        let mut info = self.info;
        info.size = size;
        info.padded |= self.end < size;
        info
    }

    /// The record of `fields` (those added, in order, disjoint and inside `size`, uniquely
    /// named), refused only when it nests too deeply.
    pub(crate) fn record(self, fields: Arc<[Field]>, size: usize) -> Result<Struct, FormatError> {
        if usize::from(self.info.depth) > MAX_NESTING {
            return Err(nesting_error());
        }
        Ok(self.build(fields, size))
    }

    /// [`record`](Self::record) for fields that are scalars or sub-arrays of scalars, which
    /// nest nothing, so that nothing is refused.
    #[inline]
    pub(crate) fn flat_record(self, fields: Arc<[Field]>, size: usize) -> Struct {
        debug_assert!(self.info.depth <= 1);
        self.build(fields, size)
    }

    #[inline]
    pub(super) fn build(self, fields: Arc<[Field]>, size: usize) -> Struct {
        Struct(Shared::new(StructData {
            fields: Fields::Shared(fields),
            info: self.info(size),
        }))
    }
}

impl PartialEq for Struct {
    fn eq(&self, other: &Self) -> bool {
        // The size first: two compile-time records with equal fields and different trailing
        // padding may share one field slice (the compiler merges equal constants).
        self.size() == other.size()
            && (self.0.same(&other.0)
                || self.0.fields.same(&other.0.fields)
                || self.fields() == other.fields())
    }
}

impl Eq for Struct {}

impl Hash for Struct {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.size().hash(state);
        self.fields().hash(state);
    }
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Struct")
            .field("fields", &self.fields())
            .field("size", &self.size())
            .finish()
    }
}

/// One data field of a [`Struct`].
#[derive(Clone)]
pub struct Field {
    pub(super) name: Option<Name>,
    pub(super) offset: usize,
    pub(super) item: ItemType,
}

impl Field {
    /// A field called `name` (or unnamed, as in `T{ii}`) at byte `offset`.
    pub fn new(name: Option<&str>, offset: usize, item: ItemType) -> Field {
        Field {
            name: name.map(Name::new),
            offset,
            item,
        }
    }

    /// A field of a record known at compile time; what `#[derive(Element)]` builds.
    #[doc(hidden)]
    pub const fn from_static(name: Option<&'static str>, offset: usize, item: ItemType) -> Field {
        Field {
            name: match name {
                Some(n) => Some(Name::Static(n)),
                None => None,
            },
            offset,
            item,
        }
    }

    /// An unnamed field (what a run of plain PEP 3118 codes makes).
    #[inline]
    pub(crate) fn unnamed(offset: usize, item: ItemType) -> Field {
        Field {
            name: None,
            offset,
            item,
        }
    }

    /// A field read by a parser, which owns the name already.
    pub(crate) fn parsed(name: Option<Name>, offset: usize, item: ItemType) -> Field {
        Field { name, offset, item }
    }

    /// The field's name; `None` for an unnamed field (NumPy calls those `f0`, `f1`, …).
    #[inline]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Byte offset from the start of the record.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The field's own item type.
    #[inline]
    pub fn item(&self) -> &ItemType {
        &self.item
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset && self.name() == other.name() && self.item == other.item
    }
}

impl Eq for Field {}

impl Hash for Field {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.offset.hash(state);
        self.item.hash(state);
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name())
            .field("offset", &self.offset)
            .field("item", &self.item)
            .finish()
    }
}

/// Whether two of `fields` share a name.
pub(crate) fn duplicate_name(fields: &[Field]) -> Option<&str> {
    if fields.len() <= 16 {
        return fields.iter().enumerate().find_map(|(i, f)| {
            let n = f.name()?;
            fields[..i].iter().any(|g| g.name() == Some(n)).then_some(n)
        });
    }
    let mut names: Vec<&str> = fields.iter().filter_map(Field::name).collect();
    names.sort_unstable();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

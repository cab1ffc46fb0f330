//! The fields of a record while the reader reads it: the first few in place on the reader's
//! stack, so that a record of few fields costs one allocation (the shared one it ends in) and
//! each field is moved once, into it.
//!
//! # Invariants
//! For a [`FieldBuf`] with `len` fields:
//! 1. `inline[..min(len, INLINE)]` are initialised fields, owned by the buffer; the other slots
//!    of `inline` hold nothing to drop.
//! 2. `spill` holds fields `INLINE..len` (empty while `len <= INLINE`).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use crate::error::FormatError;
use crate::item::{ByteOrder, Field, ItemType, RecordFacts, Scalar, ScalarKind};

pub(super) struct FieldBuf {
    inline: [MaybeUninit<Field>; INLINE],
    len: usize,
    spill: Vec<Field>,
    /// The facts of the record these fields make, gathered as they come.
    facts: RecordFacts,
}

/// How many fields are kept in place; records rarely have more.
const INLINE: usize = 8;

impl FieldBuf {
    #[inline]
    pub(super) fn new() -> FieldBuf {
        FieldBuf {
            inline: [const { MaybeUninit::uninit() }; INLINE],
            len: 0,
            spill: Vec::new(),
            facts: RecordFacts::new(),
        }
    }

    /// How many fields there are.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(super) fn push(&mut self, field: Field) {
        self.facts.add(field.offset(), field.item());
        match self.inline.get_mut(self.len) {
            // Invariant 1 holds for one more field: this slot was past `len`, so held nothing.
            Some(slot) => {
                slot.write(field);
            }
            None => self.spill.push(field),
        }
        self.len += 1;
    }

    /// The fields kept in place.
    #[inline]
    fn inline(&self) -> &[Field] {
        let n = self.len.min(INLINE);
        // SAFETY: invariant 1: the first `n` slots are initialised `Field`s, and
        // `MaybeUninit<Field>` has the layout of `Field`; the borrow of `self` keeps them alive
        // and unchanged.
        unsafe { core::slice::from_raw_parts(self.inline.as_ptr().cast::<Field>(), n) }
    }

    /// The fields so far, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Field> {
        self.inline().iter().chain(&self.spill)
    }

    /// Whether a field so far is called `name`.
    #[inline]
    pub(super) fn has_name(&self, name: &str) -> bool {
        let named = |f: &Field| f.name() == Some(name);
        self.inline().iter().any(named) || self.spill.iter().any(named)
    }

    /// The only field, taken out, when there is exactly one and `keep` says so.
    pub(super) fn take_only_if(&mut self, keep: impl FnOnce(&Field) -> bool) -> Option<Field> {
        if self.len != 1 || !keep(&self.inline()[0]) {
            return None;
        }
        self.len = 0;
        // SAFETY: invariant 1 held for `len == 1`, so slot 0 was initialised; `len` is now 0,
        // so the buffer no longer owns it (invariant 1 for `len == 0`) and it is read once.
        Some(unsafe { self.inline[0].assume_init_read() })
    }

    /// Every field, moved into one shared allocation of exactly `len` fields; the buffer is
    /// left empty.
    pub(super) fn take_all(&mut self) -> Arc<[Field]> {
        let n = self.len.min(INLINE);
        let mut out = Arc::<[Field]>::new_uninit_slice(self.len);
        // A fresh `Arc` has no other owner, so it can be written.
        let slots = Arc::get_mut(&mut out).expect("a new Arc is unique");
        let (head, tail) = slots.split_at_mut(n);
        // The buffer gives up its inline fields first, so that none is dropped twice even if
        // a later step panicked (none can: the lengths below match).
        self.len = 0;
        // SAFETY: invariant 1 (before `len` was reset): `inline[..n]` are initialised fields;
        // they are moved bitwise into `head`, `n` slots of a different allocation, and the
        // buffer no longer owns them (`len == 0`), so each is owned exactly once.
        unsafe {
            core::ptr::copy_nonoverlapping(self.inline.as_ptr(), head.as_mut_ptr(), n);
        }
        for (slot, field) in tail.iter_mut().zip(self.spill.drain(..)) {
            slot.write(field);
        }
        // SAFETY: `head` (above) and `tail` (invariant 2: `spill` held exactly `len - n`
        // fields, one per slot of `tail`) are every slot of `out`, and each was written.
        unsafe { out.assume_init() }
    }

    /// The record of these fields (in order, disjoint, inside `size`, uniquely named: the
    /// reader checked), or opaque bytes of `size` when there are none, as NumPy reads `T{}`.
    pub(super) fn finish(&mut self, size: usize) -> Result<ItemType, FormatError> {
        if self.len == 0 {
            return Ok(ItemType::Scalar(Scalar::raw(
                ScalarKind::Void,
                size,
                ByteOrder::NotApplicable,
            )));
        }
        let facts = core::mem::replace(&mut self.facts, RecordFacts::new());
        ItemType::record_parsed(self.take_all(), facts, size)
    }
}

impl Drop for FieldBuf {
    fn drop(&mut self) {
        let n = self.len.min(INLINE);
        self.len = 0;
        // SAFETY: invariant 1: `inline[..n]` are initialised fields the buffer owns; with
        // `len` reset they are dropped here once and never read again.
        unsafe {
            core::ptr::drop_in_place(core::ptr::slice_from_raw_parts_mut(
                self.inline.as_mut_ptr().cast::<Field>(),
                n,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldBuf, INLINE};
    use crate::item::{ByteOrder, Field, ItemType, ScalarKind};
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn field(i: usize) -> Field {
        // Long names are owned (heap) names, so a double drop or a leak shows under the
        // sanitizer and Miri.
        let name = format!("a field name too long to be stored inline, number {i}");
        let item = ItemType::scalar(ScalarKind::Int, 4, ByteOrder::Little).unwrap();
        Field::new(Some(&name), 4 * i, item)
    }

    /// Every count around the inline capacity: taken out, dropped unread, or the only one.
    #[test]
    fn fields_move_out_or_drop_exactly_once() {
        for n in [0, 1, 2, INLINE - 1, INLINE, INLINE + 1, 3 * INLINE] {
            let mut buf = FieldBuf::new();
            for i in 0..n {
                buf.push(field(i));
            }
            assert_eq!(buf.len(), n);
            assert_eq!(buf.iter().count(), n);
            assert!(
                n == 0
                    || buf.has_name(&format!(
                        "a field name too long to be stored inline, number {}",
                        n - 1
                    ))
            );
            assert!(!buf.has_name("absent"));
            let all = buf.take_all();
            let offsets: Vec<usize> = all.iter().map(Field::offset).collect();
            assert_eq!(offsets, (0..n).map(|i| 4 * i).collect::<Vec<_>>());
            assert_eq!(buf.len(), 0);
            drop(buf);
            let names: Vec<String> = all
                .iter()
                .filter_map(|f| f.name().map(String::from))
                .collect();
            assert_eq!(names.len(), n);

            let mut unread = FieldBuf::new();
            for i in 0..n {
                unread.push(field(i));
            }
            drop(unread);

            let mut only = FieldBuf::new();
            for i in 0..n {
                only.push(field(i));
            }
            let taken = only.take_only_if(|_| true);
            assert_eq!(taken.is_some(), n == 1);
            assert_eq!(only.len(), if n == 1 { 0 } else { n });
            assert!(only.take_only_if(|_| false).is_none());
        }
    }
}

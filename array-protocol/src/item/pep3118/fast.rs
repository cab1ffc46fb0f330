//! The fast paths: formats made only of plain scalar codes (`d`, `<i`, `3f`, `ii`), read without the general parser.

#[allow(unused_imports)]
use super::*;

/// A whole format of unnamed scalar codes with optional counts after at most one leading
/// byte-order mark (`bxxxi`, `<bi`, `10s`, `3f`, `iiddq`: what CPython's `struct` module reads),
/// read in one pass with the same semantics as the full reader, which it leaves everything else
/// to (`None`), errors included.
pub(super) fn plain_codes(format: &[u8]) -> Option<ItemType> {
    // Names are what most often sends a format to the full reader: look for one first.
    if format.contains(&b':') {
        return None;
    }
    // Only the first code may carry a byte-order mark here; a later one is left to the full
    // reader (`fixed_code` refuses it).
    let (mode, mut i) = match format.first().copied() {
        Some(b'@') => (Mode::Aligned, 1),
        Some(b'^') => (Mode::Unaligned, 1),
        Some(b'=') => (Mode::Standard(ByteOrder::NATIVE), 1),
        Some(b'<') => (Mode::Standard(ByteOrder::Little), 1),
        Some(b'>' | b'!') => (Mode::Standard(ByteOrder::Big), 1),
        Some(_) => (Mode::Aligned, 0),
        None => return None,
    };
    let aligned = mode == Mode::Aligned;
    let first = plain_item(format, &mut i, mode)?;
    if i == format.len() && !first.padding {
        // One item: itself, as the full reader makes it, when it is aligned.
        if !aligned || first.size & (first.alignment - 1) == 0 {
            return Some(first.value());
        }
    }
    // In a plain format every item is one code byte after its count, and padding is `x`: the
    // number of fields is the number of other bytes, counted before anything is built, so
    // that each field is built once, in its place in the record's one allocation. A format
    // that turns out not to be plain leaves the loop below early (`None`): the allocation is
    // then freed without dropping the fields written so far, which own nothing (unnamed
    // scalars and one-axis sub-arrays of them).
    let n = format[i - 1..]
        .iter()
        .filter(|&&b| !b.is_ascii_digit() && b != b'x')
        .count();
    if n == 0 {
        // Only padding: the full reader makes opaque bytes of it.
        return None;
    }
    let out = Arc::<[Field]>::new_uninit_slice(n);
    // SAFETY (for the writes below): `out` was just made and is never cloned or shared before
    // `assume_init`, so this pointer to its `n` slots is the only access to them, and each
    // write stays inside them (`written < n` is checked first). A write through this pointer
    // instead of `Arc::get_mut` spares an atomic instruction per record.
    let slots = Arc::as_ptr(&out).cast_mut().cast::<Field>();
    let mut facts = RecordFacts::new();
    let (mut offset, mut alignment, mut written) = (0usize, 1usize, 0usize);
    let mut only = None;
    let mut item = first;
    loop {
        if aligned {
            offset = align_up(offset, item.alignment)?;
            alignment = alignment.max(item.alignment);
        }
        if !item.padding {
            if written == n {
                return None;
            }
            let value = item.value();
            facts.add_info(
                offset,
                Info::flat(item.size, item.alignment, item.scalar.order().is_native()),
            );
            if n == 1 {
                only = Some(item);
            }
            let slot = slots.wrapping_add(written);
            // SAFETY: see `slots`: `slot` is slot `written < n` of the unshared allocation,
            // not yet written (so nothing is overwritten that would need a drop).
            unsafe { slot.write(Field::unnamed(offset, value)) };
            written += 1;
        }
        offset = offset
            .checked_add(item.size)
            .filter(|&n| n <= isize::MAX as usize)?;
        if i == format.len() {
            break;
        }
        item = plain_item(format, &mut i, mode)?;
    }
    if aligned {
        offset = align_up(offset, alignment)?;
    }
    if written != n {
        return None;
    }
    // A single unnamed item filling the whole struct is that item, as in NumPy.
    if let Some(only) = only.filter(|f| f.size == offset) {
        return Some(only.value());
    }
    // SAFETY: the loop wrote slot `written` (checked to exist) and then counted it, so slots
    // `0..written` were each written once, and `written == n == out.len()`.
    let fields = unsafe { out.assume_init() };
    Some(ItemType::Struct(facts.flat_record(fields, offset)))
}

/// One plain item read by [`plain_codes`]: `count` of `scalar`, or padding of `size` bytes.
#[derive(Clone, Copy)]
pub(super) struct PlainItem {
    pub(super) scalar: Scalar,
    /// A count before the code (other than 1) makes a sub-array of one axis.
    pub(super) count: Option<usize>,
    /// The whole item's size (checked).
    pub(super) size: usize,
    pub(super) alignment: usize,
    pub(super) padding: bool,
}

impl PlainItem {
    /// The item's type (a scalar or a sub-array of scalars: nothing is allocated).
    #[inline(always)]
    pub(super) fn value(&self) -> ItemType {
        match self.count {
            None => ItemType::Scalar(self.scalar),
            Some(n) => SubArray::inline_1d(self.scalar, n, self.size),
        }
    }
}

/// An optional count and a plain code at `i`, in `mode`; `None` for anything else.
#[inline(always)]
pub(super) fn plain_item(format: &[u8], i: &mut usize, mode: Mode) -> Option<PlainItem> {
    let mut count = None;
    if format.get(*i).is_some_and(u8::is_ascii_digit) {
        let mut n = 0usize;
        while let Some(&d) = format.get(*i).filter(|d| d.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
            *i += 1;
        }
        if n > isize::MAX as usize {
            return None;
        }
        count = Some(n);
    }
    let c = *format.get(*i)?;
    *i += 1;
    Some(match c {
        b's' => {
            // A length of 1 to isize::MAX (checked with the count): a valid byte string.
            let n = count.unwrap_or(1);
            if n == 0 {
                return None;
            }
            PlainItem {
                scalar: Scalar::raw(ScalarKind::Bytes, n, ByteOrder::NotApplicable),
                count: None,
                size: n,
                alignment: 1,
                padding: false,
            }
        }
        // Up to isize::MAX bytes (checked with the count): valid padding.
        b'x' => {
            let n = count.unwrap_or(1);
            PlainItem {
                scalar: Scalar::raw(ScalarKind::Void, n, ByteOrder::NotApplicable),
                count: None,
                size: n,
                alignment: 1,
                padding: true,
            }
        }
        c => {
            let (kind, size) = fixed_code(c, mode.native_sizes())?;
            let scalar = Scalar::for_code(kind, size, mode.order());
            // A fixed code's alignment is its size, but for the long double's.
            let alignment = if c == b'g' { scalar.alignment() } else { size };
            debug_assert_eq!(alignment, scalar.alignment());
            let count = count.filter(|&n| n != 1);
            let size = match count {
                None => size,
                Some(n) => SubArray::checked_size(n, size)?,
            };
            PlainItem {
                scalar,
                count,
                size,
                alignment,
                padding: false,
            }
        }
    })
}

/// The scalar codes of a fixed size in a mode: `(kind, size)`, or `None` for codes that need
/// more (counts, `Z`, `T{…}`) or have no size in this mode (`n N g` in standard mode).
#[inline(always)]
pub(super) fn fixed_code(c: u8, native_sizes: bool) -> Option<(ScalarKind, usize)> {
    let long = if native_sizes { NATIVE_LONG_SIZE } else { 4 };
    Some(match c {
        b'?' => (ScalarKind::Bool, 1),
        b'c' => (ScalarKind::Char, 1),
        b'b' => (ScalarKind::Int, 1),
        b'B' => (ScalarKind::UInt, 1),
        b'h' => (ScalarKind::Int, 2),
        b'H' => (ScalarKind::UInt, 2),
        b'i' => (ScalarKind::Int, 4),
        b'I' => (ScalarKind::UInt, 4),
        b'l' => (ScalarKind::Int, long),
        b'L' => (ScalarKind::UInt, long),
        b'q' => (ScalarKind::Int, 8),
        b'Q' => (ScalarKind::UInt, 8),
        b'n' if native_sizes => (ScalarKind::Int, core::mem::size_of::<isize>()),
        b'N' if native_sizes => (ScalarKind::UInt, core::mem::size_of::<usize>()),
        b'e' => (ScalarKind::Float, 2),
        b'E' => (ScalarKind::BFloat, 2),
        b'f' => (ScalarKind::Float, 4),
        b'd' => (ScalarKind::Float, 8),
        b'g' if native_sizes => (ScalarKind::Float, crate::item::LONG_DOUBLE_SIZE),
        _ => return None,
    })
}

/// A whole format that is one scalar code, with or without a byte-order mark (`d`, `<i`,
/// `>Q`): read without the parser's machinery. Anything else (or anything invalid) is `None`,
/// for the full parser to read or to explain.
#[inline]
pub(super) fn single_scalar(format: &[u8]) -> Option<Scalar> {
    let (mode, code) = match *format {
        [c] => (Mode::Aligned, c),
        [m, c] => (
            match m {
                b'@' => Mode::Aligned,
                b'^' => Mode::Unaligned,
                b'=' => Mode::Standard(ByteOrder::NATIVE),
                b'<' => Mode::Standard(ByteOrder::Little),
                b'>' | b'!' => Mode::Standard(ByteOrder::Big),
                _ => return None,
            },
            c,
        ),
        _ => return None,
    };
    let (kind, size) = fixed_code(code, mode.native_sizes())?;
    // `fixed_code` gives only valid sizes, and long doubles only in native modes.
    Some(Scalar::for_code(kind, size, mode.order()))
}

//! Generic records are checked per instantiation: padding-free instantiations of the shapes
//! that can pad (`align(N)`, `packed(N > 1)`, const generics, mixed field types) work through
//! every route to bytes, and none of those routes ever shows a byte that no field wrote, even
//! with the stack filled with a pattern first. Padded instantiations are compile errors (the
//! `generic-*` cases in `tests/ui`).

use std::marker::PhantomData;

use array_protocol::{ArrayProducer, ArrayView, Be, Element, ItemType, Order};

#[derive(Element, Clone, Copy)]
#[repr(C, align(4))]
struct Aligned<T: Element> {
    a: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C, packed(2))]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Header<const N: usize> {
    tag: [u8; N],
    value: u32,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Two<A: Element, B: Element> {
    a: A,
    b: B,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Marked<T: Copy + 'static> {
    x: f32,
    y: f32,
    #[array(skip)]
    _unit: PhantomData<T>,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Pair<T>
where
    T: Element,
{
    a: T,
    b: T,
}

const PATTERN: u8 = 0xa5;

/// Fills a stretch of the stack with `PATTERN`, so stale bytes would show up as it.
#[inline(never)]
fn dirty_stack() {
    let mut junk = [PATTERN; 1 << 16];
    std::hint::black_box(&mut junk);
}

/// Builds four values on the (dirtied) stack and returns their bytes through the crate's
/// routes: a view of the slice, the `Vec` producer, and a view's C-order copy.
#[inline(never)]
fn routes<T: Element>(make: impl Fn(u8) -> T) -> Vec<Vec<u8>> {
    let values = [make(1), make(2), make(3), make(4)];
    let view = ArrayView::from_slice(&values, &[4]).unwrap();
    let vec = values.to_vec();
    vec![
        view.as_bytes(Order::C).unwrap().to_vec(),
        vec.array().as_bytes(Order::C).unwrap().to_vec(),
        view.t().to_contiguous(Order::C).unwrap().bytes().to_vec(),
    ]
}

fn check<T: Element>(make: impl Fn(u8) -> T) {
    dirty_stack();
    let size = std::mem::size_of::<T>();
    for bytes in routes(make) {
        assert_eq!(bytes.len(), 4 * size, "{}", std::any::type_name::<T>());
        assert!(
            !bytes.contains(&PATTERN),
            "{}: a byte no field wrote: {bytes:?}",
            std::any::type_name::<T>()
        );
    }
    // The item type has no padding either: its fields cover every byte.
    let item = T::item_type();
    assert_eq!(item.itemsize(), size);
    assert_eq!(
        ItemType::from_pep3118(T::FORMAT).unwrap(),
        item,
        "{}",
        T::FORMAT
    );
}

#[test]
fn padding_free_instantiations_show_only_field_bytes() {
    check(|i| Aligned {
        a: u32::from(i) * 0x0101_0101,
    });
    check(|i| Aligned { a: [i; 8] });
    check(|i| Tagged {
        tag: i,
        value: i + 1,
    });
    check(|i| Tagged {
        tag: i,
        value: [i; 3],
    });
    check(|i| Tagged {
        tag: i,
        value: Be::<u32>::new(u32::from(i)),
    });
    check(|i| Header::<4> {
        tag: [i; 4],
        value: u32::from(i),
    });
    check(|i| Header::<8> {
        tag: [i; 8],
        value: u32::from(i),
    });
    check(|i| Two {
        a: u32::from(i),
        b: f32::from(i),
    });
    check(|i| Two {
        a: u16::from(i),
        b: [i; 2],
    });
    check(|i| Two {
        a: Be::<u32>::new(u32::from(i)),
        b: i,
    });
    check(|i| Two {
        a: Two { a: i, b: i },
        b: [i; 2],
    });
    check(|i| Marked::<char> {
        x: f32::from(i),
        y: 1.0,
        _unit: PhantomData,
    });
    check(|i| Pair {
        a: i16::from(i),
        b: 2,
    });
}

#[test]
fn bytemuck_where_every_instantiation_is_padding_free() {
    // One base type, packed(1) and transparent records are `NoUninit` (bounded on their fields).
    let p = [Pair { a: 1u16, b: 2 }; 2];
    assert_eq!(bytemuck::cast_slice::<_, u8>(&p).len(), 8);
    #[derive(Element, Clone, Copy)]
    #[repr(C, packed)]
    struct Loose<T: Element> {
        tag: u8,
        value: T,
    }
    let l = [Loose {
        tag: 1u8,
        value: 7u64,
    }; 2];
    assert_eq!(bytemuck::cast_slice::<_, u8>(&l).len(), 18);
    // Every record, padded or not, can be made from bytes (`AnyBitPattern` allows padding).
    let back: &[Two<u32, f32>] = bytemuck::cast_slice(&[0u8; 16][..]);
    assert_eq!(back.len(), 2);
}

#[test]
fn formats_of_generic_records_are_not_limited_to_4096_bytes() {
    #[derive(Element, Clone, Copy)]
    #[repr(C)]
    struct Big {
        a0: [Two<u32, f32>; 1],
        a1: [[u8; 4]; 1],
    }
    // Nested generics and arrays of a long format: `[[Rec; 2]; 2]` of a record whose format is
    // several kilobytes.
    type Long = Two<Two<Two<Two<Two<Two<u32, u32>, Two<u32, u32>>, u64>, [u16; 4]>, u64>, u64>;
    let long = <[Long; 3]>::FORMAT;
    assert_eq!(
        ItemType::from_pep3118(long).unwrap(),
        <[Long; 3]>::item_type(),
        "{long}"
    );
    // Each level doubles the format: `D8`'s is about 5 KB, a non-generic record holding two
    // of them about 10 KB, and arrays of both work.
    type D0 = Two<u32, u32>;
    type D1 = Two<D0, D0>;
    type D2 = Two<D1, D1>;
    type D3 = Two<D2, D2>;
    type D4 = Two<D3, D3>;
    type D5 = Two<D4, D4>;
    type D6 = Two<D5, D5>;
    type D7 = Two<D6, D6>;
    type D8 = Two<D7, D7>;
    #[derive(Element, Clone, Copy)]
    #[repr(C)]
    struct Wide {
        left: D8,
        right: D8,
    }
    assert!(D8::FORMAT.len() > 5000, "{}", D8::FORMAT.len());
    for (format, item) in [
        (<[D8; 2]>::FORMAT, <[D8; 2]>::item_type()),
        (Wide::FORMAT, Wide::item_type()),
        (<[[Wide; 2]; 3]>::FORMAT, <[[Wide; 2]; 3]>::item_type()),
        (<Two<Wide, D8>>::FORMAT, <Two<Wide, D8>>::item_type()),
    ] {
        assert_eq!(ItemType::from_pep3118(format).unwrap(), item);
    }
    assert!(<Two<Wide, D8>>::FORMAT.len() > 15_000);
    assert_eq!(
        <[Big; 2]>::item_type().itemsize(),
        2 * std::mem::size_of::<Big>()
    );
}

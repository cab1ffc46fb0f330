//! `#[derive(Element)]`: formats computed at compile time match Rust's layout.

use array_protocol::{ArrayView, Element, ErrorKind, ItemType};
use std::mem::{offset_of, size_of};

#[derive(Element, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(Element, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Particle {
    pos: [f32; 3],
    id: u32,
    mass: f64,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Sprite {
    corners: [Rgba; 4],
    origin: Particle,
    flags: [[u16; 2]; 2],
    visible: bool,
    #[array(pad)]
    _pad: [u8; 7],
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Pair(f64, i64);

#[derive(Element, Clone, Copy)]
#[repr(C, packed)]
struct Packed {
    tag: u8,
    value: u32,
    big: f64,
}

#[derive(Element, Clone, Copy)]
#[repr(transparent)]
struct Meters(f64);

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Vec3<T: Element> {
    x: T,
    y: T,
    z: [T; 1],
}

#[derive(Element, Clone, Copy)]
#[repr(C, packed)]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Keywords {
    r#type: u16,
    r#match: u16,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Empty {}

/// Checks the format reads back with exactly Rust's size and field offsets.
fn check<T: Element>(offsets: &[usize]) -> ItemType {
    let t = ItemType::from_pep3118(T::FORMAT).unwrap_or_else(|e| panic!("{}: {e}", T::FORMAT));
    assert_eq!(t.itemsize(), size_of::<T>(), "{}", T::FORMAT);
    if let Some(fields) = t.fields() {
        assert_eq!(
            fields.iter().map(|f| f.offset()).collect::<Vec<_>>(),
            offsets,
            "{}",
            T::FORMAT
        );
    }
    assert_eq!(T::item_type(), t);
    t
}

#[test]
fn formats_match_rust_layout() {
    assert_eq!(Rgba::FORMAT, "T{B:r:B:g:B:b:B:a:}");
    check::<Rgba>(&[0, 1, 2, 3]);
    assert_eq!(Particle::FORMAT, "T{(3)f:pos:I:id:d:mass:}");
    check::<Particle>(&[0, offset_of!(Particle, id), offset_of!(Particle, mass)]);
    let s = check::<Sprite>(&[
        0,
        offset_of!(Sprite, origin),
        offset_of!(Sprite, flags),
        offset_of!(Sprite, visible),
    ]);
    assert_eq!(
        s.as_struct().unwrap().padding(),
        [(offset_of!(Sprite, _pad), 7)]
    );
    assert_eq!(Pair::FORMAT, "T{dl}");
    check::<Pair>(&[0, 8]);
    assert_eq!(Packed::FORMAT, "T{^B:tag:I:value:d:big:}");
    check::<Packed>(&[0, 1, 5]);
    assert_eq!(Meters::FORMAT, "d");
    check::<Meters>(&[]);
    check::<Vec3<f32>>(&[0, 4, 8]);
    check::<Vec3<Rgba>>(&[0, 4, 8]);
    check::<Tagged<f64>>(&[0, 1]);
    check::<Tagged<Particle>>(&[0, 1]);
    check::<Keywords>(&[0, 2]);
    assert!(ItemType::from_pep3118(Keywords::FORMAT)
        .unwrap()
        .field("type")
        .is_some());
    assert_eq!(Empty::FORMAT, "T{}");
    assert_eq!(size_of::<Empty>(), 0);
    check::<[Particle; 2]>(&[]);
    check::<[[Packed; 3]; 2]>(&[]);
}

#[test]
fn formats_are_constants() {
    const F: &str = <[Rgba; 2]>::FORMAT;
    assert_eq!(F, "(2)T{B:r:B:g:B:b:B:a:}");
    const P: &str = Tagged::<u16>::FORMAT;
    assert_eq!(P, "T{^B:tag:H:value:}");
}

#[test]
fn records_are_read_through_views() {
    let ps = [
        Particle {
            pos: [1.0, 2.0, 3.0],
            id: 7,
            mass: 0.5,
        },
        Particle {
            pos: [4.0, 5.0, 6.0],
            id: 8,
            mass: 1.5,
        },
    ];
    let v = ArrayView::new(
        bytemuck::cast_slice(&ps),
        Particle::item_type(),
        &[2],
        None,
        0,
    )
    .unwrap();
    assert_eq!(v.typed::<Particle>().unwrap()[[1]], ps[1]);
    assert_eq!(
        v.field("mass").unwrap().to_vec::<f64>().unwrap(),
        [0.5, 1.5]
    );
    assert_eq!(v.field("pos").unwrap().typed::<f32>().unwrap()[[1, 2]], 6.0);
    let pixels = [Rgba {
        r: 1,
        g: 2,
        b: 3,
        a: 4,
    }; 3];
    let pv = ArrayView::new(
        bytemuck::cast_slice(&pixels),
        Rgba::item_type(),
        &[3],
        None,
        0,
    )
    .unwrap();
    assert_eq!(pv.clone().split_items::<u8>().unwrap().shape(), [3, 4]);
    assert_eq!(
        pv.cast::<u32>().unwrap().to_vec::<u32>().unwrap()[0],
        u32::from_ne_bytes([1, 2, 3, 4])
    );
}

#[test]
fn bytemuck_casts_without_deriving_bytemuck() {
    let p = Rgba {
        r: 9,
        g: 8,
        b: 7,
        a: 6,
    };
    assert_eq!(bytemuck::bytes_of(&p), [9, 8, 7, 6]);
    let back: &[Rgba] = bytemuck::cast_slice(&[1u8, 2, 3, 4]);
    assert_eq!(
        back[0],
        Rgba {
            r: 1,
            g: 2,
            b: 3,
            a: 4
        }
    );
    assert_eq!(
        <Rgba as bytemuck::Zeroable>::zeroed(),
        Rgba {
            r: 0,
            g: 0,
            b: 0,
            a: 0
        }
    );
}

#[derive(Element, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Flagged {
    on: bool,
    level: u8,
}

#[test]
fn records_with_bool_are_validated() {
    const { assert!(Flagged::HAS_INVALID_BIT_PATTERNS) };
    const { assert!(!Rgba::HAS_INVALID_BIT_PATTERNS) };
    let good = [1u8, 200, 0, 3];
    let bad = [1u8, 200, 2, 3];
    let g = ArrayView::new(&good, Flagged::item_type(), &[2], None, 0).unwrap();
    assert_eq!(
        g.to_vec::<Flagged>().unwrap()[1],
        Flagged {
            on: false,
            level: 3
        }
    );
    let b = ArrayView::new(&bad, Flagged::item_type(), &[2], None, 0).unwrap();
    assert_eq!(
        b.typed::<Flagged>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        b.to_vec::<Flagged>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert!(!<[Flagged; 2]>::is_valid_bits(&[1, 0, 5, 0]));
}

/// The item type the derive builds in a constant is exactly what its `FORMAT` reads as, for
/// every kind of record (padded, packed, tuple, transparent, generic, nested, empty).
#[test]
fn compile_time_item_types_equal_their_formats() {
    fn same<T: Element>() {
        let parsed = ItemType::from_pep3118(T::FORMAT).unwrap();
        assert_eq!(T::ITEM_TYPE, parsed, "{}", T::FORMAT);
        assert_eq!(T::ITEM_TYPE.to_pep3118(), parsed.to_pep3118());
        assert_eq!(
            T::ITEM_TYPE.has_padding(),
            parsed.has_padding(),
            "{}",
            T::FORMAT
        );
        assert_eq!(
            T::ITEM_TYPE.alignment(),
            parsed.alignment(),
            "{}",
            T::FORMAT
        );
        assert_eq!(T::ITEM_TYPE.itemsize(), core::mem::size_of::<T>());
    }
    same::<Rgba>();
    same::<Particle>();
    same::<Sprite>();
    same::<Pair>();
    same::<Packed>();
    same::<Meters>();
    same::<Vec3<f32>>();
    same::<Vec3<[u16; 2]>>();
    same::<Tagged<f64>>();
    same::<Keywords>();
    same::<Empty>();
    same::<Flagged>();
    same::<[Rgba; 3]>();
    same::<[[Particle; 2]; 3]>();
}

/// Two records with equal fields and different trailing padding are different item types,
/// even where the compiler gives both one field array.
#[test]
fn records_differing_only_in_trailing_padding_differ() {
    #[derive(Element, Clone, Copy)]
    #[repr(C)]
    struct Padded {
        x: u32,
        #[array(pad)]
        _pad: [u8; 4],
    }
    #[derive(Element, Clone, Copy)]
    #[repr(C)]
    struct Bare {
        x: u32,
    }
    let (padded, bare) = (Padded::item_type(), Bare::item_type());
    assert_eq!((padded.itemsize(), bare.itemsize()), (8, 4));
    assert_ne!(padded, bare);
    assert_ne!(bare, padded);
    assert_eq!(padded, ItemType::from_pep3118(Padded::FORMAT).unwrap());
    assert_eq!(bare, ItemType::from_pep3118(Bare::FORMAT).unwrap());
}

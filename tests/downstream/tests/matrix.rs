//! The downstream adapter against consumers of the protocol and hostile descriptions.

use array_protocol::{ArrayConsumer, ArrayProducer, ArrayView, Element, ErrorKind, Order};
use array_protocol_downstream::{ForeignMatrix, OwnedMatrix};

/// The values of a view in logical order, through a consumer that copies.
fn values<T: Element + PartialEq + core::fmt::Debug>(view: &ArrayView<'_>) -> Vec<T> {
    let copy = view.to_contiguous(Order::C).unwrap();
    let flat = ArrayView::new(copy.bytes(), copy.item().clone(), &[copy.len()], None, 0).unwrap();
    Vec::<T>::from_array(&flat).unwrap()
}

#[test]
fn rows_with_a_pitch_read_in_logical_order() {
    // 3 rows of 4 values, each row padded to 6.
    let pixels: Vec<u16> = (0..18).map(|i| if i % 6 < 4 { i } else { 999 }).collect();
    let m = OwnedMatrix::new(pixels, 3, 4, 6, false);
    let view = m.array();
    assert_eq!((view.shape(), view.strides()), (&[3, 4][..], &[12, 2][..]));
    assert_eq!(
        values::<u16>(&view),
        [0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 14, 15]
    );
}

#[test]
fn bottom_up_rows_have_a_negative_step() {
    // Memory holds row 2, row 1, row 0 (bottom-up), 3 values each.
    let pixels: Vec<f32> = vec![20.0, 21.0, 22.0, 10.0, 11.0, 12.0, 0.0, 1.0, 2.0];
    let m = OwnedMatrix::new(pixels, 3, 3, 3, true);
    let view = m.array();
    assert_eq!(view.strides(), [-12, 4]);
    let typed = view.typed::<f32>().unwrap();
    assert_eq!((typed[[0, 0]], typed[[2, 1]]), (0.0, 21.0));
    assert_eq!(
        values::<f32>(&view),
        [0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0]
    );
    // In place: the first element is the matrix's first row, the last row in memory.
    assert_eq!(typed.as_ptr(), m.array().typed::<f32>().unwrap().as_ptr());
}

#[test]
fn an_empty_matrix_takes_any_pointer() {
    let m = OwnedMatrix::<u8>::new(Vec::new(), 0, 5, 5, true);
    assert!(m.is_empty());
    assert_eq!(m.array().shape(), [0, 5]);
    for data in [
        core::ptr::null(),
        core::ptr::NonNull::<u64>::dangling().as_ptr().cast_const(),
    ] {
        let empty = ForeignMatrix::<u64> {
            data,
            rows: 4,
            cols: 0,
            step: 8,
        };
        // SAFETY: an empty array reads nothing.
        let view = unsafe { empty.view() }.unwrap();
        assert_eq!((view.shape(), view.len()), (&[4, 0][..], 0));
    }
}

#[test]
fn hostile_descriptions_are_layout_errors() {
    let memory = [0u32; 16];
    let p = memory.as_ptr();
    let cases = [
        // The extent overflows isize.
        ForeignMatrix {
            data: p,
            rows: 2,
            cols: usize::MAX / 4,
            step: 64,
        },
        ForeignMatrix {
            data: p,
            rows: usize::MAX,
            cols: 1,
            step: isize::MAX,
        },
        ForeignMatrix {
            data: p,
            rows: 3,
            cols: 2,
            step: isize::MIN,
        },
        // Rows below address 0: a negative step from a low address.
        ForeignMatrix {
            data: 16 as *const u32,
            rows: 3,
            cols: 1,
            step: -16,
        },
        ForeignMatrix {
            data: 4096 as *const u32,
            rows: 2,
            cols: 1,
            step: -4096,
        },
        // Past the end of the address space.
        ForeignMatrix {
            data: (usize::MAX - 8) as *const u32,
            rows: 2,
            cols: 2,
            step: 8,
        },
        // NULL for a non-empty matrix.
        ForeignMatrix {
            data: core::ptr::null(),
            rows: 1,
            cols: 1,
            step: 4,
        },
    ];
    for desc in cases {
        // SAFETY: every description is refused before anything is read.
        let err = unsafe { desc.view() }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Layout, "{desc:?}: {err}");
    }
    // A stride count that does not match the axes is a shape error.
    // SAFETY: refused before anything is read.
    let err = unsafe { ArrayView::from_raw_parts(p.cast(), u32::item_type(), &[2, 2], &[8]) }
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
}

#[test]
fn writable_views_refuse_elements_that_meet() {
    let mut memory = [0u16; 8];
    let p = memory.as_mut_ptr().cast::<u8>();
    let item = u16::item_type();
    for (shape, strides) in [
        (&[2usize, 4][..], &[0isize, 2][..]), // broadcast rows
        (&[4, 2][..], &[2, 2][..]),           // interleaved axes
        (&[3][..], &[1][..]),                 // elements closer than their size
    ] {
        // SAFETY: `memory` is ours; each description is refused before a write.
        let err = unsafe {
            array_protocol::ArrayViewMut::from_raw_parts_mut(p, item.clone(), shape, strides)
        }
        .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Overlap,
            "{shape:?} {strides:?}: {err}"
        );
    }
    // Read-only views may broadcast.
    // SAFETY: `memory` is initialised and not written while the view lives.
    let v = unsafe { ArrayView::from_raw_parts(p, item, &[3, 4], &[0, 2]) }.unwrap();
    assert_eq!(v.shape(), [3, 4]);
}

#[test]
fn typed_views_of_raw_parts_check_alignment_and_values() {
    let memory = [1i32, 2, 3, 4, 5, 6];
    // SAFETY: `memory` is initialised and unchanged while the views live.
    let rows = unsafe {
        array_protocol::TypedView::from_raw_parts(memory[3..].as_ptr(), &[2, 3], &[-12, 4])
    }
    .unwrap();
    assert_eq!(rows.iter().copied().collect::<Vec<_>>(), [4, 5, 6, 1, 2, 3]);
    // A stride that splits an element is refused, as is a misaligned first element.
    // SAFETY: refused before anything is read.
    let err =
        unsafe { array_protocol::TypedView::<i32>::from_raw_parts(memory.as_ptr(), &[2], &[2]) }
            .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Alignment | ErrorKind::Overlap),
        "{err}"
    );
    // One byte past an `i32`: never aligned.
    let odd = memory.as_ptr().cast::<u8>().wrapping_add(1).cast::<i32>();
    // SAFETY: refused before anything is read.
    let err =
        unsafe { array_protocol::TypedView::<i32>::from_raw_parts(odd, &[2], &[4]) }.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Alignment);
    // Invalid values are refused for types that have them.
    let flags = [0u8, 1, 2];
    // SAFETY: `flags` is initialised and unchanged.
    let err = unsafe {
        array_protocol::TypedView::<bool>::from_raw_parts(flags.as_ptr().cast(), &[3], &[1])
    }
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
}

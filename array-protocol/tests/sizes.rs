//! Views are small enough to move in registers and to copy inline (no `memcpy` call).

use array_protocol::{ArrayView, ArrayViewMut, ItemType, TypedView, TypedViewMut};
use core::mem::size_of;

#[test]
fn views_fit_in_128_bytes() {
    assert!(
        size_of::<ItemType>() <= 24,
        "ItemType: {}",
        size_of::<ItemType>()
    );
    assert!(
        size_of::<ArrayView>() <= 128,
        "ArrayView: {}",
        size_of::<ArrayView>()
    );
    assert!(
        size_of::<ArrayViewMut>() <= 128,
        "ArrayViewMut: {}",
        size_of::<ArrayViewMut>()
    );
}

#[test]
fn typed_views_fit_in_128_bytes() {
    assert!(
        size_of::<TypedView<f64>>() <= 128,
        "TypedView: {}",
        size_of::<TypedView<f64>>()
    );
    assert!(
        size_of::<TypedViewMut<f64>>() <= 128,
        "TypedViewMut: {}",
        size_of::<TypedViewMut<f64>>()
    );
}

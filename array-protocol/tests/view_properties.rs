//! Random shapes, strides, offsets and buffer lengths: either a clear error, or every element in
//! bounds and every read equal to a naive reference.

use array_protocol::{ArrayView, ArrayViewMut, Element, ItemType, Order};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
    itemsize: usize,
    buffer: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (0..5usize)
        .prop_flat_map(|ndim| {
            (
                prop::collection::vec(0..5usize, ndim),
                prop::collection::vec(-48..48isize, ndim),
                0..160usize,
                prop_oneof![Just(1usize), Just(2), Just(4), Just(8)],
                prop::collection::vec(any::<u8>(), 0..240),
            )
        })
        .prop_map(|(shape, strides, offset, itemsize, buffer)| Case {
            shape,
            strides,
            offset,
            itemsize,
            buffer,
        })
}

fn item(itemsize: usize) -> ItemType {
    match itemsize {
        1 => u8::item_type(),
        2 => u16::item_type(),
        4 => u32::item_type(),
        _ => u64::item_type(),
    }
}

/// Byte positions of the elements in C order, or `None` if some element leaves the buffer.
fn positions(c: &Case) -> Option<Vec<usize>> {
    let count: usize = c.shape.iter().product();
    let mut out = Vec::with_capacity(count);
    for flat in 0..count {
        let mut rest = flat;
        let mut pos = c.offset as isize;
        for axis in (0..c.shape.len()).rev() {
            pos += (rest % c.shape[axis]) as isize * c.strides[axis];
            rest /= c.shape[axis];
        }
        if pos < 0 || pos as usize + c.itemsize > c.buffer.len() {
            return None;
        }
        out.push(pos as usize);
    }
    Some(out)
}

fn naive_bytes(c: &Case, at: &[usize]) -> Vec<u8> {
    at.iter()
        .flat_map(|&p| c.buffer[p..p + c.itemsize].iter().copied())
        .collect()
}

fn as_bytes(c: &Case, v: &ArrayView<'_>) -> Vec<u8> {
    match c.itemsize {
        1 => v.to_vec::<u8>().unwrap(),
        2 => bytemuck::cast_slice(&v.to_vec::<u16>().unwrap()).to_vec(),
        4 => bytemuck::cast_slice(&v.to_vec::<u32>().unwrap()).to_vec(),
        _ => bytemuck::cast_slice(&v.to_vec::<u64>().unwrap()).to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn views_are_valid_or_refused(c in case()) {
        let empty = c.shape.contains(&0);
        let reference = if empty { (c.offset <= c.buffer.len()).then(Vec::new) } else { positions(&c) };
        let result = ArrayView::new(&c.buffer, item(c.itemsize), &c.shape, Some(&c.strides), c.offset);
        match (&result, &reference) {
            (Err(_), None) => {}
            (Ok(v), Some(at)) => {
                prop_assert_eq!(v.len(), at.len());
                let expected = naive_bytes(&c, at);
                prop_assert_eq!(&as_bytes(&c, v), &expected);
                for order in [Order::C, Order::Fortran] {
                    let copy = v.to_contiguous(order).unwrap();
                    prop_assert_eq!(&as_bytes(&c, &copy.view()), &expected);
                }
                let reversed = (0..v.ndim()).try_fold(v.clone(), |w, a| w.reverse_axis(a)).unwrap();
                let mut back = reversed.to_vec::<u8>().ok();
                if c.itemsize == 1 {
                    back.as_mut().unwrap().reverse();
                    prop_assert_eq!(back.unwrap(), expected);
                }
            }
            (r, e) => prop_assert!(false, "view {:?} but reference {:?}", r.as_ref().map(|v| v.len()), e),
        }
    }

    #[test]
    fn writable_views_never_alias(c in case()) {
        let mut buffer = c.buffer.clone();
        let Ok(mut w) = ArrayViewMut::new(&mut buffer, item(c.itemsize), &c.shape, Some(&c.strides), c.offset) else {
            return Ok(());
        };
        let at = if c.shape.contains(&0) { Vec::new() } else { positions(&c).expect("a valid view is in bounds") };
        // No two elements share a byte.
        let mut owner = vec![usize::MAX; c.buffer.len()];
        for (k, &p) in at.iter().enumerate() {
            for slot in &mut owner[p..p + c.itemsize] {
                prop_assert_eq!(*slot, usize::MAX, "bytes shared by elements {} and {}", *slot, k);
                *slot = k;
            }
        }
        // Writing each element's index lands at the reference position.
        let src: Vec<u8> = (0..at.len() * c.itemsize).map(|i| (i / c.itemsize) as u8).collect();
        let sv = ArrayView::new(&src, item(c.itemsize), &c.shape, None, 0).unwrap();
        sv.copy_into(&mut w).unwrap();
        for (k, &p) in at.iter().enumerate() {
            prop_assert!(buffer[p..p + c.itemsize].iter().all(|&b| b == k as u8));
        }
    }
}

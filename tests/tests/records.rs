//! Records with strings, enums, renamed fields and fixed byte orders, against the real numpy:
//! the dtype numpy builds from our format and from our descr equals the one written by hand,
//! and bytes cross both ways with the values intact (a file numpy writes big-endian reads
//! right through `Be<T>` fields; our array read by `np.frombuffer`).

use std::marker::PhantomData;
use std::process::Command;

use array_protocol::{ArrayView, Be, Element, ErrorKind, Le, Order};
use array_protocol_tests::python;

#[derive(Element, Clone, Copy, Debug, PartialEq)]
#[repr(u8)]
enum Color {
    Red = 0,
    Green = 1,
    Blue = 2,
}

#[derive(Element, Clone, Copy, Debug, PartialEq)]
#[repr(i16)]
enum Level {
    Low = -1,
    High = 300,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Labelled<T: Copy + 'static> {
    #[array(unicode)]
    label: [u32; 4],
    x: Be<u32>,
    y: Le<f64>,
    #[array(string)]
    name: [u8; 16],
    #[array(rename = "class")]
    class_: u8,
    color: Color,
    level: Be<i16>,
    #[array(skip)]
    _unit: PhantomData<T>,
}

const DTYPE: &str = "np.dtype([('label', '<U4'), ('x', '>u4'), ('y', '<f8'), ('name', 'S16'), ('class', 'u1'), ('color', 'u1'), ('level', '>i2')])";

fn ucs4(s: &str) -> [u32; 4] {
    let mut out = [0; 4];
    for (o, c) in out.iter_mut().zip(s.chars()) {
        *o = c as u32;
    }
    out
}

fn bytes16(s: &str) -> [u8; 16] {
    let mut out = [0; 16];
    out[..s.len()].copy_from_slice(s.as_bytes());
    out
}

fn sample(i: u32) -> Labelled<()> {
    Labelled {
        label: ucs4(["ab", "çé", "€", "zz"][i as usize % 4]),
        x: Be::new(0x0102_0304 + i),
        y: Le::new(f64::from(i) * 0.5 - 1.0),
        name: bytes16(&format!("name-{i}")),
        class_: i as u8 * 3,
        color: [Color::Red, Color::Green, Color::Blue][i as usize % 3],
        level: Be::new(-300 + i as i16),
        _unit: PhantomData,
    }
}

fn python_run(script: &str, stdin: &[u8]) -> Vec<u8> {
    let Some(py) = python() else {
        return Vec::new();
    };
    use std::io::Write;
    let mut child = Command::new(py)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("python runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed on:\n{script}");
    out.stdout
}

#[test]
fn item_type_matches_numpy_dtypes() {
    type L = Labelled<()>;
    assert_eq!(std::mem::size_of::<L>(), 16 + 4 + 8 + 16 + 1 + 1 + 2);
    let item = L::item_type();
    assert_eq!(
        item.descr().to_string(),
        "[('label', '<U4'), ('x', '>u4'), ('y', '<f8'), ('name', '|S16'), ('class', '|u1'), ('color', '|u1'), ('level', '>i2')]"
    );
    assert_eq!(
        array_protocol::ItemType::from_pep3118(L::FORMAT).unwrap(),
        item
    );
    // numpy: our format (read by numpy's own PEP 3118 reader), our descr, and numpy's export
    // of its dtype read by us.
    let script = format!(
        r#"
import sys, numpy as np
from numpy._core._internal import _dtype_from_pep3118
fmt, descr = sys.stdin.read().split('\n')
want = {DTYPE}
assert want.itemsize == {size}, want.itemsize
got = _dtype_from_pep3118(fmt)
assert got == want, (got, want)
assert np.dtype(eval(descr)) == want, (descr, want)
print(memoryview(np.zeros(1, want)).format)
"#,
        size = std::mem::size_of::<L>()
    );
    let out = python_run(
        &script,
        format!("{}\n{}", L::FORMAT, item.descr()).as_bytes(),
    );
    if out.is_empty() {
        return;
    }
    let numpy_format = String::from_utf8(out).unwrap();
    let theirs = array_protocol::ItemType::from_pep3118(numpy_format.trim()).unwrap();
    assert_eq!(theirs, item, "numpy's export {numpy_format}");
}

#[test]
fn bytes_cross_both_ways_with_numpy() {
    type L = Labelled<()>;
    // numpy writes big-endian and little-endian fields of known values; we read them typed.
    let script = format!(
        r#"
import sys, numpy as np
a = np.zeros(5, {DTYPE})
for i in range(5):
    a[i] = (['ab', 'çé', '€', 'zz'][i % 4], 0x01020304 + i, i * 0.5 - 1.0, b'name-%d' % i, i * 3, i % 3, -300 + i)
sys.stdout.buffer.write(a.tobytes())
"#
    );
    let bytes = python_run(&script, b"");
    if bytes.is_empty() {
        return;
    }
    let view = ArrayView::new(&bytes, L::item_type(), &[5], None, 0).unwrap();
    let records = view.typed::<L>().unwrap().to_vec();
    for (i, r) in records.iter().enumerate() {
        let want = sample(i as u32);
        assert_eq!(r.x.get(), want.x.get());
        assert_eq!(r.y.get(), want.y.get());
        assert_eq!(r.level.get(), want.level.get());
        assert_eq!(
            (r.label, r.name, r.class_, r.color),
            (want.label, want.name, want.class_, want.color)
        );
    }
    // Our records, read by numpy through the format it is given.
    let ours: Vec<L> = (0..5).map(sample).collect();
    let ours_bytes = ArrayView::from_slice(&ours, &[5])
        .unwrap()
        .as_bytes(Order::C)
        .unwrap()
        .to_vec();
    assert_eq!(
        ours_bytes, bytes,
        "the same values make the same bytes as numpy's"
    );
    let check = format!(
        r#"
import sys, numpy as np
from numpy._core._internal import _dtype_from_pep3118
data = sys.stdin.buffer.read()
fmt, data = data.split(b'\n', 1)
a = np.frombuffer(data, _dtype_from_pep3118(fmt.decode()))
assert a.dtype == {DTYPE}
assert list(a['x']) == [0x01020304 + i for i in range(5)], a['x']
assert list(a['level']) == [-300 + i for i in range(5)]
assert list(a['label']) == [['ab', 'çé', '€', 'zz'][i % 4] for i in range(5)], a['label']
assert list(a['name']) == [b'name-%d' % i for i in range(5)]
print('ok')
"#
    );
    let mut input = L::FORMAT.as_bytes().to_vec();
    input.push(b'\n');
    input.extend_from_slice(&ours_bytes);
    assert_eq!(python_run(&check, &input), b"ok\n");
}

#[test]
fn enums_refuse_bytes_that_are_no_discriminant() {
    assert_eq!((Color::FORMAT, Level::FORMAT), (u8::FORMAT, i16::FORMAT));
    let ok = [0u8, 1, 2, 1];
    let colors = ArrayView::from_slice(&ok, &[4]).unwrap();
    assert_eq!(
        colors.typed::<Color>().unwrap().to_vec(),
        [Color::Red, Color::Green, Color::Blue, Color::Green]
    );
    let bad = [0u8, 1, 7, 1];
    let err = ArrayView::from_slice(&bad, &[4])
        .unwrap()
        .typed::<Color>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.to_string().contains("[7]"), "{err}");
    let levels = [-1i16, 300, 299];
    let err = ArrayView::from_slice(&levels, &[3])
        .unwrap()
        .typed::<Level>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(
        ArrayView::from_slice(&levels[..2], &[2])
            .unwrap()
            .typed::<Level>()
            .unwrap()
            .to_vec(),
        [Level::Low, Level::High]
    );
}

#[test]
fn byte_order_wrappers_store_their_order() {
    macro_rules! each {
        ($($ty:ty = $v:expr;)*) => {$(
            let v: $ty = $v;
            assert_eq!(bytemuck::bytes_of(&Be::<$ty>::new(v)), v.to_be_bytes());
            assert_eq!(bytemuck::bytes_of(&Le::<$ty>::new(v)), v.to_le_bytes());
            assert_eq!((Be::<$ty>::new(v).get(), Le::<$ty>::new(v).get()), (v, v));
            assert_eq!(std::mem::align_of::<Be<$ty>>(), 1);
            let item = Be::<$ty>::item_type();
            assert_eq!(array_protocol::ItemType::from_pep3118(Be::<$ty>::FORMAT).unwrap(), item);
            assert_eq!(array_protocol::ItemType::from_pep3118(Le::<$ty>::FORMAT).unwrap(), Le::<$ty>::item_type());
            assert_eq!(item.itemsize(), std::mem::size_of::<$ty>());
        )*};
    }
    each! {
        u8 = 0xab; i8 = -5; u16 = 0x1234; i16 = -1234; u32 = 0xdead_beef; i32 = -7;
        u64 = 0x0102_0304_0506_0708; i64 = i64::MIN + 3; f32 = -1.5; f64 = 1e300;
    }
    assert_eq!(Be::<u16>::item_type().typestr(), ">u2");
    assert_eq!(Le::<f32>::item_type().typestr(), "<f4");
}

#[test]
fn formats_put_the_record_order_back_after_a_field_in_another() {
    // `x: Be<u32>` leaves `>` in force; the native field after it gets `@` back.
    #[derive(Element, Clone, Copy)]
    #[repr(C)]
    struct Mixed {
        x: Be<u32>,
        y: [u16; 2],
        z: Le<u16>,
        w: u16,
    }
    assert_eq!(Mixed::FORMAT, "T{>I:x:(2)@H:y:<H:z:@H:w:}");
    let item = array_protocol::ItemType::from_pep3118(Mixed::FORMAT).unwrap();
    assert_eq!(item, Mixed::item_type());
    assert_eq!(item.itemsize(), 12);
}

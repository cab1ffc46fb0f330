//! The real numpy reads every derived `FORMAT` with exactly Rust's size and field offsets.

use array_protocol::Element;
use array_protocol_tests::{ask, python};
use serde_json::json;
use std::mem::{offset_of, size_of};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Particle {
    pos: [f32; 3],
    id: u32,
    mass: f64,
}

#[derive(Element, Clone, Copy)]
#[repr(C, packed)]
struct Packed {
    tag: u8,
    value: u32,
    big: f64,
    half: u16,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Scene {
    corners: [Rgba; 4],
    particles: [Particle; 2],
    packed: Packed,
    #[array(pad)]
    _pad: [u8; 1],
    flags: [[u16; 2]; 3],
    visible: bool,
    #[array(pad)]
    _tail: [u8; 3],
}

#[derive(Element, Clone, Copy)]
#[repr(C, packed)]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Wide {
    a: u8,
    #[array(pad)]
    _pad: [u8; 7],
    b: i64,
    c: num_complex::Complex64,
    d: half::f16,
    e: [i8; 6],
}

struct Case {
    name: &'static str,
    format: &'static str,
    size: usize,
    offsets: Vec<usize>,
}

fn case<T: Element>(name: &'static str, offsets: Vec<usize>) -> Case {
    Case {
        name,
        format: T::FORMAT,
        size: size_of::<T>(),
        offsets,
    }
}

#[test]
fn numpy_reads_derived_formats_with_rust_layout() {
    let Some(python) = python() else { return };
    let cases = [
        case::<Rgba>("Rgba", vec![0, 1, 2, 3]),
        case::<Particle>(
            "Particle",
            vec![0, offset_of!(Particle, id), offset_of!(Particle, mass)],
        ),
        case::<Packed>("Packed", vec![0, 1, 5, 13]),
        case::<Scene>(
            "Scene",
            vec![
                0,
                offset_of!(Scene, particles),
                offset_of!(Scene, packed),
                offset_of!(Scene, flags),
                offset_of!(Scene, visible),
            ],
        ),
        case::<Tagged<f64>>("Tagged<f64>", vec![0, 1]),
        case::<Tagged<Particle>>("Tagged<Particle>", vec![0, 1]),
        // numpy lists the fields of a sub-array's records at the first element.
        case::<[Scene; 3]>(
            "[Scene; 3]",
            vec![
                0,
                offset_of!(Scene, particles),
                offset_of!(Scene, packed),
                offset_of!(Scene, flags),
                offset_of!(Scene, visible),
            ],
        ),
        case::<Wide>("Wide", vec![0, 8, 16, 32, 34]),
    ];
    let formats: Vec<&str> = cases.iter().map(|c| c.format).collect();
    let reply = ask(&python, "numpy_oracle.py", &json!({ "formats": formats }));
    for (c, numpy) in cases.iter().zip(reply["formats"].as_array().unwrap()) {
        assert_eq!(
            numpy["ok"],
            json!(true),
            "{}: numpy refuses {}: {}",
            c.name,
            c.format,
            numpy["error"]
        );
        assert_eq!(numpy["itemsize"], json!(c.size), "{}: {}", c.name, c.format);
        let top: Vec<u64> = numpy["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f[0].as_array().unwrap().len() == 1)
            .map(|f| f[1].as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = c.offsets.iter().map(|&o| o as u64).collect();
        assert_eq!(top, expected, "{}: {}", c.name, c.format);
    }
}

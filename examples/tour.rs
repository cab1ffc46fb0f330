//! A tour of array-protocol on built-in data: item types of Rust types and of formats other
//! libraries export, in every dialect the protocol speaks.
//!
//! Run with `cargo run --example tour`.

use array_protocol::{Element, ItemType};
use half::{bf16, f16};
use num_complex::Complex64;

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
    value: f64,
}

fn show(label: &str, item: &ItemType) {
    let dlpack = match item.to_dlpack() {
        Some(d) => format!("({}, {}, {})", d.code, d.bits, d.lanes),
        None => "-".to_string(),
    };
    println!(
        "{label:<28} {:<28} {:>3} B  {:<6} {:<10} {}",
        item.to_pep3118(),
        item.itemsize(),
        item.typestr(),
        dlpack,
        item.descr()
    );
}

fn main() {
    println!("== Rust types: Element::FORMAT is a compile-time constant ==");
    println!(
        "{:<28} {:<28} {:>5}  {:<6} {:<10} descr",
        "", "PEP 3118", "size", "typestr", "DLPack"
    );
    show("u8", &u8::item_type());
    show("i64", &i64::item_type());
    show("f64", &f64::item_type());
    show("bool", &bool::item_type());
    show("half::f16", &f16::item_type());
    show("half::bf16", &bf16::item_type());
    show("Complex<f64>", &Complex64::item_type());
    show("[[f32; 3]; 4]", &<[[f32; 3]; 4]>::item_type());

    println!("\n== Your own records: #[derive(Element)] computes the format at compile time ==");
    show("#[derive(Element)] Rgba", &Rgba::item_type());
    show("#[derive(Element)] Particle", &Particle::item_type());
    show("#[repr(C, packed)] Packed", &Packed::item_type());
    show("[Particle; 2]", &<[Particle; 2]>::item_type());

    println!("\n== Formats other libraries export, read with numpy's rules ==");
    for (label, format) in [
        ("RGBA pixel", "T{B:r:B:g:B:b:B:a:}"),
        ("particle record", "T{(3)f:pos:I:id:d:mass:}"),
        ("aligned (numpy align=True)", "T{B:a:xxxi:b:}"),
        ("packed (numpy default)", "T{B:a:=i:b:}"),
        ("big-endian 2x2 int16", "(2,2)>h"),
        ("PEP 3118 multi-line", "T{\n  i:ival:\n  (4,4)d:data:\n}"),
        ("byte order as state", "T{<i:a:}d:b:"),
        ("strings", "10s:name:3w:code:"),
    ] {
        match ItemType::from_pep3118(format) {
            Ok(item) => show(label, &item),
            Err(e) => println!("{label:<28} error: {e}"),
        }
    }

    views();

    println!("\n== Refused with a reason, never misread ==");
    for format in ["T{i:a:", "i}x", "<(2,3)i", "O", "<g", "i:a:i:a:"] {
        if let Err(e) = ItemType::from_pep3118(format) {
            println!("{e}");
        }
    }
}

/// Views: one buffer, several descriptions of it, no copies.
fn views() {
    use array_protocol::{ArrayConsumer, ArrayProducer, Order};

    println!("\n== Views share memory; only the metadata changes ==");
    // A 3×4 image of RGBA pixels, produced by a plain Vec.
    let pixels: Vec<[u8; 4]> = (0..12u8).map(|k| [k * 20, 255 - k * 20, k, 255]).collect();
    let image = pixels.array();
    println!(
        "image:      shape {:?} strides {:?} item {} at {:p}",
        image.shape(),
        image.strides(),
        image.item().describe(),
        image.as_ptr()
    );
    let pixels_u32 = image
        .clone()
        .merge_items::<u32>()
        .expect("4 contiguous bytes");
    println!(
        "as u32:     shape {:?} strides {:?} item {} at {:p}",
        pixels_u32.shape(),
        pixels_u32.strides(),
        pixels_u32.item().describe(),
        pixels_u32.as_ptr()
    );
    let red = image.index_axis(1, 0).expect("channel 0");
    println!(
        "red only:   shape {:?} strides {:?} values {:?}",
        red.shape(),
        red.strides(),
        red.to_vec::<u8>().expect("u8")
    );
    let reversed = image.reverse_axis(0).expect("axis 0");
    println!(
        "reversed:   strides {:?} offset {} first red {}",
        reversed.strides(),
        reversed.offset(),
        reversed.typed::<u8>().expect("u8")[[0, 0]]
    );

    let matrix: Vec<f64> = (0..6).map(f64::from).collect();
    let m = array_protocol::ArrayView::new(
        bytemuck::cast_slice(&matrix),
        f64::item_type(),
        &[2, 3],
        None,
        0,
    )
    .expect("2x3");
    let t = m.transpose();
    println!(
        "transpose:  strides {:?} C? {} F? {}; C copy {:?}",
        t.strides(),
        t.is_c_contiguous(),
        t.is_f_contiguous(),
        t.to_contiguous(Order::C)
            .expect("copy")
            .to_vec::<f64>()
            .expect("f64")
    );

    match Vec::<f32>::from_array(&m) {
        Ok(_) => println!("unexpected"),
        Err(e) => println!("consumer:   {e}"),
    }
}

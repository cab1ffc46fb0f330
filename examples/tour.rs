//! A tour of array-protocol on built-in data: item types of Rust types and of formats other
//! libraries export, in every dialect the protocol speaks.
//!
//! Run with `cargo run --example tour`.

use array_protocol::{Element, ItemType};
use half::{bf16, f16};
use num_complex::Complex64;

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

    println!("\n== Refused with a reason, never misread ==");
    for format in ["T{i:a:", "i}x", "<(2,3)i", "O", "<g", "i:a:i:a:"] {
        if let Err(e) = ItemType::from_pep3118(format) {
            println!("{e}");
        }
    }
}

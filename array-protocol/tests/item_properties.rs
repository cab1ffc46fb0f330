//! Properties of the item-type language over arbitrary inputs.

use array_protocol::{ByteOrder, Descr, Field, ItemType, ScalarKind, LONG_DOUBLE_SIZE};
use proptest::prelude::*;

fn scalar() -> impl Strategy<Value = ItemType> {
    let order = prop_oneof![
        Just(ByteOrder::Little),
        Just(ByteOrder::Big),
        Just(ByteOrder::NotApplicable)
    ];
    let kind_size = prop_oneof![
        Just((ScalarKind::Bool, 1)),
        Just((ScalarKind::Char, 1)),
        (
            prop_oneof![Just(ScalarKind::Int), Just(ScalarKind::UInt)],
            prop_oneof![Just(1), Just(2), Just(4), Just(8)]
        ),
        (
            Just(ScalarKind::Float),
            prop_oneof![Just(2), Just(4), Just(8), Just(LONG_DOUBLE_SIZE)]
        ),
        Just((ScalarKind::BFloat, 2)),
        (
            Just(ScalarKind::Complex),
            prop_oneof![Just(8), Just(16), Just(2 * LONG_DOUBLE_SIZE)]
        ),
        (Just(ScalarKind::Bytes), 1..20usize),
        (Just(ScalarKind::Ucs4), (1..5usize).prop_map(|n| 4 * n)),
        (Just(ScalarKind::Void), 0..12usize),
    ];
    (kind_size, order).prop_map(|((kind, size), order)| {
        ItemType::scalar(kind, size, order)
            // Long doubles exist only in native order.
            .or_else(|_| ItemType::scalar(kind, size, ByteOrder::NATIVE))
            .expect("valid scalar")
    })
}

fn item_type() -> impl Strategy<Value = ItemType> {
    scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (inner.clone(), prop::collection::vec(1..4usize, 1..3))
                .prop_map(|(item, shape)| ItemType::array(item, &shape).expect("small array")),
            prop::collection::vec((inner, 0..9usize, any::<bool>()), 1..5).prop_flat_map(
                |members| {
                    (Just(members), 0..9usize).prop_map(|(members, trailing)| {
                        let mut offset = 0;
                        let fields = members
                            .into_iter()
                            .enumerate()
                            .map(|(i, (item, gap, named))| {
                                offset += gap;
                                let field = Field::new(
                                    named.then(|| format!("f_{i}")).as_deref(),
                                    offset,
                                    item,
                                );
                                offset += field.item().itemsize();
                                field
                            })
                            .collect();
                        ItemType::record(fields, offset + trailing).expect("fields in order")
                    })
                }
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn rendering_reads_back_to_the_same_item(t in item_type()) {
        let rendered = t.to_pep3118();
        let back = ItemType::from_pep3118(&rendered);
        prop_assert_eq!(back.as_ref(), Ok(&t), "rendered as {}", rendered);
    }

    #[test]
    fn descr_reads_back_to_the_same_layout(t in item_type()) {
        let descr: Descr = t.descr();
        let back = ItemType::from_descr(&descr).expect("our own descr reads back");
        prop_assert_eq!(back.itemsize(), t.itemsize());
        prop_assert_eq!(back.descr(), descr);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,40}") {
        let _ = ItemType::from_pep3118(&s);
        let _ = ItemType::from_typestr(&s);
    }

    #[test]
    fn strings_from_the_format_alphabet_never_panic(s in "[@=<>!^()0-9,:TZ{}a-z?xsw ]{0,40}") {
        match ItemType::from_pep3118(&s) {
            Ok(t) => {
                // Whatever reads also renders and reads back.
                let back = ItemType::from_pep3118(&t.to_pep3118());
                prop_assert_eq!(back.as_ref(), Ok(&t));
            }
            Err(e) => prop_assert!(e.position().is_some_and(|p| p <= s.len())),
        }
    }
}

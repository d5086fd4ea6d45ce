//! Property tests of the spec language: generated valid specs survive a
//! round trip through YAML and JSON unchanged, and no mutation of a spec's
//! text makes the parser panic.

use blueprint_core::spec::*;
use indexmap::IndexMap;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
];
const ENTITY_WORDS: &[&str] = &[
    "Account", "Booking", "Contract", "Device", "Event", "Folder", "Grant", "Invoice",
];

fn free_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of("\\PC{0,30}")
}

fn field() -> impl Strategy<Value = Field> {
    (
        0usize..FieldType::ALL.len(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        free_text(),
        0u8..4,
    )
        .prop_map(|(t, required, unique, index, description, variant)| {
            let ty = FieldType::ALL[t];
            let mut f = Field::new(ty);
            f.required = required;
            f.unique = unique && ty != FieldType::Json;
            f.index = index;
            f.description = description;
            match ty {
                FieldType::String => {
                    f.max = Some(Number::Int(1 + i64::from(variant) * 40));
                    if variant == 2 {
                        f.pattern = Some("^[a-z]+$".to_string());
                    }
                }
                FieldType::Integer | FieldType::Bigint => {
                    f.min = Some(Number::Int(-i64::from(variant)));
                    f.max = Some(Number::Int(100 + i64::from(variant)));
                    f.default = (variant == 1).then_some(Scalar::Number(Number::Int(7)));
                }
                FieldType::Decimal => {
                    f.precision = Some(10 + u32::from(variant));
                    f.scale = Some(u32::from(variant));
                    f.min = (variant > 1).then_some(Number::Float(0.5));
                }
                FieldType::Enum => {
                    f.values = WORDS[..2 + usize::from(variant)]
                        .iter()
                        .map(|s| s.to_string())
                        .collect();
                    f.default = (variant % 2 == 0).then(|| Scalar::Str(WORDS[1].to_string()));
                }
                FieldType::Boolean => f.default = (variant == 3).then_some(Scalar::Bool(true)),
                FieldType::Text | FieldType::Email | FieldType::Url | FieldType::Phone => {
                    f.pii = [
                        None,
                        Some(Pii::None),
                        Some(Pii::Personal),
                        Some(Pii::Sensitive),
                    ][usize::from(variant)];
                }
                _ => {}
            }
            f
        })
}

prop_compose! {
    fn spec_strategy()(
        n_entities in 1usize..6,
        n_roles in 0usize..3,
        product_word in 0usize..WORDS.len(),
        title in free_text(),
        description in free_text(),
        frameworks in prop::sample::subsequence(Framework::ALL.to_vec(), 0..3),
        infer in any::<bool>(),
        // Not `stripe`: its options name the spec's own fields (E604).
        vendors in prop::sample::subsequence(vec!["slack", "sendgrid", "sentry", "s3"], 0..3),
        page_size in 1u32..=500,
    )(
        fields in prop::collection::vec(prop::collection::vec(field(), 0..5), n_entities),
        owned in prop::collection::vec(any::<bool>(), n_entities),
        rel_choices in prop::collection::vec(prop::collection::vec((0usize..100, 0u8..3, 0u8..3, any::<bool>()), 0..3), n_entities),
        retention in prop::collection::vec(prop::option::of((1u32..100, 0u8..3)), n_entities),
        access_seed in prop::collection::vec(prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..4), 4), n_entities),
        n_entities in Just(n_entities),
        n_roles in Just(n_roles),
        product_word in Just(product_word),
        title in Just(title),
        description in Just(description),
        frameworks in Just(frameworks),
        infer in Just(infer),
        vendors in Just(vendors),
        page_size in Just(page_size),
    ) -> Spec {
        let mut roles = IndexMap::new();
        for (r, word) in WORDS.iter().take(n_roles).enumerate() {
            roles.insert(format!("{word}_role"), Role { signup: r == 0, admin: false, description: None });
        }
        roles.insert("admin".to_string(), Role { signup: false, admin: true, description: Some("Operators".into()) });
        let role_names: Vec<String> = roles.keys().cloned().collect();
        let names: Vec<String> = (0..n_entities).map(|i| format!("{}{i}", ENTITY_WORDS[i % ENTITY_WORDS.len()])).collect();
        let mut entities = IndexMap::new();
        for i in 0..n_entities {
            let mut relations = IndexMap::new();
            for (k, (target, kind, on_delete, required)) in rel_choices[i].iter().enumerate() {
                let kind = [RelationKind::ManyToOne, RelationKind::OneToOne, RelationKind::ManyToMany][usize::from(*kind)];
                let (required, on_delete) = if kind == RelationKind::ManyToMany {
                    (false, OnDelete::Restrict)
                } else {
                    let od = [OnDelete::Restrict, OnDelete::Cascade, OnDelete::SetNull][usize::from(*on_delete)];
                    (*required && od != OnDelete::SetNull, od)
                };
                relations.insert(format!("r{k}_link"), Relation {
                    to: names[target % n_entities].clone(),
                    kind,
                    required,
                    on_delete,
                    inverse: None,
                });
            }
            let mut access = Access::default();
            for (a, action) in Action::ALL.into_iter().enumerate() {
                let mut pool: Vec<Subject> = role_names.iter().cloned().map(Subject::Role).collect();
                pool.push(Subject::Authenticated);
                if owned[i] && action != Action::Create { pool.push(Subject::Owner); }
                if !(owned[i] && action == Action::Create) { pool.push(Subject::Public); }
                let mut chosen: Vec<Subject> = Vec::new();
                for idx in &access_seed[i][a] {
                    let s = idx.get(&pool).clone();
                    if !chosen.contains(&s) { chosen.push(s); }
                }
                *access.get_mut(action) = chosen;
            }
            entities.insert(names[i].clone(), Entity {
                description: None,
                owned: owned[i],
                owned_through: None,
                completion: Default::default(),
                fields: fields[i].iter().enumerate().map(|(j, f)| (format!("f{j}_{}", WORDS[j % WORDS.len()]), f.clone())).collect(),
                relations,
                access,
                retention: retention[i].map(|(amount, u)| Retention { amount, unit: [RetentionUnit::Days, RetentionUnit::Months, RetentionUnit::Years][usize::from(u)] }),
                plural: None,
                renamed_from: None,
                name: names[i].clone(),
            });
        }
        Spec {
            spec_version: 1,
            product: Product { name: format!("{}-product", WORDS[product_word]), title, description },
            stack: DEFAULT_STACK.to_string(),
            database: DEFAULT_DATABASE.to_string(),
            compliance: ComplianceSettings { frameworks, infer, none: false },
            roles,
            entities,
            integrations: vendors.into_iter().map(|v| (v.to_string(), IndexMap::new())).collect(),
            api: Api { base_path: "/api".into(), page_size },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_specs_are_valid(spec in spec_strategy()) {
        let errors: Vec<_> = validate(&spec).into_iter().filter(|d| d.is_error()).collect();
        prop_assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn yaml_round_trip_is_identity(spec in spec_strategy()) {
        let text = to_yaml(&spec);
        let again = parse_str("gen.yaml", &text, Format::Yaml);
        prop_assert!(again.is_ok(), "{:?}\n{text}", again.err());
        prop_assert_eq!(again.unwrap().spec, spec);
    }

    #[test]
    fn json_round_trip_is_identity(spec in spec_strategy()) {
        let text = serde_json::to_string_pretty(&spec).expect("json");
        let again = parse_str("gen.json", &text, Format::Json);
        prop_assert!(again.is_ok(), "{:?}\n{text}", again.err());
        prop_assert_eq!(again.unwrap().spec, spec);
    }

    #[test]
    fn mutated_specs_never_panic(spec in spec_strategy(), edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..5, "\\PC{0,6}"), 1..8)) {
        let mut text = to_yaml(&spec);
        for (at, op, insert) in edits {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let pos = *at.get(&boundaries);
            match op {
                0 => text.insert_str(pos, &insert),
                1 => { let end = boundaries.iter().copied().find(|b| *b >= pos + 7).unwrap_or(text.len()); text.replace_range(pos..end, ""); }
                2 => text.insert_str(pos, "\n  - [*x, &y {a: ]\n"),
                3 => { let line = text[..pos].rsplit('\n').next().unwrap_or("").to_string(); text.insert_str(pos, &format!("\n{line}")); }
                _ => text.insert_str(pos, ": ! \t"),
            }
        }
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let _ = parse_str("mutant", &text, format);
        }
    }
}

#[test]
fn generated_specs_cover_the_language() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut types = std::collections::HashSet::new();
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..200 {
        let spec = spec_strategy()
            .new_tree(&mut runner)
            .expect("tree")
            .current();
        for e in spec.entities.values() {
            types.extend(e.fields.values().map(|f| f.ty));
            kinds.extend(e.relations.values().map(|r| r.kind));
        }
    }
    assert_eq!(
        types.len(),
        FieldType::ALL.len(),
        "every field type is generated"
    );
    assert_eq!(kinds.len(), 3, "every relation kind is generated");
}

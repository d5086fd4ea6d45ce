//! Spec → YAML: the canonical text of a spec, every default written out.
//!
//! What [`to_yaml`] writes parses back to an equal [`Spec`]; a property test
//! holds it to that. Platform teams use it to store a spec built in code.

use super::model::Spec;
use saphyr::{Mapping, Scalar, Yaml, YamlEmitter};
use std::borrow::Cow;

/// The spec as YAML, with every default written out.
///
/// ```
/// use blueprint_core::spec::{parse_str, to_yaml, Format};
/// let spec = parse_str("t.yaml", "spec_version: 1\nproduct: { name: t1 }\nentities: { Task: { fields: { title: string! } } }\n", Format::Yaml)
///     .unwrap()
///     .spec;
/// let text = to_yaml(&spec);
/// assert!(text.contains("page_size: 50"));
/// assert_eq!(parse_str("again.yaml", &text, Format::Yaml).unwrap().spec, spec);
/// ```
pub fn to_yaml(spec: &Spec) -> String {
    let mut value = serde_json::to_value(spec).unwrap_or(serde_json::Value::Null);
    // `owned_through` is written the way the format spells it:
    // `owned: { through: … }`.
    if let Some(entities) = value.get_mut("entities").and_then(|v| v.as_object_mut()) {
        for entity in entities.values_mut() {
            let Some(e) = entity.as_object_mut() else {
                continue;
            };
            if let Some(through) = e.shift_remove("owned_through") {
                e.insert("owned".into(), serde_json::json!({ "through": through }));
            }
        }
    }
    let yaml = convert(&value);
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline(true);
    // Writing into a String cannot fail.
    let _ = emitter.dump(&yaml);
    let body = out.strip_prefix("---\n").unwrap_or(&out).to_string();
    format!("{body}\n")
}

fn convert(value: &serde_json::Value) -> Yaml<'static> {
    use serde_json::Value as V;
    match value {
        V::Null => Yaml::Value(Scalar::Null),
        V::Bool(b) => Yaml::Value(Scalar::Boolean(*b)),
        V::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Value(Scalar::Integer(i)),
            None => Yaml::Value(Scalar::FloatingPoint(n.as_f64().unwrap_or(0.0).into())),
        },
        V::String(s) => Yaml::Value(Scalar::String(Cow::Owned(s.clone()))),
        V::Array(items) => Yaml::Sequence(items.iter().map(convert).collect()),
        V::Object(map) => {
            let mut m = Mapping::new();
            for (k, v) in map {
                m.insert(
                    Yaml::Value(Scalar::String(Cow::Owned(k.clone()))),
                    convert(v),
                );
            }
            Yaml::Mapping(m)
        }
    }
}

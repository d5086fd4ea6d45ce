use serde_json::{json, Map, Value};

use crate::Analysis;

pub(super) fn value(a: &Analysis) -> Value {
    let frameworks: Vec<Value> = a
        .frameworks
        .iter()
        .map(|f| json!({"id": f.framework.id(), "declared": f.declared, "reasons": f.reasons}))
        .collect();
    let fields: Vec<Value> = a
        .fields
        .iter()
        .map(|f| {
            json!({
                "entity": f.entity,
                "field": f.field,
                "pii": f.pii.as_str(),
                "special_category": f.special_category.is_some(),
                "reason": f.reason,
            })
        })
        .collect();
    let controls: Vec<Value> = a
        .controls
        .iter()
        .map(|c| {
            let frameworks: Map<String, Value> = c
                .frameworks
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let parameters: Map<String, Value> = c
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json!({
                "id": c.id,
                "title": c.title,
                "frameworks": frameworks,
                "parameters": parameters,
                "reasons": c.reasons,
                "realized_by": c.realized_by,
            })
        })
        .collect();
    json!({"frameworks": frameworks, "fields": fields, "controls": controls})
}

pub(super) fn render(a: &Analysis) -> String {
    let mut s = serde_json::to_string_pretty(&value(a)).unwrap_or_default();
    s.push('\n');
    s
}

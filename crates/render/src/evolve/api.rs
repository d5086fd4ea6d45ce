//! The API changes between two models that break clients: routes gone or
//! moved, fields gone or renamed, new required inputs, narrower values.

use model::schema::Hints;
use model::{AppModel, Entity};
use serde::Serialize;

/// One change of the API that breaks a client written against the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiBreak {
    /// The entity it is about (its new name, or its old one when gone).
    pub entity: String,
    /// The field or key, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What breaks, in a sentence.
    pub summary: String,
}

/// The breaking API changes from `old` to `new`, in the order of the old
/// model's entities, then the new one's.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
/// let model_of = |spec| {
///     let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
///     compliance::complete(&mut bp).unwrap();
///     model::AppModel::from_blueprint(&bp)
/// };
/// let v1 = SpecBuilder::new("tasks").with_entity("Task", |e| e.with_field("title", FieldType::String, |f| f)).spec();
/// let v2 = SpecBuilder::new("tasks").with_entity("Task", |e| e
///     .with_field("title", FieldType::String, |f| f)
///     .with_field("due", FieldType::Date, |f| f.required())).spec();
/// let breaks = render::evolve::api_breaks(&model_of(v1), &model_of(v2), &Default::default());
/// assert_eq!(breaks.len(), 1);
/// assert!(breaks[0].summary.contains("required"), "{}", breaks[0].summary);
/// ```
pub fn api_breaks(old: &AppModel, new: &AppModel, hints: &Hints) -> Vec<ApiBreak> {
    let mut out = Vec::new();
    let new_of = |old_name: &str| -> Option<&Entity> {
        new.entities
            .iter()
            .find(|e| hints.entities.get(&e.name).map(String::as_str) == Some(old_name))
            .or_else(|| new.entities.iter().find(|e| e.name == old_name))
    };
    for o in &old.entities {
        let Some(n) = new_of(&o.name) else {
            out.push(ApiBreak {
                entity: o.name.clone(),
                field: None,
                summary: format!(
                    "entity `{}` is gone: every route under `/{}` answers 404",
                    o.name, o.collection
                ),
            });
            continue;
        };
        if n.collection != o.collection {
            out.push(ApiBreak {
                entity: n.name.clone(),
                field: None,
                summary: format!(
                    "the routes of `{}` moved from `/{}` to `/{}`",
                    n.name, o.collection, n.collection
                ),
            });
        }
        fields(o, n, hints, &mut out);
    }
    out
}

fn fields(o: &Entity, n: &Entity, hints: &Hints, out: &mut Vec<ApiBreak>) {
    let renamed_to = |old_field: &str| -> Option<&model::Field> {
        n.fields.iter().find(|f| {
            hints
                .fields
                .get(&(n.name.clone(), f.name.clone()))
                .map(String::as_str)
                == Some(old_field)
                && o.field(&f.name).is_none()
        })
    };
    let mut seen = Vec::new();
    let at = |field: &str, summary: String| ApiBreak {
        entity: n.name.clone(),
        field: Some(field.to_string()),
        summary,
    };
    for of in &o.fields {
        let nf = match n.field(&of.name) {
            Some(f) => f,
            None => match renamed_to(&of.name) {
                Some(f) => {
                    out.push(at(
                        &f.name,
                        format!(
                            "field `{}.{}` is now `{}`: clients must send and read the new key",
                            n.name, of.name, f.name
                        ),
                    ));
                    f
                }
                None => {
                    out.push(at(
                        &of.name,
                        format!(
                            "field `{}.{}` is gone from answers, and sending it is refused",
                            n.name, of.name
                        ),
                    ));
                    continue;
                }
            },
        };
        seen.push(nf.name.clone());
        if nf.ty() != of.ty() {
            out.push(at(
                &nf.name,
                format!(
                    "field `{}.{}` changes type from {:?} to {:?}",
                    n.name,
                    nf.name,
                    of.ty(),
                    nf.ty()
                )
                .to_lowercase(),
            ));
        }
        let gone: Vec<&String> = of
            .rules
            .values
            .iter()
            .filter(|v| !nf.rules.values.contains(v))
            .collect();
        if !gone.is_empty() {
            out.push(at(
                &nf.name,
                format!(
                    "field `{}.{}` no longer takes {}",
                    n.name,
                    nf.name,
                    gone.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let required = |f: &model::Field| f.rules.required && f.rules.default.is_none();
        if required(nf) && !required(of) {
            out.push(at(
                &nf.name,
                format!("field `{}.{}` becomes a required input", n.name, nf.name),
            ));
        }
    }
    for nf in &n.fields {
        if seen.contains(&nf.name) {
            continue;
        }
        if nf.rules.required && nf.rules.default.is_none() {
            out.push(at(
                &nf.name,
                format!(
                    "new field `{}.{}` is a required input: creates without it are refused",
                    n.name, nf.name
                ),
            ));
        }
    }
    for or in &o.relations {
        match n.relations.iter().find(|r| r.key == or.key) {
            None => out.push(at(&or.key, format!("key `{}.{}` is gone", n.name, or.key))),
            Some(nr) if nr.required && !or.required => out.push(at(
                &nr.key,
                format!("key `{}.{}` becomes a required input", n.name, nr.key),
            )),
            Some(_) => {}
        }
    }
    for nr in &n.relations {
        if nr.required && !o.relations.iter().any(|r| r.key == nr.key) {
            out.push(at(
                &nr.key,
                format!(
                    "new key `{}.{}` is a required input: creates without it are refused",
                    n.name, nr.key
                ),
            ));
        }
    }
}

//! Which entity the client's own tests exercise, as which account, and
//! the TypeScript expressions that make valid values for it.
//!
//! The tests create rows without creating parents first, so the entity is
//! one whose rows need no other row (no required relation) and
//! whose unique fields do not run out of values. An owned entity the
//! signup role may create, read, update and delete comes first (the tests
//! then act as the account they registered); otherwise an admin account
//! acts, which the caller names (`ADMIN_EMAIL`, `ADMIN_PASSWORD`; the
//! gate creates one).

use blueprint_core::spec::Action;
use model::sample::Sample;
use model::{AppModel, Entity, Field, Operation, RoleId, Scope};
use serde::Serialize;

use super::view::{literal, route_path};
use crate::docs::openapi::schema_name;

/// What the tests do with rows.
#[derive(Debug, Serialize)]
pub(crate) struct Exercise {
    /// The entity's name.
    pub entity: String,
    /// Its OpenAPI row schema.
    pub schema: String,
    /// The list (and create) path.
    pub list_path: String,
    /// The row path, with `{id}`.
    pub item_path: String,
    /// The list function `src/model.ts` exports.
    pub list_fn: String,
    /// Whether an admin account acts (else the registered signup account).
    pub as_admin: bool,
    /// The role that acts.
    pub role: String,
    /// The create body's members (its required fields): `key: expression
    /// of n`.
    pub body: Vec<Member>,
    /// The field a create without it answers 422 for, when one is
    /// required: a TypeScript string literal.
    pub required: Option<String>,
    /// That field's name.
    pub required_name: Option<String>,
    /// The field an update changes, and whether the answer must echo it.
    pub update: Option<Update>,
    /// The name of the create body's counter parameter: `n`, or `_n` when
    /// no member uses it.
    pub counter: String,
    /// The helpers of `test/samples.ts` the tests call, sorted: what
    /// the test file imports, so it imports nothing it does not use.
    pub samples: String,
}

/// A member of an object literal.
#[derive(Debug, Serialize)]
pub(crate) struct Member {
    /// The key, a TypeScript string literal.
    pub key: String,
    /// The value's expression (of the counter `n`).
    pub value: String,
}

/// The update the tests make.
#[derive(Debug, Serialize)]
pub(crate) struct Update {
    /// The member to send (an expression of a fresh counter `m`).
    pub member: Member,
    /// The field's name, a TypeScript string literal.
    pub key: String,
    /// The field's name as a property (spec names are snake_case
    /// identifiers).
    pub prop: String,
    /// Whether the value is an expression of the counter `m` (not a fixed
    /// value), so the test draws one.
    pub counted: bool,
    /// Whether the answer echoes the value exactly (text values).
    pub compare: bool,
}

/// The entity and account the tests exercise, if any entity fits.
pub(crate) fn choose(model: &AppModel) -> Option<Exercise> {
    let signup = model.signup_roles().next().map(|r| r.id);
    let admin = model.admin_roles().next().map(|r| r.id);
    let mut best: Option<((bool, bool, bool), &Entity, RoleId)> = None;
    for entity in model.entities.iter().filter(|e| creatable_alone(e)) {
        for (as_admin, role) in [(false, signup), (true, admin)] {
            let Some(role) = role.filter(|r| may_exercise(entity, *r)) else {
                continue;
            };
            let rank = (as_admin, !entity.is_owned(), has_unique_numbers(entity));
            if best.as_ref().is_none_or(|(b, _, _)| rank < *b) {
                best = Some((rank, entity, role));
            }
            break;
        }
    }
    let ((as_admin, _, _), entity, role) = best?;
    let required = entity.fields.iter().find(|f| f.required_on_create());
    let writable = |f: &&Field| writable(f, role);
    let body: Vec<Member> = entity
        .fields
        .iter()
        .filter(|f| f.required_on_create())
        .map(|f| member(f, "n"))
        .collect();
    let update = entity
        .fields
        .iter()
        .filter(writable)
        .filter(|f| f.workflow.is_none())
        .min_by_key(|f| !matches!(f.sample, Sample::Text { .. }))
        .map(|f| Update {
            member: member(f, "m"),
            key: literal(&serde_json::json!(f.name)),
            prop: f.name.clone(),
            counted: !matches!(f.sample, Sample::Fixed { .. }),
            compare: matches!(f.sample, Sample::Text { .. })
                && f.read
                    .as_ref()
                    .is_none_or(|r| r.scope(Some(role)) != Scope::None),
        });
    let samples = sample_imports(
        body.iter()
            .chain(update.iter().map(|u| &u.member))
            .map(|m| m.value.as_str()),
    );
    // Every sample but a fixed value is an expression of the counter.
    let counted = entity
        .fields
        .iter()
        .filter(|f| f.required_on_create())
        .any(|f| !matches!(f.sample, Sample::Fixed { .. }));
    let counter = if counted { "n" } else { "_n" };
    Some(Exercise {
        counter: counter.to_string(),
        entity: entity.name.clone(),
        schema: schema_name(&entity.name),
        list_path: route_path(model, entity, |op| op == Operation::List(entity.id))?,
        item_path: route_path(model, entity, |op| op == Operation::Read(entity.id))?,
        list_fn: format!("list{}", blueprint_core::naming::pascal(&entity.collection)),
        as_admin,
        role: model.roles.get(role.0)?.name.clone(),
        body,
        required: required.map(|f| literal(&serde_json::json!(f.name))),
        required_name: required.map(|f| f.name.clone()),
        update,
        samples,
    })
}

/// The helpers of `test/samples.ts`; the test file always calls `email`,
/// `next` and `nonce` (its accounts), and the others when an expression does.
const SAMPLE_HELPERS: [&str; 10] = [
    "day",
    "decimal",
    "email",
    "fillDigits",
    "next",
    "nonce",
    "phone",
    "text",
    "url",
    "uuid",
];

fn sample_imports<'a>(expressions: impl Iterator<Item = &'a str>) -> String {
    let expressions: Vec<&str> = expressions.collect();
    SAMPLE_HELPERS
        .iter()
        .filter(|h| {
            matches!(**h, "email" | "next" | "nonce") || expressions.iter().any(|e| calls(e, h))
        })
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `expression` calls `helper` (its name followed by `(`, not the
/// end of a longer name).
fn calls(expression: &str, helper: &str) -> bool {
    expression.match_indices(helper).any(|(at, _)| {
        let before = expression[..at].chars().next_back();
        let after = &expression[at + helper.len()..];
        after.starts_with('(') && !before.is_some_and(identifier_char)
    })
}

fn identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Whether rows need no parent row and unique fields do not run out.
fn creatable_alone(entity: &Entity) -> bool {
    !entity.relations.iter().any(|r| r.required) && entity.row_limit().is_none()
}

/// Whether `role` may do all four actions and set every required field.
fn may_exercise(entity: &Entity, role: RoleId) -> bool {
    Action::ALL
        .iter()
        .all(|a| entity.access(*a).scope(Some(role)) != Scope::None)
        && entity
            .fields
            .iter()
            .filter(|f| f.required_on_create())
            .all(|f| writable(f, role))
}

fn writable(field: &Field, role: RoleId) -> bool {
    field
        .write
        .as_ref()
        .is_none_or(|w| w.scope(Some(role)) != Scope::None)
}

/// Whether a unique field's values are numbers or dates, which a second
/// run against the same database may meet again.
fn has_unique_numbers(entity: &Entity) -> bool {
    entity.fields.iter().any(|f| {
        f.rules.unique
            && !matches!(
                f.sample,
                Sample::Text { .. } | Sample::Email | Sample::Url | Sample::Uuid
            )
    })
}

fn member(field: &Field, n: &str) -> Member {
    Member {
        key: literal(&serde_json::json!(field.name)),
        value: expression(&field.sample, n),
    }
}

/// The widest span a sample's TypeScript expression spells: 2^52, well
/// inside the integers a JavaScript number holds exactly.
const EXACT_SPAN: u64 = 1 << 52;

/// A sample as a TypeScript expression of the counter `n` (the test
/// helpers of `test/samples.ts` spell what [`Sample::value`] does, with
/// the run's nonce).
pub(crate) fn expression(sample: &Sample, n: &str) -> String {
    match sample {
        Sample::Fixed { value } => literal(value),
        Sample::Text { prefix, min, max } => {
            format!(
                "text({}, {n}, {min}, {max})",
                literal(&prefix.as_str().into())
            )
        }
        Sample::Digits { template } => {
            format!("fillDigits({}, {n})", literal(&template.as_str().into()))
        }
        // The counter is small, so a span past JavaScript's exact integers
        // (2^53) is cut to 2^52: the values stay the same, and in bounds.
        Sample::Integer { lo, span } => {
            format!("{lo} + (({n}) % {})", (*span).clamp(1, EXACT_SPAN))
        }
        Sample::OneOf { values } => format!(
            "({} as const)[({n}) % {}]",
            literal(&serde_json::Value::Array(values.clone())),
            values.len().max(1)
        ),
        Sample::Day => format!("day({n})"),
        Sample::Instant => format!("`${{day({n})}}T09:30:00Z`"),
        Sample::Decimal { lo, span, scale } => {
            format!(
                "decimal({lo} + (({n}) % {}), {scale})",
                (*span).clamp(1, EXACT_SPAN)
            )
        }
        Sample::Email => format!("email({n})"),
        Sample::Url => format!("url({n})"),
        Sample::Phone => format!("phone({n})"),
        Sample::Uuid => format!("uuid({n})"),
        Sample::Json => format!("{{ n: {n} }}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_spans_stay_exact_in_javascript() {
        let wide = Sample::Integer {
            lo: 0,
            span: 9_007_199_254_740_993,
        };
        assert_eq!(expression(&wide, "n"), "0 + ((n) % 4503599627370496)");
        let narrow = Sample::Integer { lo: 5, span: 10 };
        assert_eq!(expression(&narrow, "n"), "5 + ((n) % 10)");
    }

    #[test]
    fn the_test_file_imports_the_helpers_it_calls() {
        let used = [
            "text(\"title\", n, 0, 200)",
            "`${day(m)}T09:30:00Z`",
            "birthday + 1",
        ];
        assert_eq!(
            sample_imports(used.into_iter()),
            "day, email, next, nonce, text"
        );
        assert_eq!(sample_imports(std::iter::empty()), "email, next, nonce");
        assert!(!calls("birthday(n)", "day"));
        assert!(!calls("day", "day"));
        assert!(calls("f(day(n))", "day"));
    }

    #[test]
    fn samples_spell_as_expressions_of_n() {
        let text = Sample::Text {
            prefix: "title".into(),
            min: 0,
            max: 200,
        };
        assert_eq!(expression(&text, "n"), "text(\"title\", n, 0, 200)");
        let one = Sample::OneOf {
            values: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            expression(&one, "n + 1"),
            "([\"a\",\"b\"] as const)[(n + 1) % 2]"
        );
        assert_eq!(
            expression(&Sample::Integer { lo: 5, span: 0 }, "n"),
            "5 + ((n) % 1)"
        );
    }
}

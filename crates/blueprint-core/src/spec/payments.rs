//! What a payment integration (`stripe`) pays for, read from its options.
//!
//! ```yaml
//! integrations:
//!   stripe:
//!     pays_for: Appointment      # the entity whose rows are paid for
//!     amount: deposit_cents      # its integer field: the price in the currency's smallest unit
//!     currency: eur              # a three-letter ISO code, or a string/enum field of the entity
//!     sets: deposit_paid         # its boolean field payment sets, or a workflow move: `status -> confirmed`
//! ```
//!
//! The spec checker reads the options with [`Payment::of`] (E604, E605,
//! E606) and the vendor plans its files from the same value, so the two
//! never disagree.
//!
//! ```
//! use blueprint_core::spec::{parse_str, Format, Payment, PaymentSets};
//! let spec = parse_str(
//!     "shop.yaml",
//!     "spec_version: 1\nproduct: { name: shop }\nentities:\n  Order:\n    fields:\n      total_cents: { type: integer, write: [admin] }\n      paid: { type: boolean, default: false, write: [admin] }\n",
//!     Format::Yaml,
//! ).unwrap().spec;
//! let options = [("pays_for", "Order"), ("amount", "total_cents"), ("sets", "paid")]
//!     .into_iter()
//!     .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
//!     .collect();
//! let payment = Payment::of(&spec, &options).unwrap();
//! assert_eq!(payment.amount, "total_cents");
//! assert_eq!(payment.sets, PaymentSets::Flag("paid".into()));
//! ```

use super::model::{FieldType, Spec};
use indexmap::IndexMap;
use serde::Serialize;

/// The currency a payment is made in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentCurrency {
    /// One currency for every row: a lower-case ISO 4217 code (`eur`).
    Code(String),
    /// The row's own: a `string` or `enum` field of the entity.
    Field(String),
}

/// What a successful payment changes on the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentSets {
    /// A boolean field, set to `true`.
    Flag(String),
    /// A workflow move of an `enum` field with transitions: to `to`, from
    /// any of `from` (the values with a move to it, in spec order).
    Move {
        /// The workflow field.
        field: String,
        /// The value payment moves the row to.
        to: String,
        /// The values the move may start from.
        from: Vec<String>,
    },
}

/// What a payment integration pays for, checked against the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// The entity whose rows are paid for.
    pub pays_for: String,
    /// Its integer field holding the price in the currency's smallest unit.
    pub amount: String,
    /// The currency.
    pub currency: PaymentCurrency,
    /// What payment changes on the row.
    pub sets: PaymentSets,
    /// Whether the payment is a hosted Checkout Session (`mode:
    /// checkout`) rather than a PaymentIntent the client confirms.
    pub checkout: bool,
}

/// The currency when the options name none.
pub const DEFAULT_CURRENCY: &str = "usd";

/// Why a payment integration's options cannot be used: one per option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentProblem {
    /// The option (`pays_for`, `amount`, `currency`, `sets`, `webhooks`).
    pub option: &'static str,
    /// What is wrong.
    pub kind: PaymentProblemKind,
    /// The message.
    pub message: String,
    /// What to write instead.
    pub hint: String,
}

/// The kinds of [`PaymentProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentProblemKind {
    /// A required option is absent (E604).
    Missing,
    /// The option names no usable entity, field or move (E605).
    Target,
    /// The field it names may be written by callers (E606).
    Writable,
}

fn text<'a>(options: &'a IndexMap<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    options.get(name).and_then(|v| v.as_str())
}

impl Payment {
    /// The payment the options describe, or every problem with them.
    ///
    /// # Errors
    ///
    /// One [`PaymentProblem`] per unusable option, in option order.
    pub fn of(
        spec: &Spec,
        options: &IndexMap<String, serde_json::Value>,
    ) -> Result<Payment, Vec<PaymentProblem>> {
        let mut problems = Vec::new();
        let problem = |option: &'static str, kind, message: String, hint: String| PaymentProblem {
            option,
            kind,
            message,
            hint,
        };
        let example = "for example `stripe: { pays_for: Appointment, amount: deposit_cents, currency: eur, sets: deposit_paid }`";
        let missing: Vec<&'static str> = ["pays_for", "amount", "sets"]
            .into_iter()
            .filter(|option| text(options, option).is_none())
            .collect();
        if let Some(first) = missing.first() {
            let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            problems.push(problem(
                first,
                PaymentProblemKind::Missing,
                format!(
                    "`stripe` needs {} {}: what is paid for, its price and what payment sets",
                    if missing.len() == 1 {
                        "the option"
                    } else {
                        "the options"
                    },
                    names.join(", ")
                ),
                format!("give `stripe` its options, {example}"),
            ));
        }
        if options.get("webhooks").and_then(|v| v.as_bool()) == Some(false) {
            problems.push(problem(
                "webhooks",
                PaymentProblemKind::Target,
                "`stripe` marks rows paid from its webhook, so `webhooks: false` cannot be honoured".to_string(),
                "drop `webhooks: false` (the webhook is always generated)".to_string(),
            ));
        }
        let Some(entity_name) = text(options, "pays_for") else {
            return Err(problems);
        };
        let Some(entity) = spec.entities.get(entity_name) else {
            let names: Vec<&str> = spec.entities.keys().map(String::as_str).collect();
            problems.push(problem(
                "pays_for",
                PaymentProblemKind::Target,
                format!("`pays_for` names `{entity_name}`, which is not an entity of this spec"),
                format!(
                    "name the entity whose rows are paid for: one of {}",
                    names.join(", ")
                ),
            ));
            return Err(problems);
        };
        let writable = |field: &str, option: &'static str| {
            let f = &entity.fields[field];
            f.write.is_none().then(|| {
                problem(
                    option,
                    PaymentProblemKind::Writable,
                    format!("`{entity_name}.{field}` has no `write` rule, so whoever may create or update a row could set it, and pay less or mark the row paid without paying"),
                    format!("restrict it to staff, such as `{field}: {{ ..., write: [admin] }}`"),
                )
            })
        };
        let fields_of = |types: &[FieldType]| -> String {
            let names: Vec<&str> = entity
                .fields
                .iter()
                .filter(|(_, f)| types.contains(&f.ty))
                .map(|(n, _)| n.as_str())
                .collect();
            if names.is_empty() {
                format!("`{entity_name}` has none yet: add one")
            } else {
                format!("`{entity_name}` has: {}", names.join(", "))
            }
        };
        let mut amount = None;
        if let Some(name) = text(options, "amount") {
            match entity.fields.get(name) {
                Some(f) if matches!(f.ty, FieldType::Integer | FieldType::Bigint) => {
                    problems.extend(writable(name, "amount"));
                    amount = Some(name.to_string());
                }
                _ => problems.push(problem(
                    "amount",
                    PaymentProblemKind::Target,
                    format!("`amount` names `{name}`, which is not an integer field of `{entity_name}`"),
                    format!(
                        "name an `integer` field holding the price in the currency's smallest unit (cents); {}",
                        fields_of(&[FieldType::Integer, FieldType::Bigint])
                    ),
                )),
            }
        }
        let currency = match text(options, "currency") {
            None => Some(PaymentCurrency::Code(DEFAULT_CURRENCY.to_string())),
            Some(name) => match entity.fields.get(name) {
                Some(f) if matches!(f.ty, FieldType::String | FieldType::Enum) => {
                    problems.extend(writable(name, "currency"));
                    Some(PaymentCurrency::Field(name.to_string()))
                }
                None if name.len() == 3 && name.bytes().all(|b| b.is_ascii_lowercase()) => {
                    Some(PaymentCurrency::Code(name.to_string()))
                }
                _ => {
                    problems.push(problem(
                        "currency",
                        PaymentProblemKind::Target,
                        format!("`currency` is `{name}`: neither a lower-case three-letter ISO code nor a string or enum field of `{entity_name}`"),
                        "write a currency code such as `eur`, or name the field holding each row's code".to_string(),
                    ));
                    None
                }
            },
        };
        let mut sets = None;
        if let Some(raw) = text(options, "sets") {
            if let Some((field, to)) = raw.split_once("->") {
                let (field, to) = (field.trim(), to.trim());
                let from: Vec<String> = entity
                    .fields
                    .get(field)
                    .map(|f| {
                        f.transitions
                            .iter()
                            .filter(|(_, moves)| moves.contains_key(to))
                            .map(|(from, _)| from.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if from.is_empty() {
                    problems.push(problem(
                        "sets",
                        PaymentProblemKind::Target,
                        format!("`sets` is the move `{raw}`, but `{entity_name}` has no workflow field `{field}` with a move to `{to}`"),
                        format!("name a move the field's `transitions` allow, such as `status -> confirmed`, or a boolean field ({})", fields_of(&[FieldType::Boolean])),
                    ));
                } else {
                    sets = Some(PaymentSets::Move {
                        field: field.to_string(),
                        to: to.to_string(),
                        from,
                    });
                }
            } else {
                match entity.fields.get(raw) {
                    Some(f) if f.ty == FieldType::Boolean => {
                        problems.extend(writable(raw, "sets"));
                        sets = Some(PaymentSets::Flag(raw.to_string()));
                    }
                    _ => problems.push(problem(
                        "sets",
                        PaymentProblemKind::Target,
                        format!("`sets` names `{raw}`, which is neither a boolean field of `{entity_name}` nor a workflow move (`field -> value`)"),
                        format!("name the boolean field payment sets ({}), or a move such as `status -> confirmed`", fields_of(&[FieldType::Boolean])),
                    )),
                }
            }
        }
        match (amount, currency, sets) {
            (Some(amount), Some(currency), Some(sets)) if problems.is_empty() => Ok(Payment {
                pays_for: entity_name.to_string(),
                amount,
                currency,
                sets,
                checkout: text(options, "mode") == Some("checkout"),
            }),
            _ => Err(problems),
        }
    }
}

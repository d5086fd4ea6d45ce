//! The `stripe` integration: card payments of a spec's rows, with a
//! verified, replay-safe webhook.
//!
//! Its options say what is paid for ([`blueprint_core::spec::Payment`]:
//! `pays_for`, `amount`, `currency`, `sets`, `mode`). For `python-fastapi`
//! it adds `src/<package>/integrations/stripe.py` (the `payments` and
//! `stripe_events` tables, `POST {base}/{collection}/{id}/payment` and
//! `POST {base}/webhooks/stripe`), the migration of its tables, and
//! `tests/test_stripe.py`, which runs against stripe-mock (Stripe's own
//! fake of its API) and signs webhook payloads with the SDK's signing
//! scheme. Card numbers never reach the backend (PCI DSS SAQ A).
//!
//! ```
//! use vendors::Vendor;
//! let stripe = vendors::stripe::Stripe;
//! assert!(stripe.supports("python-fastapi"));
//! let env = stripe.env("python-fastapi", &Default::default()).unwrap();
//! assert_eq!(env[0].name, "STRIPE_SECRET_KEY");
//! assert!(env[0].secret && env[1].secret);
//! ```

use crate::{EnvVar, Package, PlannedFile, Template, Vendor, VendorError};
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Payment, PaymentCurrency, PaymentSets};
use compliance::catalog::Capability;
use indexmap::IndexMap;
use serde_json::{json, Value};
use stacks::Realizations;

const ID: &str = "stripe";
const STACK: &str = "python-fastapi";
/// The TypeScript stack: `src/integrations/stripe.ts` with the official
/// Node.js SDK, its tables in `src/migrations/0001_stripe.ts`.
const TS_STACK: &str = "typescript-fastify";
const TS_MODULE_TEMPLATE: &str = "stripe/typescript-fastify/stripe.ts";
const TS_MIGRATION_TEMPLATE: &str = "stripe/typescript-fastify/migration.ts";
const TS_TEST_TEMPLATE: &str = "stripe/typescript-fastify/stripe.test.ts";
/// Where the TypeScript stack's migration of the tables goes.
const TS_MIGRATION_PATH: &str = "src/migrations/0001_stripe.ts";

const MODULE_TEMPLATE: &str = "stripe/python-fastapi/stripe.py";
const MIGRATION_TEMPLATE: &str = "stripe/python-fastapi/migration.py";
const TEST_TEMPLATE: &str = "stripe/python-fastapi/test_stripe.py";
/// The path of the migration that creates the integration's tables.
pub const MIGRATION_PATH: &str = "migrations/versions/0001_stripe_payments.py";
/// The stripe-mock release the generated tests run (`go install
/// github.com/stripe/stripe-mock@<this>`).
pub const STRIPE_MOCK_VERSION: &str = "v0.203.0";
/// The tables the integration adds.
pub const TABLES: [&str; 2] = ["payments", "stripe_events"];

/// The `stripe` vendor (payments and webhooks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stripe;

fn unsupported(stack_id: &str) -> VendorError {
    VendorError::Unsupported {
        vendor: ID.to_string(),
        stack: stack_id.to_string(),
    }
}

/// The options, checked against the spec (the checker has said why when
/// they are not usable: E604 to E606).
fn payment(
    blueprint: &Blueprint,
    options: &IndexMap<String, Value>,
) -> Result<Payment, VendorError> {
    Payment::of(blueprint.spec(), options).map_err(|problems| {
        let first = &problems[0];
        VendorError::InvalidOption {
            vendor: ID.to_string(),
            option: first.option.to_string(),
            reason: format!("{}; {}", first.message, first.hint),
        }
    })
}

fn checkout(options: &IndexMap<String, Value>) -> bool {
    options.get("mode").and_then(Value::as_str) == Some("checkout")
}

fn package(blueprint: &Blueprint) -> String {
    blueprint_core::naming::snake(&blueprint.spec().product.name)
}

/// A Python string literal (JSON's escapes are Python's for these texts).
fn py(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

impl Vendor for Stripe {
    fn id(&self) -> &'static str {
        ID
    }

    fn supports(&self, stack_id: &str) -> bool {
        stack_id == STACK || stack_id == TS_STACK
    }

    fn templates(&self) -> Vec<Template> {
        vec![
            Template::embedded(
                MODULE_TEMPLATE,
                include_str!("../templates/stripe/python-fastapi/stripe.py.hbs"),
            ),
            Template::embedded(
                MIGRATION_TEMPLATE,
                include_str!("../templates/stripe/python-fastapi/migration.py.hbs"),
            ),
            Template::embedded(
                TEST_TEMPLATE,
                include_str!("../templates/stripe/python-fastapi/test_stripe.py.hbs"),
            ),
            Template::embedded(
                TS_MODULE_TEMPLATE,
                include_str!("../templates/stripe/typescript-fastify/stripe.ts.hbs"),
            ),
            Template::embedded(
                TS_MIGRATION_TEMPLATE,
                include_str!("../templates/stripe/typescript-fastify/migration.ts.hbs"),
            ),
            Template::embedded(
                TS_TEST_TEMPLATE,
                include_str!("../templates/stripe/typescript-fastify/stripe.test.ts.hbs"),
            ),
        ]
    }

    fn env(
        &self,
        stack_id: &str,
        options: &IndexMap<String, Value>,
    ) -> Result<Vec<EnvVar>, VendorError> {
        if !self.supports(stack_id) {
            return Err(unsupported(stack_id));
        }
        let mut env = vec![
            EnvVar::secret(
                "STRIPE_SECRET_KEY",
                "Stripe's secret API key (sk_live_… or sk_test_…); empty: the payment endpoint answers 503",
                "",
            ),
            EnvVar::secret(
                "STRIPE_WEBHOOK_SECRET",
                "the signing secret of the Stripe webhook endpoint (whsec_…); empty: every event is refused",
                "",
            ),
            EnvVar::plain(
                "STRIPE_API_BASE",
                "another address for Stripe's API, such as a local stripe-mock in tests; empty: Stripe's",
                "",
            ),
            EnvVar::plain(
                "STRIPE_MAX_NETWORK_RETRIES",
                "how many times a call Stripe marks retryable is retried, with exponential backoff and jitter (0 to 10)",
                "3",
            ),
        ];
        if checkout(options) {
            env.push(EnvVar::plain(
                "STRIPE_CHECKOUT_SUCCESS_URL",
                "where Stripe's hosted Checkout sends the payer after paying",
                "http://localhost:8000/",
            ));
            env.push(EnvVar::plain(
                "STRIPE_CHECKOUT_CANCEL_URL",
                "where Stripe's hosted Checkout sends the payer who gives up",
                "http://localhost:8000/",
            ));
        }
        Ok(env)
    }

    fn packages(&self, stack_id: &str) -> Vec<Package> {
        if !self.supports(stack_id) {
            return Vec::new();
        }
        let package = |name: &str, pin: &str, range: Option<&str>| Package {
            name: name.to_string(),
            pin: pin.to_string(),
            range: range.map(str::to_string),
        };
        if stack_id == TS_STACK {
            return vec![package("stripe", "23.1.0", None)];
        }
        vec![
            package("certifi", "2026.10.19.post1", None),
            package("charset-normalizer", "3.5.3", None),
            package("requests", "2.34.2", None),
            package("stripe", "16.1.0", Some(">=16,<17")),
            package("urllib3", "2.8.0", None),
        ]
    }

    fn routes(
        &self,
        stack_id: &str,
        model: &model::AppModel,
        options: &IndexMap<String, Value>,
    ) -> Vec<model::Route> {
        if !self.supports(stack_id) {
            return Vec::new();
        }
        let Some(name) = options.get("pays_for").and_then(Value::as_str) else {
            return Vec::new();
        };
        let Some(entity) = model.entities.iter().find(|e| e.name == name) else {
            return Vec::new();
        };
        model::routes::payment_routes(&model.api.base_path, entity.id, &entity.collection)
    }

    fn tables(&self, stack_id: &str) -> Vec<String> {
        if !self.supports(stack_id) {
            return Vec::new();
        }
        TABLES.iter().map(|t| t.to_string()).collect()
    }

    fn audit_actions(&self, stack_id: &str) -> Vec<String> {
        if !self.supports(stack_id) {
            return Vec::new();
        }
        model::routes::PAYMENT_AUDIT_ACTIONS
            .iter()
            .map(|a| a.to_string())
            .collect()
    }

    fn realizations(&self, stack_id: &str, blueprint: &Blueprint) -> Realizations {
        let mut out = Realizations::default();
        if !self.supports(stack_id) {
            return out;
        }
        let (module, test, migration) = if stack_id == TS_STACK {
            (
                "src/integrations/stripe.ts".to_string(),
                "test/stripe.test.ts",
                TS_MIGRATION_PATH,
            )
        } else {
            (
                format!("src/{}/integrations/stripe.py", package(blueprint)),
                "tests/test_stripe.py",
                MIGRATION_PATH,
            )
        };
        out.capabilities.insert(
            Capability::CardDataScope,
            vec![module.clone(), test.to_string()],
        );
        out.capabilities
            .insert(Capability::AuditLog, vec![module, migration.to_string()]);
        out
    }

    fn plan(
        &self,
        stack_id: &str,
        blueprint: &Blueprint,
        options: &IndexMap<String, Value>,
    ) -> Result<Vec<PlannedFile>, VendorError> {
        if !self.supports(stack_id) {
            return Err(unsupported(stack_id));
        }
        let payment = payment(blueprint, options)?;
        let package = package(blueprint);
        let spec = blueprint.spec();
        let entity = &spec.entities[&payment.pays_for];
        let collection = entity.collection();
        let (currency_expr, currency_field, currency_code) = match &payment.currency {
            PaymentCurrency::Code(code) => (py(code), Value::Null, json!(code)),
            PaymentCurrency::Field(field) => (format!("row.{field}"), json!(field), Value::Null),
        };
        let (sets_flag, move_field, move_to, move_from, sets_field) = match &payment.sets {
            PaymentSets::Flag(field) => (json!(field), Value::Null, Value::Null, Vec::new(), field),
            PaymentSets::Move { field, to, from } => {
                (Value::Null, json!(field), json!(to), from.clone(), field)
            }
        };
        let move_from_literal = format!(
            "({}{})",
            move_from
                .iter()
                .map(|s| py(s))
                .collect::<Vec<_>>()
                .join(", "),
            if move_from.len() == 1 { "," } else { "" }
        );
        let currency_value = match &payment.currency {
            PaymentCurrency::Field(field) => entity.fields[field]
                .values
                .first()
                .cloned()
                .unwrap_or_else(|| "eur".to_string()),
            PaymentCurrency::Code(code) => code.clone(),
        };
        // A row without a price, as the schema allows one: a zero amount
        // where the field's bounds take zero, else an unset one where the
        // field is optional; with neither (required, at least 1) no such
        // row can exist and its test is left out.
        let amount_field = &entity.fields[&payment.amount];
        let zero_fits = amount_field.min.is_none_or(|m| m.as_f64() <= 0.0)
            && amount_field.max.is_none_or(|m| m.as_f64() >= 0.0);
        let (unpriced_py, unpriced_sql) = if zero_fits {
            (json!("0"), json!("0"))
        } else if !amount_field.required {
            (json!("None"), json!("NULL"))
        } else {
            (Value::Null, Value::Null)
        };
        // A value payment does not move the row from (nor to): paying for
        // a row there is refused, and the tests check it from there.
        let move_elsewhere = match &payment.sets {
            PaymentSets::Move { field, to, from } => entity.fields[field]
                .values
                .iter()
                .find(|v| *v != to && !from.contains(v))
                .cloned(),
            PaymentSets::Flag(_) => None,
        };
        // The paid entity's Python class (`Session_` for an entity named
        // `Session`), beside its spec name for the audit log and the JSON.
        let class = stacks::python_fastapi::names::class_name(&payment.pays_for);
        let mut models = [class.clone(), "Base".to_string()];
        models.sort();
        let view = std::sync::Arc::new(json!({
            "models_import": models.join(", "),
            "stripe_mock_version": STRIPE_MOCK_VERSION,
            "currency_value_literal": py(&currency_value),
            "move_from_first_literal": move_from.first().map(|s| py(s)),
            "package": package,
            "base_path": spec.api.base_path,
            "entity": payment.pays_for,
            "model": class,
            "module": stacks::python_fastapi::names::module(&collection),
            "collection": collection,
            "amount": payment.amount,
            "unpriced_py": unpriced_py,
            "unpriced_sql": unpriced_sql,
            "currency_expr": currency_expr,
            "currency_field": currency_field,
            "currency_code": currency_code,
            "checkout": payment.checkout,
            "sets_flag": sets_flag,
            "sets_field": sets_field,
            "move_field": move_field,
            "move_to": move_to,
            "move_to_literal": move_to.as_str().map(py),
            "move_from_literal": move_from_literal,
            "move_from_first": move_from.first(),
            "move_elsewhere_py": move_elsewhere.as_deref().map(py),
        }));
        if stack_id == TS_STACK {
            let model = model::AppModel::from_blueprint(blueprint);
            let table = model
                .entities
                .iter()
                .find(|e| e.name == payment.pays_for)
                .map(|e| e.table.clone())
                .unwrap_or_default();
            let ts = |text: &str| Value::String(text.to_string()).to_string();
            let mut view = (*view).clone();
            view["table"] = json!(table);
            view["base_path_literal"] = json!(ts(&spec.api.base_path));
            view["entity_literal"] = json!(ts(&payment.pays_for));
            view["currency_value"] = json!(currency_value);
            view["move_elsewhere_ts"] = json!(move_elsewhere.as_deref().map(ts));
            view["move_from_array"] = json!(format!(
                "[{}]",
                move_from
                    .iter()
                    .map(|m| ts(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let view = std::sync::Arc::new(view);
            return Ok(vec![
                PlannedFile::template(
                    "src/integrations/stripe.ts",
                    TS_MODULE_TEMPLATE,
                    std::sync::Arc::clone(&view),
                ),
                PlannedFile::template(
                    TS_MIGRATION_PATH,
                    TS_MIGRATION_TEMPLATE,
                    std::sync::Arc::clone(&view),
                ),
                PlannedFile::template("test/stripe.test.ts", TS_TEST_TEMPLATE, view),
            ]);
        }
        Ok(vec![
            PlannedFile::template(
                format!("src/{package}/integrations/stripe.py"),
                MODULE_TEMPLATE,
                std::sync::Arc::clone(&view),
            ),
            PlannedFile::template(
                MIGRATION_PATH,
                MIGRATION_TEMPLATE,
                std::sync::Arc::clone(&view),
            ),
            PlannedFile::template("tests/test_stripe.py", TEST_TEMPLATE, view),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::builder::SpecBuilder;
    use blueprint_core::spec::FieldType;

    #[test]
    fn the_spec_checker_knows_the_tables_it_adds() {
        let known = blueprint_core::spec::BUILTIN_VENDOR_TABLES
            .iter()
            .find(|(id, _)| *id == "stripe")
            .map(|(_, tables)| *tables);
        assert_eq!(known, Some(&TABLES[..]));
    }

    fn options(pairs: &[(&str, &str)]) -> IndexMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect()
    }

    fn shop() -> Blueprint {
        SpecBuilder::new("shop")
            .with_entity("Order", |e| {
                e.with_field("total_cents", FieldType::Integer, |f| f.write(["admin"]))
                    .with_field("paid", FieldType::Boolean, |f| f.write(["admin"]))
            })
            .build()
    }

    #[test]
    fn plans_module_migration_and_test_for_python_fastapi_only() {
        let bp = shop();
        let o = options(&[
            ("pays_for", "Order"),
            ("amount", "total_cents"),
            ("sets", "paid"),
        ]);
        let files = Stripe.plan(STACK, &bp, &o).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "src/shop/integrations/stripe.py",
                MIGRATION_PATH,
                "tests/test_stripe.py"
            ]
        );
        for cited in Stripe
            .realizations(STACK, &bp)
            .capabilities
            .values()
            .flatten()
        {
            assert!(paths.contains(&cited.as_str()), "{cited}");
        }
        assert!(matches!(
            Stripe.plan("kotlin-ktor", &bp, &o),
            Err(VendorError::Unsupported { .. })
        ));
        assert!(Stripe.packages("kotlin-ktor").is_empty());
        assert!(Stripe.tables("kotlin-ktor").is_empty());
    }

    #[test]
    fn without_options_it_says_which_is_missing() {
        let err = Stripe
            .plan(STACK, &shop(), &IndexMap::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`pays_for`"), "{err}");
    }

    #[test]
    fn the_routes_are_the_models() {
        let bp = shop();
        let model = model::AppModel::from_blueprint(&bp);
        let o = options(&[
            ("pays_for", "Order"),
            ("amount", "total_cents"),
            ("sets", "paid"),
        ]);
        let routes = Stripe.routes(STACK, &model, &o);
        let paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/api/orders/{id}/payment", "/api/webhooks/stripe"]);
        assert!(Stripe.routes("other", &model, &o).is_empty());
    }

    #[test]
    fn checkout_adds_its_urls() {
        let env = Stripe
            .env(STACK, &options(&[("mode", "checkout")]))
            .unwrap();
        assert!(env.iter().any(|v| v.name == "STRIPE_CHECKOUT_SUCCESS_URL"));
        let env = Stripe.env(STACK, &IndexMap::new()).unwrap();
        assert!(!env.iter().any(|v| v.name == "STRIPE_CHECKOUT_SUCCESS_URL"));
    }
}

//! The `sentry` integration: error reports without personal data.
//!
//! For `python-fastapi` it adds `src/<package>/integrations/sentry.py`,
//! which starts `sentry-sdk` only when `SENTRY_DSN` is set, collecting no
//! personal data (its `data_collection` settings, which supersede the
//! deprecated `send_default_pii`), with a `before_send` that drops cookies,
//! credential headers, bodies, query strings and the user, redacts every
//! text as the logs do, and tags the report with the request id; and
//! `tests/test_sentry.py`, which checks that against a loopback HTTP server
//! playing Sentry. The stack calls the module's `install(app)` from
//! `create_app`.
//!
//! ```
//! use vendors::Vendor;
//! let sentry = vendors::sentry::Sentry;
//! assert!(sentry.supports("python-fastapi"));
//! let env = sentry.env("python-fastapi", &Default::default()).unwrap();
//! assert_eq!(env[0].name, "SENTRY_DSN");
//! assert!(env[0].secret);
//! ```

use crate::{EnvVar, Package, PlannedFile, Template, Vendor, VendorError};
use blueprint_core::graph::Blueprint;
use compliance::catalog::Capability;
use indexmap::IndexMap;
use serde_json::{json, Value};
use stacks::Realizations;

const ID: &str = "sentry";
const STACK: &str = "python-fastapi";
/// The TypeScript stack: `src/integrations/sentry.ts`, errors only (no
/// performance traces).
const TS_STACK: &str = "typescript-fastify";
/// The environment reported when the spec gives none.
const DEFAULT_ENVIRONMENT: &str = "production";

const MODULE_TEMPLATE: &str = "sentry/python-fastapi/sentry.py";
const TEST_TEMPLATE: &str = "sentry/python-fastapi/test_sentry.py";
const TS_MODULE_TEMPLATE: &str = "sentry/typescript-fastify/sentry.ts";
const TS_TEST_TEMPLATE: &str = "sentry/typescript-fastify/sentry.test.ts";

/// The `sentry` vendor (error monitoring).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sentry;

/// The options, checked: the environment name and the share of requests
/// traced.
struct Settings {
    environment: String,
    traces_sample_rate: f64,
}

impl Settings {
    fn of(options: &IndexMap<String, Value>) -> Result<Settings, VendorError> {
        let invalid = |option: &str, reason: &str| VendorError::InvalidOption {
            vendor: ID.to_string(),
            option: option.to_string(),
            reason: reason.to_string(),
        };
        let environment = match options.get("environment") {
            None => DEFAULT_ENVIRONMENT.to_string(),
            Some(Value::String(name)) => {
                let usable = !name.is_empty()
                    && name.len() <= 64
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !usable {
                    return Err(invalid(
                        "environment",
                        "write a short name of letters, digits, `-`, `_` or `.`, such as `production`",
                    ));
                }
                name.clone()
            }
            Some(_) => {
                return Err(invalid(
                    "environment",
                    "it takes text, such as `production`",
                ))
            }
        };
        let traces_sample_rate = match options.get("traces_sample_rate") {
            None => 0.0,
            Some(value) => match value.as_f64() {
                Some(rate) if (0.0..=1.0).contains(&rate) => rate,
                _ => {
                    return Err(invalid(
                        "traces_sample_rate",
                        "it is the share of requests traced, a number from 0 to 1, such as 0.1",
                    ))
                }
            },
        };
        Ok(Settings {
            environment,
            traces_sample_rate,
        })
    }

    /// The rate as Python and `.env.example` write it (`0.0`, `0.25`).
    fn rate(&self) -> String {
        format!("{:?}", self.traces_sample_rate)
    }
}

fn unsupported(stack_id: &str) -> VendorError {
    VendorError::Unsupported {
        vendor: ID.to_string(),
        stack: stack_id.to_string(),
    }
}

/// The Python package of a blueprint's project (the snake_case product
/// name), as the python-fastapi stack names it.
fn package(blueprint: &Blueprint) -> String {
    blueprint_core::naming::snake(&blueprint.spec().product.name)
}

impl Vendor for Sentry {
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
                include_str!("../templates/sentry/python-fastapi/sentry.py.hbs"),
            ),
            Template::embedded(
                TEST_TEMPLATE,
                include_str!("../templates/sentry/python-fastapi/test_sentry.py.hbs"),
            ),
            Template::embedded(
                TS_MODULE_TEMPLATE,
                include_str!("../templates/sentry/typescript-fastify/sentry.ts.hbs"),
            ),
            Template::embedded(
                TS_TEST_TEMPLATE,
                include_str!("../templates/sentry/typescript-fastify/sentry.test.ts.hbs"),
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
        let settings = Settings::of(options)?;
        let mut env = vec![
            EnvVar::secret(
                "SENTRY_DSN",
                "Sentry's DSN for this project: where unhandled errors are reported (scrubbed of cookies, credentials, bodies and personal data); empty: nothing is sent",
                "",
            ),
            EnvVar::plain(
                "SENTRY_ENVIRONMENT",
                "the environment the reports name (production, staging)",
                &settings.environment,
            ),
            EnvVar::plain(
                "SENTRY_RELEASE",
                "the release the reports name, such as the image tag; empty: none",
                "",
            ),
        ];
        // The TypeScript client reports errors only: it traces nothing.
        if stack_id == STACK {
            env.push(EnvVar::plain(
                "SENTRY_TRACES_SAMPLE_RATE",
                "the share of requests traced for performance, from 0 to 1",
                &settings.rate(),
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
            // Sentry's core SDK and its server client, without the
            // OpenTelemetry instrumentation of @sentry/node.
            return vec![package("@sentry/core", "11.12.0", None)];
        }
        vec![
            package("certifi", "2026.10.19.post1", None),
            package("sentry-sdk", "2.75.0", Some(">=2.0")),
            package("urllib3", "2.8.0", None),
        ]
    }

    fn realizations(&self, stack_id: &str, blueprint: &Blueprint) -> Realizations {
        let mut out = Realizations::default();
        if !self.supports(stack_id) {
            return out;
        }
        let module = if stack_id == TS_STACK {
            "src/integrations/sentry.ts".to_string()
        } else {
            format!("src/{}/integrations/sentry.py", package(blueprint))
        };
        for capability in [
            Capability::LogRedaction,
            Capability::RequestIds,
            Capability::IncidentResponse,
        ] {
            out.capabilities.insert(capability, vec![module.clone()]);
        }
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
        let settings = Settings::of(options)?;
        let package = package(blueprint);
        let view = std::sync::Arc::new(json!({
            "package": package,
            "environment_literal": Value::String(settings.environment.clone()).to_string(),
            "traces_sample_rate": settings.rate(),
        }));
        if stack_id == TS_STACK {
            return Ok(vec![
                PlannedFile::template(
                    "src/integrations/sentry.ts",
                    TS_MODULE_TEMPLATE,
                    std::sync::Arc::clone(&view),
                ),
                PlannedFile::template("test/sentry.test.ts", TS_TEST_TEMPLATE, view),
            ]);
        }
        Ok(vec![
            PlannedFile::template(
                format!("src/{package}/integrations/sentry.py"),
                MODULE_TEMPLATE,
                std::sync::Arc::clone(&view),
            ),
            PlannedFile::template("tests/test_sentry.py", TEST_TEMPLATE, view),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::builder::SpecBuilder;

    fn options(pairs: &[(&str, Value)]) -> IndexMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn plans_the_module_and_its_test_for_each_stack_it_supports() {
        let bp = SpecBuilder::new("clinic-portal")
            .with_entity("Visit", |e| e)
            .build();
        let files = Sentry.plan(STACK, &bp, &IndexMap::new()).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "src/clinic_portal/integrations/sentry.py",
                "tests/test_sentry.py"
            ]
        );
        // Every file the realizations cite is planned.
        for cited in Sentry
            .realizations(STACK, &bp)
            .capabilities
            .values()
            .flatten()
        {
            assert!(paths.contains(&cited.as_str()), "{cited}");
        }
        assert!(matches!(
            Sentry.plan("kotlin-ktor", &bp, &IndexMap::new()),
            Err(VendorError::Unsupported { .. })
        ));
        assert!(Sentry
            .realizations("kotlin-ktor", &bp)
            .capabilities
            .is_empty());
        assert!(Sentry.packages("kotlin-ktor").is_empty());
    }

    #[test]
    fn options_shape_the_defaults() {
        let env = Sentry
            .env(
                STACK,
                &options(&[
                    ("environment", json!("staging")),
                    ("traces_sample_rate", json!(0.25)),
                ]),
            )
            .unwrap();
        let example = |name: &str| env.iter().find(|v| v.name == name).unwrap().example.clone();
        assert_eq!(example("SENTRY_ENVIRONMENT"), "staging");
        assert_eq!(example("SENTRY_TRACES_SAMPLE_RATE"), "0.25");
        assert_eq!(example("SENTRY_DSN"), "");
        let defaults = Sentry.env(STACK, &IndexMap::new()).unwrap();
        assert_eq!(defaults[1].example, "production");
        assert_eq!(defaults[3].example, "0.0");
    }

    #[test]
    fn unusable_options_are_refused_with_the_reason() {
        for (name, value) in [
            ("traces_sample_rate", json!(2)),
            ("traces_sample_rate", json!(-0.5)),
            ("environment", json!("prod\nSECRET=1")),
            ("environment", json!("")),
        ] {
            let err = Sentry
                .env(STACK, &options(&[(name, value.clone())]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("`{name}`")), "{value}: {err}");
        }
    }
}

//! The email integrations, `smtp` and `sendgrid`: the providers of the
//! stack's mail outbox.
//!
//! The outbox, the verification and reset tokens, the mails and the worker
//! are the stack's (the application model says email is configured:
//! `model::AppModel::email`); each vendor adds the provider the worker sends
//! through, in the order the spec lists them. For `python-fastapi`:
//!
//! - `smtp` adds `src/<package>/integrations/smtp.py` (the standard
//!   library's `smtplib`, STARTTLS and login when configured) and
//!   `tests/test_smtp.py`, which sends to a local SMTP server (`aiosmtpd`,
//!   pinned in the development lock) and reads the mail back: a reset link
//!   that works, fallback from a relay that is down, retries then `failed`.
//! - `sendgrid` adds `src/<package>/integrations/sendgrid.py` (`POST
//!   /v3/mail/send` with httpx, the base URL from `SENDGRID_API_URL`) and
//!   `tests/test_sendgrid.py`, which runs a local HTTP stand-in for the
//!   API: delivery, fallback, a 500 or a timeout retried then `failed`.
//!
//! ```
//! use vendors::Vendor;
//! let smtp = vendors::email::Email::Smtp;
//! assert_eq!(smtp.id(), "smtp");
//! let env = smtp.env("python-fastapi", &Default::default()).unwrap();
//! assert!(env.iter().any(|v| v.name == "SMTP_HOST"));
//! ```

use crate::{EnvVar, Package, PlannedFile, Template, Vendor, VendorError};
use blueprint_core::graph::Blueprint;
use compliance::catalog::Capability;
use indexmap::IndexMap;
use serde_json::{json, Value};
use stacks::Realizations;

const STACK: &str = "python-fastapi";
/// The TypeScript stack: the provider is `src/integrations/<id>.ts`.
const TS_STACK: &str = "typescript-fastify";
/// The sender when the spec's `from` option gives none.
const DEFAULT_FROM: &str = "no-reply@example.com";

/// An email provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Email {
    /// An SMTP relay.
    Smtp,
    /// SendGrid's v3 Web API.
    Sendgrid,
}

impl Email {
    fn name(self) -> &'static str {
        match self {
            Email::Smtp => "smtp",
            Email::Sendgrid => "sendgrid",
        }
    }

    fn invalid(self, option: &str, reason: &str) -> VendorError {
        VendorError::InvalidOption {
            vendor: self.name().to_string(),
            option: option.to_string(),
            reason: reason.to_string(),
        }
    }

    /// The sender: the `from` option, checked.
    fn sender(self, options: &IndexMap<String, Value>) -> Result<String, VendorError> {
        match options.get("from") {
            None => Ok(DEFAULT_FROM.to_string()),
            Some(Value::String(from)) => {
                let usable = from.len() <= 255
                    && from.split_once('@').is_some_and(|(user, domain)| {
                        !user.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    })
                    && from.chars().all(|c| c.is_ascii_graphic());
                if usable {
                    Ok(from.clone())
                } else {
                    Err(self.invalid(
                        "from",
                        "write the sender's address, such as `no-reply@example.com`",
                    ))
                }
            }
            Some(_) => Err(self.invalid("from", "it takes text, an address")),
        }
    }

    /// The boolean option (`starttls` for SMTP, `sandbox` for SendGrid).
    fn flag(self, options: &IndexMap<String, Value>) -> Result<bool, VendorError> {
        let (option, default) = match self {
            Email::Smtp => ("starttls", true),
            Email::Sendgrid => ("sandbox", false),
        };
        match options.get(option) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.invalid(option, "it takes true or false")),
        }
    }

    fn unsupported(self, stack_id: &str) -> VendorError {
        VendorError::Unsupported {
            vendor: self.name().to_string(),
            stack: stack_id.to_string(),
        }
    }

    /// The provider's module and its test, as template names, for a stack.
    fn template_names(self, stack_id: &str) -> (String, String) {
        let id = self.name();
        if stack_id == TS_STACK {
            (
                format!("{id}/{TS_STACK}/{id}.ts"),
                format!("{id}/{TS_STACK}/{id}.test.ts"),
            )
        } else {
            (
                format!("{id}/{STACK}/{id}.py"),
                format!("{id}/{STACK}/test_{id}.py"),
            )
        }
    }

    /// Where the provider's module and its test go in a project.
    fn paths(self, stack_id: &str, blueprint: &Blueprint) -> (String, String) {
        let id = self.name();
        if stack_id == TS_STACK {
            (
                format!("src/integrations/{id}.ts"),
                format!("test/{id}.test.ts"),
            )
        } else {
            let package = package(blueprint);
            (
                format!("src/{package}/integrations/{id}.py"),
                format!("tests/test_{id}.py"),
            )
        }
    }
}

fn package(blueprint: &Blueprint) -> String {
    blueprint_core::naming::snake(&blueprint.spec().product.name)
}

fn pin(name: &str, pin: &str, range: Option<&str>) -> Package {
    Package {
        name: name.to_string(),
        pin: pin.to_string(),
        range: range.map(str::to_string),
    }
}

/// The variables both providers' mails need (declared by each, listed once).
fn shared_env(from: &str) -> [EnvVar; 2] {
    [
        EnvVar::plain("EMAIL_FROM", "the sender of every mail", from),
        EnvVar::plain(
            "APP_BASE_URL",
            "the address the verification and reset links open (the product's web app)",
            "http://localhost:8000",
        ),
    ]
}

impl Vendor for Email {
    fn id(&self) -> &'static str {
        self.name()
    }

    fn supports(&self, stack_id: &str) -> bool {
        stack_id == STACK || stack_id == TS_STACK
    }

    fn templates(&self) -> Vec<Template> {
        let sources: [&'static str; 4] = match self {
            Email::Smtp => [
                include_str!("../templates/smtp/python-fastapi/smtp.py.hbs"),
                include_str!("../templates/smtp/python-fastapi/test_smtp.py.hbs"),
                include_str!("../templates/smtp/typescript-fastify/smtp.ts.hbs"),
                include_str!("../templates/smtp/typescript-fastify/smtp.test.ts.hbs"),
            ],
            Email::Sendgrid => [
                include_str!("../templates/sendgrid/python-fastapi/sendgrid.py.hbs"),
                include_str!("../templates/sendgrid/python-fastapi/test_sendgrid.py.hbs"),
                include_str!("../templates/sendgrid/typescript-fastify/sendgrid.ts.hbs"),
                include_str!("../templates/sendgrid/typescript-fastify/sendgrid.test.ts.hbs"),
            ],
        };
        let [py_module, py_test, ts_module, ts_test] = sources;
        let (py_module_name, py_test_name) = self.template_names(STACK);
        let (ts_module_name, ts_test_name) = self.template_names(TS_STACK);
        vec![
            Template::new(py_module_name, py_module),
            Template::new(py_test_name, py_test),
            Template::new(ts_module_name, ts_module),
            Template::new(ts_test_name, ts_test),
        ]
    }

    fn env(
        &self,
        stack_id: &str,
        options: &IndexMap<String, Value>,
    ) -> Result<Vec<EnvVar>, VendorError> {
        if !self.supports(stack_id) {
            return Err(self.unsupported(stack_id));
        }
        let from = self.sender(options)?;
        let flag = self.flag(options)?;
        let mut env = Vec::from(shared_env(&from));
        match self {
            Email::Smtp => env.extend([
                EnvVar::plain("SMTP_HOST", "the SMTP relay's host; empty: SMTP is skipped", ""),
                EnvVar::plain("SMTP_PORT", "the relay's port", "587"),
                EnvVar::plain("SMTP_USERNAME", "the relay's login; empty: no login", ""),
                EnvVar::secret("SMTP_PASSWORD", "the relay's password", ""),
                EnvVar::plain(
                    "SMTP_STARTTLS",
                    "whether to upgrade the connection with STARTTLS",
                    if flag { "true" } else { "false" },
                ),
            ]),
            Email::Sendgrid => env.extend([
                EnvVar::secret(
                    "SENDGRID_API_KEY",
                    "SendGrid's API key (Mail Send permission); empty: SendGrid is skipped",
                    "",
                ),
                EnvVar::plain(
                    "SENDGRID_API_URL",
                    "SendGrid's API base URL",
                    "https://api.sendgrid.com",
                ),
                EnvVar::plain(
                    "SENDGRID_SANDBOX",
                    "whether SendGrid only validates the mails (sandbox mode) instead of sending them",
                    if flag { "true" } else { "false" },
                ),
            ]),
        }
        Ok(env)
    }

    fn packages(&self, stack_id: &str) -> Vec<Package> {
        if !self.supports(stack_id) {
            return Vec::new();
        }
        if stack_id == TS_STACK {
            // SendGrid's API is one `fetch`; SMTP is nodemailer's.
            return match self {
                Email::Smtp => vec![pin("nodemailer", "10.6.0", None)],
                Email::Sendgrid => Vec::new(),
            };
        }
        match self {
            Email::Smtp => Vec::new(),
            Email::Sendgrid => vec![
                pin("certifi", "2026.10.19.post1", None),
                pin("httpcore", "1.0.9", None),
                pin("httpx", "0.28.1", Some(">=0.28")),
            ],
        }
    }

    fn dev_packages(&self, stack_id: &str) -> Vec<Package> {
        if !self.supports(stack_id) || *self != Email::Smtp {
            return Vec::new();
        }
        if stack_id == TS_STACK {
            // The tests' local relay, and nodemailer's types.
            return vec![
                pin("@types/nodemailer", "8.0.2", None),
                pin("smtp-server", "3.21.6", None),
            ];
        }
        vec![
            pin("aiosmtpd", "1.4.6", None),
            pin("atpublic", "9.0.0", None),
            pin("attrs", "26.1.0", None),
        ]
    }

    fn realizations(&self, stack_id: &str, blueprint: &Blueprint) -> Realizations {
        let mut out = Realizations::default();
        if !self.supports(stack_id) {
            return out;
        }
        let (module, _) = self.paths(stack_id, blueprint);
        out.capabilities
            .insert(Capability::LogRedaction, vec![module]);
        out
    }

    fn plan(
        &self,
        stack_id: &str,
        blueprint: &Blueprint,
        options: &IndexMap<String, Value>,
    ) -> Result<Vec<PlannedFile>, VendorError> {
        if !self.supports(stack_id) {
            return Err(self.unsupported(stack_id));
        }
        self.sender(options)?;
        let flag = self.flag(options)?;
        let title = blueprint.spec().product.display_name().to_string();
        let view = std::sync::Arc::new(json!({
            "package": package(blueprint),
            // Python's spelling, and TypeScript's.
            "starttls": if flag { "True" } else { "False" },
            "sandbox": if flag { "True" } else { "False" },
            "flag": flag,
            "title_literal": Value::String(title).to_string(),
        }));
        let (module_name, test_name) = self.template_names(stack_id);
        let (module, test) = self.paths(stack_id, blueprint);
        Ok(vec![
            PlannedFile::template(module, module_name, std::sync::Arc::clone(&view)),
            PlannedFile::template(test, test_name, view),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::builder::SpecBuilder;

    #[test]
    fn each_provider_plans_its_module_and_test() {
        let bp = SpecBuilder::new("clinic-portal")
            .with_entity("Visit", |e| e)
            .build();
        for (vendor, id) in [(Email::Smtp, "smtp"), (Email::Sendgrid, "sendgrid")] {
            let files = vendor.plan(STACK, &bp, &IndexMap::new()).unwrap();
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            assert_eq!(
                paths,
                [
                    format!("src/clinic_portal/integrations/{id}.py"),
                    format!("tests/test_{id}.py")
                ]
            );
            for cited in vendor
                .realizations(STACK, &bp)
                .capabilities
                .values()
                .flatten()
            {
                assert!(paths.contains(&cited.as_str()), "{cited}");
            }
            assert!(matches!(
                vendor.plan("kotlin-ktor", &bp, &IndexMap::new()),
                Err(VendorError::Unsupported { .. })
            ));
        }
        assert_eq!(Email::Smtp.dev_packages(STACK)[0].name, "aiosmtpd");
        assert!(Email::Sendgrid.dev_packages(STACK).is_empty());
        assert!(Email::Sendgrid
            .packages(STACK)
            .iter()
            .any(|p| p.name == "httpx"));
    }

    #[test]
    fn options_shape_the_defaults_and_bad_ones_are_refused() {
        let mut options = IndexMap::new();
        options.insert("from".to_string(), json!("care@clinic.example"));
        options.insert("sandbox".to_string(), json!(true));
        let env = Email::Sendgrid.env(STACK, &options).unwrap();
        let example = |name: &str| env.iter().find(|v| v.name == name).unwrap().example.clone();
        assert_eq!(example("EMAIL_FROM"), "care@clinic.example");
        assert_eq!(example("SENDGRID_SANDBOX"), "true");
        assert!(
            env.iter()
                .find(|v| v.name == "SENDGRID_API_KEY")
                .unwrap()
                .secret
        );
        let defaults = Email::Smtp.env(STACK, &IndexMap::new()).unwrap();
        assert!(defaults
            .iter()
            .any(|v| v.name == "SMTP_STARTTLS" && v.example == "true"));
        for bad in [json!("not an address"), json!("a@b.c\nX: y"), json!(3)] {
            let mut options = IndexMap::new();
            options.insert("from".to_string(), bad.clone());
            let err = Email::Smtp.env(STACK, &options).unwrap_err().to_string();
            assert!(err.contains("`from`"), "{bad}: {err}");
        }
    }
}

//! The `oidc` integration: sign-in through an OpenID Connect provider.
//!
//! For `python-fastapi` it adds `src/<package>/integrations/oidc.py`, which
//! serves the two routes the application model lists when a spec names
//! `oidc` (`GET {base}/auth/oidc/login` and `GET {base}/auth/oidc/callback`)
//! with Authlib's Starlette client: discovery from `OIDC_ISSUER`, the
//! authorization code flow with `state`, `nonce` and PKCE (S256) kept in a
//! signed, HttpOnly cookie that lives ten minutes, and the ID token checked
//! against the provider's JWKS (`iss`, `aud`, `exp`, `nonce`). A verified
//! email links the existing account or creates one in `default_role` (a
//! signup role); the session starts exactly as a password login starts it.
//! `tests/test_oidc.py` runs the whole flow against a local OpenID provider
//! that signs real RS256 ID tokens and publishes its JWKS and discovery
//! document on loopback.
//!
//! ```
//! use vendors::Vendor;
//! let oidc = vendors::oidc::Oidc;
//! assert!(oidc.supports("python-fastapi"));
//! let env = oidc.env("python-fastapi", &Default::default()).unwrap();
//! assert_eq!(env[0].name, "OIDC_ISSUER");
//! assert!(env.iter().any(|v| v.name == "OIDC_CLIENT_SECRET" && v.secret));
//! ```

use crate::{EnvVar, Package, PlannedFile, Template, Vendor, VendorError};
use blueprint_core::graph::Blueprint;
use compliance::catalog::Capability;
use indexmap::IndexMap;
use serde_json::{json, Value};
use stacks::Realizations;

const ID: &str = "oidc";
const STACK: &str = "python-fastapi";
/// The TypeScript stack: `src/integrations/oidc.ts`, with openid-client.
const TS_STACK: &str = "typescript-fastify";
const TS_MODULE_TEMPLATE: &str = "oidc/typescript-fastify/oidc.ts";
const TS_TEST_TEMPLATE: &str = "oidc/typescript-fastify/oidc.test.ts";
/// The scopes asked for when the spec gives none.
const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

const MODULE_TEMPLATE: &str = "oidc/python-fastapi/oidc.py";
const TEST_TEMPLATE: &str = "oidc/python-fastapi/test_oidc.py";

/// The `oidc` vendor (sign-in through an external identity provider).
#[derive(Debug, Clone, Copy, Default)]
pub struct Oidc;

/// The options, checked.
struct Settings {
    issuer: String,
    scopes: Vec<String>,
}

fn invalid(option: &str, reason: &str) -> VendorError {
    VendorError::InvalidOption {
        vendor: ID.to_string(),
        option: option.to_string(),
        reason: reason.to_string(),
    }
}

impl Settings {
    fn of(options: &IndexMap<String, Value>) -> Result<Settings, VendorError> {
        let issuer = match options.get("issuer") {
            None => String::new(),
            Some(Value::String(url))
                if (url.starts_with("https://") || url.starts_with("http://"))
                    && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
            {
                url.clone()
            }
            Some(_) => {
                return Err(invalid(
                    "issuer",
                    "write the provider's issuer URL, such as `https://accounts.example.com`",
                ))
            }
        };
        let scopes = match options.get("scopes") {
            None => DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            Some(Value::Array(items)) => {
                let scopes: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                let usable = scopes.len() == items.len()
                    && scopes.iter().all(|s| {
                        !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
                    })
                    && scopes.iter().any(|s| s == "openid")
                    && scopes.iter().any(|s| s == "email");
                if !usable {
                    return Err(invalid(
                        "scopes",
                        "list scope names that include `openid` and `email`, such as [openid, email, profile]",
                    ));
                }
                scopes
            }
            Some(_) => {
                return Err(invalid(
                    "scopes",
                    "it takes a list of scope names, such as [openid, email, profile]",
                ))
            }
        };
        Ok(Settings { issuer, scopes })
    }
}

/// The role accounts the integration creates get: `default_role`, which
/// must be a signup role, or else the first signup role.
fn default_role(
    blueprint: &Blueprint,
    options: &IndexMap<String, Value>,
) -> Result<String, VendorError> {
    let signup: Vec<&str> = blueprint
        .spec()
        .roles
        .iter()
        .filter(|(_, r)| r.signup)
        .map(|(n, _)| n.as_str())
        .collect();
    match options.get("default_role") {
        Some(Value::String(role)) if signup.contains(&role.as_str()) => Ok(role.clone()),
        None if !signup.is_empty() => Ok(signup[0].to_string()),
        _ => Err(invalid(
            "default_role",
            &if signup.is_empty() {
                "this product has no signup role to create accounts in".to_string()
            } else {
                format!("name a signup role: {}", signup.join(", "))
            },
        )),
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

fn literal(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

impl Vendor for Oidc {
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
                include_str!("../templates/oidc/python-fastapi/oidc.py.hbs"),
            ),
            Template::embedded(
                TEST_TEMPLATE,
                include_str!("../templates/oidc/python-fastapi/test_oidc.py.hbs"),
            ),
            Template::embedded(
                TS_MODULE_TEMPLATE,
                include_str!("../templates/oidc/typescript-fastify/oidc.ts.hbs"),
            ),
            Template::embedded(
                TS_TEST_TEMPLATE,
                include_str!("../templates/oidc/typescript-fastify/oidc.test.ts.hbs"),
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
        Ok(vec![
            EnvVar::plain(
                "OIDC_ISSUER",
                "the OpenID provider's issuer URL; its discovery document is read from `<issuer>/.well-known/openid-configuration`; empty: the sign-in routes answer 503",
                &settings.issuer,
            ),
            EnvVar::plain(
                "OIDC_CLIENT_ID",
                "this application's client id at the provider (the ID token's audience)",
                "",
            ),
            EnvVar::secret(
                "OIDC_CLIENT_SECRET",
                "this application's client secret at the provider",
                "",
            ),
            EnvVar::plain(
                "OIDC_REDIRECT_URI",
                "the callback URL registered with the provider: this API's `/auth/oidc/callback` as browsers reach it",
                "",
            ),
            EnvVar::plain(
                "OIDC_REDIRECT_AFTER_LOGIN",
                "where the browser goes once signed in (the web application)",
                "/",
            ),
        ])
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
            return vec![package("openid-client", "6.9.0", None)];
        }
        vec![
            package("authlib", "1.9.10", Some(">=1.6")),
            package("certifi", "2026.10.19.post1", None),
            package("httpcore", "1.0.9", None),
            package("httpx", "0.28.1", Some(">=0.27")),
            package("itsdangerous", "2.2.0", Some(">=2.1")),
            package("joserfc", "1.8.0", Some(">=1.6")),
        ]
    }

    fn dev_packages(&self, stack_id: &str) -> Vec<Package> {
        if stack_id != TS_STACK {
            return Vec::new();
        }
        // The tests' loopback provider signs its ID tokens with jose.
        vec![Package {
            name: "jose".to_string(),
            pin: "6.2.18".to_string(),
            range: None,
        }]
    }

    fn realizations(&self, stack_id: &str, blueprint: &Blueprint) -> Realizations {
        let mut out = Realizations::default();
        if !self.supports(stack_id) {
            return out;
        }
        let module = if stack_id == TS_STACK {
            "src/integrations/oidc.ts".to_string()
        } else {
            format!("src/{}/integrations/oidc.py", package(blueprint))
        };
        for capability in [
            Capability::UserAccounts,
            Capability::SessionManagement,
            Capability::TlsOnlyCookies,
            Capability::AuditLog,
            Capability::SecretsFromEnvironment,
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
        let role = default_role(blueprint, options)?;
        let package = package(blueprint);
        let model = model::AppModel::from_blueprint(blueprint);
        let view = std::sync::Arc::new(json!({
            "package": package,
            "default_role_literal": literal(&role),
            "scope_literal": literal(&settings.scopes.join(" ")),
            "base_path_literal": literal(&model.api.base_path),
            "issuer_literal": literal(&settings.issuer),
            "email": model.email.is_some(),
        }));
        if stack_id == TS_STACK {
            return Ok(vec![
                PlannedFile::template(
                    "src/integrations/oidc.ts",
                    TS_MODULE_TEMPLATE,
                    std::sync::Arc::clone(&view),
                ),
                PlannedFile::template("test/oidc.test.ts", TS_TEST_TEMPLATE, view),
            ]);
        }
        Ok(vec![
            PlannedFile::template(
                format!("src/{package}/integrations/oidc.py"),
                MODULE_TEMPLATE,
                std::sync::Arc::clone(&view),
            ),
            PlannedFile::template("tests/test_oidc.py", TEST_TEMPLATE, view),
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
        let files = Oidc.plan(STACK, &bp, &IndexMap::new()).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "src/clinic_portal/integrations/oidc.py",
                "tests/test_oidc.py"
            ]
        );
        for cited in Oidc
            .realizations(STACK, &bp)
            .capabilities
            .values()
            .flatten()
        {
            assert!(paths.contains(&cited.as_str()), "{cited}");
        }
        assert!(matches!(
            Oidc.plan("kotlin-ktor", &bp, &IndexMap::new()),
            Err(VendorError::Unsupported { .. })
        ));
        assert!(Oidc.packages("kotlin-ktor").is_empty());
    }

    #[test]
    fn the_default_role_must_be_a_signup_role() {
        let bp = SpecBuilder::new("clinic-portal")
            .with_entity("Visit", |e| e)
            .build();
        let signup: Vec<String> = bp
            .spec()
            .roles
            .iter()
            .filter(|(_, r)| r.signup)
            .map(|(n, _)| n.clone())
            .collect();
        let first = signup
            .first()
            .expect("the default roles open one to signup");
        assert_eq!(&default_role(&bp, &IndexMap::new()).unwrap(), first);
        let admin = bp
            .spec()
            .roles
            .iter()
            .find(|(_, r)| r.admin)
            .map(|(n, _)| n.clone())
            .unwrap();
        let err = Oidc
            .plan(STACK, &bp, &options(&[("default_role", json!(admin))]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`default_role`") && err.contains(first.as_str()),
            "{err}"
        );
    }

    #[test]
    fn options_shape_the_defaults_and_unusable_ones_are_refused() {
        let env = Oidc
            .env(
                STACK,
                &options(&[("issuer", json!("https://id.example.com"))]),
            )
            .unwrap();
        assert_eq!(env[0].example, "https://id.example.com");
        assert_eq!(env[4].example, "/");
        for (name, value) in [
            ("issuer", json!("id.example.com")),
            ("issuer", json!("https://id.example.com\nX=1")),
            ("scopes", json!(["email"])),
            ("scopes", json!(["openid", "profile"])),
            ("scopes", json!(["openid", "email", "a b"])),
        ] {
            let err = Oidc
                .env(STACK, &options(&[(name, value.clone())]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("`{name}`")), "{value}: {err}");
        }
    }
}

//! How the documents speak of the spec's integrations: as part of the
//! project when a registered vendor generated its files
//! ([`DocInput::generated_integrations`](crate::DocInput::generated_integrations)),
//! else as **not generated**, with what the user has to add to meet the
//! backend contract's "Integrations" section.
//!
//! The documents never claim an integration the project does not contain:
//! an ADR for it is `proposed`, not `accepted`; the compliance matrix, the
//! traceability table and `docs/ARCHITECTURE.md` mark it "not generated".
//!
//! ```
//! use render::docs::integrations::{needs, NOT_GENERATED};
//! let stripe = needs("stripe", "/api");
//! assert!(stripe.environment.contains(&"STRIPE_WEBHOOK_SECRET"));
//! assert!(stripe.endpoints.iter().any(|e| e == "POST /api/webhooks/stripe"));
//! assert_eq!(NOT_GENERATED, "not generated: add it yourself");
//! ```

use blueprint_core::graph::Blueprint;

/// The words every document uses for an integration the project lacks.
pub const NOT_GENERATED: &str = "not generated: add it yourself";

/// Where the user reads what an integration must do.
pub const CONTRACT_POINTER: &str =
    "the \"Integrations\" section of archgen's backend contract (`docs/backend-contract.md` in the archgen repository)";

/// What a project needs before it contains an integration, from the backend
/// contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// Environment variables the integration reads (the contract's names,
    /// else the names the vendor's own libraries use).
    pub environment: Vec<&'static str>,
    /// Endpoints the contract asks for, with the API base path.
    pub endpoints: Vec<String>,
    /// Anything else the contract asks for, in a sentence.
    pub also: &'static str,
}

/// What the backend contract asks of the integration `vendor`, with the API
/// base path `base` (such as `/api`).
pub fn needs(vendor: &str, base: &str) -> Needs {
    let email = |key: &'static str| {
        Needs {
        environment: vec![key],
        endpoints: vec![
            format!("POST {base}/auth/verify-email"),
            format!("POST {base}/auth/password-reset"),
            format!("POST {base}/auth/password-reset/confirm"),
        ],
        also: "an outbox table sent by a worker (`make worker`, a Deployment in the manifests) with retries and fallback to the next email provider; register answers 202 whether or not the email is taken, and `GET /auth/me` carries `email_verified`",
    }
    };
    match vendor {
        "stripe" => Needs {
            environment: vec!["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
            endpoints: vec![
                format!("POST {base}/<collection>/{{id}}/payment"),
                format!("POST {base}/webhooks/stripe"),
            ],
            also: "a `payments` table, webhook signatures verified with a 5-minute tolerance, each event stored once, and card data kept out of the backend (Stripe's hosted checkout or Elements take the card)",
        },
        "sendgrid" => email("SENDGRID_API_KEY"),
        "smtp" => email("SMTP_URL"),
        "oidc" => Needs {
            environment: vec!["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_REDIRECT_AFTER_LOGIN"],
            endpoints: vec![
                format!("GET {base}/auth/oidc/login"),
                format!("GET {base}/auth/oidc/callback"),
            ],
            also: "state, nonce and PKCE (S256) on the way out; the ID token verified (JWKS signature, `iss`, `aud`, `exp`, `nonce`) on the way back; a session started exactly as login does",
        },
        "sentry" => Needs {
            environment: vec!["SENTRY_DSN"],
            endpoints: Vec::new(),
            also: "unhandled errors reported with the request id and without cookies, authorization headers, bodies or personal data; nothing sent without `SENTRY_DSN`",
        },
        _ => Needs {
            environment: Vec::new(),
            endpoints: Vec::new(),
            also: "keys read from the environment, a local fake in tests, bounded retries with backoff, and what it did recorded in the audit log",
        },
    }
}

/// The vendor's display name, from the blueprint's `ext.<vendor>` element.
pub fn display_name(bp: &Blueprint, vendor: &str) -> String {
    bp.element_by_str(&format!("ext.{vendor}"))
        .map(|e| e.name.clone())
        .unwrap_or_else(|| vendor.to_string())
}

/// One sentence saying that the project lacks the integration and what to
/// add: variables, endpoints, the rest, and where the contract is.
///
/// ```
/// let s = render::docs::integrations::add_it_yourself("Sentry", "sentry", "/api");
/// assert!(s.starts_with("Not generated"));
/// assert!(s.contains("`SENTRY_DSN`"));
/// ```
pub fn add_it_yourself(name: &str, vendor: &str, base: &str) -> String {
    let n = needs(vendor, base);
    let mut s = format!(
        "Not generated: archgen has no `{vendor}` integration for this stack, so this project contains no {name} code, configuration or environment variable. To add it yourself:"
    );
    if !n.environment.is_empty() {
        let vars: Vec<String> = n.environment.iter().map(|v| format!("`{v}`")).collect();
        s.push_str(&format!(
            " read its keys from the environment, such as {} (and list them in `.env.example`);",
            vars.join(", ")
        ));
    }
    if !n.endpoints.is_empty() {
        let eps: Vec<String> = n.endpoints.iter().map(|e| format!("`{e}`")).collect();
        s.push_str(&format!(" serve {};", eps.join(", ")));
    }
    s.push_str(&format!(" {}. See {CONTRACT_POINTER}.", n.also));
    s
}

/// When the compliance analysis puts PCI DSS in its SAQ A-style scope
/// because of a payments integration the project does not contain: the
/// analysis' words for that scope, and the same words marked as planned.
/// Documents replace the first with the second.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
/// spec.product.description = Some("Customers pay by card.".into());
/// spec.integrations.insert("stripe".into(), Default::default());
/// let (_, analysis, _) = render::docs::render_docs(&spec).unwrap();
/// let (said, planned) = render::docs::integrations::planned_pci_scope(&analysis, &[]).unwrap();
/// assert!(planned.starts_with(&said));
/// assert!(planned.contains("not generated"));
/// assert!(render::docs::integrations::planned_pci_scope(&analysis, &["stripe".into()]).is_none());
/// ```
pub fn planned_pci_scope(
    analysis: &compliance::Analysis,
    generated: &[String],
) -> Option<(String, String)> {
    match &analysis.pci_scope {
        Some(scope @ compliance::PciScope::HostedCheckout { vendor })
            if !generated.contains(vendor) =>
        {
            let said = scope.describe();
            let planned = format!(
                "{said} (planned: the `{vendor}` integration is {NOT_GENERATED}; until it is added this project takes no card payments)"
            );
            Some((said, planned))
        }
        _ => None,
    }
}

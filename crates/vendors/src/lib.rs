//! Vendor integrations for archgen.
//!
//! A vendor (Stripe, SendGrid, SMTP, OIDC, Sentry, S3, Twilio, Slack) adds
//! its files to each stack it supports. A [`Vendor`] plans files exactly as a
//! [`Stack`](stacks::Stack) does, as literal content or as a template name
//! plus a JSON view model, so this crate depends on `stacks` for
//! [`PlannedFile`] and [`Template`]; the render engine renders the
//! templates. A vendor never touches the disk.
//!
//! The options a vendor takes ([`Vendor::options`]) are, by default, the
//! ones archgen's integration table knows ([`blueprint_core::spec::vendor`]);
//! a vendor of one's own declares its own. Either way the render engine
//! tells the spec checker (`Engine::known`), so a spec that names an unknown
//! option is rejected with a diagnostic long before a vendor sees it.
//!
//! Besides its files, a vendor declares, as data, what the stack must carry
//! for it: the environment variables its code reads ([`Vendor::env`]; the
//! stack lists them in `.env.example`, the README and the deployment's
//! Secret and ConfigMap), the packages it needs ([`Vendor::packages`]; the
//! stack adds them to its manifest and locks) and the compliance
//! capabilities its files realize ([`Vendor::realizations`]; the compliance
//! matrix and the traceability cite them).
//!
//! archgen ships [`stripe`], [`sentry`], [`oidc`] and the [`email`]
//! providers `smtp` and `sendgrid` ([`builtin`]). The engine skips an integration
//! no registered vendor serves (and says so); a spec naming an integration
//! whose registered vendor does not support the spec's stack is refused at
//! check time (E603).
//!
//! # Example
//!
//! ```
//! use blueprint_core::graph::Blueprint;
//! use indexmap::IndexMap;
//! use stacks::PlannedFile;
//! use vendors::{Vendor, VendorError, VendorRegistry};
//!
//! struct Slack;
//!
//! impl Vendor for Slack {
//!     fn id(&self) -> &'static str {
//!         "slack"
//!     }
//!     fn supports(&self, stack_id: &str) -> bool {
//!         stack_id == "python-fastapi"
//!     }
//!     fn plan(
//!         &self,
//!         _stack_id: &str,
//!         _blueprint: &Blueprint,
//!         options: &IndexMap<String, serde_json::Value>,
//!     ) -> Result<Vec<PlannedFile>, VendorError> {
//!         let channel = options.get("channel").and_then(|c| c.as_str()).unwrap_or("#general");
//!         Ok(vec![PlannedFile::text("app/integrations/slack.py", format!("CHANNEL = {channel:?}\n"))])
//!     }
//! }
//!
//! let mut registry = VendorRegistry::new();
//! registry.register(Box::new(Slack));
//! let slack = registry.get("slack").unwrap();
//! assert!(slack.supports("python-fastapi"));
//! assert_eq!(slack.options()[0].0, "channel");
//! ```

#![warn(missing_docs)]

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{OptionKind, VendorInfo};
use indexmap::IndexMap;
pub use model::{EnvVar, Package};
pub use stacks::{PlannedFile, Realizations, Template};

pub mod email;
pub mod oidc;
pub mod sentry;
pub mod stripe;

/// Why a vendor could not plan its files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VendorError {
    /// The vendor has no files for this stack.
    #[error("the `{vendor}` integration has no templates for the `{stack}` stack; choose a stack it supports or drop the integration")]
    Unsupported {
        /// The vendor's id.
        vendor: String,
        /// The stack's id.
        stack: String,
    },
    /// An option has a value the vendor cannot use.
    #[error("the `{vendor}` integration's option `{option}` is not usable: {reason}")]
    InvalidOption {
        /// The vendor's id.
        vendor: String,
        /// The option's name.
        option: String,
        /// What is wrong, and what to write instead.
        reason: String,
    },
    /// An entity's table has the name of a table the vendor's code adds.
    #[error("the entity `{entity}` keeps its rows in the table `{table}`, which the `{vendor}` integration adds for its own rows; give the entity another `plural:` (or rename it)")]
    TableTaken {
        /// The vendor's id.
        vendor: String,
        /// The table both name.
        table: String,
        /// The entity's spec name.
        entity: String,
    },
    /// Anything else that stopped the vendor.
    #[error("the `{vendor}` integration failed: {message}")]
    Failed {
        /// The vendor's id.
        vendor: String,
        /// What went wrong, and what to do.
        message: String,
    },
}

/// A vendor integration: its id, its options, the stacks it supports and the
/// files it adds to a project of each.
///
/// Third parties implement it and register it with the render engine, like a
/// built-in one.
pub trait Vendor: Send + Sync {
    /// The id used in specs (`integrations:`), such as `stripe`.
    fn id(&self) -> &'static str;

    /// What archgen knows about this integration (its purpose and options),
    /// from the table the spec checker uses; `None` for an id the spec
    /// language does not know.
    fn info(&self) -> Option<&'static VendorInfo> {
        blueprint_core::spec::vendor(self.id())
    }

    /// The options this vendor takes: name and kind of value. By default the
    /// ones archgen's integration table lists for [`id`](Vendor::id); a
    /// vendor the table does not know lists its own, and specs checked with
    /// an engine it is registered with may use them.
    fn options(&self) -> &'static [(&'static str, OptionKind)] {
        self.info().map_or(&[], |info| info.options)
    }

    /// What the integration is for, in a few words (`payments and
    /// webhooks`). By default the table's, else empty.
    fn purpose(&self) -> &'static str {
        self.info().map_or("", |info| info.purpose)
    }

    /// Whether this vendor has files for the stack with this id.
    fn supports(&self, stack_id: &str) -> bool;

    /// Every template the vendor's files refer to. Name them
    /// `<vendor>/<stack>/<path>` so they never collide with a stack's.
    fn templates(&self) -> Vec<Template> {
        Vec::new()
    }

    /// The environment variables this integration's code reads in a project
    /// of stack `stack_id`, given its options, in the order `.env.example`
    /// lists them. None by default.
    ///
    /// # Errors
    ///
    /// [`VendorError::InvalidOption`] for an option the defaults are made
    /// of that cannot be used; [`VendorError::Unsupported`] for a stack
    /// the vendor does not support.
    fn env(
        &self,
        stack_id: &str,
        options: &IndexMap<String, serde_json::Value>,
    ) -> Result<Vec<EnvVar>, VendorError> {
        let _ = (stack_id, options);
        Ok(Vec::new())
    }

    /// The packages this integration's code needs in a project of stack
    /// `stack_id`, direct and transitive, pinned, in name order. None by
    /// default.
    fn packages(&self, stack_id: &str) -> Vec<Package> {
        let _ = stack_id;
        Vec::new()
    }

    /// The packages this integration's tests alone need in a project of
    /// stack `stack_id` (a local fake of the service), pinned, in name
    /// order; the stack adds them to its development lock. None by default.
    fn dev_packages(&self, stack_id: &str) -> Vec<Package> {
        let _ = stack_id;
        Vec::new()
    }

    /// The routes this integration's code serves in a project of stack
    /// `stack_id`, given the application model (its base path and
    /// entities) and the options. The engine adds them to the model's
    /// routes, so the OpenAPI document, the docs and the gate's conformance
    /// suite list them. None by default.
    fn routes(
        &self,
        stack_id: &str,
        model: &model::AppModel,
        options: &IndexMap<String, serde_json::Value>,
    ) -> Vec<model::Route> {
        let _ = (stack_id, model, options);
        Vec::new()
    }

    /// The tables this integration's code adds (its files include the
    /// migration that creates them). None by default.
    fn tables(&self, stack_id: &str) -> Vec<String> {
        let _ = stack_id;
        Vec::new()
    }

    /// The audit actions this integration's code records, besides the
    /// contract's; the stack's audit log accepts them. None by default.
    fn audit_actions(&self, stack_id: &str) -> Vec<String> {
        let _ = stack_id;
        Vec::new()
    }

    /// The compliance capabilities this integration's files realize in a
    /// project of stack `stack_id`, with those files (each one a file
    /// [`plan`](Vendor::plan) adds). The engine adds them to the stack's
    /// for the compliance matrix and the traceability. None by default.
    fn realizations(&self, stack_id: &str, blueprint: &Blueprint) -> Realizations {
        let _ = (stack_id, blueprint);
        Realizations::default()
    }

    /// The files this integration adds to a project of stack `stack_id` for
    /// a complete blueprint, given the integration's options from the spec.
    fn plan(
        &self,
        stack_id: &str,
        blueprint: &Blueprint,
        options: &IndexMap<String, serde_json::Value>,
    ) -> Result<Vec<PlannedFile>, VendorError>;
}

/// Checks options against a vendor's option schema: every option known and
/// of the right kind.
///
/// ```
/// use indexmap::IndexMap;
/// # use vendors::*;
/// # struct Slack;
/// # impl Vendor for Slack {
/// #     fn id(&self) -> &'static str { "slack" }
/// #     fn supports(&self, _: &str) -> bool { true }
/// #     fn plan(&self, _: &str, _: &blueprint_core::graph::Blueprint, _: &IndexMap<String, serde_json::Value>)
/// #         -> Result<Vec<PlannedFile>, VendorError> { Ok(vec![]) }
/// # }
/// let mut options = IndexMap::new();
/// options.insert("channel".to_string(), serde_json::json!(42));
/// let err = vendors::check_options(&Slack, &options).unwrap_err();
/// assert!(err.to_string().contains("`channel`"));
/// ```
///
/// # Errors
///
/// [`VendorError::InvalidOption`] for the first unknown or ill-typed option.
pub fn check_options(
    vendor: &dyn Vendor,
    options: &IndexMap<String, serde_json::Value>,
) -> Result<(), VendorError> {
    let schema = vendor.options();
    for (name, value) in options {
        let invalid = |reason: String| VendorError::InvalidOption {
            vendor: vendor.id().to_string(),
            option: name.clone(),
            reason,
        };
        match schema.iter().find(|(known, _)| known == name) {
            None => {
                let known: Vec<&str> = schema.iter().map(|(n, _)| *n).collect();
                return Err(invalid(format!(
                    "it is not an option of this integration; the options are: {}",
                    if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            Some((_, kind)) if !kind.accepts(value) => {
                return Err(invalid(format!(
                    "it takes {}, not {value}",
                    kind.describe()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The vendors archgen ships: [`stripe`], [`sentry`], [`oidc`] and the
/// [`email`] providers `smtp` and `sendgrid`.
///
/// ```
/// let ids: Vec<&str> = vendors::builtin().iter().map(|v| v.id()).collect();
/// assert_eq!(ids, ["stripe", "sentry", "smtp", "sendgrid", "oidc"]);
/// ```
pub fn builtin() -> Vec<Box<dyn Vendor>> {
    vec![
        Box::new(stripe::Stripe),
        Box::new(sentry::Sentry),
        Box::new(email::Email::Smtp),
        Box::new(email::Email::Sendgrid),
        Box::new(oidc::Oidc),
    ]
}

/// Registered vendors by id, in registration order.
///
/// Registering a vendor whose id is taken replaces the earlier one, so an
/// embedder can swap a built-in vendor for its own.
///
/// ```
/// let registry = vendors::VendorRegistry::new();
/// assert!(registry.is_empty());
/// assert!(registry.get("stripe").is_none());
/// ```
#[derive(Default)]
pub struct VendorRegistry {
    vendors: IndexMap<&'static str, Box<dyn Vendor>>,
}

impl std::fmt::Debug for VendorRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorRegistry")
            .field("vendors", &self.vendors.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl VendorRegistry {
    /// An empty registry.
    pub fn new() -> VendorRegistry {
        VendorRegistry::default()
    }

    /// Adds a vendor, replacing one with the same id; returns the replaced
    /// one.
    pub fn register(&mut self, vendor: Box<dyn Vendor>) -> Option<Box<dyn Vendor>> {
        self.vendors.insert(vendor.id(), vendor)
    }

    /// Removes the vendor with this id (its integration is then left out
    /// of projects, with a warning); returns it.
    ///
    /// ```
    /// let mut registry = vendors::VendorRegistry::new();
    /// for vendor in vendors::builtin() {
    ///     registry.register(vendor);
    /// }
    /// assert!(registry.remove("stripe").is_some());
    /// assert!(!registry.serves("stripe", "python-fastapi"));
    /// ```
    pub fn remove(&mut self, id: &str) -> Option<Box<dyn Vendor>> {
        self.vendors.shift_remove(id)
    }

    /// The vendor with this id.
    pub fn get(&self, id: &str) -> Option<&dyn Vendor> {
        self.vendors.get(id).map(|v| v.as_ref())
    }

    /// Whether a registered vendor with this id generates files for the
    /// stack with id `stack_id`: the one question the render engine and the
    /// documents ask to tell a generated integration from one the user must
    /// add.
    ///
    /// ```
    /// let registry = vendors::VendorRegistry::new();
    /// assert!(!registry.serves("stripe", "python-fastapi"));
    /// ```
    pub fn serves(&self, id: &str, stack_id: &str) -> bool {
        self.get(id).is_some_and(|v| v.supports(stack_id))
    }

    /// The registered ids, in registration order.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.vendors.keys().copied()
    }

    /// Every registered vendor, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Vendor> + '_ {
        self.vendors.values().map(|v| v.as_ref())
    }

    /// How many vendors are registered.
    pub fn len(&self) -> usize {
        self.vendors.len()
    }

    /// Whether no vendor is registered.
    pub fn is_empty(&self) -> bool {
        self.vendors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(&'static str);

    impl Vendor for Fake {
        fn id(&self) -> &'static str {
            self.0
        }
        fn supports(&self, stack_id: &str) -> bool {
            stack_id == "s"
        }
        fn plan(
            &self,
            _: &str,
            _: &Blueprint,
            _: &IndexMap<String, serde_json::Value>,
        ) -> Result<Vec<PlannedFile>, VendorError> {
            Ok(vec![PlannedFile::text("x", "y")])
        }
    }

    #[test]
    fn registering_the_same_id_replaces() {
        let mut r = VendorRegistry::new();
        assert!(r.register(Box::new(Fake("stripe"))).is_none());
        assert!(r.register(Box::new(Fake("smtp"))).is_none());
        assert!(r.register(Box::new(Fake("stripe"))).is_some());
        assert_eq!(r.ids().collect::<Vec<_>>(), ["stripe", "smtp"]);
        assert_eq!(r.len(), 2);
        assert!(r.serves("stripe", "s"));
        assert!(!r.serves("stripe", "other"));
        assert!(!r.serves("sentry", "s"));
    }

    #[test]
    fn options_come_from_the_spec_table() {
        let stripe = Fake("stripe");
        assert!(stripe.options().iter().any(|(n, _)| *n == "currency"));
        assert!(Fake("unknown").options().is_empty());
        let mut o = IndexMap::new();
        o.insert("mode".to_string(), serde_json::json!("checkout"));
        assert!(check_options(&stripe, &o).is_ok());
        o.insert("mode".to_string(), serde_json::json!("barter"));
        assert!(check_options(&stripe, &o).is_err());
        let mut o = IndexMap::new();
        o.insert("colour".to_string(), serde_json::json!("red"));
        let e = check_options(&stripe, &o).unwrap_err().to_string();
        assert!(
            e.contains("the options are: mode, currency, webhooks, pays_for, amount, sets"),
            "{e}"
        );
    }
}

//! archgen's compliance engine.
//!
//! Given a product [`Spec`](blueprint_core::spec::Spec), this crate
//!
//! - classifies every field as `none`, `personal` or `sensitive` PII, and flags
//!   GDPR Art. 9 special categories ([`pii`]), from the field's name and type
//!   and from its entity: the entity's name (a `Payslip`'s `gross`, a
//!   `VisitNote`'s `body`), its required relation to a person (`Patient`,
//!   `Employee`, `Customer`…), and whether it describes a person at all (a
//!   `Pet`'s `diagnosis` stays sensitive but is not Art. 9 health data);
//! - infers the frameworks the product falls under (SOC 2, GDPR, HIPAA,
//!   ISO/IEC 27001, PCI DSS) from its description, names, roles and
//!   integrations, each with its reasons ([`infer`]);
//! - chooses controls from a catalog kept as data ([`Catalog`], embedded
//!   from `data/controls.toml`), mapped to clause ids of those frameworks and
//!   of OWASP ASVS, through rules that anyone can extend ([`ComplianceRule`]);
//! - weaves the controls into the blueprint as ArchiMate motivation
//!   elements, with the control parameters and PII classes as blueprint
//!   parameters ([`weave`](mod@weave), [`complete`]);
//! - renders the result as stable JSON, a terminal summary and the Markdown
//!   compliance matrix an auditor reads.
//!
//! The security baseline (authentication, sessions, CSRF, access control,
//! audit, headers, rate limits, validation) applies to every product; no
//! spec option removes it.
//!
//! # Example
//!
//! ```
//! use blueprint_core::spec::Framework;
//!
//! # let spec = compliance::testing::clinic();
//! let analysis = compliance::analyze(&spec);
//! assert!(analysis.in_force(Framework::Hipaa));
//! let policy = analysis.control("AUTH-PASSWORD-POLICY").unwrap();
//! assert_eq!(policy.parameters["password.min_length"], 12);
//! println!("{}", analysis.to_markdown());
//! ```

#![warn(missing_docs)]

mod analysis;
pub mod catalog;
mod error;
pub mod exposure;
pub mod frameworks;
pub mod ids;
pub mod infer;
pub mod pii;
mod report;
pub mod rules;
pub mod testing;
pub mod weave;

pub use analysis::{analyze, Analysis, Analyzer, ControlFinding};
pub use catalog::{Capability, Catalog, Control};
pub use error::Error;
pub use frameworks::FrameworkRefs;
pub use infer::{FrameworkFinding, PciScope};
pub use pii::{FieldClass, SpecialCategory};
pub use rules::{ComplianceRule, Proposal, ProposedControl, RuleContext, RuleRegistry};
pub use weave::{complete, weave, Woven};

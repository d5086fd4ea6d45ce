//! The blueprint element ids that realize each capability.
//!
//! These follow the ids the blueprint lowering gives a spec's elements:
//! `app.<product>` (the backend), `app.<product>.api` (its HTTP interface),
//! `svc.<entity>.<action>` (one service per entity action),
//! `do.<entity>` (one data object per entity), `ext.<vendor>` (one external
//! component per integration) and `tech.postgresql`. When the
//! analysis is woven into a real blueprint, ids it lacks are dropped.

use blueprint_core::naming::snake;
use blueprint_core::spec::{Action, Pii, Spec};

use crate::catalog::Capability;
use crate::pii::FieldClass;

/// The id of the application component: `app.<product>`.
pub fn app(spec: &Spec) -> String {
    format!("app.{}", spec.product.name)
}

/// The id of the HTTP interface: `app.<product>.api`.
pub fn api(spec: &Spec) -> String {
    format!("app.{}.api", spec.product.name)
}

/// The id of an entity's data object: `do.<entity snake_case>`.
pub fn data_object(entity: &str) -> String {
    format!("do.{}", snake(entity))
}

/// The id of an entity action's service: `svc.<entity snake_case>.<action>`.
pub fn service(entity: &str, action: Action) -> String {
    format!("svc.{}.{}", snake(entity), action.as_str())
}

/// The id of an integration's external component: `ext.<vendor>`.
pub fn external(vendor: &str) -> String {
    format!("ext.{vendor}")
}

/// The id of the database node.
pub const DATABASE: &str = "tech.postgresql";

/// The element ids that realize a capability in a spec's blueprint.
///
/// ```
/// use compliance::Capability;
/// # let spec = compliance::testing::clinic();
/// let fields = compliance::pii::classify_spec(&spec);
/// let ids = compliance::ids::realizers(Capability::PiiEncryptionAtRest, &spec, &fields);
/// assert_eq!(ids, ["app.clinic-flow", "do.patient", "do.visit_note"]);
/// ```
pub fn realizers(capability: Capability, spec: &Spec, fields: &[FieldClass]) -> Vec<String> {
    use Capability as C;
    let entities_where = |pred: &dyn Fn(&str) -> bool| -> Vec<String> {
        spec.entities
            .keys()
            .filter(|e| pred(e))
            .map(|e| data_object(e))
            .collect()
    };
    let with_fields = |pred: &dyn Fn(&FieldClass) -> bool| -> Vec<String> {
        // One pass over the fields, then entities in spec order: linear in
        // the size of the spec.
        let hit: std::collections::HashSet<&str> = fields
            .iter()
            .filter(|f| pred(f))
            .map(|f| f.entity.as_str())
            .collect();
        entities_where(&|e: &str| hit.contains(e))
    };
    let owned = |e: &str| spec.entities.get(e).is_some_and(|x| x.is_owned());
    let mut ids = match capability {
        C::Rbac => {
            let mut v = vec![api(spec)];
            for e in spec.entities.keys() {
                v.extend(Action::ALL.iter().map(|a| service(e, *a)));
            }
            v
        }
        C::RowOwnership => {
            let mut v = vec![api(spec)];
            for e in spec.entities.keys().filter(|e| owned(e)) {
                v.extend(
                    [Action::Read, Action::Update, Action::Delete]
                        .iter()
                        .map(|a| service(e, *a)),
                );
            }
            v
        }
        C::AuditLog | C::AppendOnlyAudit | C::AuditRetention => vec![api(spec), DATABASE.into()],
        C::PiiEncryptionAtRest => {
            let mut v = vec![app(spec)];
            v.extend(with_fields(&|f| f.pii == Pii::Sensitive));
            v
        }
        C::SpecialCategorySafeguards => {
            let mut v = vec![app(spec)];
            v.extend(with_fields(&|f| f.special_category.is_some()));
            v
        }
        C::DataInventory => {
            let mut v = vec![app(spec)];
            v.extend(with_fields(&|f| f.pii != Pii::None));
            v
        }
        C::GdprExport | C::GdprErasure => {
            let mut v = vec![api(spec)];
            v.extend(entities_where(&owned));
            v
        }
        C::RetentionPurge => {
            let mut v = vec![app(spec)];
            v.extend(entities_where(&|e: &str| {
                spec.entities.get(e).is_some_and(|x| x.retention.is_some())
            }));
            v
        }
        C::ParameterizedQueries => vec![app(spec), DATABASE.into()],
        C::ProcessorRegister => {
            let mut v = vec![app(spec)];
            v.extend(spec.integrations.keys().map(|k| external(k)));
            v
        }
        C::CardDataScope => {
            let mut v = vec![app(spec)];
            v.extend(
                spec.integrations
                    .keys()
                    .filter(|k| crate::infer::PAYMENT_VENDORS.contains(&k.as_str()))
                    .map(|k| external(k)),
            );
            v
        }
        C::BackupsRestore => vec![DATABASE.into()],
        C::PasswordPolicy
        | C::PasswordHashing
        | C::LoginLockout
        | C::UserAccounts
        | C::SessionManagement
        | C::TlsOnlyCookies
        | C::CsrfProtection
        | C::RateLimiting
        | C::SecurityHeaders
        | C::TransportEncryption
        | C::CorsAllowlist
        | C::InputValidation
        | C::SafeErrors
        | C::RequestIds
        | C::LogRedaction
        | C::UtcTimestamps
        | C::HealthChecks
        | C::AdminFunctions => vec![api(spec)],
        _ => vec![app(spec)],
    };
    dedup(&mut ids);
    ids
}

/// Removes repeated ids, keeping the first.
pub(crate) fn dedup(ids: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(i.clone()));
}

//! The numbers of the controls, as one typed struct.
//!
//! The compliance crate's catalog holds every control's parameters and
//! weaves the values in force into the blueprint. This module is the only
//! place that reads them back by name: from the blueprint when the
//! compliance stage set them, else from the catalog's baseline value, so a
//! default is never written twice and a missing parameter means the same
//! thing to every stack and document.

use blueprint_core::graph::Blueprint;
use serde::Serialize;

/// The parameters the generated backend and its documents read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlParams {
    /// The shortest password accepted.
    pub password_min_length: u64,
    /// The longest password accepted.
    pub password_max_length: u64,
    /// Failed logins for one email from one client address that lock it out.
    pub lockout_max_failures: u64,
    /// The window in which failed logins count, in minutes.
    pub lockout_window_minutes: u64,
    /// A session's idle timeout, in minutes.
    pub session_idle_minutes: u64,
    /// A session's absolute lifetime, in hours.
    pub session_absolute_hours: u64,
    /// How long audit events are kept, in days.
    pub audit_retention_days: u64,
    /// Requests per minute a client address may make.
    pub rate_limit_client_per_minute: u64,
    /// Requests per minute a signed-in user may make.
    pub rate_limit_user_per_minute: u64,
    /// The cipher that encrypts sensitive fields at rest.
    pub encryption_algorithm: String,
    /// Months within which a data-subject request is answered.
    pub dsr_response_deadline_months: u64,
}

/// Failed logins for one email, from any client addresses, after which
/// every address gets 429 for that email (within the lockout window).
///
/// The compliance catalog has no parameter for it, so the number lives here,
/// once: ten times the per-address threshold of the baseline, high enough
/// that no single machine can lock a user out, low enough to stop a
/// distributed guess at one account.
pub const LOCKOUT_EMAIL_MAX_FAILURES: u64 = 50;

/// The name of a parameter in the blueprint and the catalog.
///
/// These are the only spellings of the keys outside the compliance crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamKey {
    /// `password.min_length`
    PasswordMinLength,
    /// `password.max_length`
    PasswordMaxLength,
    /// `lockout.max_failures`
    LockoutMaxFailures,
    /// `lockout.window_minutes`
    LockoutWindowMinutes,
    /// `session.idle_minutes`
    SessionIdleMinutes,
    /// `session.absolute_hours`
    SessionAbsoluteHours,
    /// `audit.retention_days`
    AuditRetentionDays,
    /// `rate_limit.client_per_minute`
    RateLimitClientPerMinute,
    /// `rate_limit.user_per_minute`
    RateLimitUserPerMinute,
    /// `encryption.algorithm`
    EncryptionAlgorithm,
    /// `dsr.response_deadline_months`
    DsrResponseDeadlineMonths,
}

impl ParamKey {
    /// Every key, in the order of [`ControlParams`]' fields.
    pub const ALL: [ParamKey; 11] = [
        ParamKey::PasswordMinLength,
        ParamKey::PasswordMaxLength,
        ParamKey::LockoutMaxFailures,
        ParamKey::LockoutWindowMinutes,
        ParamKey::SessionIdleMinutes,
        ParamKey::SessionAbsoluteHours,
        ParamKey::AuditRetentionDays,
        ParamKey::RateLimitClientPerMinute,
        ParamKey::RateLimitUserPerMinute,
        ParamKey::EncryptionAlgorithm,
        ParamKey::DsrResponseDeadlineMonths,
    ];

    /// The key as the catalog and the blueprint spell it.
    ///
    /// ```
    /// assert_eq!(model::ParamKey::PasswordMinLength.as_str(), "password.min_length");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKey::PasswordMinLength => "password.min_length",
            ParamKey::PasswordMaxLength => "password.max_length",
            ParamKey::LockoutMaxFailures => "lockout.max_failures",
            ParamKey::LockoutWindowMinutes => "lockout.window_minutes",
            ParamKey::SessionIdleMinutes => "session.idle_minutes",
            ParamKey::SessionAbsoluteHours => "session.absolute_hours",
            ParamKey::AuditRetentionDays => "audit.retention_days",
            ParamKey::RateLimitClientPerMinute => "rate_limit.client_per_minute",
            ParamKey::RateLimitUserPerMinute => "rate_limit.user_per_minute",
            ParamKey::EncryptionAlgorithm => "encryption.algorithm",
            ParamKey::DsrResponseDeadlineMonths => "dsr.response_deadline_months",
        }
    }
}

/// The value of a parameter: the blueprint's, else the catalog's baseline.
fn value(bp: &Blueprint, key: ParamKey) -> serde_json::Value {
    if let Some(p) = bp.parameter(key.as_str()) {
        return p.value.clone();
    }
    compliance::Catalog::builtin()
        .controls()
        .find_map(|c| c.parameters.get(key.as_str()))
        .map(|p| p.value.clone())
        .unwrap_or(serde_json::Value::Null)
}

fn number(bp: &Blueprint, key: ParamKey) -> u64 {
    value(bp, key).as_u64().unwrap_or(0)
}

impl ControlParams {
    /// Reads the parameters of a blueprint (complete or not).
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// let params = model::ControlParams::of(&bp);
    /// assert_eq!(params.password_min_length, 12);
    /// assert_eq!(params.audit_retention_days, 366);
    /// ```
    pub fn of(bp: &Blueprint) -> ControlParams {
        use ParamKey as K;
        ControlParams {
            password_min_length: number(bp, K::PasswordMinLength),
            password_max_length: number(bp, K::PasswordMaxLength),
            lockout_max_failures: number(bp, K::LockoutMaxFailures),
            lockout_window_minutes: number(bp, K::LockoutWindowMinutes),
            session_idle_minutes: number(bp, K::SessionIdleMinutes),
            session_absolute_hours: number(bp, K::SessionAbsoluteHours),
            audit_retention_days: number(bp, K::AuditRetentionDays),
            rate_limit_client_per_minute: number(bp, K::RateLimitClientPerMinute),
            rate_limit_user_per_minute: number(bp, K::RateLimitUserPerMinute),
            encryption_algorithm: value(bp, K::EncryptionAlgorithm)
                .as_str()
                .unwrap_or_default()
                .to_string(),
            dsr_response_deadline_months: number(bp, K::DsrResponseDeadlineMonths),
        }
    }

    /// A parameter's value as display text, by key.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use model::{ControlParams, ParamKey};
    /// let bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
    /// assert_eq!(ControlParams::of(&bp).text(ParamKey::LockoutMaxFailures), "5");
    /// ```
    pub fn text(&self, key: ParamKey) -> String {
        use ParamKey as K;
        match key {
            K::PasswordMinLength => self.password_min_length.to_string(),
            K::PasswordMaxLength => self.password_max_length.to_string(),
            K::LockoutMaxFailures => self.lockout_max_failures.to_string(),
            K::LockoutWindowMinutes => self.lockout_window_minutes.to_string(),
            K::SessionIdleMinutes => self.session_idle_minutes.to_string(),
            K::SessionAbsoluteHours => self.session_absolute_hours.to_string(),
            K::AuditRetentionDays => self.audit_retention_days.to_string(),
            K::RateLimitClientPerMinute => self.rate_limit_client_per_minute.to_string(),
            K::RateLimitUserPerMinute => self.rate_limit_user_per_minute.to_string(),
            K::EncryptionAlgorithm => self.encryption_algorithm.clone(),
            K::DsrResponseDeadlineMonths => self.dsr_response_deadline_months.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_the_catalog() {
        for key in ParamKey::ALL {
            let found = compliance::Catalog::builtin()
                .controls()
                .any(|c| c.parameters.contains_key(key.as_str()));
            assert!(found, "{} is not a catalog parameter", key.as_str());
        }
    }

    #[test]
    fn a_missing_parameter_takes_the_catalog_value() {
        let bp = blueprint_core::builder::SpecBuilder::new("x")
            .with_entity("Thing", |e| e)
            .build();
        let p = ControlParams::of(&bp);
        assert_eq!(p.audit_retention_days, 366);
        assert_eq!(p.rate_limit_client_per_minute, 300);
        assert_eq!(p.encryption_algorithm, "AES-256-GCM");
    }
}

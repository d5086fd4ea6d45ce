//! What the project carries for its generated integrations: the modules
//! `create_app` installs, the environment variables the configuration files
//! list, and the packages the manifest and the locks add.
//!
//! A vendor for this stack writes `src/<package>/integrations/<id>.py` with
//! an `install(app: FastAPI)` function; `create_app` calls it for every
//! generated integration, in spec order.

use model::{AppModel, EnvVar};
use serde::Serialize;

use super::names::module;

/// The integrations part of the project view.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegrationsView {
    /// Whether any generated integration is installed in the app (email
    /// providers are not: the worker sends through them).
    pub any: bool,
    /// The generated integrations' modules under `integrations/`, in spec
    /// order (the order `create_app` installs them).
    pub modules: Vec<String>,
    /// The same, sorted, for the import line.
    pub modules_sorted: Vec<String>,
    /// Their environment variables, in spec order then the vendor's.
    pub env: Vec<EnvView>,
    /// The secret ones (the deployment's Secret).
    pub secrets: Vec<EnvView>,
    /// The others (the deployment's ConfigMap).
    pub config: Vec<EnvView>,
    /// The direct dependencies for `pyproject.toml` (`sentry-sdk>=2.0`),
    /// sorted.
    pub requirements: Vec<String>,
    /// The modules of the integrations that add tables, sorted: Alembic's
    /// `env.py` imports them so their tables join the metadata.
    pub table_modules: Vec<String>,
    /// The audit actions the integrations add to the contract's.
    pub audit_actions: Vec<String>,
    /// What `alembic upgrade` targets: `heads` when a migration branches
    /// off the initial one (an integration's tables, or email's), else
    /// `head`.
    pub upgrade_target: &'static str,
}

/// One environment variable of an integration, for the templates.
#[derive(Debug, Clone, Serialize)]
pub struct EnvView {
    /// The name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The `.env.example` value and default.
    pub example: String,
    /// The example as a YAML double-quoted string.
    pub example_yaml: String,
    /// The README's default column: the value in backquotes, or `unset`.
    pub default_md: String,
}

impl EnvView {
    fn of(var: &EnvVar, integration: &str) -> EnvView {
        EnvView {
            name: var.name.clone(),
            description: format!("`{integration}`: {}", var.description),
            example: var.example.clone(),
            example_yaml: serde_json::Value::String(var.example.clone()).to_string(),
            default_md: if var.example.is_empty() {
                "unset".to_string()
            } else {
                format!("`{}`", var.example)
            },
        }
    }
}

/// The integrations view of a model.
pub fn view(model: &AppModel) -> IntegrationsView {
    let generated: Vec<_> = model.integrations.iter().filter(|i| i.generated).collect();
    // Email providers are not installed in the app: the outbox worker
    // sends through them.
    let is_provider = |id: &str| {
        model
            .email
            .as_ref()
            .is_some_and(|e| e.providers.iter().any(|p| p == id))
    };
    let modules: Vec<String> = generated
        .iter()
        .filter(|i| !is_provider(&i.id))
        .map(|i| module(&i.id))
        .collect();
    let mut modules_sorted = modules.clone();
    modules_sorted.sort();
    // A variable two integrations read (EMAIL_FROM for two email
    // providers) is listed once, as the first declares it.
    let mut env: Vec<(EnvView, bool)> = Vec::new();
    for i in &generated {
        for v in &i.env {
            if !env.iter().any(|(e, _)| e.name == v.name) {
                env.push((EnvView::of(v, &i.id), v.secret));
            }
        }
    }
    let mut requirements: Vec<String> = generated
        .iter()
        .flat_map(|i| &i.packages)
        .filter_map(|p| p.range.as_ref().map(|r| format!("{}{r}", p.name)))
        .collect();
    requirements.sort();
    requirements.dedup();
    let mut table_modules: Vec<String> = generated
        .iter()
        .filter(|i| !i.tables.is_empty())
        .map(|i| module(&i.id))
        .collect();
    table_modules.sort();
    let audit_actions: Vec<String> = model
        .audit_actions()
        .into_iter()
        .skip(model::routes::AUDIT_ACTIONS.len())
        .map(str::to_string)
        .collect();
    IntegrationsView {
        upgrade_target: if table_modules.is_empty() && model.email.is_none() {
            "head"
        } else {
            "heads"
        },
        table_modules,
        audit_actions,
        any: !modules.is_empty(),
        modules,
        modules_sorted,
        secrets: env
            .iter()
            .filter(|(_, s)| *s)
            .map(|(v, _)| v.clone())
            .collect(),
        config: env
            .iter()
            .filter(|(_, s)| !*s)
            .map(|(v, _)| v.clone())
            .collect(),
        env: env.into_iter().map(|(v, _)| v).collect(),
        requirements,
    }
}

/// The name a lock line pins, normalized as pip compares names.
fn pinned_name(line: &str) -> Option<String> {
    let (name, _) = line.split_once("==")?;
    Some(name.trim().to_ascii_lowercase().replace(['_', '.'], "-"))
}

/// The integrations' packages of a model, pinned (`name==version`).
fn pins(model: &AppModel) -> Vec<(String, String)> {
    model
        .integrations
        .iter()
        .filter(|i| i.generated)
        .flat_map(|i| &i.packages)
        .map(|p| {
            let line = format!("{}=={}", p.name, p.pin);
            (pinned_name(&line).unwrap_or_default(), line)
        })
        .collect()
}

/// The runtime lock with the integrations' packages added: the pin lines
/// stay sorted as the lock sorts them (case-insensitively), the comments
/// first; a package the lock already pins keeps the lock's pin.
///
/// ```
/// let lock = "# pins\nalembic==1.0\nredis==5.0\n";
/// assert_eq!(stacks::python_fastapi::integrations::merge_lock(lock, &[("certifi".into(), "certifi==1".into())]), "# pins\nalembic==1.0\ncertifi==1\nredis==5.0\n");
/// ```
pub fn merge_lock(lock: &str, added: &[(String, String)]) -> String {
    if added.is_empty() {
        return lock.to_string();
    }
    let (head, mut pins): (Vec<&str>, Vec<&str>) =
        lock.lines().partition(|l| pinned_name(l).is_none());
    let present: Vec<String> = pins.iter().filter_map(|l| pinned_name(l)).collect();
    let mut fresh: Vec<&str> = added
        .iter()
        .filter(|(name, _)| !present.contains(name))
        .map(|(_, line)| line.as_str())
        .collect();
    fresh.dedup();
    pins.extend(fresh);
    // By the name as written, lower-cased (`pydantic` before
    // `pydantic-settings` before `pydantic_core`), as the lock is sorted.
    pins.sort_by_key(|l| {
        l.split_once("==")
            .map_or(*l, |(name, _)| name)
            .to_ascii_lowercase()
    });
    pins.dedup();
    let mut out = String::new();
    for line in head.into_iter().chain(pins) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The runtime lock of a model's project.
pub fn runtime_lock(lock: &str, model: &AppModel) -> String {
    merge_lock(lock, &pins(model))
}

/// The integrations' test-only packages of a model, pinned.
fn dev_pins(model: &AppModel) -> Vec<(String, String)> {
    model
        .integrations
        .iter()
        .filter(|i| i.generated)
        .flat_map(|i| &i.dev_packages)
        .map(|p| {
            let line = format!("{}=={}", p.name, p.pin);
            (pinned_name(&line).unwrap_or_default(), line)
        })
        .collect()
}

/// The development lock of a model's project: the packages the runtime
/// lock now pins for an integration are left out (it includes the runtime
/// lock), so nothing is pinned twice, and the integrations' test-only
/// packages are added.
pub fn dev_lock(lock: &str, model: &AppModel) -> String {
    let lock = merge_lock(lock, &dev_pins(model));
    let added = pins(model);
    if added.is_empty() {
        return lock;
    }
    let mut out = String::new();
    for line in lock
        .lines()
        .filter(|l| pinned_name(l).is_none_or(|n| !added.iter().any(|(a, _)| *a == n)))
    {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::builder::SpecBuilder;
    use model::Package;

    fn model_with_sentry(generated: bool) -> AppModel {
        let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
        spec.integrations
            .insert("sentry".into(), Default::default());
        let mut model =
            AppModel::from_blueprint(&blueprint_core::graph::Blueprint::from_spec(&spec));
        let sentry = &mut model.integrations[0];
        sentry.generated = generated;
        sentry.env = vec![
            EnvVar::secret("SENTRY_DSN", "where reports go", ""),
            EnvVar::plain("SENTRY_ENVIRONMENT", "the environment", "production"),
        ];
        sentry.packages = vec![
            Package {
                name: "certifi".into(),
                pin: "1".into(),
                range: None,
            },
            Package {
                name: "sentry-sdk".into(),
                pin: "2".into(),
                range: Some(">=2.0".into()),
            },
        ];
        model
    }

    #[test]
    fn a_generated_integration_reaches_the_view_and_the_locks() {
        let model = model_with_sentry(true);
        let view = view(&model);
        assert!(view.any);
        assert_eq!(view.modules, ["sentry"]);
        assert_eq!(view.secrets.len(), 1);
        assert_eq!(view.secrets[0].name, "SENTRY_DSN");
        assert_eq!(view.config[0].example_yaml, "\"production\"");
        assert_eq!(view.config[0].default_md, "`production`");
        assert_eq!(view.secrets[0].default_md, "unset");
        assert_eq!(view.requirements, ["sentry-sdk>=2.0"]);
        let runtime = runtime_lock("# head\nalembic==1\nSQLAlchemy==2\n", &model);
        assert_eq!(
            runtime,
            "# head\nalembic==1\ncertifi==1\nsentry-sdk==2\nSQLAlchemy==2\n"
        );
        // The dev lock includes the runtime lock: nothing pinned twice.
        let dev = dev_lock("-r requirements.lock\ncertifi==1\npytest==9\n", &model);
        assert_eq!(dev, "-r requirements.lock\npytest==9\n");
    }

    #[test]
    fn an_integration_no_vendor_generates_changes_nothing() {
        let model = model_with_sentry(false);
        let view = view(&model);
        assert!(!view.any && view.env.is_empty() && view.requirements.is_empty());
        let lock = "alembic==1\n";
        assert_eq!(runtime_lock(lock, &model), lock);
        assert_eq!(dev_lock(lock, &model), lock);
    }

    #[test]
    fn the_lock_keeps_its_own_pin_of_a_package_it_has() {
        let merged = merge_lock(
            "pydantic==2\npydantic-settings==2\npydantic_core==2\n",
            &[("pydantic-core".into(), "pydantic_core==9".into())],
        );
        assert_eq!(
            merged,
            "pydantic==2\npydantic-settings==2\npydantic_core==2\n"
        );
    }
}

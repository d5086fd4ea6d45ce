//! The project's npm manifests: `package.json` and the `package-lock.json`
//! that `npm ci` installs from, with the packages the integrations add.
//!
//! The stack's own packages are locked once, in the templates; a package an
//! integration asks for (`model::Integration::packages`, `dev_packages`) is
//! added to both files from the lock entries this stack keeps for it
//! (`templates/typescript-fastify/npm-integrations.json`, keyed
//! `name@version`, holding the entries of the package and of what it alone
//! brings). A package without kept entries cannot be locked, so it is
//! refused rather than left to a network resolution at install time.

use crate::StackError;
use model::AppModel;
use serde_json::{Map, Value};

/// The stack's own `package.json`.
const MANIFEST: &str = include_str!("../../templates/typescript-fastify/package.json");
/// Its lock.
const LOCK: &str = include_str!("../../templates/typescript-fastify/package-lock.json");
/// The lock entries of the packages integrations may add.
const INTEGRATION_ENTRIES: &str =
    include_str!("../../templates/typescript-fastify/npm-integrations.json");

/// A package to add: name, exact version, and whether only development needs it.
struct Added<'a> {
    name: &'a str,
    version: &'a str,
    dev: bool,
}

fn added(model: &AppModel) -> Vec<Added<'_>> {
    let generated = model.integrations.iter().filter(|i| i.generated);
    let mut out: Vec<Added<'_>> = Vec::new();
    for integration in generated {
        let runtime = integration.packages.iter().map(|p| (p, false));
        let dev = integration.dev_packages.iter().map(|p| (p, true));
        for (package, dev) in runtime.chain(dev) {
            if !out.iter().any(|a| a.name == package.name) {
                out.push(Added {
                    name: &package.name,
                    version: &package.pin,
                    dev,
                });
            }
        }
    }
    out
}

/// `map` with `key` set to `value`, its keys in byte order as npm writes them.
fn insert_sorted(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.insert(key.to_string(), value);
    map.sort_keys();
}

fn object<'a>(value: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    value
        .as_object_mut()
        .and_then(|o| o.get_mut(key))
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the stack's npm manifest has a `{key}` object"))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    text.push('\n');
    text
}

fn unlocked(name: &str, version: &str) -> StackError {
    StackError::Unsupported {
        stack: super::ID.to_string(),
        reason: format!(
            "an integration needs the npm package {name}@{version}, which this stack has no lock entries for"
        ),
    }
}

/// `package.json`: the product's name and title, the stack's packages and
/// the integrations'.
///
/// # Errors
///
/// [`StackError::Unsupported`] for an integration's package the stack
/// cannot lock.
pub fn manifest(model: &AppModel, package: &str, title: &str) -> Result<String, StackError> {
    let mut value: Value = serde_json::from_str(MANIFEST).expect("the manifest is JSON");
    let known: Value = serde_json::from_str(INTEGRATION_ENTRIES).expect("the entries are JSON");
    value["name"] = Value::from(package);
    value["description"] = Value::from(format!("{title}: the backend archgen generated."));
    for add in added(model) {
        if known.get(format!("{}@{}", add.name, add.version)).is_none() {
            return Err(unlocked(add.name, add.version));
        }
        let group = if add.dev {
            "devDependencies"
        } else {
            "dependencies"
        };
        insert_sorted(
            object(&mut value, group),
            add.name,
            Value::from(add.version),
        );
    }
    Ok(pretty(&value))
}

/// `package-lock.json`: the stack's lock with the integrations' packages
/// and their entries.
///
/// # Errors
///
/// [`StackError::Unsupported`] for an integration's package the stack
/// cannot lock.
pub fn lock(model: &AppModel, package: &str) -> Result<String, StackError> {
    let mut value: Value = serde_json::from_str(LOCK).expect("the lock is JSON");
    let known: Value = serde_json::from_str(INTEGRATION_ENTRIES).expect("the entries are JSON");
    value["name"] = Value::from(package);
    let packages = object(&mut value, "packages");
    let root = packages
        .get_mut("")
        .and_then(Value::as_object_mut)
        .expect("the lock describes the project");
    root.insert("name".to_string(), Value::from(package));
    let additions = added(model);
    for add in &additions {
        let group = if add.dev {
            "devDependencies"
        } else {
            "dependencies"
        };
        let deps = root
            .get_mut(group)
            .and_then(Value::as_object_mut)
            .expect("the project has both kinds of dependencies");
        insert_sorted(deps, add.name, Value::from(add.version));
    }
    for add in &additions {
        let entries = known
            .get(format!("{}@{}", add.name, add.version))
            .and_then(Value::as_object)
            .ok_or_else(|| unlocked(add.name, add.version))?;
        for (path, entry) in entries {
            if !packages.contains_key(path) {
                packages.insert(path.clone(), entry.clone());
            }
        }
    }
    // The project first, then every installed package in byte order.
    let root = packages.shift_remove("").expect("the project entry");
    packages.sort_keys();
    packages.shift_insert(0, String::new(), root);
    Ok(pretty(&value))
}

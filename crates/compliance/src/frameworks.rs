//! The framework reference data: which clause ids exist, and the numbers
//! some of them fix.
//!
//! The data is `data/frameworks.yaml`, embedded in the crate: the
//! project's one copy of its verified list of compliance identifiers
//! (`standards/SOURCE.md` at the repository root says how each list was
//! verified).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use indexmap::IndexMap;
use saphyr::{LoadableYamlNode, Scalar, Yaml};

use crate::Error;

/// The embedded `frameworks.yaml`.
pub const FRAMEWORKS_YAML: &str = include_str!("../data/frameworks.yaml");

/// The keys of the frameworks a control may cite: the five a spec may
/// declare, and OWASP ASVS (cited by every control that has ASVS ids).
pub const FRAMEWORK_KEYS: [&str; 6] = ["soc2", "gdpr", "hipaa", "iso27001", "pci-dss", "asvs"];

/// One clause of a framework, as the reference data lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The clause id, such as `CC6.1` or `164.312(b)`.
    pub id: String,
    /// A short paraphrase of the clause.
    pub title: String,
    /// Numbers the clause fixes (`min_length: 12`), as JSON values.
    pub params: IndexMap<String, serde_json::Value>,
}

/// The reference data: framework key to its clauses, in file order.
///
/// # Example
///
/// ```
/// let refs = compliance::FrameworkRefs::builtin();
/// assert!(refs.contains("pci-dss", "10.5.1"));
/// assert_eq!(refs.param("pci-dss", "10.5.1", "retention_months"), Some(12.0));
/// assert!(!refs.contains("gdpr", "Art. 99"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct FrameworkRefs {
    frameworks: BTreeMap<String, Vec<Clause>>,
    names: BTreeMap<String, String>,
}

impl FrameworkRefs {
    /// The embedded reference data, read once.
    ///
    /// # Panics
    ///
    /// Never on user input: the embedded file is fixed at build time and the
    /// crate's tests read it.
    pub fn builtin() -> &'static FrameworkRefs {
        static REFS: OnceLock<FrameworkRefs> = OnceLock::new();
        REFS.get_or_init(|| {
            FrameworkRefs::parse(FRAMEWORKS_YAML).expect("the embedded frameworks.yaml is valid")
        })
    }

    /// Reads reference data in the `frameworks.yaml` format.
    pub fn parse(text: &str) -> Result<FrameworkRefs, Error> {
        let docs = Yaml::load_from_str(text).map_err(|e| Error::Frameworks(e.to_string()))?;
        let doc = docs
            .first()
            .ok_or_else(|| Error::Frameworks("the file is empty".into()))?;
        let frameworks = doc
            .as_mapping_get("frameworks")
            .and_then(|f| f.as_mapping())
            .ok_or_else(|| Error::Frameworks("no `frameworks` mapping".into()))?;
        let mut refs = FrameworkRefs::default();
        for (key, body) in frameworks {
            let key = key
                .as_str()
                .ok_or_else(|| Error::Frameworks("a framework key is not text".into()))?;
            if let Some(name) = body.as_mapping_get("name").and_then(|n| n.as_str()) {
                refs.names.insert(key.to_string(), name.to_string());
            }
            let controls = body
                .as_mapping_get("controls")
                .and_then(|c| c.as_vec())
                .ok_or_else(|| {
                    Error::Frameworks(format!("framework `{key}` has no `controls` list"))
                })?;
            let mut clauses = Vec::new();
            for c in controls {
                let id = c
                    .as_mapping_get("id")
                    .and_then(scalar_text)
                    .ok_or_else(|| Error::Frameworks(format!("a control of `{key}` has no id")))?;
                let title = c
                    .as_mapping_get("title")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_string();
                let mut params = IndexMap::new();
                if let Some(p) = c.as_mapping_get("params").and_then(|p| p.as_mapping()) {
                    for (k, v) in p {
                        if let Some(k) = k.as_str() {
                            params.insert(k.to_string(), to_json(v));
                        }
                    }
                }
                clauses.push(Clause { id, title, params });
            }
            refs.frameworks.insert(key.to_string(), clauses);
        }
        Ok(refs)
    }

    /// The framework keys present, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.frameworks.keys().map(String::as_str)
    }

    /// The full name of a framework, such as `PCI DSS`.
    pub fn name(&self, framework: &str) -> Option<&str> {
        self.names.get(framework).map(String::as_str)
    }

    /// The clauses of a framework, in file order.
    pub fn clauses(&self, framework: &str) -> &[Clause] {
        self.frameworks
            .get(framework)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// One clause of a framework.
    pub fn clause(&self, framework: &str, id: &str) -> Option<&Clause> {
        self.clauses(framework).iter().find(|c| c.id == id)
    }

    /// Whether the framework lists this clause id.
    pub fn contains(&self, framework: &str, id: &str) -> bool {
        self.clause(framework, id).is_some()
    }

    /// A number a clause fixes, such as PCI DSS 8.3.6 `min_length`.
    pub fn param(&self, framework: &str, id: &str, key: &str) -> Option<f64> {
        self.clause(framework, id)?.params.get(key)?.as_f64()
    }
}

fn scalar_text(y: &Yaml<'_>) -> Option<String> {
    match y {
        Yaml::Value(Scalar::String(s)) => Some(s.to_string()),
        Yaml::Value(Scalar::Integer(i)) => Some(i.to_string()),
        Yaml::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        _ => None,
    }
}

fn to_json(y: &Yaml<'_>) -> serde_json::Value {
    use serde_json::Value;
    match y {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        Yaml::Value(Scalar::Integer(i)) => Value::from(*i),
        Yaml::Value(Scalar::FloatingPoint(f)) => Value::from(f.into_inner()),
        Yaml::Value(Scalar::String(s)) => Value::String(s.to_string()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), to_json(v))))
                .collect(),
        ),
        _ => Value::Null,
    }
}

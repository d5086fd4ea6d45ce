//! The manifest: what archgen last wrote into an output directory, so the
//! next generation can tell its own files from the user's edits.

use crate::{check_path, RenderError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the manifest lives, relative to the output directory. Generated
/// trees may not put files under `.archgen/`.
pub const MANIFEST_PATH: &str = ".archgen/manifest.json";

/// The version of the manifest's own format.
pub const MANIFEST_FORMAT: u32 = 1;

/// The contents of `.archgen/manifest.json`: the archgen version and spec
/// hash of the last generation, and the sha256 of every file it generated
/// (for a merge or a conflict, of archgen's new version, not of the merged
/// file; for a file still in conflict, of the version it was merged from).
/// The base store ([`BASE_PACK`](super::BASE_PACK)) names its entries by
/// these hashes, so the format is unchanged since it came: a manifest of an
/// older archgen reads, and its files simply have no base yet.
///
/// ```
/// let mut manifest = render::write::Manifest::new("0.1.0", "abc");
/// manifest.files.insert("README.md".into(), "00ff".into());
/// let json = manifest.to_json();
/// assert!(json.contains("\"README.md\": \"00ff\""));
/// assert_eq!(render::write::Manifest::from_json(&json).unwrap(), manifest);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// The archgen version that wrote it.
    pub archgen_version: String,
    /// The sha256 of the spec's canonical YAML ([`crate::spec_hash`]).
    pub spec_hash: String,
    /// Every generated file's path and the sha256 (lowercase hex) of what
    /// archgen wrote, in path order.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// An empty manifest.
    pub fn new(archgen_version: impl Into<String>, spec_hash: impl Into<String>) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            archgen_version: archgen_version.into(),
            spec_hash: spec_hash.into(),
            files: BTreeMap::new(),
        }
    }

    /// The manifest as pretty JSON with a final newline (stable: keys in
    /// order).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a manifest from JSON, refusing a path that would leave the
    /// output directory (a hand-edited manifest must not make archgen remove
    /// files elsewhere).
    ///
    /// # Errors
    ///
    /// A message saying what is wrong.
    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "its format is {}, this archgen reads format {MANIFEST_FORMAT}",
                manifest.format
            ));
        }
        for path in manifest.files.keys() {
            check_path(path).map_err(|e| e.to_string())?;
        }
        Ok(manifest)
    }

    /// Parses the bytes of the manifest file at `path` (for messages).
    pub(crate) fn parse(path: &Path, bytes: Vec<u8>) -> Result<Manifest, RenderError> {
        let manifest_error = |message: String| RenderError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        let text =
            String::from_utf8(bytes).map_err(|_| manifest_error("it is not UTF-8".to_string()))?;
        Manifest::from_json(&text).map_err(manifest_error)
    }
}

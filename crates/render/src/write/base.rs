//! The base store: what archgen last generated for each text file, kept in
//! `.archgen/base/<sha256>` (content-addressed, keyed by the manifest's
//! hashes), so a file the user edited can be merged with archgen's next
//! version. Objects the manifest no longer names are pruned after each write.

use super::fs::{self, OnDisk, Root};
use super::merge;
use crate::generate::sha256_hex;
use crate::RenderError;
use std::collections::BTreeSet;

/// The directory of the base store, relative to the output directory.
pub const BASE_DIR: &str = ".archgen/base";

/// The relative path of the object with this hash.
fn object(hash: &str) -> String {
    format!("{BASE_DIR}/{hash}")
}

/// Whether a name is one of the store's (a sha256 in lowercase hex).
fn is_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether generated contents are kept in the store (text only: a binary
/// file cannot be merged line-wise).
pub(crate) fn keeps(contents: &[u8]) -> bool {
    merge::text(contents).is_some()
}

/// The base text with this hash, when the store holds it intact: a missing
/// object, or one whose contents no longer match its name, is no base.
pub(crate) fn read(root: &Root, hash: &str) -> Result<Option<String>, RenderError> {
    if !is_hash(hash) {
        return Ok(None);
    }
    Ok(match root.inspect(&object(hash))? {
        OnDisk::File(bytes) if sha256_hex(&bytes) == hash => String::from_utf8(bytes).ok(),
        _ => None,
    })
}

/// Checks, before anything is written, that the store's directory is a
/// real directory inside the output directory (or missing).
pub(crate) fn check(root: &Root) -> Result<(), RenderError> {
    root.inspect_dir(BASE_DIR).map(|_| ())
}

/// Stores `contents` under `hash` unless the store already holds them.
pub(crate) fn store(root: &Root, hash: &str, contents: &[u8]) -> Result<(), RenderError> {
    let path = root.join(&object(hash));
    if std::fs::read(&path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    fs::write_atomic(&path, contents, false)
}

/// Removes every object `keep` does not name (and temporary files an
/// interrupted write left), so the store holds exactly the bases of the
/// current manifest.
pub(crate) fn prune(root: &Root, keep: &BTreeSet<&str>) -> Result<(), RenderError> {
    for name in root.inspect_dir(BASE_DIR)? {
        let stale = if is_hash(&name) {
            !keep.contains(name.as_str())
        } else {
            name.starts_with('.') && name.contains(".archgen-tmp-")
        };
        if stale {
            let path = root.join(&format!("{BASE_DIR}/{name}"));
            std::fs::remove_file(&path).map_err(|e| RenderError::io("cannot remove", &path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_sha256() {
        assert!(is_hash(&sha256_hex(b"x")));
        assert!(!is_hash("ABC"));
        assert!(!is_hash(&"A".repeat(64)));
        assert!(!is_hash("../manifest.json"));
    }

    #[test]
    fn only_text_is_kept() {
        assert!(keeps(b"text\n"));
        assert!(!keeps(b"\x89PNG\r\n\x1a\n\0"));
    }
}

//! The base store: what archgen last generated for each text file, kept in
//! one pack file, [`.archgen/base.pack`](BASE_PACK) (content-addressed
//! entries keyed by the manifest's hashes), so a file the user edited can
//! be merged with archgen's next version. One file rather than one per
//! base: a project of hundreds of entities has thousands of files, and
//! creating as many again for their bases cost more than everything else a
//! run writes.
//!
//! The pack is a line `archgen base pack 1`, then per entry a line
//! `<sha256> <length>` followed by that many bytes and a newline. An entry
//! whose bytes do not hash to its name, and whatever follows a damaged
//! entry, is no base (the file is then written beside the user's, never
//! merged wrongly). Projects of older archgen versions kept one file per
//! base under [`.archgen/base/`](LEGACY_BASE_DIR): those are read too, and
//! removed once the pack holds the bases.

use super::fs::{self, OnDisk, Root};
use super::merge;
use crate::generate::sha256_hex;
use crate::RenderError;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::sync::OnceLock;

/// The base store, relative to the output directory.
pub const BASE_PACK: &str = ".archgen/base.pack";

/// Where archgen kept one file per base before the pack (read, then
/// removed).
pub const LEGACY_BASE_DIR: &str = ".archgen/base";

const HEADER: &[u8] = b"archgen base pack 1\n";

/// Whether a name is one of the store's (a sha256 in lowercase hex).
fn is_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether generated contents are kept in the store (text only: a binary
/// file cannot be merged line-wise).
pub(crate) fn keeps(contents: &[u8]) -> bool {
    merge::text(contents).is_some()
}

/// The bases on disk, read the first time one is asked for (a run where
/// the user edited nothing never reads them).
pub(crate) struct Bases<'r> {
    root: &'r Root,
    loaded: OnceLock<HashMap<String, Vec<u8>>>,
}

impl<'r> Bases<'r> {
    /// The store of this output directory, not read yet.
    pub(crate) fn open(root: &'r Root) -> Bases<'r> {
        Bases {
            root,
            loaded: OnceLock::new(),
        }
    }

    fn all(&self) -> Result<&HashMap<String, Vec<u8>>, RenderError> {
        if let Some(loaded) = self.loaded.get() {
            return Ok(loaded);
        }
        // Threads asking at once may each read it; the first read is kept.
        let loaded = load(self.root)?;
        Ok(self.loaded.get_or_init(|| loaded))
    }

    /// The base text with this hash, when the store holds it intact.
    pub(crate) fn read(&self, hash: &str) -> Result<Option<String>, RenderError> {
        if !is_hash(hash) {
            return Ok(None);
        }
        Ok(self
            .all()?
            .get(hash)
            .and_then(|bytes| String::from_utf8(bytes.clone()).ok()))
    }

    /// The raw bytes of a base, when the store holds it intact.
    fn bytes(&self, hash: &str) -> Result<Option<&[u8]>, RenderError> {
        Ok(self.all()?.get(hash).map(Vec::as_slice))
    }
}

/// Every intact base: the pack's entries, then any older per-file objects.
fn load(root: &Root) -> Result<HashMap<String, Vec<u8>>, RenderError> {
    let mut out = HashMap::new();
    if let OnDisk::File(bytes) = root.inspect(BASE_PACK)? {
        for (hash, contents) in entries(&bytes) {
            out.insert(hash.to_string(), contents.to_vec());
        }
    }
    for name in root.inspect_dir(LEGACY_BASE_DIR)? {
        if is_hash(&name) && !out.contains_key(&name) {
            if let OnDisk::File(bytes) = root.inspect(&format!("{LEGACY_BASE_DIR}/{name}"))? {
                if sha256_hex(&bytes) == name {
                    out.insert(name, bytes);
                }
            }
        }
    }
    Ok(out)
}

/// The intact entries of a pack, in order, up to the first damaged one.
fn entries(pack: &[u8]) -> Vec<(&str, &[u8])> {
    let mut out = Vec::new();
    let Some(mut rest) = pack.strip_prefix(HEADER) else {
        return out;
    };
    while !rest.is_empty() {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let Ok(line) = std::str::from_utf8(&rest[..end]) else {
            break;
        };
        let Some((hash, len)) = line.split_once(' ') else {
            break;
        };
        let Ok(len) = len.parse::<usize>() else {
            break;
        };
        let body = &rest[end + 1..];
        if !is_hash(hash) || body.len() < len + 1 || body[len] != b'\n' {
            break;
        }
        let contents = &body[..len];
        if sha256_hex(contents) == hash {
            out.push((hash, contents));
        }
        rest = &body[len + 1..];
    }
    out
}

/// Writes the pack of these objects, in hash order.
fn write_pack(out: &mut dyn Write, objects: &BTreeMap<&str, &[u8]>) -> std::io::Result<()> {
    out.write_all(HEADER)?;
    for (hash, contents) in objects {
        writeln!(out, "{hash} {}", contents.len())?;
        out.write_all(contents)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The size of the pack of these objects, without making it.
fn pack_len(objects: &BTreeMap<&str, &[u8]>) -> u64 {
    let entries: usize = objects
        .iter()
        .map(|(hash, c)| hash.len() + 1 + c.len().to_string().len() + 1 + c.len() + 1)
        .sum();
    (HEADER.len() + entries) as u64
}

/// Checks, before anything is written, that the store's paths are a file
/// and a directory inside the output directory (or missing).
pub(crate) fn check(root: &Root) -> Result<(), RenderError> {
    root.inspect_dir(LEGACY_BASE_DIR)?;
    match std::fs::symlink_metadata(root.join(BASE_PACK)) {
        Ok(meta) if !meta.is_file() => Err(RenderError::unsafe_path(
            BASE_PACK,
            "it is not a regular file on disk; move it away",
        )),
        _ => Ok(()),
    }
}

/// Writes the pack so that it holds `objects` and, while the manifest on
/// disk may still name them, the bases of `also` that the store has.
/// Unchanged when it already holds exactly that (same names, same size).
pub(crate) fn store(
    root: &Root,
    bases: &Bases<'_>,
    objects: &BTreeMap<&str, &[u8]>,
    previous: Option<&BTreeSet<&str>>,
    also: &BTreeSet<&str>,
) -> Result<(), RenderError> {
    let mut all = objects.clone();
    for hash in also {
        if !all.contains_key(hash) {
            if let Some(bytes) = bases.bytes(hash)? {
                all.insert(hash, bytes);
            }
        }
    }
    let path = root.join(BASE_PACK);
    let same_names =
        previous.is_some_and(|p| p.len() == all.len() && all.keys().all(|h| p.contains(h)));
    let same_size = std::fs::metadata(&path).is_ok_and(|m| m.len() == pack_len(&all));
    if same_names && same_size {
        return Ok(());
    }
    fs::write_atomic_with(&path, false, |out| write_pack(out, &all))
}

/// Removes the older per-file store: its objects and the temporary files an
/// interrupted write left (anything else there is not archgen's and stays).
pub(crate) fn remove_legacy(root: &Root) -> Result<(), RenderError> {
    let names = root.inspect_dir(LEGACY_BASE_DIR)?;
    let mut kept = false;
    for name in &names {
        if is_hash(name) || (name.starts_with('.') && name.contains(".archgen-tmp-")) {
            let path = root.join(&format!("{LEGACY_BASE_DIR}/{name}"));
            std::fs::remove_file(&path).map_err(|e| RenderError::io("cannot remove", &path, e))?;
        } else {
            kept = true;
        }
    }
    if !names.is_empty() && !kept {
        let dir = root.join(LEGACY_BASE_DIR);
        // Only an empty directory goes; one with other entries stays.
        let _ = std::fs::remove_dir(&dir);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(objects: &BTreeMap<&str, &[u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        write_pack(&mut out, objects).unwrap();
        out
    }

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

    #[test]
    fn a_pack_reads_back_and_its_size_is_known() {
        let (a, b) = (sha256_hex(b"A\n"), sha256_hex(b""));
        let objects: BTreeMap<&str, &[u8]> = [(a.as_str(), &b"A\n"[..]), (b.as_str(), &b""[..])]
            .into_iter()
            .collect();
        let bytes = pack(&objects);
        assert_eq!(bytes.len() as u64, pack_len(&objects));
        let read: BTreeMap<&str, &[u8]> = entries(&bytes).into_iter().collect();
        assert_eq!(read, objects);
    }

    #[test]
    fn damage_ends_the_intact_entries() {
        let (a, b) = (sha256_hex(b"A\n"), sha256_hex(b"B\n"));
        let objects: BTreeMap<&str, &[u8]> = [(a.as_str(), &b"A\n"[..]), (b.as_str(), &b"B\n"[..])]
            .into_iter()
            .collect();
        let bytes = pack(&objects);
        // A changed byte in the first entry's contents (after its line
        // `<hash> 2`): that entry is dropped, the next kept.
        let mut tampered = bytes.clone();
        tampered[HEADER.len() + 64 + 3] = b'X';
        let kept: Vec<&str> = entries(&tampered).into_iter().map(|(h, _)| h).collect();
        let second = *objects.keys().nth(1).unwrap();
        assert_eq!(kept, [second]);
        // A cut pack keeps what came before the cut.
        let cut = &bytes[..bytes.len() - 2];
        assert_eq!(entries(cut).len(), 1);
        assert!(entries(b"not a pack").is_empty());
    }
}

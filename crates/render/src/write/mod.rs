//! Writing a file tree to disk, safely and without losing the user's edits.
//!
//! [`write_tree`] writes each file atomically (a temporary file in the same
//! directory, then a rename), never through a symbolic link that leaves the
//! output directory, and records what it wrote in
//! [`.archgen/manifest.json`](MANIFEST_PATH): the archgen version, the spec
//! hash and the sha256 of every file. Each generated text file is also kept
//! as it was generated, in the base store [`.archgen/base.pack`](BASE_PACK)
//! (keyed by the manifest's hashes; entries no manifest entry names are
//! pruned after each write). The next generation compares three versions of
//! each file (what archgen last generated, what is on disk now, and the new
//! content) and:
//!
//! | on disk | new content | action |
//! |---|---|---|
//! | missing | any | [`Create`](Action::Create) |
//! | equal to the new content | — | [`Unchanged`](Action::Unchanged) |
//! | what archgen last generated | different | [`Update`](Action::Update) |
//! | edited by the user | what archgen last generated | [`KeepEdited`](Action::KeepEdited): nothing to merge |
//! | edited by the user | different, other lines changed | [`Merge`](Action::Merge): base, user's file and new version merged line-wise (diff3), the merge written |
//! | edited by the user | different, the same lines changed | [`Conflict`](Action::Conflict): the merge written with conflict markers (`<<<<<<< yours`, `\|\|\|\|\|\|\| archgen <v> (previous)`, `=======`, `>>>>>>> archgen <v>`) |
//! | holding archgen's conflict markers from an earlier run | any | [`Unresolved`](Action::Unresolved): left alone, not merged again |
//! | edited by the user, no base (never archgen's, an older archgen's project, a binary file) | different | [`NewBeside`](Action::NewBeside): the user's file stays, the new one is written beside it as `<file>.archgen-new` |
//!
//! After a merge or a conflict the manifest records the new version and the
//! base store holds it, so the next run merges from there; a file still in
//! conflict keeps its old base until the user resolves it.
//!
//! A `<file>.archgen-new` on disk (from a run without a base, or an older
//! archgen) is a merge the user has not finished: the file is not merged
//! over it ([`NewBeside`](Action::NewBeside) again, the new version
//! refreshed) until the user deletes it. A `.archgen-new` file identical to
//! a file archgen (re)wrote is removed.
//!
//! A file archgen generated before and no longer generates is removed when
//! unedited ([`Remove`](Action::Remove)) and kept otherwise
//! ([`KeepStale`](Action::KeepStale)). `force` overwrites edited files,
//! merged or not ([`Overwrite`](Action::Overwrite)), but still never
//! removes a file the user edited. A dry run decides (and merges) the same
//! in memory and writes nothing.
//!
//! Every path is checked before anything is written, so a refused path
//! leaves the directory untouched.
//!
//! With [`WriteOptions::with_spec`], the spec's canonical YAML is kept
//! beside the manifest in [`.archgen/spec.yaml`](SPEC_PATH), so tools that
//! get only the directory (the quality gate's `archgen verify`) can rebuild
//! the blueprint the project was generated from.

mod base;
mod fs;
mod manifest;
mod merge;
mod plan;
mod report;

pub use base::{BASE_PACK, LEGACY_BASE_DIR};
pub use manifest::{Manifest, MANIFEST_FORMAT, MANIFEST_PATH};
pub use report::{Action, ConflictHunk, FileAction, WriteReport};

use crate::{FileTree, Options, RenderError};
use fs::{OnDisk, Root};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The suffix of the file the new version is written to when an edited
/// file cannot be merged ([`Action::NewBeside`]).
pub const NEW_SUFFIX: &str = ".archgen-new";

/// Where the spec a project was generated from is kept (canonical YAML),
/// relative to the output directory.
pub const SPEC_PATH: &str = ".archgen/spec.yaml";

/// Settings of [`write_tree`].
///
/// ```
/// let options = render::write::WriteOptions::new().with_dry_run(true);
/// assert!(options.dry_run && !options.force);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// Decide and report, write nothing.
    pub dry_run: bool,
    /// Overwrite conflicts (the user's edits are lost).
    pub force: bool,
    /// The archgen version recorded in the manifest.
    pub archgen_version: String,
    /// The spec's canonical YAML, written to [`SPEC_PATH`] when given.
    pub spec: Option<String>,
    /// The schema snapshot, written to
    /// [`SNAPSHOT_PATH`](crate::evolve::SNAPSHOT_PATH) when given.
    pub snapshot: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            dry_run: false,
            force: false,
            archgen_version: env!("CARGO_PKG_VERSION").to_string(),
            spec: None,
            snapshot: None,
        }
    }
}

impl WriteOptions {
    /// Writes for real, keeps conflicts, records this crate's version.
    pub fn new() -> WriteOptions {
        WriteOptions::default()
    }

    /// The write options matching a render's: the same archgen version.
    pub fn for_render(options: &Options) -> WriteOptions {
        WriteOptions::new().with_archgen_version(options.archgen_version())
    }

    /// Decide and report only.
    pub fn with_dry_run(mut self, dry_run: bool) -> WriteOptions {
        self.dry_run = dry_run;
        self
    }

    /// Overwrite conflicts.
    pub fn with_force(mut self, force: bool) -> WriteOptions {
        self.force = force;
        self
    }

    /// The archgen version recorded in the manifest.
    pub fn with_archgen_version(mut self, version: impl Into<String>) -> WriteOptions {
        self.archgen_version = version.into();
        self
    }

    /// Keeps the spec (its canonical YAML, as
    /// [`blueprint_core::spec::to_yaml`] writes it) in [`SPEC_PATH`].
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = render::write::WriteOptions::new()
    ///     .with_spec(blueprint_core::spec::to_yaml(&spec));
    /// render::write::write_tree(&render::FileTree::new(), dir.path(), "h", &options).unwrap();
    /// assert!(dir.path().join(render::write::SPEC_PATH).exists());
    /// ```
    pub fn with_spec(mut self, yaml: impl Into<String>) -> WriteOptions {
        self.spec = Some(yaml.into());
        self
    }

    /// Keeps the schema snapshot of this generation
    /// ([`Evolution::snapshot`](crate::evolve::Evolution::snapshot)) in
    /// [`SNAPSHOT_PATH`](crate::evolve::SNAPSHOT_PATH), for the next
    /// generation's migration revision.
    pub fn with_snapshot(mut self, snapshot: &crate::evolve::Snapshot) -> WriteOptions {
        self.snapshot = Some(snapshot.to_json());
        self
    }
}

/// Reads what the last generation into `out_dir` left for the schema's
/// evolution: the snapshot in
/// [`SNAPSHOT_PATH`](crate::evolve::SNAPSHOT_PATH) and the bytes of each
/// revision file it records. `None` when there is no snapshot (a first
/// generation, or a project generated before archgen kept one).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// assert!(render::write::read_history(dir.path()).unwrap().is_none());
/// ```
///
/// # Errors
///
/// [`RenderError::Snapshot`] for a snapshot that cannot be read;
/// [`RenderError::UnsafePath`] and [`RenderError::Io`] as for writing.
pub fn read_history(out_dir: &Path) -> Result<Option<crate::evolve::History>, RenderError> {
    use crate::evolve::{History, Snapshot, SNAPSHOT_PATH};
    let root = Root::new(out_dir)?;
    let bytes = match root.inspect(SNAPSHOT_PATH)? {
        OnDisk::Missing => return Ok(None),
        OnDisk::File(bytes) => bytes,
    };
    let path = root.join(SNAPSHOT_PATH);
    let text = String::from_utf8(bytes).map_err(|_| RenderError::Snapshot {
        path: path.clone(),
        message: "it is not UTF-8".to_string(),
    })?;
    let snapshot =
        Snapshot::from_json(&text).map_err(|message| RenderError::Snapshot { path, message })?;
    let mut files = BTreeMap::new();
    for r in &snapshot.revisions {
        if let OnDisk::File(bytes) = root.inspect(&r.path)? {
            files.insert(r.path.clone(), bytes);
        }
    }
    Ok(Some(History { snapshot, files }))
}

/// Writes a tree into `out_dir` (created if missing), as the [module
/// docs](self) describe, and reports each file's action.
///
/// ```
/// use render::write::{write_tree, Action, WriteOptions};
///
/// let dir = tempfile::tempdir().unwrap();
/// let mut tree = render::FileTree::new();
/// tree.insert("README.md", "# Tasks\n").unwrap();
///
/// let report = write_tree(&tree, dir.path(), "spec-hash", &WriteOptions::new()).unwrap();
/// assert_eq!(report.action("README.md"), Some(Action::Create));
/// assert!(dir.path().join(".archgen/manifest.json").exists());
///
/// // The user edits the first line; archgen changes the last one.
/// tree.replace("README.md", "# Tasks\n\nTrack tasks.\n").unwrap();
/// write_tree(&tree, dir.path(), "spec-hash", &WriteOptions::new()).unwrap();
/// std::fs::write(dir.path().join("README.md"), "# My tasks\n\nTrack tasks.\n").unwrap();
/// tree.replace("README.md", "# Tasks\n\nTrack tasks, v2.\n").unwrap();
/// let report = write_tree(&tree, dir.path(), "spec-hash", &WriteOptions::new()).unwrap();
/// assert_eq!(report.action("README.md"), Some(Action::Merge));
/// let merged = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
/// assert_eq!(merged, "# My tasks\n\nTrack tasks, v2.\n");
///
/// // Both change the same line: a conflict, marked in the file.
/// std::fs::write(dir.path().join("README.md"), "# My tasks\n\nMy words.\n").unwrap();
/// tree.replace("README.md", "# Tasks\n\nTrack tasks, v3.\n").unwrap();
/// let report = write_tree(&tree, dir.path(), "spec-hash", &WriteOptions::new()).unwrap();
/// assert!(report.has_conflicts());
/// let marked = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
/// assert!(marked.contains("<<<<<<< yours\nMy words.\n"), "{marked}");
/// ```
///
/// # Errors
///
/// [`RenderError::UnsafePath`] for a path under `.archgen/`, a path that is
/// both a file and a directory, two paths that differ only in case, a symbolic link on the way that leaves
/// `out_dir`, or a directory where a file goes; [`RenderError::Manifest`]
/// for an unreadable manifest; [`RenderError::Io`] when the disk fails. All
/// but the last are found before anything is written (the base store's
/// pack, [`BASE_PACK`], is checked like the files' paths).
pub fn write_tree(
    tree: &FileTree,
    out_dir: &Path,
    spec_hash: &str,
    options: &WriteOptions,
) -> Result<WriteReport, RenderError> {
    check_tree(tree)?;
    let root = Root::new(out_dir)?;
    let manifest_path = root.join(MANIFEST_PATH);
    let previous = match root.inspect(MANIFEST_PATH)? {
        OnDisk::Missing => None,
        OnDisk::File(bytes) => Some(Manifest::parse(&manifest_path, bytes)?),
    };
    base::check(&root)?;
    let labels = merge::Labels::new(
        previous
            .as_ref()
            .map_or(options.archgen_version.as_str(), |m| {
                m.archgen_version.as_str()
            }),
        &options.archgen_version,
    );
    let bases = base::Bases::open(&root);
    let steps = plan::plan(
        tree,
        &root,
        &bases,
        previous.as_ref(),
        options.force,
        &labels,
    )?;

    let mut manifest = Manifest::new(options.archgen_version.clone(), spec_hash);
    for step in &steps {
        if let Some(hash) = &step.record {
            manifest.files.insert(step.path.clone(), hash.clone());
        }
    }
    if !options.dry_run {
        // New bases first (with the previous manifest's, which is on disk
        // until the new one replaces it) and stale ones last, so whatever
        // manifest is on disk when a run is interrupted finds its bases.
        let objects = base_objects(&steps);
        let old: BTreeSet<&str> = previous
            .as_ref()
            .map(|m| m.files.values().map(String::as_str).collect())
            .unwrap_or_default();
        // Bases the new manifest names that this run does not generate (a
        // file still in conflict keeps the one it was merged from).
        let kept: BTreeSet<&str> = manifest
            .files
            .values()
            .map(String::as_str)
            .filter(|h| !objects.contains_key(h))
            .collect();
        let stale: BTreeSet<&str> = old
            .iter()
            .copied()
            .filter(|h| !objects.contains_key(h) && !kept.contains(h))
            .collect();
        let carried: BTreeSet<&str> = kept.union(&stale).copied().collect();
        base::store(
            &root,
            &bases,
            &objects,
            previous.as_ref().map(|_| &old),
            &carried,
        )?;
        apply(&root, &steps)?;
        if previous.as_ref() != Some(&manifest) {
            fs::write_atomic(&manifest_path, manifest.to_json().as_bytes(), false)?;
        }
        if let Some(yaml) = &options.spec {
            let spec_path = root.join(SPEC_PATH);
            if std::fs::read(&spec_path).ok().as_deref() != Some(yaml.as_bytes()) {
                fs::write_atomic(&spec_path, yaml.as_bytes(), false)?;
            }
        }
        if let Some(json) = &options.snapshot {
            let snapshot_path = root.join(crate::evolve::SNAPSHOT_PATH);
            if std::fs::read(&snapshot_path).ok().as_deref() != Some(json.as_bytes()) {
                fs::write_atomic(&snapshot_path, json.as_bytes(), false)?;
            }
        }
        if !stale.is_empty() {
            base::store(&root, &bases, &objects, None, &kept)?;
        }
        base::remove_legacy(&root)?;
    }
    Ok(WriteReport {
        out_dir: out_dir.to_path_buf(),
        dry_run: options.dry_run,
        files: steps
            .into_iter()
            .map(|s| FileAction {
                path: s.path,
                action: s.action,
                conflicts: s.conflicts,
            })
            .collect(),
    })
}

/// The bases of this run: each generated text file's contents, once per
/// hash (identical files share one entry).
fn base_objects<'s>(steps: &'s [plan::Step<'_>]) -> BTreeMap<&'s str, &'s [u8]> {
    steps
        .iter()
        .filter(|s| s.keep_base)
        .filter_map(|s| Some((s.record.as_deref()?, s.generated?)))
        .collect()
}

/// Refuses what no disk can hold: files under `.archgen/`, a path that is
/// a file and a directory at once, and two paths that differ only in case
/// (one file on macOS and Windows).
fn check_tree(tree: &FileTree) -> Result<(), RenderError> {
    let paths: BTreeSet<&str> = tree.paths().collect();
    let mut folded: BTreeMap<String, &str> = BTreeMap::new();
    for path in &paths {
        if let Some(other) = folded.insert(path.to_lowercase(), path) {
            return Err(RenderError::unsafe_path(
                *path,
                format!("it differs from `{other}` only in case, and they are one file on macOS and Windows; rename one"),
            ));
        }
        if *path == ".archgen" || path.starts_with(".archgen/") {
            return Err(RenderError::unsafe_path(
                *path,
                "`.archgen/` is reserved for archgen's manifest and base store; emit the file elsewhere",
            ));
        }
        let dir = format!("{path}/");
        if let Some(inside) = paths
            .range(dir.as_str()..)
            .next()
            .filter(|p| p.starts_with(&dir))
        {
            return Err(RenderError::unsafe_path(
                *path,
                format!("`{inside}` needs it to be a directory; rename one of the two"),
            ));
        }
    }
    Ok(())
}

fn apply(root: &Root, steps: &[plan::Step<'_>]) -> Result<(), RenderError> {
    use rayon::prelude::*;
    // Files are written side by side (each one atomically, into a
    // directory of its own or a shared one that already exists); removals
    // come after, one by one, as they prune directories others may share.
    let written: Vec<Result<(), RenderError>> = steps
        .par_iter()
        .map(|step| {
            let path = root.join(&step.path);
            let generated = step.generated.unwrap_or_default();
            let merged = step.merged.as_deref().unwrap_or_default().as_bytes();
            match step.action {
                Action::Create | Action::Update | Action::Overwrite => {
                    fs::write_atomic(&path, generated, step.executable)
                }
                Action::Merge | Action::Conflict => {
                    fs::write_atomic(&path, merged, step.executable)
                }
                Action::Unchanged if step.executable => fs::ensure_executable(&path),
                Action::NewBeside => {
                    let beside = root.join(&format!("{}{NEW_SUFFIX}", step.path));
                    fs::write_atomic(&beside, generated, step.executable)
                }
                Action::Remove
                | Action::Unchanged
                | Action::KeepEdited
                | Action::KeepStale
                | Action::Unresolved => Ok(()),
            }
        })
        .collect();
    written.into_iter().collect::<Result<(), _>>()?;
    for step in steps {
        if step.action == Action::Remove {
            fs::remove_and_prune(&root.dir, &step.path)?;
        }
        if step.drop_beside {
            let beside = format!("{}{NEW_SUFFIX}", step.path);
            fs::remove_and_prune(&root.dir, &beside)?;
        }
    }
    Ok(())
}

//! What a warm gate reuses from earlier runs, so that a second run on the
//! same files does not redo work whose answer cannot have changed:
//!
//! - an npm install whose `node_modules` was made from the same
//!   `package-lock.json` by the same Node.js (a stamp in `node_modules`);
//! - a step that only reads files and reports (a type check, a lint, unit
//!   tests that start no server), when it passed before on exactly the same
//!   files: its key is a SHA-256 of every source file of the project's
//!   `clients/` tree (dependencies and build outputs left out), the step's
//!   command and the Node.js version, and a passing run leaves a record
//!   under `<cache>/gate-steps/`;
//! - the project's own tests, when they passed before on the same backend
//!   files ([`backend_fingerprint`]), make target, toolchain (what the
//!   stack names in [`stacks::TestInputs`]), Node.js and PostgreSQL server.
//!
//! - a whole run, when an earlier run passed on exactly the same inputs:
//!   the project's files (its tools' outputs left out), its application
//!   model, the stack's verification plan, the gate itself (a SHA-256 of
//!   the running program, whose conformance suite and fuzz settings judge
//!   the app), the toolchain, Node.js, the PostgreSQL server, and the
//!   stages asked for. Its report is the earlier run's, saying so
//!   ([`QualityReport::reused`](crate::QualityReport::reused)).
//!
//! Within a run that is not reused, steps that write what a later step
//! reads (builds, exports) and steps that talk to the running app always
//! run. `archgen verify --fresh` reuses nothing.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The tree a step's key covers, under the project: every TypeScript
/// package of the project, since the apps read the typed client.
pub(crate) const SOURCES: &str = "clients";

/// Directories a fingerprint of `clients/` leaves out, wherever they are:
/// installed dependencies, build outputs and test reports, none of which a
/// source edit is made in.
const CLIENT_OUTPUTS: [&str; 7] = [
    "node_modules",
    "dist",
    ".expo",
    "web-build",
    "test-results",
    "playwright-report",
    ".archgen",
];

/// The stamp an install leaves in `node_modules`.
const STAMP: &str = ".archgen-installed";

/// The Node.js version (`node --version`), or `unknown` when it does not
/// run: part of every key, since an upgrade of Node.js may change what a
/// step says.
pub(crate) fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_string(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        )
}

/// Directories at the top of a project that a fingerprint of its backend
/// always leaves out: the TypeScript packages (they have keys of their
/// own) and the gate's logs. The stack names its tools' outputs
/// ([`stacks::TestInputs`]).
const GATE_OUTPUTS: [&str; 2] = [SOURCES, ".archgen"];

/// Files under `clients/` that a step makes rather than archgen: the typed
/// client's schema, which its `generate` script writes from the project's
/// API document ([`API_DOCUMENT`], in every key of `clients/` instead).
const CLIENT_MADE_FILES: [&str; 1] = ["ts/src/schema.ts"];

/// The project's API document, relative to `clients/`: what the typed
/// client's schema is made from.
const API_DOCUMENT: &str = "../docs/openapi.json";

/// A SHA-256 of the files of the project's `clients/` tree (`root`): paths
/// and contents, in path order, [`CLIENT_OUTPUTS`] and
/// [`CLIENT_MADE_FILES`] left out, and of the API document the typed
/// client's schema is made from, when there is one. So the key is the same
/// before a run and after it, and changes with the document. `None` when a
/// file cannot be read (nothing is then reused).
pub(crate) fn fingerprint(root: &Path) -> Option<String> {
    let tree = hash_tree_except(
        root,
        |_, name| CLIENT_OUTPUTS.contains(&name),
        |relative| {
            CLIENT_MADE_FILES
                .iter()
                .any(|made| relative == Path::new(made))
        },
    )?;
    let document = match std::fs::read(root.join(API_DOCUMENT)) {
        Ok(bytes) => hex(&Sha256::digest(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "none".to_string(),
        Err(_) => return None,
    };
    Some(format!("{tree} {document}"))
}

/// A SHA-256 of a project's files that its backend is made of: all but
/// [`GATE_OUTPUTS`] at the top and what the stack says its tools make.
pub(crate) fn backend_fingerprint(project: &Path, inputs: &stacks::TestInputs) -> Option<String> {
    hash_tree(project, |depth, name| {
        (depth == 1 && GATE_OUTPUTS.contains(&name)) || inputs.is_output(depth, name)
    })
}

/// A SHA-256 of the files under `root`, paths and contents, in path order;
/// a directory for which `skip(depth, name)` holds is left out.
fn hash_tree(root: &Path, skip: impl Fn(usize, &str) -> bool) -> Option<String> {
    hash_tree_except(root, skip, |_| false)
}

/// [`hash_tree`], also leaving out each file whose path relative to `root`
/// `made` holds for.
fn hash_tree_except(
    root: &Path,
    skip: impl Fn(usize, &str) -> bool,
    made: impl Fn(&Path) -> bool,
) -> Option<String> {
    let mut hasher = Sha256::new();
    let walk = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir() && skip(e.depth(), &e.file_name().to_string_lossy()))
        });
    for entry in walk {
        let entry = entry.ok()?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).ok()?;
        if made(relative) {
            continue;
        }
        let contents = std::fs::read(entry.path()).ok()?;
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    Some(hex(&hasher.finalize()))
}

/// The key of a step: what it runs, where, on which files, with which
/// Node.js.
pub(crate) fn step_key(prefix: &str, args: &[&str], node: &str, files: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [prefix, &args.join("\u{1f}"), node, files] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

/// The version a tool prints for `args` (`python3 --version`), or
/// `unknown`.
pub(crate) fn tool_version(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_string(),
            |o| {
                let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&o.stderr));
                text.trim().to_string()
            },
        )
}

/// The folder name of a keyed cache ([`stacks::Cache::keyed_by`]) for the
/// project in `dir`: a SHA-256 of each named file's name and contents
/// (a missing file counts as such) and of the toolchain's versions, cut to
/// 16 hex digits. `None` when a named file cannot be read.
pub(crate) fn keyed_folder(dir: &Path, files: &[String], toolchain: &[String]) -> Option<String> {
    let mut hasher = Sha256::new();
    for name in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => hasher.update(b"missing"),
            Err(_) => return None,
        }
    }
    for tool in toolchain {
        hasher.update(tool.as_bytes());
        hasher.update([0]);
    }
    let mut key = hex(&hasher.finalize());
    key.truncate(16);
    Some(key)
}

/// Where the record of a passing step with `key` lives.
pub(crate) fn record(cache: &Path, key: &str) -> PathBuf {
    cache.join("gate-steps").join(key)
}

/// Whether a step with `key` passed before.
pub(crate) fn passed_before(cache: &Path, key: &str) -> bool {
    record(cache, key).is_file()
}

/// Notes that a step with `key` passed. A record that cannot be written
/// only means the next run does the step again.
pub(crate) fn remember(cache: &Path, key: &str, what: &str) {
    let path = record(cache, key);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, format!("{what}\n"));
}

/// A fingerprint of the running program, computed once: a whole run's key
/// holds it, since the conformance suite, the fuzz settings and the
/// browser tests' plans that judge the app are part of it. It is the
/// [`build_fingerprint`] of the program's file, so the same sources built
/// in another checkout give the same one. `None` when the program cannot
/// be read (no run is then reused).
pub(crate) fn own_build() -> Option<&'static str> {
    static BUILD: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BUILD
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            let bytes = std::fs::read(exe).ok()?;
            Some(build_fingerprint(&bytes))
        })
        .as_deref()
}

/// A SHA-256 of what a program runs: the name and contents of each section
/// of its executable that is loaded into memory (ELF), or that is not
/// debugging information, notes or symbols (other formats). Left out so are
/// the debugging information, which names the directory the program was
/// built in (`DW_AT_comp_dir`), and the build id made from the whole file.
/// Two builds of the same sources in two checkouts then agree (the
/// workspace's `.cargo/config.toml` pins the time C compilers write into
/// the program too). A file that is no executable this reads is hashed
/// whole.
pub(crate) fn build_fingerprint(bytes: &[u8]) -> String {
    use object::{Object, ObjectSection, SectionFlags, SectionKind};
    let mut hasher = Sha256::new();
    match object::File::parse(bytes) {
        Ok(file) => {
            for section in file.sections() {
                let kind = section.kind();
                let run = match section.flags() {
                    SectionFlags::Elf { sh_flags } => {
                        sh_flags & u64::from(object::elf::SHF_ALLOC) != 0
                            && kind != SectionKind::Note
                    }
                    _ => !matches!(
                        kind,
                        SectionKind::Debug
                            | SectionKind::DebugString
                            | SectionKind::Note
                            | SectionKind::Metadata
                            | SectionKind::Linker
                    ),
                };
                if !run {
                    continue;
                }
                let name = section.name_bytes().unwrap_or_default();
                let data = section.data().unwrap_or_default();
                hasher.update((name.len() as u64).to_le_bytes());
                hasher.update(name);
                hasher.update((data.len() as u64).to_le_bytes());
                hasher.update(data);
            }
        }
        Err(_) => hasher.update(bytes),
    }
    hex(&hasher.finalize())
}

/// Where the report of a passing whole run with `key` lives.
fn run_record(cache: &Path, key: &str) -> PathBuf {
    cache.join("gate-runs").join(format!("{key}.json"))
}

/// The report of a whole run that passed with `key`, if one did.
pub(crate) fn passed_run(cache: &Path, key: &str) -> Option<crate::QualityReport> {
    let path = run_record(cache, key);
    let text = std::fs::read_to_string(&path).ok()?;
    let mut report = serde_json::from_str::<crate::QualityReport>(&text)
        .ok()
        .filter(|r| r.passed)?;
    let made = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    report.reused_from = Some(
        made.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    Some(report)
}

/// Keeps the report of a whole run that passed, under `key`. A record that
/// cannot be written only means the next run does the work again.
pub(crate) fn remember_run(cache: &Path, key: &str, report: &crate::QualityReport) {
    if !report.passed {
        return;
    }
    let path = run_record(cache, key);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, report.to_json());
}

/// What the install stamp of `dir` should say: the lock file's SHA-256 and
/// the Node.js version. `None` without a lock file.
pub(crate) fn install_stamp(dir: &Path, node: &str) -> Option<String> {
    let lock = std::fs::read(dir.join("package-lock.json")).ok()?;
    Some(format!("{} {node}\n", hex(&Sha256::digest(&lock))))
}

/// Whether `dir/node_modules` was installed from its lock file as it is
/// now, by this Node.js.
pub(crate) fn installed(dir: &Path, node: &str) -> bool {
    let Some(want) = install_stamp(dir, node) else {
        return false;
    };
    std::fs::read_to_string(dir.join("node_modules").join(STAMP)).is_ok_and(|have| have == want)
}

/// Stamps `dir/node_modules` after an install. The old stamp is removed
/// first rather than written over: it may be a hard link into a kept
/// install ([`kept_install`]).
pub(crate) fn stamp_install(dir: &Path, node: &str) {
    if let Some(stamp) = install_stamp(dir, node) {
        let path = dir.join("node_modules").join(STAMP);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::write(path, stamp);
    }
}

/// Where an install of `dir`'s packages is kept for other projects with
/// the same `package.json`, `package-lock.json` and Node.js:
/// `<cache>/node-modules/<key>` ([`keyed_folder`]). `None` when the files
/// cannot be read.
///
/// A TypeScript surface is the same for every stack of a spec, so the
/// second stack's gate links the first's install instead of running
/// `npm ci` again (the mobile app's is about 850 packages).
pub(crate) fn kept_install(cache: &Path, dir: &Path, node: &str) -> Option<PathBuf> {
    let files = ["package.json", "package-lock.json"].map(String::from);
    let key = keyed_folder(dir, &files, &[node.to_string()])?;
    Some(cache.join("node-modules").join(key))
}

/// Makes `dir/node_modules` from the kept install `kept` with hard links
/// (`cp -al`: seconds, no space): whether it did. A kept install is
/// complete (it is renamed into place whole, [`keep_install`]); a failed
/// link leaves no `node_modules` behind, so `npm ci` runs as if there
/// were none. npm and the apps' tools write new files (their caches,
/// builds) and never edit an installed one, which a hard link would share.
pub(crate) fn link_kept_install(kept: &Path, dir: &Path) -> bool {
    if !kept.is_dir() {
        return false;
    }
    let target = dir.join("node_modules");
    let _ = std::fs::remove_dir_all(&target);
    let linked = hard_link_tree(kept, &target);
    if !linked {
        let _ = std::fs::remove_dir_all(&target);
    }
    linked
}

/// Keeps `dir/node_modules`, just installed, as `kept` for other projects
/// (hard links), unless one is kept already: linked under a name of its
/// own, then renamed into place, so no run ever links half an install.
pub(crate) fn keep_install(dir: &Path, kept: &Path) {
    if kept.exists() {
        return;
    }
    let Some(parent) = kept.parent() else {
        return;
    };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let mut partial = kept.as_os_str().to_os_string();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_dir_all(&partial);
    let linked = hard_link_tree(&dir.join("node_modules"), &partial);
    if !(linked && std::fs::rename(&partial, kept).is_ok()) {
        let _ = std::fs::remove_dir_all(&partial);
    }
}

/// Makes the tree `to` from `from` with hard links (`cp -al`: folders
/// made, files linked, symbolic links kept as they are): whether it did.
fn hard_link_tree(from: &Path, to: &Path) -> bool {
    Command::new("cp")
        .arg("-al")
        .arg(from)
        .arg(to)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_follows_sources_and_ignores_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("ts/src")).unwrap();
        std::fs::create_dir_all(root.join("ts/node_modules/x")).unwrap();
        std::fs::create_dir_all(root.join("ts/dist")).unwrap();
        std::fs::write(root.join("ts/src/index.ts"), "export {};\n").unwrap();
        let first = fingerprint(root).unwrap();
        std::fs::write(root.join("ts/node_modules/x/index.js"), "1").unwrap();
        std::fs::write(root.join("ts/dist/index.js"), "1").unwrap();
        assert_eq!(fingerprint(root).unwrap(), first);
        std::fs::write(root.join("ts/src/index.ts"), "export {};\n\n").unwrap();
        let edited = fingerprint(root).unwrap();
        assert_ne!(edited, first);
        std::fs::rename(root.join("ts/src/index.ts"), root.join("ts/src/main.ts")).unwrap();
        assert_ne!(fingerprint(root).unwrap(), edited);
    }

    #[test]
    fn the_client_schema_is_keyed_by_the_api_document_it_is_made_from() {
        let dir = tempfile::tempdir().unwrap();
        let clients = dir.path().join("clients");
        std::fs::create_dir_all(clients.join("ts/src")).unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(clients.join("ts/src/index.ts"), "export {};\n").unwrap();
        std::fs::write(dir.path().join("docs/openapi.json"), "{}").unwrap();
        let before = fingerprint(&clients).unwrap();
        std::fs::write(clients.join("ts/src/schema.ts"), "export type A = 1;\n").unwrap();
        assert_eq!(
            fingerprint(&clients).unwrap(),
            before,
            "the schema a run makes leaves the key as it was"
        );
        std::fs::write(dir.path().join("docs/openapi.json"), "{\"paths\":{}}").unwrap();
        assert_ne!(fingerprint(&clients).unwrap(), before, "a new document");
    }

    #[test]
    fn a_backend_fingerprint_leaves_out_the_clients_and_caches_at_the_top_only() {
        let inputs = stacks::TestInputs {
            outputs_at_top: vec![".venv".into()],
            outputs_anywhere: vec!["__pycache__".into()],
            toolchain: Vec::new(),
        };
        let backend_fingerprint = |root: &Path| backend_fingerprint(root, &inputs);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "src/app/clients",
            "clients/ts",
            ".venv",
            "src/app/__pycache__",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("src/app/main.py"), "x = 1\n").unwrap();
        let first = backend_fingerprint(root).unwrap();
        std::fs::write(root.join("clients/ts/index.ts"), "1").unwrap();
        std::fs::write(root.join(".venv/pyvenv.cfg"), "1").unwrap();
        std::fs::write(root.join("src/app/__pycache__/main.pyc"), "1").unwrap();
        assert_eq!(backend_fingerprint(root).unwrap(), first);
        // A package of the backend that happens to be named `clients`.
        std::fs::write(root.join("src/app/clients/stripe.py"), "y = 2\n").unwrap();
        let second = backend_fingerprint(root).unwrap();
        assert_ne!(second, first);
        // What a stack does not name as its tools' output is a source.
        std::fs::create_dir_all(root.join("node_modules/pg")).unwrap();
        std::fs::write(root.join("node_modules/pg/index.js"), "1").unwrap();
        assert_ne!(backend_fingerprint(root).unwrap(), second);
    }

    #[test]
    fn a_kept_install_is_linked_into_a_project_with_the_same_files() {
        let cache = tempfile::tempdir().unwrap();
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        for dir in [first.path(), second.path()] {
            std::fs::write(dir.join("package.json"), "{\"name\": \"app\"}").unwrap();
            std::fs::write(dir.join("package-lock.json"), "{\"lockfileVersion\": 3}").unwrap();
        }
        let modules = first.path().join("node_modules");
        std::fs::create_dir_all(modules.join("left-pad/lib")).unwrap();
        std::fs::write(
            modules.join("left-pad/lib/index.js"),
            "module.exports = 1;\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("../../client", modules.join("app-client")).unwrap();
        let kept = kept_install(cache.path(), first.path(), "v24.1.0").unwrap();
        assert_eq!(
            kept,
            kept_install(cache.path(), second.path(), "v24.1.0").unwrap()
        );
        assert_ne!(
            kept,
            kept_install(cache.path(), second.path(), "v24.2.0").unwrap()
        );
        assert!(
            !link_kept_install(&kept, second.path()),
            "nothing is kept yet"
        );

        keep_install(first.path(), &kept);
        assert!(kept.join("left-pad/lib/index.js").is_file());
        assert!(link_kept_install(&kept, second.path()));
        stamp_install(second.path(), "v24.1.0");
        assert!(installed(second.path(), "v24.1.0"));
        let linked = second.path().join("node_modules");
        assert_eq!(
            std::fs::read_to_string(linked.join("left-pad/lib/index.js")).unwrap(),
            "module.exports = 1;\n"
        );
        assert_eq!(
            std::fs::read_link(linked.join("app-client")).unwrap(),
            Path::new("../../client"),
            "a relative link stays relative, so it names the new project's package"
        );
        assert!(
            !kept.join(STAMP).exists(),
            "the stamp of one project is not written into the kept install"
        );

        std::fs::write(second.path().join("package-lock.json"), "{}").unwrap();
        assert_ne!(
            kept,
            kept_install(cache.path(), second.path(), "v24.1.0").unwrap()
        );
    }

    #[test]
    fn a_keyed_folder_follows_the_files_and_the_toolchain() {
        let dir = tempfile::tempdir().unwrap();
        let files = ["a.lock".to_string(), "b.lock".to_string()];
        std::fs::write(dir.path().join("a.lock"), "x==1\n").unwrap();
        let python = ["Python 3.11.2".to_string()];
        let first = keyed_folder(dir.path(), &files, &python).unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(keyed_folder(dir.path(), &files, &python).unwrap(), first);
        let other_python = ["Python 3.12.0".to_string()];
        assert_ne!(
            keyed_folder(dir.path(), &files, &other_python).unwrap(),
            first
        );
        std::fs::write(dir.path().join("b.lock"), "").unwrap();
        let with_b = keyed_folder(dir.path(), &files, &python).unwrap();
        assert_ne!(with_b, first, "an empty file is not a missing one");
        std::fs::write(dir.path().join("a.lock"), "x==2\n").unwrap();
        assert_ne!(keyed_folder(dir.path(), &files, &python).unwrap(), with_b);
    }

    #[test]
    fn a_step_key_names_the_step_the_node_and_the_files() {
        let key = step_key("admin", &["run", "lint"], "v24.1.0", "abc");
        assert_eq!(key, step_key("admin", &["run", "lint"], "v24.1.0", "abc"));
        assert_ne!(key, step_key("mobile", &["run", "lint"], "v24.1.0", "abc"));
        assert_ne!(key, step_key("admin", &["run", "build"], "v24.1.0", "abc"));
        assert_ne!(key, step_key("admin", &["run", "lint"], "v22.0.0", "abc"));
        assert_ne!(key, step_key("admin", &["run", "lint"], "v24.1.0", "abd"));
        let cache = tempfile::tempdir().unwrap();
        assert!(!passed_before(cache.path(), &key));
        remember(cache.path(), &key, "admin lint");
        assert!(passed_before(cache.path(), &key));
    }

    #[test]
    fn an_install_is_reused_only_for_the_same_lock_and_node() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(!installed(root, "v24"));
        std::fs::write(root.join("package-lock.json"), "{}").unwrap();
        std::fs::create_dir_all(root.join("node_modules")).unwrap();
        assert!(!installed(root, "v24"));
        stamp_install(root, "v24");
        assert!(installed(root, "v24"));
        assert!(!installed(root, "v22"));
        std::fs::write(root.join("package-lock.json"), "{ }").unwrap();
        assert!(!installed(root, "v24"));
    }

    #[test]
    fn a_passing_run_is_kept_and_a_failing_one_is_not() {
        let cache = tempfile::tempdir().unwrap();
        let mut report = crate::QualityReport::new("tasks", "some-stack");
        assert!(!report.passed, "a report passes once finished");
        remember_run(cache.path(), "k1", &report);
        assert!(passed_run(cache.path(), "k1").is_none());

        report.passed = true;
        report.score = 100;
        remember_run(cache.path(), "k2", &report);
        let earlier = passed_run(cache.path(), "k2").expect("the passing run is kept");
        assert!(earlier.reused_from.is_some(), "it says it is reused");
        assert_eq!(earlier.score, 100);
        assert!(passed_run(cache.path(), "k3").is_none(), "another key");
    }

    #[test]
    fn the_running_program_has_a_build_hash() {
        let build = own_build().expect("the test program can be read");
        assert_eq!(build.len(), 64);
        assert_eq!(own_build(), Some(build), "computed once");
    }

    /// An ELF object with `code` in `.text` and `comp_dir` in its
    /// debugging strings, as a build in the directory `comp_dir` has.
    fn elf(code: &[u8], comp_dir: &[u8]) -> Vec<u8> {
        use object::write::{Object, StandardSection};
        use object::{Architecture, BinaryFormat, Endianness, SectionKind};
        let mut file = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = file.section_id(StandardSection::Text);
        file.append_section_data(text, code, 16);
        let debug = file.add_section(Vec::new(), b".debug_str".to_vec(), SectionKind::DebugString);
        file.append_section_data(debug, comp_dir, 1);
        file.write().unwrap()
    }

    #[test]
    fn a_build_fingerprint_follows_the_code_not_the_directory_it_was_built_in() {
        let here = build_fingerprint(&elf(b"\x90\xc3", b"/home/a/archgen"));
        let elsewhere = build_fingerprint(&elf(b"\x90\xc3", b"/tmp/checkout-2"));
        assert_eq!(here, elsewhere);
        let changed = build_fingerprint(&elf(b"\xc3\x90", b"/home/a/archgen"));
        assert_ne!(here, changed);
        // Not an executable: the bytes themselves.
        assert_ne!(build_fingerprint(b"text"), build_fingerprint(b"texts"));
    }
}

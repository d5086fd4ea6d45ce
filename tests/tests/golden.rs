//! Golden trees: each spec of `archgen_tests::golden::specs()` (the example
//! specs, `tests/specs/good/rich.yaml` and `every-type.yaml`) generated with
//! its stack and every document emitter, compared file by file with
//! `tests/golden/<name>/`, the one store of generated output. A change to a
//! template or an emitter shows as a reviewed diff of those files. Bless
//! them with `INSTA_UPDATE=always cargo test -p archgen-tests --test
//! golden`, then review `git diff tests/golden`.

use archgen_tests::golden;

#[test]
fn generated_trees_match_their_goldens() {
    let mut failures = Vec::new();
    for (name, spec) in golden::specs() {
        let (fresh, _) = golden::generate(&spec);
        let dir = golden::dir(&name);
        if golden::bless_requested() {
            golden::write(&dir, &fresh);
            continue;
        }
        if let Some(message) = golden::difference(&name, &golden::read(&dir), &fresh) {
            failures.push(message);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn generation_is_deterministic() {
    for (name, spec) in golden::specs() {
        let (first, _) = golden::generate(&spec);
        let (second, _) = golden::generate(&spec);
        assert!(first == second, "{name}: two generations differ");
    }
}

/// The files of the typescript-fastify stack (in progress, not among the
/// built-ins) for each example spec, pinned in
/// `tests/golden/typescript-fastify/<name>/`.
#[test]
fn typescript_fastify_files_match_their_goldens() {
    use archgen_tests::typescript_fastify as tsf;
    let engine = tsf::engine();
    let mut failures = Vec::new();
    for spec in archgen_tests::example_specs() {
        let name = spec.file_stem().expect("a spec's name").to_string_lossy();
        let fresh = tsf::backend_files(&tsf::generate(&engine, &spec));
        let name = format!("typescript-fastify/{name}");
        let dir = golden::dir(&name);
        if golden::bless_requested() {
            golden::write(&dir, &fresh);
            continue;
        }
        if let Some(message) = golden::difference(&name, &golden::read(&dir), &fresh) {
            failures.push(message);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

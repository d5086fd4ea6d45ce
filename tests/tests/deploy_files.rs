//! The deployment files of the python-fastapi stack (Dockerfile, compose,
//! the GitHub workflow, the Kubernetes manifests) checked by real
//! validators that `scripts/setup` installs: hadolint, check-jsonschema
//! with its vendored GitHub-workflow and compose schemas, actionlint, and
//! kubernetes-validate (Kubernetes schemas bundled, strict mode). Each
//! validator is also shown a broken file, to prove it would fail.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    archgen_tests::workspace_root()
}

/// A validator installed by `scripts/setup`; fails the test when missing.
fn tool(relative: &str) -> PathBuf {
    let path = root().join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup",
        path.display()
    );
    path
}

fn hadolint() -> PathBuf {
    tool("target/tools-venv/bin/hadolint")
}

fn check_jsonschema() -> PathBuf {
    tool("target/tools-venv/bin/check-jsonschema")
}

fn kubernetes_validate() -> PathBuf {
    tool("target/tools-venv/bin/kubernetes-validate")
}

fn actionlint() -> PathBuf {
    tool("target/tools/bin/actionlint")
}

/// Renders a spec with the python-fastapi stack into a fresh directory.
fn render(spec: &Path, out: &Path) {
    let spec = blueprint_core::spec::parse_file(spec)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
        .spec;
    let engine = render::Engine::with_builtins();
    let options = render::Options::new().with_stack("python-fastapi");
    let generated = render::generate(&spec, &engine, &options).expect("the project renders");
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&generated.tree, out, &generated.spec_hash, &write)
        .expect("the project is written");
}

/// Runs a validator; returns whether it passed, and what it said.
fn run(program: &Path, args: &[&str], files: &[PathBuf]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn must_pass(program: &Path, args: &[&str], files: &[PathBuf]) {
    let (ok, text) = run(program, args, files);
    assert!(
        ok,
        "{} {args:?} rejected {files:?}:\n{text}",
        program.display()
    );
}

fn must_fail(program: &Path, args: &[&str], file: &Path, content: &str) {
    std::fs::write(file, content).expect("the broken file is written");
    let (ok, text) = run(program, args, &[file.to_path_buf()]);
    assert!(
        !ok,
        "{} {args:?} accepted a broken file:\n{content}\n{text}",
        program.display()
    );
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The manifests `kubernetes-validate` checks (the kustomization is not a
/// cluster resource).
fn manifests(dir: &Path) -> Vec<PathBuf> {
    stacks::python_fastapi::K8S_MANIFESTS
        .iter()
        .filter(|name| **name != "kustomization.yaml")
        .map(|name| dir.join("deploy/k8s").join(name))
        .collect()
}

/// The Dockerfile, the CI workflow, the compose file and `manifests`, each
/// by its validator.
fn validate_with_tools(dir: &Path, manifests: &[PathBuf]) {
    must_pass(&hadolint(), &[], &[dir.join("Dockerfile")]);
    let workflow = dir.join(".github/workflows/ci.yml");
    must_pass(
        &check_jsonschema(),
        &["--builtin-schema", "vendor.github-workflows"],
        std::slice::from_ref(&workflow),
    );
    must_pass(&actionlint(), &["-no-color"], &[workflow]);
    must_pass(
        &check_jsonschema(),
        &["--builtin-schema", "vendor.compose-spec"],
        &[dir.join("docker-compose.yml")],
    );
    must_pass(&kubernetes_validate(), &["--strict", "--quiet"], manifests);
}

fn validate_project(dir: &Path) {
    validate_with_tools(dir, &manifests(dir));

    // What the schemas cannot say: the hardening the contract asks for.
    let dockerfile = read(dir, "Dockerfile");
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    // The Python build and runtime stages, and the admin app's Node.js build.
    assert_eq!(froms.len(), 3, "a multi-stage build: {froms:?}");
    for from in &froms {
        let image = from.split_whitespace().nth(1).unwrap_or_default();
        let (name, tag) = image.split_once(':').unwrap_or_default();
        let pinned = match name {
            "node" => tag.starts_with("20.") && tag.ends_with("-bookworm-slim"),
            _ => tag.starts_with("3.11.") && tag.ends_with("-slim-bookworm"),
        };
        assert!(
            pinned
                && tag
                    .split('-')
                    .next()
                    .is_some_and(|v| v.matches('.').count() == 2),
            "a slim base image pinned by exact tag: {from}"
        );
    }
    assert!(
        dockerfile.contains("COPY --from=admin /admin/dist ./clients/admin/dist"),
        "the admin app's build in the runtime image"
    );
    assert!(
        dockerfile.contains("\nUSER 10001:10001\n"),
        "a non-root user"
    );
    assert!(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/healthz"));
    assert!(dockerfile.contains("\"gunicorn\""), "served by gunicorn");
    assert!(read(dir, "gunicorn.conf.py").contains("uvicorn_worker.UvicornWorker"));
    assert!(read(dir, "requirements.lock").contains("\ngunicorn=="));
    let dockerignore = read(dir, ".dockerignore");
    for ignored in [".env", ".venv/", ".git/"] {
        assert!(dockerignore.lines().any(|l| l == ignored), "{ignored}");
    }

    let compose = read(dir, "docker-compose.yml");
    for needle in [
        "  postgres:",
        "  redis:",
        "  migrate:",
        // `heads` where a migration branches off the initial one (email,
        // an integration's tables).
        "[\"alembic\", \"upgrade\", \"head",
        "condition: service_completed_successfully",
        "env_file: .env",
        "healthcheck:",
    ] {
        assert!(compose.contains(needle), "compose lacks {needle}");
    }
    let ci = read(dir, ".github/workflows/ci.yml");
    for needle in [
        "make lint",
        "make test",
        "services:",
        "pip-audit",
        "docker build",
    ] {
        assert!(ci.contains(needle), "the workflow lacks {needle}");
    }

    let deployment = read(dir, "deploy/k8s/deployment.yaml");
    for needle in [
        "path: /readyz",
        "path: /healthz",
        "runAsNonRoot: true",
        "readOnlyRootFilesystem: true",
        "allowPrivilegeEscalation: false",
        "drop: [\"ALL\"]",
        "mountPath: /tmp",
        "emptyDir: {}",
        "requests:",
        "limits:",
    ] {
        assert!(deployment.contains(needle), "the Deployment lacks {needle}");
    }
    for (file, command) in [
        ("migrate-job.yaml", "[\"alembic\", \"upgrade\", \"head"),
        ("retention-cronjob.yaml", ".cli\", \"retention\"]"),
        ("backup-cronjob.yaml", ".backup\", \"dump\"]"),
    ] {
        let text = read(dir, &format!("deploy/k8s/{file}"));
        assert!(text.contains(command), "{file} runs {command}");
        assert!(text.contains("readOnlyRootFilesystem: true"), "{file}");
    }
    assert!(read(dir, "deploy/k8s/backup-cronjob.yaml").contains("persistentVolumeClaim:"));
    let secret = read(dir, "deploy/k8s/secret.yaml");
    for key in ["DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "REDIS_URL"] {
        assert!(
            secret.contains(&format!("  {key}: \"\"\n")),
            "the Secret lists {key} without a value"
        );
    }
    let kustomization = read(dir, "deploy/k8s/kustomization.yaml");
    for name in stacks::python_fastapi::K8S_MANIFESTS
        .iter()
        .filter(|n| **n != "kustomization.yaml")
    {
        assert!(
            kustomization.contains(&format!("  - {name}\n")),
            "kustomization.yaml lists {name}"
        );
    }
}

#[test]
fn example_projects_have_valid_deployment_files() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    for name in ["clinic", "tasks"] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        render(
            &root().join(format!("examples/specs/{name}.yaml")),
            dir.path(),
        );
        validate_project(dir.path());
    }
}

#[test]
fn the_validators_reject_broken_files() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("Dockerfile");
    must_fail(
        &hadolint(),
        &[],
        &file,
        "FROM python:latest\nRUN apt-get install curl\n",
    );
    let workflow = dir.path().join("ci.yml");
    must_fail(
        &check_jsonschema(),
        &["--builtin-schema", "vendor.github-workflows"],
        &workflow,
        "name: CI\non: push\njobs:\n  test:\n    steps: []\n    runs-on: 5\n    bogus: true\n",
    );
    must_fail(
        &actionlint(),
        &["-no-color"],
        &workflow,
        "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    );
    must_fail(
        &check_jsonschema(),
        &["--builtin-schema", "vendor.compose-spec"],
        &dir.path().join("docker-compose.yml"),
        "services:\n  app:\n    image: x\n    ports: 8000\n    bogus: true\n",
    );
    must_fail(
        &kubernetes_validate(),
        &["--strict", "--quiet"],
        &dir.path().join("deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: two\n  selector: {}\n  template:\n    spec:\n      containers:\n        - name: x\n          bogus: true\n",
    );
}

/// The typescript-fastify stack's deployment files (its goldens), by the
/// same validators, and the hardening the contract asks for.
#[test]
fn typescript_fastify_projects_have_valid_deployment_files() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    for name in ["clinic", "tasks"] {
        let dir = root().join("tests/golden/typescript-fastify").join(name);
        let manifests: Vec<PathBuf> = stacks::typescript_fastify::K8S_MANIFESTS
            .iter()
            .filter(|name| **name != "kustomization.yaml")
            .map(|name| dir.join("deploy/k8s").join(name))
            .collect();
        validate_with_tools(&dir, &manifests);

        let dockerfile = read(&dir, "Dockerfile");
        let froms: Vec<&str> = dockerfile
            .lines()
            .filter(|l| l.starts_with("FROM "))
            .collect();
        assert_eq!(
            froms.len(),
            3,
            "build, admin app and runtime stages: {froms:?}"
        );
        for from in &froms {
            assert!(
                from.starts_with(&format!(
                    "FROM {} AS ",
                    stacks::typescript_fastify::NODE_IMAGE
                )),
                "the pinned Node.js 24 image: {from}"
            );
        }
        assert!(stacks::typescript_fastify::NODE_IMAGE.starts_with("node:24."));
        for needle in [
            "\nUSER 10001:10001\n",
            "npm ci --omit=dev",
            "HEALTHCHECK",
            "/healthz",
            "dist/src/cluster.js",
            "COPY --from=admin /admin/dist ./clients/admin/dist",
        ] {
            assert!(dockerfile.contains(needle), "the Dockerfile lacks {needle}");
        }
        let compose = read(&dir, "docker-compose.yml");
        for needle in [
            "  postgres:",
            "  redis:",
            "[\"node\", \"dist/src/migrate.js\", \"up\"]",
            "condition: service_completed_successfully",
        ] {
            assert!(compose.contains(needle), "compose lacks {needle}");
        }
        let ci = read(&dir, ".github/workflows/ci.yml");
        for needle in [
            "make lint",
            "make test",
            "npm audit",
            "docker build",
            ".nvmrc",
        ] {
            assert!(ci.contains(needle), "the workflow lacks {needle}");
        }
        let job = read(&dir, "deploy/k8s/migrate-job.yaml");
        assert!(job.contains("[\"node\", \"dist/src/migrate.js\", \"up\"]"));
        let kustomization = read(&dir, "deploy/k8s/kustomization.yaml");
        for name in manifests.iter().filter_map(|p| p.file_name()) {
            let name = name.to_string_lossy();
            assert!(kustomization.contains(&format!("  - {name}\n")), "{name}");
        }
    }
}

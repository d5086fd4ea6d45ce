//! `render::generate` (lowering, compliance, render) of synthetic specs of
//! 10, 100 and 500 entities with the built-in engine. With no stack
//! registered it measures the documents-only render; once a built-in stack
//! serves the spec's stack, the backend is rendered too.
//! The `write` group measures the writer alone on a tree of 1,000 files.
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench generate`.

use blueprint_core::spec::{parse_str, Format};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use render::{Engine, Options};

fn generate(c: &mut Criterion) {
    let engine = Engine::with_builtins();
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for n in [10usize, 100, 500] {
        let text = archgen_tests::synthetic_spec(n);
        let spec = parse_str("synthetic.yaml", &text, Format::Yaml)
            .expect("a valid synthetic spec")
            .spec;
        let backend = engine.stack(&spec.stack).is_some();
        let options = Options::new().with_backend(backend);
        let name = if backend {
            spec.stack.clone()
        } else {
            "docs-only".to_string()
        };
        group.bench_with_input(BenchmarkId::new(name, n), &spec, |b, spec| {
            b.iter(|| render::generate(spec, &engine, &options).expect("generates"))
        });
    }
    group.finish();
}

/// The stages before rendering, to tell the engine's share from theirs.
fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    for n in [10usize, 100, 500] {
        let text = archgen_tests::synthetic_spec(n);
        let spec = parse_str("synthetic.yaml", &text, Format::Yaml)
            .expect("a valid synthetic spec")
            .spec;
        group.bench_with_input(BenchmarkId::new("lower", n), &spec, |b, spec| {
            b.iter(|| blueprint_core::lower::lower(spec))
        });
        let lowered = blueprint_core::lower::lower(&spec);
        group.bench_with_input(BenchmarkId::new("compliance", n), &lowered, |b, bp| {
            b.iter(|| compliance::complete(&mut bp.clone()).expect("weaves"))
        });
    }
    group.finish();
}

/// Writing a tree of 1,000 files of 2 KiB: into an empty directory, and
/// again over an unchanged one (hashing and comparing only).
fn write(c: &mut Criterion) {
    use render::write::{write_tree, WriteOptions};
    let mut tree = render::FileTree::new();
    for i in 0..1000 {
        let body = format!("# file {i}\n{}", "x = 1\n".repeat(340));
        tree.insert(format!("pkg{}/module_{i}.py", i % 20), body)
            .expect("a safe path");
    }
    let mut group = c.benchmark_group("write");
    group.sample_size(10);
    group.bench_function("1000-files/fresh", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("a temporary directory"),
            // Returning the directory drops it (and its files) after timing.
            |dir| {
                let report =
                    write_tree(&tree, dir.path(), "h", &WriteOptions::new()).expect("writes");
                (dir, report)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_tree(&tree, dir.path(), "h", &WriteOptions::new()).expect("writes");
    group.bench_function("1000-files/unchanged", |b| {
        b.iter(|| write_tree(&tree, dir.path(), "h", &WriteOptions::new()).expect("writes"))
    });
    group.finish();
}

criterion_group!(benches, generate, stages, write);
criterion_main!(benches);

//! `render::generate` (lowering, compliance, render) of synthetic specs of
//! 10, 100 and 500 entities with the built-in engine. With no stack
//! registered it measures the documents-only render; once a built-in stack
//! serves the spec's stack, the backend is rendered too.
//! Run: `cargo bench -p archgen-tests --bench generate`.

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

criterion_group!(benches, generate, stages);
criterion_main!(benches);

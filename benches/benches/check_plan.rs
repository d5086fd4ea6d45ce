//! `check` and `plan` of generated specs of 10, 100 and 1,000 entities.
//! Target: each under 50 ms for 1,000 entities on the CI machine (two
//! cores). `plan` lowers a checked spec to the blueprint;
//! `plan+compliance` also weaves the compliance controls in, which is what
//! `archgen plan` prints.
//! Run: `cargo bench --manifest-path benches/Cargo.toml --bench check_plan`.

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{parse_str, Format};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    for n in [10usize, 100, 1000] {
        let text = archgen_tests::synthetic_spec(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| parse_str("synthetic.yaml", text, Format::Yaml).expect("valid"))
        });
    }
    group.finish();
}

fn plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    for n in [10usize, 100, 1000] {
        let spec = parse_str(
            "synthetic.yaml",
            &archgen_tests::synthetic_spec(n),
            Format::Yaml,
        )
        .expect("valid")
        .spec;
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| Blueprint::from_spec(spec))
        });
    }
    group.finish();
}

fn plan_with_compliance(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan+compliance");
    for n in [10usize, 100, 1000] {
        let spec = parse_str(
            "synthetic.yaml",
            &archgen_tests::synthetic_spec(n),
            Format::Yaml,
        )
        .expect("valid")
        .spec;
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| {
                let mut bp = Blueprint::from_spec(spec);
                compliance::complete(&mut bp).expect("catalog is valid");
                bp
            })
        });
    }
    group.finish();
}

criterion_group!(benches, check, plan, plan_with_compliance);
criterion_main!(benches);

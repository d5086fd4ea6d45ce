//! `check` of generated specs of 10, 100 and 1,000 entities.
//! Target: under 50 ms for 1,000 entities on the CI machine (two cores).
//! Run: `cargo bench -p archgen-tests --bench check_plan`.

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

criterion_group!(benches, check);
criterion_main!(benches);

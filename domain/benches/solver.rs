//! Criterion benchmarks of both strategies on generated cohorts (design.md
//! "Performance": measured here, never asserted in tests). The 5,000 × 1,500
//! cohort holds 7M pairs; samples are kept few so a run stays in minutes.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use domain::matching::generate::{Kind, generate};
use domain::matching::{blocking_pairs, optimal, stable};
use std::hint::black_box;
use std::time::Duration;

fn solvers(c: &mut Criterion) {
    let mut group = c.benchmark_group("matching");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (mentees, mentors, per) in [(1_000, 300, 200), (5_000, 1_500, 1_400)] {
        for kind in [Kind::Uniform, Kind::Structured] {
            let cohort = generate(kind, mentees, mentors, per, 1);
            let inst = &cohort.instance;
            let label = format!("{kind:?}/{mentees}x{mentors}");
            group.bench_with_input(BenchmarkId::new("optimal", &label), inst, |b, i| {
                b.iter(|| optimal(black_box(i)))
            });
            group.bench_with_input(BenchmarkId::new("stable", &label), inst, |b, i| {
                b.iter(|| stable(black_box(i)))
            });
            let fair = stable(inst);
            group.bench_with_input(BenchmarkId::new("blocking_pairs", &label), inst, |b, i| {
                b.iter(|| blocking_pairs(black_box(i), &fair))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, solvers);
criterion_main!(benches);

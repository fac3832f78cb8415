//! Pairs scored per second on one core, and `top_k(10)` over 5,000 mentors
//! (design.md, "Performance"). Profiles come from a seeded generator, so
//! every run scores the same pairs.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::scoring::{
    CatalogNames, CompiledMentee, CompiledMentor, LanguageTable, MenteeFeatures, MentorFeatures,
    Outcome, Policy, ScoreContext, explain, score, top_k,
};
use domain::values::{
    Capacity, FoundationRole, MentoringTopic, OsmmLevel, Priority, Proficiency, ProjectRole,
};

const MENTORS: usize = 5_000;
const MENTEES: usize = 4;
const SKILLS: u32 = 2_000;
const PROJECTS: u32 = 1_500;
const FOUNDATIONS: u32 = 40;
const LANGUAGES: [&str; 10] = [
    "en", "fr", "de", "es", "pt-br", "zh", "ja", "hi", "it", "pl",
];

/// SplitMix64: tiny, seedable, good enough to spread profiles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Skewed towards low indexes, as popular skills and projects are.
    fn popular(&mut self, n: u32) -> u32 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (u * u * f64::from(n)) as u32
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn offset(&mut self) -> Option<i32> {
        const OFFSETS: [i32; 8] = [-480, -300, -240, 0, 60, 120, 330, 480];
        self.chance(95)
            .then(|| OFFSETS[self.below(OFFSETS.len() as u64) as usize])
    }

    fn languages(&mut self, min: u64) -> Vec<String> {
        let n = self.range(min, 2);
        (0..n)
            .map(|i| {
                if i == 0 && self.chance(70) {
                    "en"
                } else {
                    LANGUAGES[self.below(10) as usize]
                }
                .into()
            })
            .collect()
    }

    fn topics(&mut self) -> Vec<MentoringTopic> {
        (0..self.range(1, 4))
            .map(|_| MentoringTopic::ALL[self.below(9) as usize])
            .collect()
    }
}

fn bounded<T: TryFrom<i64>>(v: u64) -> T {
    T::try_from(v as i64).unwrap_or_else(|_| panic!("generator produced {v} out of range"))
}

fn mentor(rng: &mut Rng, i: usize) -> MentorFeatures {
    let capacity = rng.range(1, 5);
    MentorFeatures {
        person_id: format!("person-{i:05}"),
        manager_id: Some(format!("person-{:05}", rng.below(MENTORS as u64 + 2_000))),
        level: bounded(rng.range(2, 5)),
        capacity: bounded::<Capacity>(capacity),
        live_count: rng.range(0, capacity - 1) as u32,
        accepting: rng.chance(92),
        skills: (0..rng.range(4, 15))
            .map(|_| (rng.popular(SKILLS), bounded::<Proficiency>(rng.range(2, 5))))
            .collect(),
        projects: (0..rng.range(0, 5))
            .map(|_| {
                (
                    rng.popular(PROJECTS),
                    ProjectRole::ALL[rng.below(5) as usize],
                )
            })
            .collect(),
        foundations: (0..rng.range(0, 3))
            .map(|_| {
                (
                    rng.popular(FOUNDATIONS),
                    FoundationRole::ALL[rng.below(6) as usize],
                )
            })
            .collect(),
        topics: rng.topics(),
        languages: rng.languages(1),
        utc_offset_minutes: rng.offset(),
    }
}

fn mentee(rng: &mut Rng, i: usize) -> MenteeFeatures {
    let level = rng.range(1, 4);
    MenteeFeatures {
        person_id: format!("person-{:05}", MENTORS + i),
        manager_id: Some(format!("person-{:05}", rng.below(MENTORS as u64))),
        level: bounded::<OsmmLevel>(level),
        target_level: bounded::<OsmmLevel>(rng.range(level + 1, 5)),
        wanted_skills: (0..rng.range(2, 6))
            .map(|_| (rng.popular(SKILLS), bounded::<Priority>(rng.range(1, 3))))
            .collect(),
        projects: (0..rng.range(0, 4))
            .map(|_| rng.popular(PROJECTS))
            .collect(),
        foundations: (0..rng.range(0, 2))
            .map(|_| rng.popular(FOUNDATIONS))
            .collect(),
        topics: rng.topics(),
        max_timezone_diff_hours: rng.chance(50).then(|| rng.range(3, 12) as u8),
        languages: rng.languages(0),
        utc_offset_minutes: rng.offset(),
    }
}

struct Names;

impl CatalogNames for Names {
    fn skill(&self, _: u32) -> Option<&str> {
        Some("rust")
    }
    fn project(&self, _: u32) -> Option<&str> {
        Some("kubernetes")
    }
    fn foundation(&self, _: u32) -> Option<&str> {
        Some("FINOS")
    }
}

fn scoring(c: &mut Criterion) {
    let mut rng = Rng(0x7a4d_e111);
    let mut languages = LanguageTable::new();
    let mentor_features: Vec<MentorFeatures> = (0..MENTORS).map(|i| mentor(&mut rng, i)).collect();
    let mentors: Vec<CompiledMentor> = mentor_features
        .iter()
        .map(|m| CompiledMentor::compile(m, &mut languages))
        .collect();
    let mentee_features: Vec<MenteeFeatures> = (0..MENTEES).map(|i| mentee(&mut rng, i)).collect();
    let mentees: Vec<CompiledMentee> = mentee_features
        .iter()
        .map(|m| CompiledMentee::compile(m, &languages).unwrap())
        .collect();
    let policy = Policy::default();
    let ctx = ScoreContext::for_proposal().with_declined(["person-00017"]);

    let eligible = mentees
        .iter()
        .flat_map(|e| mentors.iter().map(move |m| (m, e)))
        .filter(|(m, e)| matches!(score(m, e, &policy, &ctx), Outcome::Eligible(_)))
        .count();
    eprintln!("{eligible} of {} pairs eligible", MENTORS * MENTEES);

    let mut group = c.benchmark_group("scoring");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30);

    group.throughput(Throughput::Elements((MENTORS * MENTEES) as u64));
    group.bench_function("score_pairs", |b| {
        b.iter(|| {
            for e in &mentees {
                for m in &mentors {
                    // By reference: moving the 272-byte outcome into black_box
                    // would time a memcpy the caller never makes.
                    black_box(&score(black_box(m), e, &policy, &ctx));
                }
            }
        })
    });

    // The same pairs when the caller reads only the total, as cohort matching would.
    group.bench_function("score_pairs_total_only", |b| {
        b.iter(|| {
            for e in &mentees {
                for m in &mentors {
                    black_box(
                        score(black_box(m), e, &policy, &ctx)
                            .score()
                            .map(|s| s.total()),
                    );
                }
            }
        })
    });

    // One top_k(10) over all 5,000 mentors per mentee: the time shown is for
    // four recommendation requests, the throughput counts mentors scanned.
    group.bench_function("top_k_10_of_5000_x4", |b| {
        b.iter(|| {
            for e in &mentees {
                black_box(top_k(black_box(&mentors), e, &policy, 10, &ctx));
            }
        })
    });

    group.throughput(Throughput::Elements(10));
    let shown = top_k(&mentors, &mentees[0], &policy, 10, &ctx);
    group.bench_function("explain_10", |b| {
        b.iter(|| {
            for (i, s) in &shown {
                black_box(explain(
                    &mentor_features[*i],
                    &mentee_features[0],
                    s,
                    &Names,
                ));
            }
        })
    });

    group.throughput(Throughput::Elements(1));
    group.bench_function("compile_mentee", |b| {
        b.iter(|| {
            black_box(CompiledMentee::compile(
                black_box(&mentee_features[1]),
                &languages,
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);

//! The demo organisation for `tandem serve --demo` and `tandem seed --demo`:
//! a realistic, deterministic company of a few hundred people, about a
//! quarter of them mentors, with catalogs spanning FINOS, Apache, CNCF and
//! others. Seeding twice changes nothing.

mod history;

use std::collections::HashMap;

use domain::values::{FoundationRole, MentoringTopic, ProjectRole};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::store::catalog::{self, Kind};
use crate::store::people::{self, Person};
use crate::store::profiles::{self, MenteeProfile, MentorProfile};

pub const OSPO_SUB: &str = "demo-ospo";
pub const MENTOR_SUB: &str = "demo-mentor";
pub const MENTEE_SUB: &str = "demo-mentee";
pub const PEOPLE: usize = 300;

const SKILLS: &[(&str, &str, &str)] = &[
    ("rust", "Rust", "language"),
    ("go", "Go", "language"),
    ("java", "Java", "language"),
    ("python", "Python", "language"),
    ("typescript", "TypeScript", "language"),
    ("kotlin", "Kotlin", "language"),
    ("cpp", "C++", "language"),
    ("kubernetes", "Kubernetes operations", "infrastructure"),
    ("observability", "Observability", "infrastructure"),
    ("ci-cd", "CI/CD pipelines", "infrastructure"),
    ("security", "Software supply-chain security", "security"),
    ("threat-modeling", "Threat modeling", "security"),
    ("licensing", "Open-source licensing", "compliance"),
    ("sbom", "SBOMs and provenance", "compliance"),
    (
        "export-control",
        "Export control for open source",
        "compliance",
    ),
    ("governance", "Project governance", "community"),
    ("community-building", "Community building", "community"),
    ("release-management", "Release management", "engineering"),
    ("code-review", "Code review", "engineering"),
    ("api-design", "API design", "engineering"),
    ("documentation", "Technical writing", "community"),
    ("public-speaking", "Public speaking", "community"),
    ("data-engineering", "Data engineering", "data"),
    ("machine-learning", "Machine learning", "data"),
    ("fintech-standards", "Financial data standards", "domain"),
    ("inner-source", "Inner source", "practice"),
];

const FOUNDATIONS: &[(&str, &str)] = &[
    ("finos", "FINOS"),
    ("apache", "Apache Software Foundation"),
    ("cncf", "Cloud Native Computing Foundation"),
    ("linux-foundation", "Linux Foundation"),
    ("openssf", "Open Source Security Foundation"),
    ("eclipse", "Eclipse Foundation"),
    ("openjs", "OpenJS Foundation"),
    ("python-software-foundation", "Python Software Foundation"),
];

const PROJECTS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "legend",
        "Legend",
        "https://github.com/finos/legend",
        Some("finos"),
    ),
    (
        "perspective",
        "Perspective",
        "https://github.com/finos/perspective",
        Some("finos"),
    ),
    (
        "fdc3",
        "FDC3",
        "https://github.com/finos/FDC3",
        Some("finos"),
    ),
    (
        "morphir",
        "Morphir",
        "https://github.com/finos/morphir",
        Some("finos"),
    ),
    (
        "git-proxy",
        "Git Proxy",
        "https://github.com/finos/git-proxy",
        Some("finos"),
    ),
    (
        "kafka",
        "Apache Kafka",
        "https://github.com/apache/kafka",
        Some("apache"),
    ),
    (
        "spark",
        "Apache Spark",
        "https://github.com/apache/spark",
        Some("apache"),
    ),
    (
        "arrow",
        "Apache Arrow",
        "https://github.com/apache/arrow",
        Some("apache"),
    ),
    (
        "airflow",
        "Apache Airflow",
        "https://github.com/apache/airflow",
        Some("apache"),
    ),
    (
        "kubernetes",
        "Kubernetes",
        "https://github.com/kubernetes/kubernetes",
        Some("cncf"),
    ),
    (
        "prometheus",
        "Prometheus",
        "https://github.com/prometheus/prometheus",
        Some("cncf"),
    ),
    (
        "opentelemetry",
        "OpenTelemetry",
        "https://github.com/open-telemetry",
        Some("cncf"),
    ),
    (
        "envoy",
        "Envoy",
        "https://github.com/envoyproxy/envoy",
        Some("cncf"),
    ),
    (
        "argo",
        "Argo",
        "https://github.com/argoproj/argo-cd",
        Some("cncf"),
    ),
    (
        "sigstore",
        "Sigstore",
        "https://github.com/sigstore",
        Some("openssf"),
    ),
    (
        "scorecard",
        "OpenSSF Scorecard",
        "https://github.com/ossf/scorecard",
        Some("openssf"),
    ),
    (
        "spdx",
        "SPDX",
        "https://github.com/spdx",
        Some("linux-foundation"),
    ),
    (
        "zephyr",
        "Zephyr",
        "https://github.com/zephyrproject-rtos/zephyr",
        Some("linux-foundation"),
    ),
    (
        "jakarta-ee",
        "Jakarta EE",
        "https://github.com/jakartaee",
        Some("eclipse"),
    ),
    (
        "node",
        "Node.js",
        "https://github.com/nodejs/node",
        Some("openjs"),
    ),
    (
        "webpack",
        "webpack",
        "https://github.com/webpack/webpack",
        Some("openjs"),
    ),
    (
        "cpython",
        "CPython",
        "https://github.com/python/cpython",
        Some("python-software-foundation"),
    ),
    ("tokio", "Tokio", "https://github.com/tokio-rs/tokio", None),
    (
        "pandas",
        "pandas",
        "https://github.com/pandas-dev/pandas",
        None,
    ),
];

const FIRST: &[&str] = &[
    "Ada", "Amara", "Ben", "Carla", "Chen", "Dmitri", "Elif", "Fatima", "Gabriel", "Hana",
    "Ibrahim", "Ines", "Jonas", "Kai", "Lena", "Luis", "Maya", "Mei", "Nadia", "Noah", "Olga",
    "Omar", "Priya", "Quentin", "Rosa", "Samir", "Sofia", "Tariq", "Uma", "Victor", "Wen", "Yara",
    "Zoe", "Arjun", "Bea", "Camille", "Diego", "Emma", "Farid", "Greta",
];

const LAST: &[&str] = &[
    "Abe", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Raman", "Morgan",
    "Silva", "Novak",
];

const DEPARTMENTS: &[&str] = &[
    "Platform Engineering",
    "Trading Technology",
    "Data & Analytics",
    "Security",
    "Developer Experience",
    "Legal & Compliance",
    "Cloud Infrastructure",
    "Digital Channels",
];

const TIMEZONES: &[&str] = &[
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
];

const EXTRA_LANGUAGES: &[&str] = &["fr", "de", "es", "hi", "zh", "ja", "pt", "it"];

/// splitmix64: tiny, deterministic, good enough for demo data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// `count` distinct indexes below `n`.
    fn distinct(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut picked = Vec::new();
        while picked.len() < count.min(n) {
            let i = self.below(n);
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked
    }
}

/// Whether the demo organisation is already there.
pub async fn is_seeded(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    people::exists_with_sub(db, OSPO_SUB).await
}

pub use history::{OPEN_PROGRAM, RUNNING_PROGRAM, Seeded};

/// Seeds the demo organisation of `size` people (at least 12), then
/// `requests` requests of history (see [`history`]); returns `None` when it
/// was already there. `progress` hears (done, total) while history is written.
pub async fn seed_demo(
    db: &DatabaseConnection,
    size: usize,
    requests: usize,
    progress: impl FnMut(usize, usize),
) -> anyhow::Result<Option<Seeded>> {
    if is_seeded(db).await? {
        return Ok(None);
    }
    seed_people(db, size).await?;
    let seeded = {
        let (txn, _writer) = crate::db::begin_write(db).await?;
        let seeded = history::seed(&txn, requests, chrono::Utc::now(), progress).await?;
        txn.commit().await?;
        seeded
    };
    // History arrives as hundreds of thousands of tally deltas; fold them
    // now rather than at the first sweep.
    crate::store::reports::compact_tally(db).await?;
    Ok(Some(seeded))
}

/// The people, their profiles and the catalogs, in one transaction.
async fn seed_people(db: &DatabaseConnection, size: usize) -> anyhow::Result<()> {
    let (txn, _writer) = crate::db::begin_write(db).await?;
    for (slug, name, category) in SKILLS {
        catalog::upsert_skill(&txn, slug, name, Some(category)).await?;
    }
    for (slug, name) in FOUNDATIONS {
        catalog::upsert_foundation(&txn, slug, name).await?;
    }
    let foundation_ids = catalog::ids_by_slug(
        &txn,
        Kind::Foundation,
        &slugs(FOUNDATIONS.iter().map(|f| f.0)),
    )
    .await?;
    for (slug, name, url, foundation) in PROJECTS {
        let foundation_id = foundation.and_then(|f| foundation_ids.get(f).copied());
        catalog::upsert_project(&txn, slug, name, Some(url), foundation_id).await?;
    }
    let skill_ids =
        catalog::ids_by_slug(&txn, Kind::Skill, &slugs(SKILLS.iter().map(|s| s.0))).await?;
    let project_ids =
        catalog::ids_by_slug(&txn, Kind::Project, &slugs(PROJECTS.iter().map(|p| p.0))).await?;
    let ids = |map: &HashMap<String, i64>, slugs: &[&str]| -> Vec<i64> {
        slugs.iter().map(|s| map[*s]).collect()
    };
    let skill_list = ids(&skill_ids, &SKILLS.iter().map(|s| s.0).collect::<Vec<_>>());
    let project_list = ids(
        &project_ids,
        &PROJECTS.iter().map(|p| p.0).collect::<Vec<_>>(),
    );
    let foundation_list = ids(
        &foundation_ids,
        &FOUNDATIONS.iter().map(|f| f.0).collect::<Vec<_>>(),
    );

    let mut rng = Rng(0x007A_4DE3_2026);
    // Department heads first, so everyone else can report to one.
    let mut heads: Vec<String> = Vec::new();
    // The demo mentor's and mentee's profiles, paired up after the loop.
    let mut demo_mentor: Option<(MentorProfile, Option<String>)> = None;
    let mut demo_mentee: Option<(MenteeProfile, Option<String>)> = None;
    for i in 0..size.max(12) {
        let (sub, name) = match i {
            0 => (Some(OSPO_SUB), "Alex Morgan".to_owned()),
            1 => (Some(MENTOR_SUB), "Jonas Weber".to_owned()),
            2 => (Some(MENTEE_SUB), "Priya Raman".to_owned()),
            _ => (None, format!("{} {}", rng.pick(FIRST), rng.pick(LAST))),
        };
        let department = DEPARTMENTS[i % DEPARTMENTS.len()];
        let is_head = (3..3 + DEPARTMENTS.len()).contains(&i);
        let manager_id = if is_head || i < 3 {
            None
        } else {
            heads.get(i % DEPARTMENTS.len()).cloned()
        };
        let mentor = i == 1 || is_head || (i > 2 && i % 4 == 1);
        let level = if mentor {
            3 + rng.below(3) as u8
        } else {
            1 + rng.below(3) as u8
        };
        let mut languages = vec!["en".to_owned()];
        if rng.chance(35) {
            languages.push((*rng.pick(EXTRA_LANGUAGES)).to_owned());
        }
        let email_name: String = name.to_ascii_lowercase().replace(' ', ".");
        let person = Person {
            id: people::new_id(),
            display_name: name,
            email: Some(format!("{email_name}.{i}@example.com")),
            department: Some(department.to_owned()),
            manager_id,
            timezone: Some((*rng.pick(TIMEZONES)).to_owned()),
            languages: languages.clone(),
            osmm_level: match i {
                0 | 1 => 5,
                2 => 2,
                _ => level,
            },
            deactivated_at: None,
            deactivation_reason: None,
            erased_at: None,
        };
        people::insert(&txn, &person, sub).await?;
        if is_head {
            heads.push(person.id.clone());
        }
        if mentor {
            let skills = {
                let n = 3 + rng.below(4);
                rng.distinct(skill_list.len(), n)
            };
            let projects = {
                let n = 1 + rng.below(3);
                rng.distinct(project_list.len(), n)
            };
            let foundations = {
                let n = rng.below(3);
                rng.distinct(foundation_list.len(), n)
            };
            let topics = {
                let n = 2 + rng.below(3);
                rng.distinct(MentoringTopic::ALL.len(), n)
            };
            let profile = MentorProfile {
                person_id: person.id.clone(),
                capacity: 1 + rng.below(4) as u8,
                live_count: 0,
                accepting: i == 1 || rng.chance(85),
                bio: Some(format!(
                    "{} in {}; happy to help people find their way into open source.",
                    if person.osmm_level >= 5 {
                        "Open-source lead"
                    } else {
                        "Engineer"
                    },
                    department
                )),
                skills: skills
                    .iter()
                    .map(|&s| (skill_list[s], 2 + rng.below(4) as u8))
                    .collect(),
                projects: projects
                    .iter()
                    .map(|&p| (project_list[p], *rng.pick(ProjectRole::ALL)))
                    .collect(),
                foundations: foundations
                    .iter()
                    .map(|&f| (foundation_list[f], *rng.pick(FoundationRole::ALL)))
                    .collect(),
                topics: sorted(topics.iter().map(|&t| MentoringTopic::ALL[t]).collect()),
            };
            profiles::replace_mentor(&txn, &profile).await?;
            if i == 1 {
                demo_mentor = Some((profile, person.timezone.clone()));
            }
        } else if i == 2 || rng.chance(60) {
            let skills = {
                let n = 2 + rng.below(3);
                rng.distinct(skill_list.len(), n)
            };
            let topics = {
                let n = 1 + rng.below(2);
                rng.distinct(MentoringTopic::ALL.len(), n)
            };
            let profile = MenteeProfile {
                person_id: person.id.clone(),
                target_level: (person.osmm_level + 1 + rng.below(2) as u8).min(5),
                max_timezone_diff_hours: rng.chance(30).then_some(6),
                languages: vec!["en".to_owned()],
                skills: skills
                    .iter()
                    .enumerate()
                    .map(|(n, &s)| (skill_list[s], (n as u8 % 3) + 1))
                    .collect(),
                projects: {
                    let n = rng.below(3);
                    rng.distinct(project_list.len(), n)
                }
                .iter()
                .map(|&p| project_list[p])
                .collect(),
                foundations: {
                    let n = rng.below(2);
                    rng.distinct(foundation_list.len(), n)
                }
                .iter()
                .map(|&f| foundation_list[f])
                .collect(),
                topics: sorted(topics.iter().map(|&t| MentoringTopic::ALL[t]).collect()),
            };
            profiles::replace_mentee(&txn, &profile).await?;
            if i == 2 {
                demo_mentee = Some((profile, person.timezone.clone()));
            }
        }
    }
    crate::store::revision::bump(&txn).await?;
    if let (Some(mentor), Some(mentee)) = (demo_mentor, demo_mentee) {
        pair_demo_people(&txn, mentor, mentee).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn slugs<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    items.map(str::to_owned).collect()
}

fn sorted(mut topics: Vec<MentoringTopic>) -> Vec<MentoringTopic> {
    topics.sort();
    topics
}

/// Makes the demo mentor the demo mentee's best match, so a newcomer can
/// walk the whole workflow as the two of them: he teaches every skill she
/// wants, maintains her projects, sits in her foundations, mentors on her
/// topics, and works in her timezone.
async fn pair_demo_people(
    db: &impl ConnectionTrait,
    (mut mentor, _): (MentorProfile, Option<String>),
    (mentee, timezone): (MenteeProfile, Option<String>),
) -> anyhow::Result<()> {
    for &(skill, _) in &mentee.skills {
        mentor.skills.retain(|&(s, _)| s != skill);
        mentor.skills.push((skill, 5));
    }
    for &project in &mentee.projects {
        mentor.projects.retain(|&(p, _)| p != project);
        mentor.projects.push((project, ProjectRole::Maintainer));
    }
    for &foundation in &mentee.foundations {
        mentor.foundations.retain(|&(f, _)| f != foundation);
        mentor
            .foundations
            .push((foundation, FoundationRole::WorkingGroupChair));
    }
    mentor.topics = sorted(
        mentor
            .topics
            .iter()
            .chain(&mentee.topics)
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    );
    mentor.capacity = mentor.capacity.max(3);
    mentor.accepting = true;
    profiles::replace_mentor(db, &mentor).await?;
    if let Some(timezone) = timezone {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE person SET timezone = $1 WHERE id = $2",
            [timezone.into(), mentor.person_id.clone().into()],
        ))
        .await?;
    }
    Ok(())
}

/// After a first `serve --demo` seeding: places what the history left
/// waiting, as the sweeper would at once, then keeps one of the demo
/// mentor's seats free (raising his capacity while waiting requests take
/// it), so the demo mentee's request for him is proposed to him.
pub async fn settle(state: &crate::app::AppState) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let settle = async || -> anyhow::Result<()> {
        while crate::service::proposals::offer_seats(state, now, None).await? > 0 {}
        Ok(())
    };
    settle().await?;
    let Some(mentor) = people::id_by_sub(&state.db, MENTOR_SUB).await? else {
        return Ok(());
    };
    for _ in 0..5 {
        let free = state
            .db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                state.db.get_database_backend(),
                "SELECT CAST(capacity - live_count AS BIGINT) FROM mentor_profile WHERE person_id = $1",
                [mentor.clone().into()],
            ))
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        if free > 0 {
            break;
        }
        state
            .db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                state.db.get_database_backend(),
                "UPDATE mentor_profile SET capacity = live_count + 1 WHERE person_id = $1 AND live_count < 10",
                [mentor.clone().into()],
            ))
            .await?;
        crate::store::revision::bump(&state.db).await?;
        settle().await?;
    }
    Ok(())
}

/// One of the demo people and a token for them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoToken {
    pub role: &'static str,
    pub name: &'static str,
    pub token: String,
}

/// Tokens for the demo mentee, mentor and OSPO admin, valid `ttl_seconds`;
/// none unless the key is a shared secret (the demo's own).
pub fn demo_tokens(
    config: &crate::config::Config,
    ttl_seconds: u64,
) -> Result<Vec<DemoToken>, jsonwebtoken::errors::Error> {
    use secrecy::ExposeSecret;
    let crate::config::JwtKey::Secret(secret) = &config.jwt.key else {
        return Ok(Vec::new());
    };
    [
        ("mentee", MENTEE_SUB, "Priya Raman", &[][..]),
        ("mentor", MENTOR_SUB, "Jonas Weber", &[][..]),
        ("ospo", OSPO_SUB, "Alex Morgan", &["ospo"][..]),
    ]
    .into_iter()
    .map(|(role, sub, name, roles)| {
        let request = crate::auth::TokenRequest {
            sub: sub.to_owned(),
            name: Some(name.to_owned()),
            email: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        let token = crate::auth::mint_hs256(
            secret.expose_secret().as_bytes(),
            &config.jwt.issuer,
            &config.jwt.audience,
            &request,
            ttl_seconds,
        )?;
        Ok(DemoToken { role, name, token })
    })
    .collect()
}

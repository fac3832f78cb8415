//! Demand against supply: per skill, project, foundation and topic, how many
//! of the mentees counted want it and how many of the mentors counted offer
//! it with a free seat now. Two grouped queries per kind.

use sea_orm::{ConnectionTrait, DbErr};

use super::{Query, Scope, rows};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Skill,
    Project,
    Foundation,
    Topic,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Skill => "skill",
            Self::Project => "project",
            Self::Foundation => "foundation",
            Self::Topic => "topic",
        }
    }
}

/// (kind, slug, name, wanted, offered), unsorted.
pub type Line = (Kind, String, String, i64, i64);

/// The mentees counted: those with a request created in the range (in the
/// program, when one is given); without a range, a program's enrolled
/// mentees, or every mentee with a profile; none who left. As the head of a
/// `WITH counted AS (…)` whose conditions the query holds.
fn mentees(scope: &Scope) -> (Query, &'static str) {
    if scope.from.is_some() || scope.to.is_some() {
        let mut requests = Query::new()
            .program("r.program_id", scope)
            .during("r.created_at", scope);
        requests.condition(&format!("r.mentee_id NOT IN {}", super::DEPARTED));
        return (
            requests,
            "SELECT DISTINCT r.mentee_id AS person_id FROM mentorship_request r",
        );
    }
    let (mut q, head) = match &scope.program_id {
        Some(id) => (
            Query::new().with("program_id = ? AND role = 'mentee'", id.clone()),
            "SELECT person_id FROM program_enrollment",
        ),
        None => (Query::new(), "SELECT person_id FROM mentee_profile"),
    };
    q.condition(&format!("person_id NOT IN {}", super::DEPARTED));
    (q, head)
}

/// The mentors counted (a program's enrolled mentors, or every mentor)
/// that are accepting with a free seat now, likewise.
fn free_mentors(scope: &Scope) -> (Query, &'static str) {
    let mut q = match &scope.program_id {
        Some(id) => Query::new().with(
            "mp.person_id IN (SELECT person_id FROM program_enrollment WHERE program_id = ? AND role = 'mentor')",
            id.clone(),
        ),
        None => Query::new(),
    };
    q.condition("mp.accepting AND mp.live_count < mp.capacity");
    q.condition(&format!("mp.person_id NOT IN {}", super::DEPARTED));
    (q, "SELECT mp.person_id FROM mentor_profile mp")
}

struct Source {
    kind: Kind,
    /// What a wanted or offered row is keyed by, and its display name.
    key: &'static str,
    name: &'static str,
    wanted: &'static str,
    offered: &'static str,
}

const SOURCES: [Source; 4] = [
    Source {
        kind: Kind::Skill,
        key: "c.slug",
        name: "c.name",
        wanted: "FROM mentee_skill t JOIN skill c ON c.id = t.skill_id",
        offered: "FROM mentor_skill t JOIN skill c ON c.id = t.skill_id",
    },
    Source {
        kind: Kind::Project,
        key: "c.slug",
        name: "c.name",
        wanted: "FROM mentee_project t JOIN project c ON c.id = t.project_id",
        offered: "FROM mentor_project t JOIN project c ON c.id = t.project_id",
    },
    Source {
        kind: Kind::Foundation,
        key: "c.slug",
        name: "c.name",
        wanted: "FROM mentee_foundation t JOIN foundation c ON c.id = t.foundation_id",
        offered: "FROM mentor_foundation t JOIN foundation c ON c.id = t.foundation_id",
    },
    Source {
        kind: Kind::Topic,
        key: "t.topic",
        name: "t.topic",
        wanted: "FROM mentee_topic t",
        offered: "FROM mentor_topic t",
    },
];

/// (kind, slug, name, people) for every kind at once: the people counted
/// are found once, then each kind's ties are grouped.
async fn counts(
    db: &impl ConnectionTrait,
    (query, head): (Query, &str),
    from: fn(&Source) -> &'static str,
    inline: bool,
) -> Result<Vec<(Kind, String, String, i64)>, DbErr> {
    let parts: Vec<String> = SOURCES
        .iter()
        .map(|s| {
            format!(
                "SELECT '{}', {key}, {name}, COUNT(*) {} WHERE t.person_id IN (SELECT person_id FROM counted) GROUP BY {key}, {name}",
                s.kind.slug(),
                from(s),
                key = s.key,
                name = s.name,
            )
        })
        .collect();
    rows(
        db,
        &query,
        &format!(
            "WITH counted AS {}({head}",
            if inline && db.get_database_backend() == sea_orm::DbBackend::Postgres {
                "NOT MATERIALIZED "
            } else {
                ""
            }
        ),
        &format!(") {}", parts.join(" UNION ALL ")),
    )
    .await?
    .into_iter()
    .map(|r| {
        let kind: String = r.try_get_by_index(0)?;
        let kind = SOURCES
            .iter()
            .map(|s| s.kind)
            .find(|k| k.slug() == kind)
            .ok_or_else(|| super::super::corrupt("demand kind", &kind))?;
        Ok((
            kind,
            r.try_get_by_index(1)?,
            r.try_get_by_index(2)?,
            r.try_get_by_index(3)?,
        ))
    })
    .collect()
}

/// Two queries in all: the wanted and the offered ties of every kind.
pub async fn demand_supply(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Line>, DbErr> {
    let (wanted, offered) = futures_util::try_join!(
        // Enrolled mentees inlined into each kind's part: PostgreSQL then
        // estimates them (thousands) and hashes them once per kind instead
        // of probing each person's ties, 150 ms -> 70 ms at 9,000 mentees.
        // The mentees of a date range (a DISTINCT over its requests) and
        // the free mentors are cheaper found once.
        counts(
            db,
            mentees(scope),
            |s| s.wanted,
            scope.from.is_none() && scope.to.is_none(),
        ),
        counts(db, free_mentors(scope), |s| s.offered, false),
    )?;
    let mut lines: Vec<Line> = wanted
        .into_iter()
        .map(|(kind, slug, name, n)| (kind, slug, name, n, 0))
        .collect();
    let mut at: std::collections::HashMap<(Kind, String), usize> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.0, l.1.clone()), i))
        .collect();
    for (kind, slug, name, n) in offered {
        match at.get(&(kind, slug.clone())) {
            Some(&i) => lines[i].4 = n,
            None => {
                at.insert((kind, slug.clone()), lines.len());
                lines.push((kind, slug, name, 0, n));
            }
        }
    }
    Ok(lines)
}

//! Demand against supply: per skill, project, foundation and topic, how many
//! of the mentees counted want it and how many of the mentors counted offer
//! it with a free seat now. Two grouped queries per kind.

use sea_orm::{ConnectionTrait, DbErr};

use super::{Query, Scope, rows};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
/// mentees, or every mentee with a profile.
fn mentees(column: &str, scope: &Scope) -> Query {
    if scope.from.is_some() || scope.to.is_some() {
        let requests = Query::new()
            .program("r.program_id", scope)
            .during("r.created_at", scope);
        return Query::new().within(
            column,
            "SELECT r.mentee_id FROM mentorship_request r",
            requests,
        );
    }
    match &scope.program_id {
        Some(id) => Query::new().with(
            &format!("{column} IN (SELECT person_id FROM program_enrollment WHERE program_id = ? AND role = 'mentee')"),
            id.clone(),
        ),
        None => Query::new(),
    }
}

/// The mentors counted (a program's enrolled mentors, or every mentor)
/// that are accepting with a free seat now.
fn free_mentors(scope: &Scope) -> Query {
    let mut q = match &scope.program_id {
        Some(id) => Query::new().with(
            "mp.person_id IN (SELECT person_id FROM program_enrollment WHERE program_id = ? AND role = 'mentor')",
            id.clone(),
        ),
        None => Query::new(),
    };
    q.condition("mp.accepting AND mp.live_count < mp.capacity");
    q
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

pub async fn demand_supply(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Line>, DbErr> {
    let kinds = SOURCES.iter().map(|source| async move {
        let group = format!("GROUP BY {}, {}", source.key, source.name);
        let (wanting, free) = (mentees("t.person_id", scope), free_mentors(scope));
        let wanted_sql = format!(
            "SELECT {}, {}, COUNT(*) {}",
            source.key, source.name, source.wanted
        );
        let offered_sql = format!(
            "SELECT {}, {}, COUNT(*) {} JOIN mentor_profile mp ON mp.person_id = t.person_id",
            source.key, source.name, source.offered
        );
        let wanted = rows(db, &wanting, &wanted_sql, &group);
        let offered = rows(db, &free, &offered_sql, &group);
        let (wanted, offered) = futures_util::try_join!(wanted, offered)?;
        let mut lines: Vec<Line> = Vec::new();
        for row in wanted {
            lines.push((
                source.kind,
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
                0,
            ));
        }
        for row in offered {
            let slug: String = row.try_get_by_index(0)?;
            let n: i64 = row.try_get_by_index(2)?;
            match lines.iter_mut().find(|l| l.1 == slug) {
                Some(line) => line.4 = n,
                None => lines.push((source.kind, slug, row.try_get_by_index(1)?, 0, n)),
            }
        }
        Ok::<_, DbErr>(lines)
    });
    Ok(futures_util::future::try_join_all(kinds)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

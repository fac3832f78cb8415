//! The audit trail: every state change, who made it, when, and why; and the
//! match events that go out with it (on PostgreSQL, `pg_notify` in the same
//! transaction, so an event leaves only if the change commits).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Statement, Value,
};

use super::entities::audit_event;
use super::{Append, Inserts};
use crate::events::{CHANNEL, MatchEvent};

/// What an audit event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Request,
    Match,
    Program,
    Enrollment,
    Person,
}

impl Subject {
    fn slug(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Match => "match",
            Self::Program => "program",
            Self::Enrollment => "enrollment",
            Self::Person => "person",
        }
    }
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

/// A change to record: `from` is `None` for a creation.
pub struct Change<'a> {
    pub actor_id: Option<&'a str>,
    pub subject: Subject,
    pub subject_id: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub reason: Option<&'a str>,
    pub at: DateTime<Utc>,
}

pub async fn write(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    write_many(db, &[change]).await
}

/// Writes many changes in multi-row statements.
pub async fn write_many(db: &impl ConnectionTrait, changes: &[Change<'_>]) -> Result<(), DbErr> {
    let mut inserts = Inserts::new(db.get_database_backend());
    for change in changes {
        inserts.row(&AUDIT, row(change));
    }
    inserts.run(db).await
}

/// The audit table's columns a change sets (`id` is the database's).
static AUDIT: Append = Append {
    table: "audit_event",
    columns: &[
        "actor_id",
        "subject_kind",
        "subject_id",
        "from_state",
        "to_state",
        "reason",
        "at",
    ],
};

fn row(change: &Change<'_>) -> [Value; 7] {
    [
        change.actor_id.map(str::to_owned).into(),
        change.subject.slug().into(),
        change.subject_id.into(),
        change.from.map(str::to_owned).into(),
        change.to.into(),
        change.reason.map(str::to_owned).into(),
        change.at.into(),
    ]
}

/// The changes a transaction recorded, written at its end together with
/// its other appends (see [`Inserts`]). Nothing in a transaction reads the
/// audit rows it writes.
#[derive(Default)]
pub struct Trail(Vec<[Value; 7]>);

impl Trail {
    pub fn push(&mut self, change: Change<'_>) {
        self.0.push(row(&change));
    }

    pub(crate) fn add_to(self, inserts: &mut Inserts) {
        for row in self.0 {
            inserts.row(&AUDIT, row);
        }
    }
}

/// Records a change without a reason, now.
pub async fn record(
    db: &impl ConnectionTrait,
    actor_id: Option<&str>,
    subject: Subject,
    subject_id: &str,
    from: Option<&str>,
    to: &str,
) -> Result<(), DbErr> {
    let change = Change {
        actor_id,
        subject,
        subject_id,
        from,
        to,
        reason: None,
        at: Utc::now(),
    };
    write(db, change).await
}

/// The changes of one subject, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    subject: Subject,
    subject_id: &str,
) -> Result<Vec<AuditEntry>, DbErr> {
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::SubjectKind.eq(subject.slug()))
        .filter(audit_event::Column::SubjectId.eq(subject_id))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            at: r.at,
            actor_id: r.actor_id,
            from: r.from_state,
            to: r.to_state,
            reason: r.reason,
        })
        .collect())
}

/// On PostgreSQL, sends the event to every instance's listener; the
/// database delivers it only when the transaction commits. Elsewhere a no-op:
/// the service publishes locally after commit.
/// [`notify`] for many events, a chunk per statement.
pub async fn notify_many(db: &impl ConnectionTrait, events: &[MatchEvent]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for chunk in events.chunks(1_000) {
        let mut values = vec![CHANNEL.into()];
        let mut rows = Vec::with_capacity(chunk.len());
        for event in chunk {
            let payload = serde_json::to_string(event).map_err(|e| DbErr::Custom(e.to_string()))?;
            values.push(payload.into());
            rows.push(format!("(${})", values.len()));
        }
        let sql = format!(
            "SELECT pg_notify($1, v.payload) FROM (SELECT column1 AS payload FROM (VALUES {}) AS given) AS v",
            rows.join(", ")
        );
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

pub async fn notify(db: &impl ConnectionTrait, event: &MatchEvent) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let payload = serde_json::to_string(event).map_err(|e| DbErr::Custom(e.to_string()))?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(())
}

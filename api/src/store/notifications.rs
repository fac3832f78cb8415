//! The inbox, the delivery outbox and email preferences (migration m0008).
//! Kinds cross this boundary as [`domain::notification::Kind`]; payloads
//! stay JSON text, read and written by `crate::notify`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::notification::Kind;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::entities::{notification, notification_delivery, notification_preference, person};
use super::{Inserts, insert_all};

/// Values per `IN` list, far below either backend's bound-value limit.
const IN_LIST: usize = 1000;

fn kind_of(raw: &str) -> Result<Kind, DbErr> {
    Kind::from_slug(raw).ok_or_else(|| super::corrupt("notification kind", raw))
}

// ---- people ----

/// What a notification needs of a person.
#[derive(Clone, Debug)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    /// False once the person left: nothing more is sent to them.
    pub active: bool,
}

pub async fn contacts(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, Contact>, DbErr> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_LIST) {
        type Row = (String, String, Option<String>, Option<DateTime<Utc>>);
        let rows: Vec<Row> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::DisplayName,
                person::Column::Email,
                person::Column::DeactivatedAt,
            ])
            .filter(person::Column::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(id, name, email, left)| {
            let active = left.is_none();
            (
                id,
                Contact {
                    name,
                    email,
                    active,
                },
            )
        }));
    }
    Ok(out)
}

// ---- preferences ----

/// (person, kind) pairs among `ids` whose email is turned off.
pub async fn email_optouts(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashSet<(String, Kind)>, DbErr> {
    use notification_preference::Column as C;
    let mut out = HashSet::new();
    for chunk in ids.chunks(IN_LIST) {
        let rows: Vec<(String, String)> = notification_preference::Entity::find()
            .select_only()
            .columns([C::PersonId, C::Kind])
            .filter(C::PersonId.is_in(chunk.iter().cloned()))
            .filter(C::Email.eq(false))
            .into_tuple()
            .all(db)
            .await?;
        for (person, kind) in rows {
            // A kind this version no longer knows means nothing.
            if let Some(kind) = Kind::from_slug(&kind) {
                out.insert((person, kind));
            }
        }
    }
    Ok(out)
}

/// A person's stored choices; kinds without one have email on.
pub async fn preferences(
    db: &impl ConnectionTrait,
    person_id: &str,
) -> Result<HashMap<Kind, bool>, DbErr> {
    use notification_preference::Column as C;
    let rows = notification_preference::Entity::find()
        .filter(C::PersonId.eq(person_id))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Kind::from_slug(&r.kind).map(|k| (k, r.email)))
        .collect())
}

pub async fn set_preferences(
    db: &impl ConnectionTrait,
    person_id: &str,
    choices: &[(Kind, bool)],
) -> Result<(), DbErr> {
    use notification_preference::Column as C;
    let rows = choices
        .iter()
        .map(|(kind, email)| notification_preference::ActiveModel {
            person_id: Set(person_id.to_owned()),
            kind: Set(kind.slug().to_owned()),
            email: Set(*email),
        })
        .collect();
    let upsert = OnConflict::columns([C::PersonId, C::Kind])
        .update_column(C::Email)
        .to_owned();
    insert_all(db, rows, Some(upsert)).await
}

// ---- inbox ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxItem {
    pub id: String,
    pub person_id: String,
    pub kind: Kind,
    pub match_id: Option<String>,
    pub request_id: Option<String>,
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl InboxItem {
    fn from_row(row: notification::Model) -> Result<Self, DbErr> {
        Ok(Self {
            kind: kind_of(&row.kind)?,
            id: row.id,
            person_id: row.person_id,
            match_id: row.match_id,
            request_id: row.request_id,
            payload: row.payload,
            created_at: row.created_at,
            read_at: row.read_at,
        })
    }
}

pub(crate) fn add_inbox(inserts: &mut Inserts, items: &[InboxItem]) {
    let rows = items
        .iter()
        .map(|i| notification::ActiveModel {
            id: Set(i.id.clone()),
            person_id: Set(i.person_id.clone()),
            kind: Set(i.kind.slug().to_owned()),
            match_id: Set(i.match_id.clone()),
            request_id: Set(i.request_id.clone()),
            payload: Set(i.payload.clone()),
            created_at: Set(i.created_at),
            read_at: Set(None),
        })
        .collect();
    inserts.rows(rows);
}

/// A person's notifications, newest first (ids are time-ordered), after the
/// cursor (an id).
pub async fn inbox_page(
    db: &impl ConnectionTrait,
    person_id: &str,
    unread_only: bool,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<InboxItem>, DbErr> {
    use notification::Column as C;
    let mut query = notification::Entity::find().filter(C::PersonId.eq(person_id));
    if unread_only {
        query = query.filter(C::ReadAt.is_null());
    }
    if let Some(after) = after {
        query = query.filter(C::Id.lt(after));
    }
    query
        .order_by_desc(C::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(InboxItem::from_row)
        .collect()
}

/// `person_id`'s notification `id` (`None` for anyone else's): on SQLite
/// the inbox is keyed by the person first (m0012).
pub async fn inbox_item(
    db: &impl ConnectionTrait,
    person_id: &str,
    id: &str,
) -> Result<Option<InboxItem>, DbErr> {
    use notification::Column as C;
    notification::Entity::find()
        .filter(C::PersonId.eq(person_id))
        .filter(C::Id.eq(id))
        .one(db)
        .await?
        .map(InboxItem::from_row)
        .transpose()
}

pub async fn unread_count(db: &impl ConnectionTrait, person_id: &str) -> Result<u64, DbErr> {
    unread_of(person_id).count(db).await
}

/// A person's unread inbox rows. SQLite has no index of them (migration
/// m0014): its inbox is clustered by person, so this reads one person's rows.
fn unread_of(person_id: &str) -> sea_orm::Select<notification::Entity> {
    use notification::Column as C;
    notification::Entity::find()
        .filter(C::PersonId.eq(person_id))
        .filter(C::ReadAt.is_null())
}

/// Marks those of `ids` that are `person_id`'s and unread; returns how many.
/// Another person's ids change nothing.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    person_id: &str,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use notification::Column as C;
    let mut marked = 0;
    for chunk in ids.chunks(IN_LIST) {
        marked += notification::Entity::update_many()
            .col_expr(C::ReadAt, Expr::value(now))
            .filter(C::PersonId.eq(person_id))
            .filter(C::ReadAt.is_null())
            .filter(C::Id.is_in(chunk.iter().cloned()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(marked)
}

// ---- outbox ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub const ALL: [Self; 2] = [Self::Email, Self::Webhook];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }

    fn from_slug(raw: &str) -> Result<Self, DbErr> {
        Self::ALL
            .into_iter()
            .find(|c| c.slug() == raw)
            .ok_or_else(|| super::corrupt("notification_delivery.channel", raw))
    }
}

/// One message to send on one channel: to a person's address, or to one
/// webhook URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub channel: Channel,
    /// The webhook URL, or the recipient's person id for an email (the
    /// address is read when it is sent).
    pub target: String,
    pub person_id: Option<String>,
    pub kind: Kind,
    pub match_id: Option<String>,
    pub request_id: Option<String>,
    pub payload: String,
    /// Attempts so far, this one included once claimed.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// Once claimed on SQLite, `due_at` exactly as stored: part of the
    /// outbox's key there (see [`Held`]).
    pub due_at: Option<String>,
}

impl Delivery {
    /// How the updates that settle this claimed delivery find it.
    pub fn held(&self) -> Held {
        Held {
            id: self.id.clone(),
            attempts: self.attempts,
            due_at: self.due_at.clone(),
        }
    }
}

/// A claimed delivery, as the updates that settle it name it. On SQLite the
/// outbox is keyed by `(state, due_at, id)` (migration m0013), so an update
/// by id alone would read every row ever sent; `due_at` is kept as the text
/// stored, since a timestamp read and written again need not spell it the
/// same. The attempt count leaves a row whose lease passed and which was
/// claimed again to that later claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub attempts: u32,
    due_at: Option<String>,
}

/// Rows per statement that settles claimed deliveries: three values each.
const HELD_PER_STATEMENT: usize = 200;

/// Pending rows among `held`, each found by its key.
fn held_rows(held: &[Held]) -> Condition {
    use notification_delivery::Column as C;
    let any = held.iter().fold(Condition::any(), |any, row| {
        let mut one = Condition::all()
            .add(C::Id.eq(row.id.as_str()))
            .add(C::Attempts.eq(row.attempts as i32));
        if let Some(due_at) = &row.due_at {
            one = one.add(C::DueAt.eq(due_at.as_str()));
        }
        any.add(one)
    });
    Condition::all().add(C::State.eq("pending")).add(any)
}

pub(crate) fn add_deliveries(inserts: &mut Inserts, deliveries: &[Delivery]) {
    let rows = deliveries
        .iter()
        .map(|d| notification_delivery::ActiveModel {
            id: Set(d.id.clone()),
            channel: Set(d.channel.slug().to_owned()),
            target: Set(d.target.clone()),
            person_id: Set(d.person_id.clone()),
            kind: Set(d.kind.slug().to_owned()),
            match_id: Set(d.match_id.clone()),
            request_id: Set(d.request_id.clone()),
            payload: Set(d.payload.clone()),
            state: Set("pending".into()),
            attempts: Set(0),
            due_at: Set(d.created_at),
            lease_until: Set(None),
            last_error: Set(None),
            created_at: Set(d.created_at),
            last_attempt_at: Set(None),
            sent_at: Set(None),
        })
        .collect();
    inserts.rows(rows);
}

const CLAIMED: &str =
    "id, channel, target, person_id, kind, match_id, request_id, payload, attempts, created_at";

/// Claims up to `limit` due, unleased deliveries until `lease_until` and
/// counts the attempt. On PostgreSQL rows another instance is claiming
/// are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the caller holds the
/// write lock (`BEGIN IMMEDIATE`), so claims queue.
pub async fn claim(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Delivery>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "UPDATE notification_delivery SET lease_until = $1, attempts = attempts + 1, last_attempt_at = $2 \
             WHERE id IN (SELECT id FROM notification_delivery \
               WHERE state = 'pending' AND due_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
               ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING {CLAIMED}"
        ),
        // The whole key, so each claimed row is found by it.
        _ => format!(
            "UPDATE notification_delivery SET lease_until = ?1, attempts = attempts + 1, last_attempt_at = ?2 \
             WHERE state = 'pending' AND (due_at, id) IN (SELECT due_at, id FROM notification_delivery \
               WHERE state = 'pending' AND due_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2) \
               ORDER BY due_at LIMIT ?3) \
             RETURNING {CLAIMED}, due_at"
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [lease_until.into(), now.into(), (limit as i64).into()],
        ))
        .await?;
    rows.into_iter()
        .map(|row| {
            let attempts: i32 = row.try_get_by_index(8)?;
            Ok(Delivery {
                id: row.try_get_by_index(0)?,
                channel: Channel::from_slug(&row.try_get_by_index::<String>(1)?)?,
                target: row.try_get_by_index(2)?,
                person_id: row.try_get_by_index(3)?,
                kind: kind_of(&row.try_get_by_index::<String>(4)?)?,
                match_id: row.try_get_by_index(5)?,
                request_id: row.try_get_by_index(6)?,
                payload: row.try_get_by_index(7)?,
                attempts: u32::try_from(attempts)
                    .map_err(|_| super::corrupt("notification_delivery.attempts", attempts))?,
                created_at: row.try_get_by_index(9)?,
                due_at: match backend {
                    DbBackend::Sqlite => Some(row.try_get_by_index(10)?),
                    _ => None,
                },
            })
        })
        .collect()
}

/// Marks claimed deliveries sent.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    claimed: &[Held],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use notification_delivery::Column as C;
    let mut marked = 0;
    for chunk in claimed.chunks(HELD_PER_STATEMENT) {
        marked += notification_delivery::Entity::update_many()
            .col_expr(C::State, Expr::value("sent"))
            .col_expr(C::SentAt, Expr::value(now))
            .col_expr(C::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(held_rows(chunk))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(marked)
}

/// Removes claimed deliveries that are not to be sent (an email to nobody);
/// returns how many.
pub async fn drop_deliveries(db: &impl ConnectionTrait, claimed: &[Held]) -> Result<u64, DbErr> {
    let mut dropped = 0;
    for chunk in claimed.chunks(HELD_PER_STATEMENT) {
        dropped += notification_delivery::Entity::delete_many()
            .filter(held_rows(chunk))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(dropped)
}

/// Records a failed attempt: due again at `retry_at`, or dead when `None`.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    held: &Held,
    retry_at: Option<DateTime<Utc>>,
    error: &str,
) -> Result<bool, DbErr> {
    use notification_delivery::Column as C;
    let mut update = notification_delivery::Entity::update_many()
        .col_expr(C::LastError, Expr::value(error))
        .col_expr(C::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None));
    update = match retry_at {
        Some(at) => update.col_expr(C::DueAt, Expr::value(at)),
        None => update.col_expr(C::State, Expr::value("dead")),
    };
    let result = update
        .filter(held_rows(std::slice::from_ref(held)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A delivery that gave up, as the OSPO sees it: never its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadDelivery {
    pub id: String,
    pub channel: Channel,
    pub target: String,
    pub person_id: Option<String>,
    pub kind: Kind,
    pub match_id: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// Dead deliveries, newest first, after the cursor (an id).
pub async fn dead_page(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<DeadDelivery>, DbErr> {
    use notification_delivery::Column as C;
    let mut query = notification_delivery::Entity::find().filter(C::State.eq("dead"));
    if let Some(after) = after {
        query = query.filter(C::Id.lt(after));
    }
    query
        .order_by_desc(C::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(DeadDelivery {
                channel: Channel::from_slug(&row.channel)?,
                kind: kind_of(&row.kind)?,
                attempts: u32::try_from(row.attempts)
                    .map_err(|_| super::corrupt("notification_delivery.attempts", row.attempts))?,
                id: row.id,
                target: row.target,
                person_id: row.person_id,
                match_id: row.match_id,
                last_error: row.last_error,
                created_at: row.created_at,
                last_attempt_at: row.last_attempt_at,
            })
        })
        .collect()
}

/// Puts every dead delivery back in the queue, due now, with its attempts
/// reset; returns how many.
pub async fn retry_dead(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    use notification_delivery::Column as C;
    Ok(notification_delivery::Entity::update_many()
        .col_expr(C::State, Expr::value("pending"))
        .col_expr(C::Attempts, Expr::value(0))
        .col_expr(C::DueAt, Expr::value(now))
        .filter(C::State.eq("dead"))
        .exec(db)
        .await?
        .rows_affected)
}

/// Counts of the outbox by channel and state, for the operator's gauges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Depth {
    /// Pending deliveries (due or waiting for a retry).
    pub pending: u64,
    /// Dead deliveries.
    pub dead: u64,
    /// When the longest-waiting due delivery fell due.
    pub oldest_due: Option<DateTime<Utc>>,
}

pub async fn depth(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Depth, DbErr> {
    use notification_delivery::Column as C;
    let pending = notification_delivery::Entity::find()
        .filter(C::State.eq("pending"))
        .count(db)
        .await?;
    let dead = notification_delivery::Entity::find()
        .filter(C::State.eq("dead"))
        .count(db)
        .await?;
    let oldest_due: Option<DateTime<Utc>> = notification_delivery::Entity::find()
        .select_only()
        .column(C::DueAt)
        .filter(C::State.eq("pending"))
        .filter(C::DueAt.lte(now))
        .order_by_asc(C::DueAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(Depth {
        pending,
        dead,
        oldest_due,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryTrait, Statement};

    use super::*;

    async fn migrated() -> sea_orm::DatabaseConnection {
        let db = crate::db::connect("sqlite::memory:", 1).await.unwrap();
        migration::Migrator::up(&db).await.unwrap();
        db
    }

    async fn states(db: &impl ConnectionTrait) -> Vec<(String, String, String)> {
        db.query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id, state, due_at FROM notification_delivery ORDER BY id",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.try_get_by_index(0).unwrap(),
                row.try_get_by_index(1).unwrap(),
                row.try_get_by_index(2).unwrap(),
            )
        })
        .collect()
    }

    /// Rows written by hand or by an older build spell their timestamps
    /// otherwise than chrono does: a claim still settles each by its key.
    #[tokio::test]
    async fn claimed_rows_are_settled_whatever_their_timestamps_spelling() {
        let db = migrated().await;
        for (id, due) in [
            ("d1", "2026-01-01T00:00:00Z"),
            ("d2", "2026-01-01 00:00:00"),
            ("d3", "2026-01-01T00:00:00.5+00:00"),
        ] {
            db.execute_unprepared(&format!(
                "INSERT INTO notification_delivery (id, channel, target, kind, payload, state, attempts, due_at, created_at) \
                 VALUES ('{id}', 'webhook', 'http://127.0.0.1:9/hook', 'match.accepted', '{{}}', 'pending', 0, '{due}', '{due}')"
            ))
            .await
            .unwrap();
        }
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let claimed = claim(&db, now, now + chrono::Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3);
        let held = |id: &str| claimed.iter().find(|d| d.id == id).unwrap().held();
        assert_eq!(mark_sent(&db, &[held("d1")], now).await.unwrap(), 1);
        let retry = now + chrono::Duration::minutes(1);
        assert!(
            mark_failed(&db, &held("d2"), Some(retry), "refused")
                .await
                .unwrap()
        );
        assert_eq!(drop_deliveries(&db, &[held("d3")]).await.unwrap(), 1);
        let after = states(&db).await;
        assert_eq!(after.len(), 2);
        assert_eq!((after[0].0.as_str(), after[0].1.as_str()), ("d1", "sent"));
        assert_eq!(
            (after[1].0.as_str(), after[1].1.as_str()),
            ("d2", "pending")
        );
        assert_ne!(after[1].2, "2026-01-01 00:00:00", "due again later");
        // A settled claim is not settled twice.
        assert_eq!(mark_sent(&db, &[held("d1")], now).await.unwrap(), 0);
    }

    /// The indexes SQLite keeps on `table` besides its key.
    async fn indexes_on(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
        db.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? \
             AND name NOT LIKE 'sqlite_autoindex_%'",
            [table.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap()
    }

    /// The steps of SQLite's plan for `statement`.
    async fn plan_of(db: &sea_orm::DatabaseConnection, statement: Statement) -> Vec<String> {
        db.query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            statement.values.unwrap().0,
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(3).unwrap())
        .collect()
    }

    /// The outbox is one B-tree on SQLite (migration m0013), and every
    /// statement that settles a claim reaches its rows through the key
    /// rather than by reading the rows ever sent.
    #[tokio::test]
    async fn settling_a_claim_searches_the_outbox_by_its_key() {
        let db = migrated().await;
        assert_eq!(indexes_on(&db, "notification_delivery").await, 0);
        let held = [
            Held {
                id: "d1".into(),
                attempts: 1,
                due_at: Some("2026-01-01T00:00:00+00:00".into()),
            },
            Held {
                id: "d2".into(),
                attempts: 1,
                due_at: Some("2026-01-01T00:00:01+00:00".into()),
            },
        ];
        let settle = notification_delivery::Entity::delete_many()
            .filter(held_rows(&held))
            .build(DbBackend::Sqlite);
        let plan = plan_of(&db, settle).await;
        assert!(!plan.is_empty());
        assert!(
            plan.iter().all(
                |step| step.contains("PRIMARY KEY (state=? AND due_at=? AND id=?)")
                    || step.starts_with("MULTI-INDEX OR")
                    || step.starts_with("INDEX ")
            ),
            "{plan:?}"
        );
    }

    /// The inbox has no index besides its key on SQLite (migration m0014),
    /// and an unread count searches that key for its person's rows only.
    #[tokio::test]
    async fn an_unread_count_reads_only_its_person_s_rows() {
        let db = migrated().await;
        assert_eq!(indexes_on(&db, "notification").await, 0);
        let count = unread_of("p1").build(DbBackend::Sqlite);
        assert_eq!(
            plan_of(&db, count).await,
            vec!["SEARCH notification USING PRIMARY KEY (person_id=?)".to_owned()]
        );
    }
}

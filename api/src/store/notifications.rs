//! The inbox, the delivery outbox and email preferences (migration m0008).
//! Kinds cross this boundary as [`domain::notification::Kind`]; payloads
//! stay JSON text, read and written by `crate::notify`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::notification::Kind;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::entities::{notification, notification_delivery, notification_preference, person};
use super::{Append, IN_LIST, Inserts, insert_all};

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

static INBOX: Append = Append {
    table: "notification",
    columns: &[
        "id",
        "person_id",
        "kind",
        "match_id",
        "request_id",
        "payload",
        "created_at",
    ],
};

/// Appends inbox rows, unread.
pub(crate) fn add_inbox(inserts: &mut Inserts, items: Vec<InboxItem>) {
    for i in items {
        inserts.row(
            &INBOX,
            [
                i.id.into(),
                i.person_id.into(),
                i.kind.slug().into(),
                i.match_id.into(),
                i.request_id.into(),
                i.payload.into(),
                i.created_at.into(),
            ],
        );
    }
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
    /// Once claimed on SQLite, the row's place in the outbox (see [`Held`]).
    pub seq: Option<i64>,
}

impl Delivery {
    /// A webhook to nowhere, pending, with an empty payload.
    #[cfg(test)]
    pub(crate) fn webhook_for_tests(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            channel: Channel::Webhook,
            target: "http://127.0.0.1:9/hook".into(),
            person_id: None,
            kind: Kind::MatchAccepted,
            match_id: None,
            request_id: None,
            payload: "{}".into(),
            attempts: 0,
            created_at: Utc::now(),
            seq: None,
        }
    }

    /// How the updates that settle this claimed delivery find it.
    pub fn held(&self) -> Held {
        Held {
            id: self.id.clone(),
            attempts: self.attempts,
            seq: self.seq,
        }
    }
}

/// A claimed delivery, as the updates that settle it name it. On SQLite the
/// outbox is a rowid table with no index on `id` (migration m0015), so an
/// update names the row's `seq`. The attempt count leaves a row whose lease
/// passed and which was claimed again to that later claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub attempts: u32,
    seq: Option<i64>,
}

/// Where SQLite's outbox has pending rows from: no row below `from` is
/// pending (migration m0015 explains why no index finds them). Each
/// process keeps its own for its database; a claim moves it up to the
/// lowest pending row it saw, or past the last row when none is pending.
/// Rows are written above it (`AUTOINCREMENT`), and a dead row put back in
/// the queue is written anew ([`retry_dead`]), so it can only be too low,
/// which costs reading more rows, never skipping one. PostgreSQL ignores it.
#[derive(Debug, Default)]
pub struct Queue {
    from: std::sync::atomic::AtomicI64,
}

impl Queue {
    pub fn from(&self) -> i64 {
        self.from.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn advance(&self, to: i64) {
        self.from
            .fetch_max(to, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Rows per statement that settles claimed deliveries: three values each.
const HELD_PER_STATEMENT: usize = 200;

/// Pending rows among `held`, each found by its key: `seq` on SQLite, `id`
/// on PostgreSQL.
fn held_rows(held: &[Held]) -> Condition {
    use notification_delivery::Column as C;
    let any = held.iter().fold(Condition::any(), |any, row| {
        let key = match row.seq {
            Some(seq) => ExprTrait::eq(Expr::col("seq"), seq),
            None => C::Id.eq(row.id.as_str()),
        };
        any.add(
            Condition::all()
                .add(key)
                .add(C::Attempts.eq(row.attempts as i32)),
        )
    });
    Condition::all().add(C::State.eq("pending")).add(any)
}

static OUTBOX: Append = Append {
    table: "notification_delivery",
    columns: &[
        "id",
        "channel",
        "target",
        "person_id",
        "kind",
        "match_id",
        "request_id",
        "payload",
        "state",
        "due_at",
        "created_at",
    ],
};

/// Appends deliveries, pending and due at once (`attempts` starts at its
/// default, 0).
pub(crate) fn add_deliveries(inserts: &mut Inserts, deliveries: Vec<Delivery>) {
    for d in deliveries {
        inserts.row(
            &OUTBOX,
            [
                d.id.into(),
                d.channel.slug().into(),
                d.target.into(),
                d.person_id.into(),
                d.kind.slug().into(),
                d.match_id.into(),
                d.request_id.into(),
                d.payload.into(),
                "pending".into(),
                d.created_at.into(),
                d.created_at.into(),
            ],
        );
    }
}

const CLAIMED: &str =
    "id, channel, target, person_id, kind, match_id, request_id, payload, attempts, created_at";

/// Claims up to `limit` due, unleased deliveries until `lease_until` and
/// counts the attempt. On PostgreSQL rows another instance is claiming
/// are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the caller holds the
/// write lock (`BEGIN IMMEDIATE`), so claims queue, and the rows read are
/// those from `queue`'s mark up, which the claim then moves.
pub async fn claim(
    db: &impl ConnectionTrait,
    queue: &Queue,
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
        _ => format!(
            "UPDATE notification_delivery SET lease_until = ?1, attempts = attempts + 1, last_attempt_at = ?2 \
             WHERE seq IN (SELECT seq FROM notification_delivery \
               WHERE seq >= ?4 AND state = 'pending' AND due_at <= ?2 \
               AND (lease_until IS NULL OR lease_until <= ?2) \
               ORDER BY due_at LIMIT ?3) \
             RETURNING {CLAIMED}, seq"
        ),
    };
    let from = queue.from();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                lease_until.into(),
                now.into(),
                (limit as i64).into(),
                from.into(),
            ],
        ))
        .await?;
    if backend == DbBackend::Sqlite {
        queue.advance(lowest_pending(db, from).await?);
    }
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
                seq: match backend {
                    DbBackend::Sqlite => Some(row.try_get_by_index(10)?),
                    _ => None,
                },
            })
        })
        .collect()
}

/// On SQLite, the `seq` of the lowest pending row from `from` up, or the
/// next `seq` to be given out when none is pending.
async fn lowest_pending(db: &impl ConnectionTrait, from: i64) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT COALESCE( \
               (SELECT seq FROM notification_delivery WHERE seq >= ?1 AND state = 'pending' \
                ORDER BY seq LIMIT 1), \
               (SELECT seq + 1 FROM sqlite_sequence WHERE name = 'notification_delivery'), \
               ?1)",
            [from.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no answer to the outbox's lowest pending row".into()))?;
    row.try_get_by_index(0)
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
/// reset; returns how many. On SQLite each is written anew at the queue's
/// end (its id, and so its stable delivery id, kept), above every
/// process's [`Queue`] mark: run it in a transaction.
pub async fn retry_dead(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    use notification_delivery::Column as C;
    if db.get_database_backend() == DbBackend::Sqlite {
        let columns = "id, channel, target, person_id, kind, match_id, request_id, payload, \
                       last_error, created_at, last_attempt_at";
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!(
                "INSERT INTO notification_delivery ({columns}, state, attempts, due_at) \
                 SELECT {columns}, 'pending', 0, ?1 FROM notification_delivery \
                 WHERE state = 'dead' ORDER BY seq"
            ),
            [now.into()],
        ))
        .await?;
        let moved = db
            .execute_raw(Statement::from_string(
                DbBackend::Sqlite,
                "DELETE FROM notification_delivery WHERE state = 'dead'",
            ))
            .await?;
        return Ok(moved.rows_affected());
    }
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

/// The outbox's depth. On SQLite the pending rows are read from `queue`'s
/// mark up, which this moves up first as a claim does: an instance that
/// does not deliver (`TANDEM_DELIVERY_WORKER=off`) reads every row once,
/// not at every scrape.
pub async fn depth(
    db: &impl ConnectionTrait,
    queue: &Queue,
    now: DateTime<Utc>,
) -> Result<Depth, DbErr> {
    use notification_delivery::Column as C;
    let from = match db.get_database_backend() {
        DbBackend::Sqlite => {
            queue.advance(lowest_pending(db, queue.from()).await?);
            Condition::all().add(Expr::col("seq").gte(queue.from()))
        }
        _ => Condition::all(),
    };
    let pending = notification_delivery::Entity::find()
        .filter(from.clone())
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
        .filter(from)
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
        let claimed = claim(
            &db,
            &Queue::default(),
            now,
            now + chrono::Duration::minutes(5),
            10,
        )
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

    /// The outbox has no index a new row goes into on SQLite (migration
    /// m0015: the dead rows' is partial), and every statement that settles
    /// a claim reaches its rows by `seq` rather than by reading the rows
    /// ever sent.
    #[tokio::test]
    async fn settling_a_claim_searches_the_outbox_by_seq() {
        let db = migrated().await;
        assert_eq!(indexes_on(&db, "notification_delivery").await, 1);
        let held = [
            Held {
                id: "d1".into(),
                attempts: 1,
                seq: Some(1),
            },
            Held {
                id: "d2".into(),
                attempts: 1,
                seq: Some(2),
            },
        ];
        let settle = notification_delivery::Entity::delete_many()
            .filter(held_rows(&held))
            .build(DbBackend::Sqlite);
        let plan = plan_of(&db, settle).await;
        assert!(!plan.is_empty());
        assert!(
            plan.iter()
                .all(|step| step.contains("INTEGER PRIMARY KEY (rowid=?)")
                    || step.starts_with("MULTI-INDEX OR")
                    || step.starts_with("INDEX ")),
            "{plan:?}"
        );
    }

    async fn queue_one(db: &sea_orm::DatabaseConnection, id: &str, due: DateTime<Utc>) {
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        add_deliveries(
            &mut inserts,
            vec![Delivery {
                created_at: due,
                ..Delivery::webhook_for_tests(id)
            }],
        );
        inserts.run(db).await.unwrap();
    }

    /// The mark a claim leaves is never above a pending row: not above one
    /// leased and unsettled, not above one written after it, and not above
    /// a dead one put back in the queue.
    #[tokio::test]
    async fn the_queue_mark_never_passes_a_pending_row() {
        let db = migrated().await;
        let queue = Queue::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let lease = |now| now + chrono::Duration::minutes(5);
        let ids =
            |claimed: Vec<Delivery>| -> Vec<String> { claimed.into_iter().map(|d| d.id).collect() };
        queue_one(&db, "d1", t0).await;
        queue_one(&db, "d2", t0 + chrono::Duration::seconds(1)).await;
        let now = t0 + chrono::Duration::minutes(1);
        let first = claim(&db, &queue, now, lease(now), 1).await.unwrap();
        assert_eq!(first[0].id, "d1");
        assert_eq!(queue.from(), 1, "d1 is leased, still pending");
        mark_sent(&db, &[first[0].held()], now).await.unwrap();
        let second = claim(&db, &queue, now, lease(now), 10).await.unwrap();
        assert_eq!(ids(second.clone()), ["d2"]);
        mark_sent(&db, &[second[0].held()], now).await.unwrap();
        assert!(
            claim(&db, &queue, now, lease(now), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(queue.from(), 3, "past every row: none is pending");

        queue_one(&db, "d3", now).await;
        let third = claim(&db, &queue, now, lease(now), 10).await.unwrap();
        assert_eq!(ids(third.clone()), ["d3"]);
        assert!(
            mark_failed(&db, &third[0].held(), None, "gone")
                .await
                .unwrap()
        );
        assert!(
            claim(&db, &queue, now, lease(now), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(queue.from(), 4);

        assert_eq!(retry_dead(&db, now).await.unwrap(), 1);
        let again = claim(&db, &queue, now, lease(now), 10).await.unwrap();
        assert_eq!(ids(again.clone()), ["d3"], "the same delivery id");
        assert_eq!(again[0].attempts, 1, "its attempts counted afresh");
        let depth = depth(&db, &queue, now).await.unwrap();
        assert_eq!((depth.pending, depth.dead), (1, 0));
    }

    /// An instance that never claims still moves its mark when it reads
    /// the outbox's depth, and counts what is pending all the same.
    #[tokio::test]
    async fn reading_the_depth_moves_the_mark_too() {
        let db = migrated().await;
        let queue = Queue::default();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t1 = t0 + chrono::Duration::seconds(1);
        queue_one(&db, "d1", t0).await;
        queue_one(&db, "d2", t1).await;
        let now = t0 + chrono::Duration::minutes(1);
        let claimed = claim(&db, &Queue::default(), now, now, 1).await.unwrap();
        assert_eq!(claimed[0].id, "d1");
        mark_sent(&db, &[claimed[0].held()], now).await.unwrap();
        let seen = depth(&db, &queue, now).await.unwrap();
        assert_eq!((seen.pending, seen.oldest_due), (1, Some(t1)));
        assert_eq!(queue.from(), 2, "d1 is sent, d2 pending");
        queue_one(&db, "d3", now).await;
        assert_eq!(depth(&db, &queue, now).await.unwrap().pending, 2);
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

//! People: provisioning from token claims, lookups and profile updates.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::person;
use crate::auth::Claims;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub department: Option<String>,
    pub manager_id: Option<String>,
    pub timezone: Option<String>,
    pub languages: Vec<String>,
    pub osmm_level: u8,
    /// Set while the person is deactivated (they left): no access, never
    /// proposed, nothing sent to them.
    pub deactivated_at: Option<DateTime<Utc>>,
    pub deactivation_reason: Option<String>,
    /// Set once their personal data was erased (they stay deactivated).
    pub erased_at: Option<DateTime<Utc>>,
}

impl Person {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }

    /// A person known by id alone: level 1, active, no name and every
    /// optional field empty. `me { id }` answers with it (nothing else is
    /// read); the HR import fills one in for someone new.
    pub fn blank(id: String) -> Self {
        Self {
            id,
            display_name: String::new(),
            email: None,
            department: None,
            manager_id: None,
            timezone: None,
            languages: Vec::new(),
            osmm_level: 1,
            deactivated_at: None,
            deactivation_reason: None,
            erased_at: None,
        }
    }
}

impl Person {
    pub(crate) fn from_row(row: person::Model) -> Result<Self, DbErr> {
        let osmm_level = u8::try_from(row.osmm_level)
            .ok()
            .filter(|l| (1..=5).contains(l))
            .ok_or_else(|| super::corrupt("person.osmm_level", row.osmm_level))?;
        Ok(Self {
            languages: super::split_list(&row.languages),
            id: row.id,
            display_name: row.display_name,
            email: row.email,
            department: row.department,
            manager_id: row.manager_id,
            timezone: row.timezone,
            osmm_level,
            deactivated_at: row.deactivated_at,
            deactivation_reason: row.deactivation_reason,
            erased_at: row.erased_at,
        })
    }
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The name a person gets from their token: `name`, else the local part of
/// `email`, else `sub`.
fn claimed_name(claims: &Claims) -> String {
    let name = claims.name.clone().or_else(|| {
        claims
            .email
            .as_ref()
            .and_then(|e| e.split('@').next())
            .map(str::to_owned)
    });
    let name = name.unwrap_or_else(|| claims.sub.clone());
    name.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Finds or creates the person for `claims`, exactly once however many first
/// calls race (the insert does nothing on a `sub` conflict), and refreshes
/// name and email when the SSO's values changed since the last call. A person
/// imported from HR with the same email and no `sub` yet is linked, not
/// duplicated. A deactivated person is found, not brought back: only
/// `reactivatePerson` does that.
pub async fn provision(db: &impl ConnectionTrait, claims: &Claims) -> Result<Provisioned, DbErr> {
    let email = claims
        .email
        .as_deref()
        .and_then(|e| domain::values::email(e).ok());
    if let Some(existing) = find_by_sub(db, &claims.sub).await? {
        let active = existing.deactivated_at.is_none();
        // A deactivated person's record is left as it is: they are refused.
        if active && (existing.sso_name != claims.name || existing.sso_email != email) {
            refresh_from_claims(db, &existing.id, claims, email.as_deref()).await?;
        }
        return Ok(Provisioned {
            id: existing.id,
            active,
        });
    }
    if let Some(email) = &email {
        let linked = person::Entity::update_many()
            .col_expr(person::Column::Sub, Expr::value(claims.sub.clone()))
            .filter(person::Column::Email.eq(email.clone()))
            .filter(person::Column::Sub.is_null())
            .exec(db)
            .await?;
        if linked.rows_affected > 0
            && let Some(row) = find_by_sub(db, &claims.sub).await?
        {
            let active = row.deactivated_at.is_none();
            if active {
                refresh_from_claims(db, &row.id, claims, Some(email)).await?;
            }
            return Ok(Provisioned { id: row.id, active });
        }
    }
    let now = Utc::now();
    let row = person::ActiveModel {
        id: Set(new_id()),
        sub: Set(Some(claims.sub.clone())),
        display_name: Set(claimed_name(claims)),
        email: Set(email.clone()),
        department: Set(None),
        manager_id: Set(None),
        timezone: Set(None),
        languages: Set(String::new()),
        osmm_level: Set(1),
        sso_name: Set(claims.name.clone()),
        sso_email: Set(email),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(None),
        deactivation_reason: Set(None),
        erased_at: Set(None),
    };
    person::Entity::insert(row)
        .on_conflict_do_nothing_on([person::Column::Sub])
        .exec_without_returning(db)
        .await?;
    let row = find_by_sub(db, &claims.sub)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("provisioned person".into()))?;
    Ok(Provisioned {
        active: row.deactivated_at.is_none(),
        id: row.id,
    })
}

/// Who a token's subject is, and whether they may still call the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provisioned {
    pub id: String,
    pub active: bool,
}

/// Whether the person is active, holding a share lock on their row until
/// the transaction ends (PostgreSQL `FOR SHARE`; SQLite's writers are
/// serialised already). A deactivation updates that row first, so it waits
/// for a proposal that read the person as active (and then cancels it), or
/// the proposal waits for the deactivation and reads it.
pub async fn lock_if_active(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let found = person::Entity::find_by_id(id.to_owned())
        .select_only()
        .column(person::Column::DeactivatedAt)
        .lock_shared()
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?;
    Ok(matches!(found, Some(None)))
}

/// [`lock_if_active`] for many people at once: how many of `ids` exist and
/// are active, their rows share-locked.
pub async fn lock_active(db: &impl ConnectionTrait, ids: &[String]) -> Result<usize, DbErr> {
    let found = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Id.is_in(ids.iter().cloned()))
        .filter(person::Column::DeactivatedAt.is_null())
        .lock_shared()
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(found.len())
}

/// Whether the person exists and is not deactivated: read on every call,
/// so a deactivation on any instance shuts the person out at once.
pub async fn is_active(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let found = person::Entity::find_by_id(id.to_owned())
        .select_only()
        .column(person::Column::DeactivatedAt)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?;
    Ok(matches!(found, Some(None)))
}

async fn find_by_sub(db: &impl ConnectionTrait, sub: &str) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::Sub.eq(sub))
        .one(db)
        .await
}

async fn refresh_from_claims(
    db: &impl ConnectionTrait,
    id: &str,
    claims: &Claims,
    email: Option<&str>,
) -> Result<(), DbErr> {
    let mut update = person::Entity::update_many()
        .col_expr(person::Column::SsoName, Expr::value(claims.name.clone()))
        .col_expr(
            person::Column::SsoEmail,
            Expr::value(email.map(str::to_owned)),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(id));
    if claims.name.is_some() {
        update = update.col_expr(
            person::Column::DisplayName,
            Expr::value(claimed_name(claims)),
        );
    }
    if email.is_some() {
        update = update.col_expr(person::Column::Email, Expr::value(email.map(str::to_owned)));
    }
    update.exec(db).await?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Person>, DbErr> {
    person::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Person::from_row)
        .transpose()
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Person>, DbErr> {
    let rows = person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?;
    rows.into_iter().map(Person::from_row).collect()
}

/// People whose name, email or department contains `term` (any case), by
/// name then id, after the cursor (`name`, NUL, `id`).
pub async fn search(
    db: &impl ConnectionTrait,
    term: Option<&str>,
    after: Option<(&str, &str)>,
    limit: u64,
) -> Result<Vec<Person>, DbErr> {
    use person::Column as C;
    let mut query = person::Entity::find();
    if let Some(term) = term.map(str::trim).filter(|t| !t.is_empty()) {
        let escaped: String = term
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        let like = |column: C| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(
            Condition::any()
                .add(like(C::DisplayName))
                .add(like(C::Email))
                .add(like(C::Department)),
        );
    }
    if let Some((name, id)) = after {
        query = query.filter(
            Condition::any().add(C::DisplayName.gt(name)).add(
                Condition::all()
                    .add(C::DisplayName.eq(name))
                    .add(C::Id.gt(id)),
            ),
        );
    }
    let rows = query
        .order_by_asc(C::DisplayName)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.into_iter().map(Person::from_row).collect()
}

/// The fields `updateMyProfile` may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct PersonChange {
    pub display_name: Option<String>,
    pub department: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
    pub osmm_level: Option<u8>,
}

pub async fn update(
    db: &impl ConnectionTrait,
    id: &str,
    change: PersonChange,
) -> Result<(), DbErr> {
    let mut update = person::Entity::update_many()
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(id));
    if let Some(name) = change.display_name {
        update = update.col_expr(person::Column::DisplayName, Expr::value(name));
    }
    if let Some(department) = change.department {
        update = update.col_expr(person::Column::Department, Expr::value(department));
    }
    if let Some(timezone) = change.timezone {
        update = update.col_expr(person::Column::Timezone, Expr::value(timezone));
    }
    if let Some(languages) = change.languages {
        update = update.col_expr(person::Column::Languages, Expr::value(languages.join(",")));
    }
    if let Some(level) = change.osmm_level {
        update = update.col_expr(person::Column::OsmmLevel, Expr::value(i16::from(level)));
    }
    update.exec(db).await?;
    Ok(())
}

/// A full row for seeding and import.
pub async fn insert(
    db: &impl ConnectionTrait,
    person: &Person,
    sub: Option<&str>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = person::ActiveModel {
        id: Set(person.id.clone()),
        sub: Set(sub.map(str::to_owned)),
        display_name: Set(person.display_name.clone()),
        email: Set(person.email.clone()),
        department: Set(person.department.clone()),
        manager_id: Set(person.manager_id.clone()),
        timezone: Set(person.timezone.clone()),
        languages: Set(person.languages.join(",")),
        osmm_level: Set(i16::from(person.osmm_level)),
        sso_name: Set(None),
        sso_email: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(person.deactivated_at),
        deactivation_reason: Set(person.deactivation_reason.clone()),
        erased_at: Set(None),
    };
    person::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn exists_with_sub(db: &impl ConnectionTrait, sub: &str) -> Result<bool, DbErr> {
    Ok(find_by_sub(db, sub).await?.is_some())
}

pub async fn id_by_sub(db: &impl ConnectionTrait, sub: &str) -> Result<Option<String>, DbErr> {
    Ok(find_by_sub(db, sub).await?.map(|p| p.id))
}

/// Sets a person's OSMM level (a `LEVEL_UP` milestone).
pub async fn set_level(db: &impl ConnectionTrait, id: &str, level: u8) -> Result<(), DbErr> {
    person::Entity::update_many()
        .col_expr(person::Column::OsmmLevel, Expr::value(i16::from(level)))
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a person deactivated (they left); false when they already were.
/// Updating the row first is what orders a deactivation against a
/// concurrent proposal (see [`lock_if_active`]).
pub async fn set_deactivated(
    db: &impl ConnectionTrait,
    id: &str,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<bool, DbErr> {
    let done = person::Entity::update_many()
        .col_expr(person::Column::DeactivatedAt, Expr::value(at))
        .col_expr(
            person::Column::DeactivationReason,
            Expr::value(reason.to_owned()),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(at))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::DeactivatedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives a deactivated person their access back; false when they were
/// active, or erased (an erased record belongs to nobody any more).
pub async fn set_reactivated(
    db: &impl ConnectionTrait,
    id: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = person::Entity::update_many()
        .col_expr(
            person::Column::DeactivatedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            person::Column::DeactivationReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(at))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::DeactivatedAt.is_not_null())
        .filter(person::Column::ErasedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The person whose email this is (emails are compared as stored: lower case).
pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Vec<Person>, DbErr> {
    let rows = person::Entity::find()
        .filter(person::Column::Email.eq(email.to_lowercase()))
        .order_by_asc(person::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(Person::from_row).collect()
}

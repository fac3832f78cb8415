//! Programs and their enrollments.

use chrono::Utc;
use domain::program::ProgramStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::{program, program_enrollment};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub status: ProgramStatus,
}

impl Program {
    fn from_row(row: program::Model) -> Result<Self, DbErr> {
        let date = |raw: &str| {
            raw.parse::<chrono::NaiveDate>()
                .map_err(|_| super::corrupt("program date", raw))
        };
        Ok(Self {
            starts_on: date(&row.starts_on)?,
            ends_on: date(&row.ends_on)?,
            status: ProgramStatus::from_slug(&row.status)
                .ok_or_else(|| super::corrupt("program.status", &row.status))?,
            id: row.id,
            name: row.name,
            description: row.description,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Mentor,
    Mentee,
}

impl Role {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Mentor => "mentor",
            Self::Mentee => "mentee",
        }
    }
}

pub async fn insert(db: &impl ConnectionTrait, program: &Program) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = program::ActiveModel {
        id: Set(program.id.clone()),
        name: Set(program.name.clone()),
        description: Set(program.description.clone()),
        starts_on: Set(program.starts_on.to_string()),
        ends_on: Set(program.ends_on.to_string()),
        status: Set(program.status.slug().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    program::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Program>, DbErr> {
    program::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Program::from_row)
        .transpose()
}

/// Programs in id (creation) order after `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Program>, DbErr> {
    let mut query = program::Entity::find()
        .order_by_asc(program::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(program::Column::Id.gt(after));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(Program::from_row)
        .collect()
}

/// Moves the status only if it is still `from`; false when another writer
/// moved it first, so two racing transitions cannot both succeed.
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: &str,
    from: ProgramStatus,
    to: ProgramStatus,
) -> Result<bool, DbErr> {
    let result = program::Entity::update_many()
        .col_expr(program::Column::Status, Expr::value(to.slug()))
        .col_expr(program::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(program::Column::Id.eq(id))
        .filter(program::Column::Status.eq(from.slug()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Takes the program's row lock (PostgreSQL) by touching it, so concurrent
/// cohort commits for one program run one after the other.
pub async fn lock(db: &impl ConnectionTrait, id: &str) -> Result<Option<Program>, DbErr> {
    program::Entity::update_many()
        .col_expr(program::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(program::Column::Id.eq(id))
        .exec(db)
        .await?;
    find(db, id).await
}

/// Enrolls people; enrolling someone twice in the same role changes nothing.
pub async fn enroll(
    db: &impl ConnectionTrait,
    program_id: &str,
    people: &[String],
    role: Role,
) -> Result<(), DbErr> {
    let now = Utc::now();
    for chunk in people.chunks(super::ROWS_PER_INSERT) {
        let rows = chunk
            .iter()
            .map(|person_id| program_enrollment::ActiveModel {
                program_id: Set(program_id.to_owned()),
                person_id: Set(person_id.clone()),
                role: Set(role.slug().to_owned()),
                enrolled_at: Set(now),
            });
        program_enrollment::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                program_enrollment::Column::ProgramId,
                program_enrollment::Column::PersonId,
                program_enrollment::Column::Role,
            ])
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Ids of the people enrolled in `role`, in id order.
pub async fn enrolled(
    db: &impl ConnectionTrait,
    program_id: &str,
    role: Role,
) -> Result<Vec<String>, DbErr> {
    program_enrollment::Entity::find()
        .select_only()
        .column(program_enrollment::Column::PersonId)
        .filter(program_enrollment::Column::ProgramId.eq(program_id))
        .filter(program_enrollment::Column::Role.eq(role.slug()))
        .order_by_asc(program_enrollment::Column::PersonId)
        .into_tuple::<String>()
        .all(db)
        .await
}

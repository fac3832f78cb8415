//! People leave: `deactivatePerson`, `reactivatePerson` and `erasePerson`
//! (OSPO), and `myData` (the caller's own data as one JSON document).

use async_graphql::{Context, ID, Json, Object, SimpleObject};

use super::people::Person;
use super::{state, viewer};
use crate::service::{OspoTask, leavers, privacy};

/// A deactivation: the person as they are now, and what it ended.
#[derive(SimpleObject)]
pub struct PersonDeactivation {
    pub person: Person,
    /// Proposals to them as mentor, cancelled; each request went on to the
    /// next-best mentor.
    pub proposals_cancelled: i32,
    /// Active mentorships (either side) ended early with reason `left`.
    pub mentorships_ended: i32,
    /// Their own open or proposed requests, withdrawn.
    pub requests_withdrawn: i32,
}

fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Everything Tandem keeps about the caller, as one JSON document (also
    /// `GET /me/export.json`): person, profiles, requests, matches with
    /// their frozen scores, the check-ins and milestones of their matches,
    /// feedback they gave, notifications, email deliveries, preferences,
    /// and the audit events they made.
    async fn my_data(&self, ctx: &Context<'_>) -> async_graphql::Result<Json<serde_json::Value>> {
        let viewer = viewer(ctx)?;
        Ok(Json(privacy::my_data(state(ctx), viewer).await?))
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// OSPO: the person left. In one transaction: they lose access (every
    /// token), proposals to them are cancelled and cascade, their active
    /// mentorships end early (`left`), their open requests are withdrawn,
    /// the other sides are told and they are sent nothing more. CONFLICT
    /// when already deactivated, or for yourself.
    async fn deactivate_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<PersonDeactivation> {
        let admin = viewer(ctx)?.as_ospo()?;
        let done = leavers::deactivate(state(ctx), OspoTask::Admin(admin), &id, &reason).await?;
        Ok(PersonDeactivation {
            person: Person(done.person),
            proposals_cancelled: int(done.cascade.proposals_cancelled),
            mentorships_ended: int(done.cascade.mentorships_ended),
            requests_withdrawn: int(done.cascade.requests_withdrawn),
        })
    }

    /// OSPO: gives a deactivated person their access back; what their
    /// deactivation ended stays ended. CONFLICT when active or erased.
    async fn reactivate_person(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Person> {
        let admin = viewer(ctx)?.as_ospo()?;
        Ok(Person(
            leavers::reactivate(state(ctx), OspoTask::Admin(admin), &id).await?,
        ))
    }

    /// OSPO: erases a deactivated person's personal data (name, email,
    /// department, manager, profiles, goals, their check-in notes, feedback
    /// comments and milestone notes, notifications, sign-in subject),
    /// keeping the anonymous facts the program metrics count. Idempotent.
    /// CONFLICT while the person is active.
    async fn erase_person(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Person> {
        let admin = viewer(ctx)?.as_ospo()?;
        Ok(Person(
            privacy::erase(state(ctx), OspoTask::Admin(admin), &id).await?,
        ))
    }
}

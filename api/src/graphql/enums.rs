//! GraphQL enums mirroring the domain vocabularies (SCREAMING_CASE on the wire).

use async_graphql::Enum;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MentoringTopic", remote = "domain::values::MentoringTopic")]
pub enum MentoringTopic {
    FirstContribution,
    Maintainership,
    StartingAProject,
    PublicSpeaking,
    EventOrganizing,
    FoundationEngagement,
    Standards,
    Compliance,
    InnerSource,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ProjectRole", remote = "domain::values::ProjectRole")]
pub enum ProjectRole {
    User,
    Contributor,
    Committer,
    Maintainer,
    Lead,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "FoundationRole", remote = "domain::values::FoundationRole")]
pub enum FoundationRole {
    Member,
    Contributor,
    WorkingGroupMember,
    WorkingGroupChair,
    TscMember,
    BoardMember,
}

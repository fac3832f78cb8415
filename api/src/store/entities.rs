//! sea-orm entities, one module per table of `migration`. Only `store` uses
//! them; everything above works with the records the store functions return.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod person {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub sub: Option<String>,
        pub display_name: String,
        pub email: Option<String>,
        pub department: Option<String>,
        pub manager_id: Option<String>,
        pub timezone: Option<String>,
        pub languages: String,
        pub osmm_level: i16,
        pub sso_name: Option<String>,
        pub sso_email: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub deactivated_at: Option<DateTimeUtc>,
        pub deactivation_reason: Option<String>,
        pub erased_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod skill {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "skill")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub slug: String,
        pub name: String,
        pub category: Option<String>,
    }
    no_relations!();
}

pub mod foundation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "foundation")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub slug: String,
        pub name: String,
    }
    no_relations!();
}

pub mod project {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub slug: String,
        pub name: String,
        pub repository_url: Option<String>,
        pub foundation_id: Option<i64>,
    }
    no_relations!();
}

pub mod mentor_profile {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentor_profile")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: String,
        pub capacity: i16,
        pub live_count: i16,
        pub accepting: bool,
        pub bio: Option<String>,
        pub updated_at: DateTimeUtc,
        /// The load revision at which `live_count` last moved (m0004).
        pub load_seq: i64,
    }
    no_relations!();
}

pub mod mentee_profile {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentee_profile")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: String,
        pub target_level: i16,
        pub max_timezone_diff_hours: Option<i16>,
        pub languages: String,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

/// A profile's tie to a catalog entry with an attribute (proficiency,
/// priority or role); the four tables share one shape.
macro_rules! tie_table {
    ($module:ident, $table:literal, $item:ident, $attr:ident : $attr_ty:ty) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub person_id: String,
                #[sea_orm(primary_key, auto_increment = false)]
                pub $item: i64,
                pub $attr: $attr_ty,
            }
            no_relations!();
        }
    };
    ($module:ident, $table:literal, $item:ident : $item_ty:ty) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub person_id: String,
                #[sea_orm(primary_key, auto_increment = false)]
                pub $item: $item_ty,
            }
            no_relations!();
        }
    };
}

tie_table!(mentor_skill, "mentor_skill", skill_id, proficiency: i16);
tie_table!(mentor_project, "mentor_project", project_id, role: String);
tie_table!(mentor_foundation, "mentor_foundation", foundation_id, role: String);
tie_table!(mentor_topic, "mentor_topic", topic: String);
tie_table!(mentee_skill, "mentee_skill", skill_id, priority: i16);
tie_table!(mentee_project, "mentee_project", project_id: i64);
tie_table!(mentee_foundation, "mentee_foundation", foundation_id: i64);
tie_table!(mentee_topic, "mentee_topic", topic: String);

pub mod program {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "program")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub name: String,
        pub description: Option<String>,
        pub starts_on: String,
        pub ends_on: String,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod program_enrollment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "program_enrollment")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub program_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role: String,
        pub enrolled_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod matching_policy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "matching_policy")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub program_id: Option<String>,
        pub version: i32,
        pub w_skills: f64,
        pub w_projects: f64,
        pub w_foundations: f64,
        pub w_maturity: f64,
        pub w_topics: f64,
        pub w_timezone: f64,
        pub w_language: f64,
        pub w_load: f64,
        pub min_score: f64,
        pub strategy: String,
        pub proposal_sla_hours: i32,
        pub created_by: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod mentorship_request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentorship_request")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub mentee_id: String,
        pub program_id: Option<String>,
        pub preferred_mentor_id: Option<String>,
        pub goals: String,
        pub state: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod mentorship_match {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "mentorship_match")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub request_id: String,
        pub mentor_id: String,
        pub mentee_id: String,
        pub program_id: Option<String>,
        pub state: String,
        pub score_total: f64,
        pub score_breakdown: String,
        pub policy_version: i32,
        pub proposed_at: DateTimeUtc,
        pub expires_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
        pub decline_reason: Option<String>,
        pub decline_message: Option<String>,
        pub end_reason: Option<String>,
        pub answered_at: Option<DateTimeUtc>,
        pub finished_at: Option<DateTimeUtc>,
        /// When the match's request was made (time to match reads it here).
        pub requested_at: Option<DateTimeUtc>,
        /// Reminders sent while the proposal waited for its answer.
        pub reminders_sent: i32,
        /// When the next reminder falls due; null when none is left.
        pub next_reminder_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub actor_id: Option<String>,
        pub subject_kind: String,
        pub subject_id: String,
        pub from_state: Option<String>,
        pub to_state: String,
        pub at: DateTimeUtc,
        pub reason: Option<String>,
    }
    no_relations!();
}

pub mod notification {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub person_id: String,
        pub kind: String,
        pub match_id: Option<String>,
        pub request_id: Option<String>,
        pub payload: String,
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod notification_delivery {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification_delivery")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub channel: String,
        pub target: String,
        pub person_id: Option<String>,
        pub kind: String,
        pub match_id: Option<String>,
        pub request_id: Option<String>,
        pub payload: String,
        pub state: String,
        pub attempts: i32,
        pub due_at: DateTimeUtc,
        pub lease_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub last_attempt_at: Option<DateTimeUtc>,
        pub sent_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod notification_preference {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification_preference")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub email: bool,
    }
    no_relations!();
}

pub mod check_in {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "check_in")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub match_id: String,
        pub author_id: String,
        pub held_on: String,
        pub minutes: i32,
        pub topics: String,
        pub notes: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod milestone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestone")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub match_id: String,
        /// The match's program, kept on the row for the level figures.
        pub program_id: Option<String>,
        pub mentee_id: String,
        pub recorded_by: String,
        pub kind: String,
        pub new_level: Option<i32>,
        pub previous_level: Option<i32>,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub match_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub side: String,
        pub author_id: String,
        pub rating: i32,
        pub comment: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

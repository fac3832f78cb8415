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

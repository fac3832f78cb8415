//! People, catalogs (skills, foundations, projects) and the mentor and mentee
//! profiles that refer to them.

const UP: &str = r#"
CREATE TABLE person (
    id TEXT PRIMARY KEY,
    sub TEXT UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    department TEXT,
    manager_id TEXT REFERENCES person (id),
    timezone TEXT,
    languages TEXT NOT NULL DEFAULT '',
    osmm_level SMALLINT NOT NULL DEFAULT 1 CHECK (osmm_level BETWEEN 1 AND 5),
    sso_name TEXT,
    sso_email TEXT,
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE INDEX person_email ON person (email);
CREATE INDEX person_manager ON person (manager_id);

CREATE TABLE skill (
    id {ID},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT
);

CREATE TABLE foundation (
    id {ID},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE project (
    id {ID},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    repository_url TEXT,
    foundation_id BIGINT REFERENCES foundation (id)
);

CREATE TABLE mentor_profile (
    person_id TEXT PRIMARY KEY REFERENCES person (id),
    capacity SMALLINT NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    live_count SMALLINT NOT NULL DEFAULT 0 CHECK (live_count >= 0 AND live_count <= capacity),
    accepting BOOLEAN NOT NULL,
    bio TEXT,
    updated_at {TS} NOT NULL
);
CREATE INDEX mentor_profile_accepting ON mentor_profile (accepting);

CREATE TABLE mentor_skill (
    person_id TEXT NOT NULL REFERENCES mentor_profile (person_id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skill (id),
    proficiency SMALLINT NOT NULL CHECK (proficiency BETWEEN 1 AND 5),
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX mentor_skill_skill ON mentor_skill (skill_id);

CREATE TABLE mentor_project (
    person_id TEXT NOT NULL REFERENCES mentor_profile (person_id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES project (id),
    role TEXT NOT NULL,
    PRIMARY KEY (person_id, project_id)
);
CREATE INDEX mentor_project_project ON mentor_project (project_id);

CREATE TABLE mentor_foundation (
    person_id TEXT NOT NULL REFERENCES mentor_profile (person_id) ON DELETE CASCADE,
    foundation_id BIGINT NOT NULL REFERENCES foundation (id),
    role TEXT NOT NULL,
    PRIMARY KEY (person_id, foundation_id)
);
CREATE INDEX mentor_foundation_foundation ON mentor_foundation (foundation_id);

CREATE TABLE mentor_topic (
    person_id TEXT NOT NULL REFERENCES mentor_profile (person_id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    PRIMARY KEY (person_id, topic)
);
CREATE INDEX mentor_topic_topic ON mentor_topic (topic);

CREATE TABLE mentee_profile (
    person_id TEXT PRIMARY KEY REFERENCES person (id),
    target_level SMALLINT NOT NULL CHECK (target_level BETWEEN 1 AND 5),
    max_timezone_diff_hours SMALLINT CHECK (max_timezone_diff_hours BETWEEN 0 AND 24),
    languages TEXT NOT NULL DEFAULT '',
    updated_at {TS} NOT NULL
);

CREATE TABLE mentee_skill (
    person_id TEXT NOT NULL REFERENCES mentee_profile (person_id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skill (id),
    priority SMALLINT NOT NULL CHECK (priority BETWEEN 1 AND 3),
    PRIMARY KEY (person_id, skill_id)
);

CREATE TABLE mentee_project (
    person_id TEXT NOT NULL REFERENCES mentee_profile (person_id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES project (id),
    PRIMARY KEY (person_id, project_id)
);

CREATE TABLE mentee_foundation (
    person_id TEXT NOT NULL REFERENCES mentee_profile (person_id) ON DELETE CASCADE,
    foundation_id BIGINT NOT NULL REFERENCES foundation (id),
    PRIMARY KEY (person_id, foundation_id)
);

CREATE TABLE mentee_topic (
    person_id TEXT NOT NULL REFERENCES mentee_profile (person_id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    PRIMARY KEY (person_id, topic)
)
"#;

const DOWN: &str = r#"
DROP TABLE mentee_topic; DROP TABLE mentee_foundation; DROP TABLE mentee_project;
DROP TABLE mentee_skill; DROP TABLE mentee_profile;
DROP TABLE mentor_topic; DROP TABLE mentor_foundation; DROP TABLE mentor_project;
DROP TABLE mentor_skill; DROP TABLE mentor_profile;
DROP TABLE project; DROP TABLE foundation; DROP TABLE skill; DROP TABLE person
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0001_people_and_catalogs",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};

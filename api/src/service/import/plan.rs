//! Checked rows + what the database holds → what to write. Pure: the caller
//! loads [`Known`] in a few batched queries and writes the [`Plan`] in one
//! transaction.

use std::collections::{HashMap, HashSet};

use domain::values::{Capacity, Slug};

use super::parse::{Column, MenteeCells, MentorCells, Row, RowError};
use crate::store::people::{Person, new_id};
use crate::store::profiles::{MenteeProfile, MentorProfile};

/// What the database holds about the file's people, their managers and the
/// catalog.
#[derive(Debug, Default)]
pub struct Known {
    /// People by email: the file's emails and its manager emails. More than
    /// one person per email is possible (emails are not unique) and refused.
    pub by_email: HashMap<String, Vec<Person>>,
    /// Stored reporting lines (id → manager id, email) of the people above
    /// them, followed to the top.
    pub above: HashMap<String, (Option<String>, Option<String>)>,
    pub skills: HashMap<String, i64>,
    pub projects: HashMap<String, i64>,
    pub foundations: HashMap<String, i64>,
    pub mentors: HashMap<String, MentorProfile>,
    pub mentees: HashMap<String, MenteeProfile>,
}

/// What an import writes, and its report's counts. With `errors`, nothing
/// is written; the counts then say what the good rows would have done.
#[derive(Debug, Default)]
pub struct Plan {
    /// New and changed people, each manager before the people reporting to
    /// them (a new manager must exist before a report points at them).
    pub people: Vec<Person>,
    /// New and changed mentor profiles, whole.
    pub mentors: Vec<MentorProfile>,
    pub mentees: Vec<MenteeProfile>,
    /// Mentors with seats the import opened (new, more capacity, accepting
    /// again): waiting requests are offered them after the commit.
    pub opened_seats: Vec<String>,
    /// People the file marks `active=false` who are still active, to
    /// deactivate (with the cascade) once written.
    pub deactivate: Vec<String>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// One good row, resolved.
struct Resolved {
    line: u64,
    is_new: bool,
    person: Person,
    person_changed: bool,
    /// The manager came from the file (not the stored value).
    manager_from_file: bool,
    mentor: Option<(MentorProfile, bool)>,
    mentee: Option<(MenteeProfile, bool)>,
    opens_seats: bool,
    deactivates: bool,
}

/// The email's local part: the name of a new person whose row has none.
fn local_part(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

/// Plans the good `rows`; `errors` are the file's refusals so far and
/// `refused` the emails of its refused rows (with their lines).
pub fn plan(
    rows: &[Row],
    refused: &HashMap<String, u64>,
    known: &Known,
    mut errors: Vec<RowError>,
) -> Plan {
    let mut refuse = |line: u64, column: Column, reason: String| {
        errors.push(RowError {
            line,
            column: Some(column),
            reason,
        });
    };
    // Who each row is: a stored person with that email, or a new one.
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut stored: Vec<Option<&Person>> = Vec::with_capacity(rows.len());
    let mut good = vec![true; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        stored.push(None);
        let first = match seen.get(row.email.as_str()) {
            Some(&line) => Some(line),
            None => refused.get(&row.email).copied().filter(|l| *l < row.line),
        };
        if let Some(first) = first {
            refuse(
                row.line,
                Column::Email,
                format!("{} is also on line {first}", row.email),
            );
            good[i] = false;
            continue;
        }
        seen.insert(&row.email, row.line);
        match known.by_email.get(&row.email).map(Vec::as_slice) {
            Some([one]) => {
                ids.insert(&row.email, one.id.clone());
                stored[i] = Some(one);
            }
            Some(many @ [_, _, ..]) => {
                refuse(
                    row.line,
                    Column::Email,
                    format!(
                        "{} people in Tandem have this email; it must name one",
                        many.len()
                    ),
                );
                good[i] = false;
            }
            _ => {
                ids.insert(&row.email, new_id());
            }
        }
    }

    let mut resolved: Vec<Resolved> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if !good[i] {
            continue;
        }
        let before_errors = errors.len();
        let mut refuse = |column: Column, reason: String| {
            errors.push(RowError {
                line: row.line,
                column: Some(column),
                reason,
            });
        };
        let Some(id) = ids.get(row.email.as_str()).cloned() else {
            continue;
        };
        let manager_id = match &row.manager_email {
            None => None,
            Some(m) if *m == row.email => {
                refuse(
                    Column::ManagerEmail,
                    "a person cannot be their own manager".into(),
                );
                None
            }
            Some(m) => match (
                ids.get(m.as_str()),
                known.by_email.get(m).map(Vec::as_slice),
            ) {
                (Some(id), _) => Some(id.clone()),
                (None, Some([one])) => Some(one.id.clone()),
                // The manager's own row is refused: reported there.
                (None, _) if refused.contains_key(m) => None,
                (None, Some(many @ [_, _, ..])) => {
                    refuse(
                        Column::ManagerEmail,
                        format!(
                            "{} people in Tandem have the email {m}; it must name one",
                            many.len()
                        ),
                    );
                    None
                }
                (None, _) => {
                    refuse(
                        Column::ManagerEmail,
                        format!("unknown manager {m}: neither in the file nor in Tandem"),
                    );
                    None
                }
            },
        };
        let before = stored[i];
        let mut person = before.cloned().unwrap_or_else(|| Person {
            display_name: local_part(&row.email),
            email: Some(row.email.clone()),
            ..Person::blank(id.clone())
        });
        if let Some(name) = &row.name {
            person.display_name.clone_from(name);
        }
        if let Some(department) = &row.department {
            person.department = Some(department.clone());
        }
        if manager_id.is_some() {
            person.manager_id = manager_id;
        }
        if let Some(timezone) = &row.timezone {
            person.timezone = Some(timezone.clone());
        }
        if let Some(languages) = &row.languages {
            person.languages.clone_from(languages);
        }
        if let Some(level) = row.level {
            person.osmm_level = level.get();
        }
        let person_changed = before.is_none_or(|b| *b != person);
        let mentor = row.mentor.as_ref().and_then(|cells| {
            mentor_profile(&id, cells, known.mentors.get(&id), known, &mut refuse)
        });
        let mentee = row.mentee.as_ref().and_then(|cells| {
            mentee_profile(&id, cells, known.mentees.get(&id), known, &mut refuse)
        });
        if errors.len() > before_errors {
            continue;
        }
        let deactivates = row.active == Some(false) && person.is_active();
        let opens_seats = !deactivates
            && person.is_active()
            && mentor.as_ref().is_some_and(|(p, _)| {
                let before = known.mentors.get(&id);
                p.accepting
                    && p.capacity > p.live_count
                    && before.is_none_or(|b| !b.accepting || b.capacity < p.capacity)
            });
        resolved.push(Resolved {
            line: row.line,
            is_new: before.is_none(),
            person,
            person_changed,
            manager_from_file: row.manager_email.is_some(),
            mentor,
            mentee,
            opens_seats,
            deactivates,
        });
    }

    let cyclic = cycles(&resolved, known);
    let mut plan = Plan::default();
    for r in resolved {
        if let Some(cycle) = cyclic.get(r.person.id.as_str()) {
            errors.push(RowError {
                line: r.line,
                column: Some(Column::ManagerEmail),
                reason: format!("management cycle: {cycle}"),
            });
            continue;
        }
        let mentor_changed = r.mentor.as_ref().is_some_and(|(_, changed)| *changed);
        let mentee_changed = r.mentee.as_ref().is_some_and(|(_, changed)| *changed);
        if r.is_new {
            plan.created += 1;
        } else if r.person_changed || mentor_changed || mentee_changed || r.deactivates {
            plan.updated += 1;
        } else {
            plan.unchanged += 1;
        }
        if r.opens_seats {
            plan.opened_seats.push(r.person.id.clone());
        }
        if r.deactivates {
            plan.deactivate.push(r.person.id.clone());
        }
        if let Some((profile, true)) = r.mentor {
            plan.mentors.push(profile);
        }
        if let Some((profile, true)) = r.mentee {
            plan.mentees.push(profile);
        }
        if r.person_changed {
            plan.people.push(r.person);
        }
    }
    plan.people = managers_first(plan.people);
    errors.sort_by_key(|e| e.line);
    plan.errors = errors;
    plan
}

/// Catalog ids of `slugs`, refusing the first unknown one.
fn ids_of<'a, V: Copy + 'a>(
    noun: &str,
    catalog: &HashMap<String, i64>,
    items: impl Iterator<Item = (&'a Slug, V)>,
) -> Result<Vec<(i64, V)>, String> {
    items
        .map(|(slug, v)| {
            catalog
                .get(slug.as_str())
                .map(|id| (*id, v))
                .ok_or_else(|| format!("unknown {noun}: {slug}"))
        })
        .collect()
}

/// A list cell resolved to catalog ids, or the stored list when the cell was
/// empty; an unknown slug is refused in `column`.
fn list<'a, V: Copy + 'a>(
    cell: Option<impl Iterator<Item = (&'a Slug, V)>>,
    stored: impl FnOnce() -> Vec<(i64, V)>,
    noun: &str,
    catalog: &HashMap<String, i64>,
    column: Column,
    refuse: &mut impl FnMut(Column, String),
) -> Vec<(i64, V)> {
    match cell {
        None => stored(),
        Some(items) => ids_of(noun, catalog, items).unwrap_or_else(|reason| {
            refuse(column, reason);
            Vec::new()
        }),
    }
}

fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort();
    items
}

/// The mentor profile after the row: the stored one with the row's
/// non-empty cells applied, or a new one (which needs a capacity). The bool
/// is whether it differs from what is stored.
fn mentor_profile(
    id: &str,
    cells: &MentorCells,
    before: Option<&MentorProfile>,
    known: &Known,
    refuse: &mut impl FnMut(Column, String),
) -> Option<(MentorProfile, bool)> {
    let Some(capacity) = cells
        .capacity
        .map(Capacity::get)
        .or(before.map(|b| b.capacity))
    else {
        refuse(
            Column::MentorCapacity,
            "is required to make this person a mentor".into(),
        );
        return None;
    };
    let live = before.map_or(0, |b| b.live_count);
    if let Some(c) = cells.capacity
        && let Err(e) = domain::mentorship::check_capacity_change(c, live)
    {
        refuse(Column::MentorCapacity, e.to_string());
    }
    let skills = list(
        cells
            .skills
            .as_ref()
            .map(|s| s.iter().map(|(s, p)| (s, p.get()))),
        || before.map(|b| b.skills.clone()).unwrap_or_default(),
        "skill",
        &known.skills,
        Column::MentorSkills,
        refuse,
    );
    let projects = list(
        cells
            .projects
            .as_ref()
            .map(|s| s.iter().map(|(s, r)| (s, *r))),
        || before.map(|b| b.projects.clone()).unwrap_or_default(),
        "project",
        &known.projects,
        Column::MentorProjects,
        refuse,
    );
    let foundations = list(
        cells
            .foundations
            .as_ref()
            .map(|s| s.iter().map(|(s, r)| (s, *r))),
        || before.map(|b| b.foundations.clone()).unwrap_or_default(),
        "foundation",
        &known.foundations,
        Column::MentorFoundations,
        refuse,
    );
    let profile = MentorProfile {
        person_id: id.to_owned(),
        capacity,
        live_count: live,
        accepting: cells
            .accepting
            .or(before.map(|b| b.accepting))
            .unwrap_or(true),
        bio: before.and_then(|b| b.bio.clone()),
        skills,
        projects,
        foundations,
        topics: cells
            .topics
            .clone()
            .or_else(|| before.map(|b| b.topics.clone()))
            .unwrap_or_default(),
    };
    let same = |b: &MentorProfile| {
        b.capacity == profile.capacity
            && b.accepting == profile.accepting
            && sorted(&b.skills) == sorted(&profile.skills)
            && sorted(&b.projects) == sorted(&profile.projects)
            && sorted(&b.foundations) == sorted(&profile.foundations)
            && sorted(&b.topics) == sorted(&profile.topics)
    };
    let changed = before.is_none_or(|b| !same(b));
    Some((profile, changed))
}

/// Like [`mentor_profile`] for the mentee side; a new one needs a target level.
fn mentee_profile(
    id: &str,
    cells: &MenteeCells,
    before: Option<&MenteeProfile>,
    known: &Known,
    refuse: &mut impl FnMut(Column, String),
) -> Option<(MenteeProfile, bool)> {
    let Some(target_level) = cells
        .target_level
        .map(|l| l.get())
        .or(before.map(|b| b.target_level))
    else {
        refuse(
            Column::MenteeTargetLevel,
            "is required to make this person a mentee".into(),
        );
        return None;
    };
    let skills = list(
        cells
            .skills
            .as_ref()
            .map(|s| s.iter().map(|(s, p)| (s, p.get()))),
        || before.map(|b| b.skills.clone()).unwrap_or_default(),
        "skill",
        &known.skills,
        Column::MenteeSkills,
        refuse,
    );
    let bare = |ids: &[i64]| ids.iter().map(|&id| (id, ())).collect::<Vec<_>>();
    let projects = list(
        cells.projects.as_ref().map(|s| s.iter().map(|s| (s, ()))),
        || before.map(|b| bare(&b.projects)).unwrap_or_default(),
        "project",
        &known.projects,
        Column::MenteeProjects,
        refuse,
    );
    let foundations = list(
        cells
            .foundations
            .as_ref()
            .map(|s| s.iter().map(|s| (s, ()))),
        || before.map(|b| bare(&b.foundations)).unwrap_or_default(),
        "foundation",
        &known.foundations,
        Column::MenteeFoundations,
        refuse,
    );
    let profile = MenteeProfile {
        person_id: id.to_owned(),
        target_level,
        max_timezone_diff_hours: cells
            .max_timezone_diff_hours
            .or(before.and_then(|b| b.max_timezone_diff_hours)),
        languages: before.map(|b| b.languages.clone()).unwrap_or_default(),
        skills,
        projects: projects.into_iter().map(|(id, ())| id).collect(),
        foundations: foundations.into_iter().map(|(id, ())| id).collect(),
        topics: cells
            .topics
            .clone()
            .or_else(|| before.map(|b| b.topics.clone()))
            .unwrap_or_default(),
    };
    let same = |b: &MenteeProfile| {
        b.target_level == profile.target_level
            && b.max_timezone_diff_hours == profile.max_timezone_diff_hours
            && sorted(&b.skills) == sorted(&profile.skills)
            && sorted(&b.projects) == sorted(&profile.projects)
            && sorted(&b.foundations) == sorted(&profile.foundations)
            && sorted(&b.topics) == sorted(&profile.topics)
    };
    let changed = before.is_none_or(|b| !same(b));
    Some((profile, changed))
}

/// People of the file whose manager (set by the file) closes a reporting
/// cycle, each with the cycle written from them: `a@x → b@x → a@x`.
///
/// Reporting lines form a graph with at most one edge out of each person,
/// so each walk up either reaches the top or enters a cycle; a person is
/// visited once over all walks.
///
/// # Complexity
/// O(P) for the P people of the file and above them.
fn cycles(resolved: &[Resolved], known: &Known) -> HashMap<String, String> {
    let mut up: HashMap<&str, &str> = HashMap::new();
    let mut email: HashMap<&str, &str> = HashMap::new();
    for (id, (manager, address)) in &known.above {
        if let Some(m) = manager {
            up.insert(id, m);
        }
        if let Some(a) = address {
            email.insert(id, a);
        }
    }
    for people in known.by_email.values() {
        for p in people {
            match &p.manager_id {
                Some(m) => up.insert(&p.id, m),
                None => up.remove(p.id.as_str()),
            };
            if let Some(a) = &p.email {
                email.insert(&p.id, a);
            }
        }
    }
    let mut from_file: HashSet<&str> = HashSet::new();
    for r in resolved {
        match &r.person.manager_id {
            Some(m) => up.insert(&r.person.id, m),
            None => up.remove(r.person.id.as_str()),
        };
        if let Some(a) = &r.person.email {
            email.insert(&r.person.id, a);
        }
        if r.manager_from_file {
            from_file.insert(&r.person.id);
        }
    }
    let name = |id: &str| email.get(id).copied().unwrap_or(id).to_owned();
    let mut walk_of: HashMap<&str, usize> = HashMap::new();
    let mut out = HashMap::new();
    for (walk, r) in resolved.iter().enumerate() {
        let mut path: Vec<&str> = Vec::new();
        let mut node = r.person.id.as_str();
        loop {
            if let Some(&w) = walk_of.get(node) {
                if w == walk {
                    let start = path.iter().position(|n| *n == node).unwrap_or(0);
                    let cycle = &path[start..];
                    // A cycle the database already held is not this file's doing.
                    if cycle.iter().any(|n| from_file.contains(n)) {
                        for (k, n) in cycle.iter().enumerate() {
                            if from_file.contains(n) {
                                let names: Vec<String> = cycle[k..]
                                    .iter()
                                    .chain(&cycle[..=k])
                                    .map(|n| name(n))
                                    .collect();
                                out.insert((*n).to_owned(), names.join(" → "));
                            }
                        }
                    }
                }
                break;
            }
            walk_of.insert(node, walk);
            path.push(node);
            match up.get(node) {
                Some(next) => node = next,
                None => break,
            }
        }
    }
    out
}

/// Orders people so each comes after their manager when both are written:
/// by depth below the nearest manager who is not written. The file has no
/// cycles when this runs; a cycle the database already held is cut after
/// `people.len()` steps instead of looping.
fn managers_first(people: Vec<Person>) -> Vec<Person> {
    let index: HashMap<&str, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; people.len()];
    for start in 0..people.len() {
        let mut chain = Vec::new();
        let mut node = start;
        let base = loop {
            if let Some(d) = depth[node] {
                break d + 1;
            }
            chain.push(node);
            if chain.len() > people.len() {
                break 0;
            }
            match people[node]
                .manager_id
                .as_deref()
                .and_then(|m| index.get(m))
            {
                Some(&up) => node = up,
                None => break 0,
            }
        };
        for (k, &n) in chain.iter().rev().enumerate() {
            depth[n].get_or_insert(base + k);
        }
    }
    let mut ordered: Vec<(usize, Person)> = people
        .into_iter()
        .enumerate()
        .map(|(i, p)| (depth[i].unwrap_or(0), p))
        .collect();
    ordered.sort_by_key(|(d, _)| *d);
    ordered.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::import::parse::read;

    fn person(id: &str, email: &str, manager: Option<&str>) -> Person {
        Person {
            display_name: id.into(),
            email: Some(email.into()),
            manager_id: manager.map(str::to_owned),
            ..Person::blank(id.into())
        }
    }

    fn plan_of(csv: &str, known: &Known) -> Plan {
        let parsed = read(csv.as_bytes()).unwrap();
        plan(&parsed.rows, &parsed.refused, known, parsed.errors)
    }

    #[test]
    fn a_cycle_through_a_stored_manager_is_refused_on_the_rows_that_close_it() {
        // b (stored) reports to c (stored), c reports to a (stored); the file
        // makes a report to b: a → b → c → a.
        let mut known = Known::default();
        known
            .by_email
            .insert("a@x.com".into(), vec![person("A", "a@x.com", Some("C"))]);
        known
            .by_email
            .insert("b@x.com".into(), vec![person("B", "b@x.com", Some("C"))]);
        known
            .above
            .insert("C".into(), (Some("A".into()), Some("c@x.com".into())));
        let plan = plan_of("email,manager_email\na@x.com,b@x.com\n", &known);
        assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
        assert_eq!(plan.errors[0].line, 2);
        assert_eq!(
            plan.errors[0].reason,
            "management cycle: a@x.com → b@x.com → c@x.com → a@x.com"
        );
    }

    #[test]
    fn a_cycle_inside_the_file_names_every_row_that_closes_it() {
        let plan = plan_of(
            "email,manager_email\na@x.com,b@x.com\nb@x.com,a@x.com\nc@x.com,a@x.com\n",
            &Known::default(),
        );
        let lines: Vec<u64> = plan.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3]);
        assert_eq!(
            plan.errors[1].reason,
            "management cycle: b@x.com → a@x.com → b@x.com"
        );
        assert_eq!(plan.created, 1, "c's row is good");
    }

    #[test]
    fn new_managers_are_written_before_their_reports() {
        let plan = plan_of(
            "email,manager_email\nd@x.com,c@x.com\nc@x.com,b@x.com\nb@x.com,a@x.com\na@x.com,\n",
            &Known::default(),
        );
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let order: Vec<&str> = plan
            .people
            .iter()
            .map(|p| p.email.as_deref().unwrap())
            .collect();
        assert_eq!(order, vec!["a@x.com", "b@x.com", "c@x.com", "d@x.com"]);
        assert_eq!(plan.created, 4);
    }

    #[test]
    fn unknown_managers_duplicate_emails_and_self_management_are_refused() {
        let plan = plan_of(
            "email,manager_email\na@x.com,ghost@x.com\nb@x.com,b@x.com\nc@x.com,\nc@x.com,\n",
            &Known::default(),
        );
        let reasons: Vec<(u64, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (
                    2,
                    "unknown manager ghost@x.com: neither in the file nor in Tandem"
                ),
                (3, "a person cannot be their own manager"),
                (5, "c@x.com is also on line 4"),
            ]
        );
    }

    #[test]
    fn a_manager_whose_row_is_refused_is_reported_once_on_that_row() {
        let plan = plan_of(
            "email,manager_email,level\nboss@x.com,,9\na@x.com,boss@x.com,2\nboss@x.com,,3\n",
            &Known::default(),
        );
        let reasons: Vec<(u64, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (2, "level must be between 1 and 5, got 9"),
                (4, "boss@x.com is also on line 2"),
            ]
        );
    }

    #[test]
    fn a_new_mentor_needs_a_capacity_and_known_slugs() {
        let mut known = Known::default();
        known.skills.insert("rust".into(), 1);
        let plan = plan_of(
            "email,mentor_capacity,mentor_skills\na@x.com,,rust:5\nb@x.com,2,rust:5;cobol:3\nc@x.com,2,rust:4\n",
            &known,
        );
        let reasons: Vec<(u64, Option<Column>, &str)> = plan
            .errors
            .iter()
            .map(|e| (e.line, e.column, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (
                    2,
                    Some(Column::MentorCapacity),
                    "is required to make this person a mentor"
                ),
                (3, Some(Column::MentorSkills), "unknown skill: cobol"),
            ]
        );
        assert_eq!(plan.mentors.len(), 1);
        assert_eq!(plan.mentors[0].skills, vec![(1, 4)]);
        assert!(plan.mentors[0].accepting);
        assert_eq!(plan.opened_seats.len(), 1);
    }

    #[test]
    fn a_stored_person_with_the_same_values_is_unchanged() {
        let mut known = Known::default();
        let mut stored = person("A", "a@x.com", None);
        stored.display_name = "Ann".into();
        stored.osmm_level = 3;
        known.by_email.insert("a@x.com".into(), vec![stored]);
        known.mentors.insert(
            "A".into(),
            MentorProfile {
                person_id: "A".into(),
                capacity: 2,
                live_count: 2,
                accepting: true,
                bio: Some("kept".into()),
                skills: vec![],
                projects: vec![],
                foundations: vec![],
                topics: vec![],
            },
        );
        let same = plan_of(
            "email,name,level,mentor_accepting\na@x.com,Ann,3,true\n",
            &known,
        );
        assert_eq!((same.unchanged, same.updated), (1, 0));
        assert!(same.people.is_empty() && same.mentors.is_empty());
        let lower = plan_of("email,mentor_capacity\na@x.com,1\n", &known);
        assert_eq!(lower.errors[0].column, Some(Column::MentorCapacity));
        let more = plan_of("email,name,mentor_capacity\na@x.com,Anne,3\n", &known);
        assert_eq!((more.updated, more.people.len()), (1, 1));
        assert_eq!(more.mentors[0].bio.as_deref(), Some("kept"));
        assert_eq!(more.opened_seats, vec!["A".to_owned()]);
    }

    #[test]
    fn only_false_deactivates_and_only_the_active() {
        let mut known = Known::default();
        known
            .by_email
            .insert("a@x.com".into(), vec![person("A", "a@x.com", None)]);
        let mut gone = person("B", "b@x.com", None);
        gone.deactivated_at = Some(chrono::Utc::now());
        known.by_email.insert("b@x.com".into(), vec![gone]);
        known
            .by_email
            .insert("c@x.com".into(), vec![person("C", "c@x.com", None)]);
        let plan = plan_of(
            "email,active\na@x.com,false\nb@x.com,TRUE\nc@x.com,\nd@x.com,false\n",
            &known,
        );
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        // A is deactivated; B stays deactivated (`true` does not bring
        // anyone back); C is untouched; D is created, then deactivated.
        assert_eq!(plan.deactivate.len(), 2);
        assert_eq!(plan.deactivate[0], "A");
        assert_eq!((plan.created, plan.updated, plan.unchanged), (1, 1, 2));
        let bad = plan_of("email,active\na@x.com,no\n", &known);
        assert_eq!(bad.errors[0].column, Some(Column::Active));
    }
}

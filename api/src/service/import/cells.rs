//! One CSV cell → domain values. Lists are `;`-separated (`en;fr`), pairs
//! are `slug:value` (`rust:5;licensing:4`). Each parser checks with the same
//! `domain::values` types the profile mutations use and returns the reason a
//! cell is refused, worded for the import report.

use std::collections::HashSet;

use domain::values::{
    FoundationRole, MentoringTopic, OutOfRange, Priority, Proficiency, ProjectRole, Slug, language,
};

use crate::service::profiles::{MAX_ITEMS, MAX_LANGUAGES, canonical_timezone};

pub type CellResult<T> = Result<T, String>;

/// The items of a `;` list, trimmed; empty items (a trailing `;`) are skipped.
fn items(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn at_most<T>(items: Vec<T>, max: usize) -> CellResult<Vec<T>> {
    if items.len() > max {
        return Err(format!("at most {max} entries, got {}", items.len()));
    }
    Ok(items)
}

/// Refuses a list naming the same entry twice: which value was meant cannot
/// be guessed.
fn no_duplicates<'a>(slugs: impl Iterator<Item = &'a Slug>) -> CellResult<()> {
    let mut seen = HashSet::new();
    for slug in slugs {
        if !seen.insert(slug.as_str()) {
            return Err(format!("lists {slug} twice"));
        }
    }
    Ok(())
}

/// A whole number checked by a bounded domain type (`OsmmLevel`, `Capacity`…).
pub fn whole<T: TryFrom<i64, Error = OutOfRange>>(raw: &str) -> CellResult<T> {
    let n: i64 = raw
        .parse()
        .map_err(|_| format!("must be a whole number, got {raw:?}"))?;
    T::try_from(n).map_err(|e| e.to_string())
}

/// `true` or `false`, in any case.
pub fn boolean(raw: &str) -> CellResult<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("must be true or false, got {raw:?}")),
    }
}

/// An IANA time zone, stored under its canonical name.
pub fn timezone(raw: &str) -> CellResult<String> {
    canonical_timezone(raw)
        .ok_or_else(|| format!("must be an IANA time zone such as Europe/Paris, got {raw:?}"))
}

/// Hours of time-zone difference a mentee accepts, 0–24.
pub fn timezone_hours(raw: &str) -> CellResult<u8> {
    match raw.parse::<i64>() {
        Ok(h @ 0..=24) => Ok(h as u8),
        Ok(h) => Err(format!("must be between 0 and 24, got {h}")),
        Err(_) => Err(format!("must be a whole number of hours, got {raw:?}")),
    }
}

/// `en;fr`: language tags, lowercased, each once, in the order given.
pub fn languages(raw: &str) -> CellResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in items(raw) {
        let tag = language(item).map_err(|e| e.to_string())?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    at_most(out, MAX_LANGUAGES)
}

/// `maintainership;standards`: mentoring topics, sorted, each once.
pub fn topics(raw: &str) -> CellResult<Vec<MentoringTopic>> {
    let mut out = items(raw)
        .map(|item| {
            MentoringTopic::from_slug(&item.to_ascii_lowercase()).ok_or_else(|| {
                format!(
                    "unknown topic {item:?}; topics are {}",
                    vocabulary(MentoringTopic::ALL.iter().map(|t| t.slug()))
                )
            })
        })
        .collect::<CellResult<Vec<_>>>()?;
    out.sort();
    out.dedup();
    at_most(out, MAX_ITEMS)
}

/// `legend;tokio`: catalog slugs, each once.
pub fn slugs(field: &'static str, raw: &str) -> CellResult<Vec<Slug>> {
    let out = items(raw)
        .map(|item| Slug::parse(field, item).map_err(|e| e.to_string()))
        .collect::<CellResult<Vec<_>>>()?;
    no_duplicates(out.iter())?;
    at_most(out, MAX_ITEMS)
}

/// `slug:value;…` with `value` checked by `parse`; `shape` names the pair in
/// messages (`skill:proficiency`).
fn pairs<V>(
    field: &'static str,
    shape: &str,
    raw: &str,
    parse: impl Fn(&str) -> CellResult<V>,
) -> CellResult<Vec<(Slug, V)>> {
    let out = items(raw)
        .map(|item| {
            let (slug, value) = item
                .split_once(':')
                .ok_or_else(|| format!("expected {shape}, got {item:?}"))?;
            let slug = Slug::parse(field, slug.trim()).map_err(|e| e.to_string())?;
            let value = parse(value.trim()).map_err(|e| format!("{slug}: {e}"))?;
            Ok((slug, value))
        })
        .collect::<CellResult<Vec<_>>>()?;
    no_duplicates(out.iter().map(|(s, _)| s))?;
    at_most(out, MAX_ITEMS)
}

/// `rust:5;licensing:4`: skills with proficiency 1–5.
pub fn skill_levels(raw: &str) -> CellResult<Vec<(Slug, Proficiency)>> {
    pairs("skill", "skill:proficiency", raw, whole::<Proficiency>)
}

/// `rust:1;governance:2`: wanted skills with priority 1–3 (1 = most wanted).
pub fn wanted_skills(raw: &str) -> CellResult<Vec<(Slug, Priority)>> {
    pairs("skill", "skill:priority", raw, whole::<Priority>)
}

/// `tokio:maintainer;legend:contributor`.
pub fn project_roles(raw: &str) -> CellResult<Vec<(Slug, ProjectRole)>> {
    pairs("project", "project:role", raw, |role| {
        ProjectRole::from_slug(&role.to_ascii_lowercase()).ok_or_else(|| {
            format!(
                "unknown project role {role:?}; roles are {}",
                vocabulary(ProjectRole::ALL.iter().map(|r| r.slug()))
            )
        })
    })
}

/// `finos:tsc-member;cncf:member`.
pub fn foundation_roles(raw: &str) -> CellResult<Vec<(Slug, FoundationRole)>> {
    pairs("foundation", "foundation:role", raw, |role| {
        FoundationRole::from_slug(&role.to_ascii_lowercase()).ok_or_else(|| {
            format!(
                "unknown foundation role {role:?}; roles are {}",
                vocabulary(FoundationRole::ALL.iter().map(|r| r.slug()))
            )
        })
    })
}

fn vocabulary<'a>(slugs: impl Iterator<Item = &'a str>) -> String {
    slugs.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use domain::values::{Capacity, OsmmLevel};

    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::parse("test", s).unwrap()
    }

    #[test]
    fn skill_levels_parse_pairs_and_skip_empty_items() {
        let parsed = skill_levels(" rust:5 ; licensing : 4;").unwrap();
        assert_eq!(
            parsed,
            vec![
                (slug("rust"), Proficiency::try_from(5).unwrap()),
                (slug("licensing"), Proficiency::try_from(4).unwrap()),
            ]
        );
        assert_eq!(skill_levels("").unwrap(), vec![]);
    }

    #[test]
    fn skill_levels_name_what_is_wrong() {
        assert_eq!(
            skill_levels("rust").unwrap_err(),
            "expected skill:proficiency, got \"rust\""
        );
        assert_eq!(
            skill_levels("rust:6").unwrap_err(),
            "rust: proficiency must be between 1 and 5, got 6"
        );
        assert_eq!(
            skill_levels("rust:high").unwrap_err(),
            "rust: must be a whole number, got \"high\""
        );
        assert!(skill_levels("Rust:3").unwrap_err().contains("lowercase"));
        assert_eq!(
            skill_levels("rust:3;rust:4").unwrap_err(),
            "lists rust twice"
        );
    }

    #[test]
    fn wanted_skills_take_priorities_one_to_three() {
        assert_eq!(
            wanted_skills("rust:1;governance:3").unwrap()[1],
            (slug("governance"), Priority::try_from(3).unwrap())
        );
        assert_eq!(
            wanted_skills("rust:4").unwrap_err(),
            "rust: priority must be between 1 and 3, got 4"
        );
    }

    #[test]
    fn roles_are_the_domain_vocabularies() {
        assert_eq!(
            project_roles("tokio:maintainer;legend:Contributor").unwrap(),
            vec![
                (slug("tokio"), ProjectRole::Maintainer),
                (slug("legend"), ProjectRole::Contributor),
            ]
        );
        let bad = project_roles("tokio:boss").unwrap_err();
        assert!(
            bad.starts_with("tokio: unknown project role \"boss\"; roles are user, contributor")
        );
        assert_eq!(
            foundation_roles("finos:tsc-member").unwrap(),
            vec![(slug("finos"), FoundationRole::TscMember)]
        );
        assert!(
            foundation_roles("finos:chair")
                .unwrap_err()
                .contains("working-group-chair")
        );
    }

    #[test]
    fn topics_are_sorted_and_unique() {
        assert_eq!(
            topics("standards;maintainership;standards").unwrap(),
            vec![MentoringTopic::Maintainership, MentoringTopic::Standards]
        );
        assert!(
            topics("gardening")
                .unwrap_err()
                .starts_with("unknown topic \"gardening\"")
        );
    }

    #[test]
    fn slugs_refuse_duplicates_and_bad_slugs() {
        assert_eq!(
            slugs("project", "legend;tokio").unwrap(),
            vec![slug("legend"), slug("tokio")]
        );
        assert_eq!(
            slugs("project", "tokio;tokio").unwrap_err(),
            "lists tokio twice"
        );
        assert!(slugs("project", "to kio").unwrap_err().contains("project"));
    }

    #[test]
    fn languages_are_lowercased_once_each_and_bounded() {
        assert_eq!(languages("EN;fr;en").unwrap(), vec!["en", "fr"]);
        assert!(languages("english!").unwrap_err().contains("language tag"));
        let many = (0..11)
            .map(|i| format!("a{}", (b'a' + i) as char))
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(languages(&many).unwrap_err(), "at most 10 entries, got 11");
    }

    #[test]
    fn lists_are_bounded() {
        let many = (0..51).map(|i| format!("s{i}:1")).collect::<Vec<_>>();
        assert_eq!(
            skill_levels(&many.join(";")).unwrap_err(),
            "at most 50 entries, got 51"
        );
    }

    #[test]
    fn numbers_booleans_and_time_zones() {
        assert_eq!(whole::<OsmmLevel>("3").unwrap().get(), 3);
        assert_eq!(
            whole::<OsmmLevel>("6").unwrap_err(),
            "level must be between 1 and 5, got 6"
        );
        assert_eq!(
            whole::<Capacity>("two").unwrap_err(),
            "must be a whole number, got \"two\""
        );
        assert!(boolean("TRUE").unwrap());
        assert!(!boolean("false").unwrap());
        assert_eq!(
            boolean("yes").unwrap_err(),
            "must be true or false, got \"yes\""
        );
        assert_eq!(timezone("Europe/Paris").unwrap(), "Europe/Paris");
        assert!(timezone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert_eq!(timezone_hours("24").unwrap(), 24);
        assert_eq!(
            timezone_hours("25").unwrap_err(),
            "must be between 0 and 24, got 25"
        );
    }
}

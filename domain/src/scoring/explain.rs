//! One-line explanations of a score's components, built on demand for the
//! pairs actually shown (design.md, "Performance": explanation strings only
//! for what is returned). Reads the uncompiled features and the same
//! [`rules`] the scorer uses; never scores.

use std::fmt::Write;

use super::features::{MenteeFeatures, MentorFeatures, best_per_index, normalize_language};
use super::policy::Criterion;
use super::rules;
use super::score::{Hours, Score};
use crate::values::{FoundationRole, ProjectRole};

/// Display names for catalog indexes (slugs or names, the caller's choice).
pub trait CatalogNames {
    fn skill(&self, index: u32) -> Option<&str>;
    fn project(&self, index: u32) -> Option<&str>;
    fn foundation(&self, index: u32) -> Option<&str>;
}

/// One line of evidence per criterion, in [`Criterion::ALL`] order, such as
/// "covers 3 of 4 wanted skills: rust (5/5), licensing (3/5), governance
/// (4/5)" or "2 of 3 places free". A criterion the policy weighs 0 says so.
/// An index `names` does not know is shown as `skill #12`.
pub fn explain(
    mentor: &MentorFeatures,
    mentee: &MenteeFeatures,
    score: &Score,
    names: &impl CatalogNames,
) -> [String; Criterion::COUNT] {
    std::array::from_fn(|i| {
        let criterion = Criterion::ALL[i];
        let mut line = match criterion {
            Criterion::Skills => skills(mentor, mentee, names),
            Criterion::Projects => projects(mentor, mentee, names),
            Criterion::Foundations => foundations(mentor, mentee, names),
            Criterion::Maturity => maturity(mentor, mentee),
            Criterion::Topics => topics(mentor, mentee),
            Criterion::Timezone => timezone(mentor, mentee),
            Criterion::Language => language(mentor, mentee),
            Criterion::Load => load(mentor),
        };
        if score.component(criterion).weight == 0.0 {
            line.push_str(" (not weighed by this policy)");
        }
        line
    })
}

fn name(found: Option<&str>, kind: &str, index: u32) -> String {
    found.map_or_else(|| format!("{kind} #{index}"), str::to_owned)
}

fn skills(mentor: &MentorFeatures, mentee: &MenteeFeatures, names: &impl CatalogNames) -> String {
    // Most wanted first, as the mentee ranked them; the same dedup as compiling.
    let mut wanted = best_per_index(
        mentee
            .wanted_skills
            .iter()
            .map(|(i, p)| (*i, rules::priority_weight(*p))),
    );
    wanted.sort_by(|a, b| b.credit.cmp(&a.credit).then(a.index.cmp(&b.index)));
    if wanted.is_empty() {
        return "you named no wanted skills".to_owned();
    }
    let has = best_per_index(mentor.skills.iter().map(|(i, p)| (*i, u32::from(p.get()))));
    let proficiency = |index| {
        has.binary_search_by_key(&index, |s| s.index)
            .ok()
            .map(|at| has[at].credit)
    };
    let covered: Vec<String> = wanted
        .iter()
        .filter_map(|w| {
            let p = proficiency(w.index)?;
            Some(format!(
                "{} ({p}/{})",
                name(names.skill(w.index), "skill", w.index),
                rules::PROFICIENCY_SCALE
            ))
        })
        .collect();
    let n = wanted.len();
    let noun = if n == 1 { "skill" } else { "skills" };
    if covered.is_empty() {
        format!("covers none of your {n} wanted {noun}")
    } else {
        format!(
            "covers {} of {n} wanted {noun}: {}",
            covered.len(),
            covered.join(", ")
        )
    }
}

fn projects(mentor: &MentorFeatures, mentee: &MenteeFeatures, names: &impl CatalogNames) -> String {
    let interests = best_per_index(mentee.projects.iter().map(|&i| (i, 1)));
    if interests.is_empty() {
        return "you follow no projects".to_owned();
    }
    let roles = best_per_index(mentor.projects.iter().map(|(i, r)| (*i, r.index() as u32)));
    let ties: Vec<(&str, String)> = roles
        .iter()
        .filter(|r| {
            interests
                .binary_search_by_key(&r.index, |i| i.index)
                .is_ok()
        })
        .map(|r| {
            (
                ProjectRole::ALL[r.credit as usize].slug(),
                name(names.project(r.index), "project", r.index),
            )
        })
        .collect();
    match ties.as_slice() {
        [] => format!(
            "no role on the {} you follow",
            plural(interests.len(), "project")
        ),
        [(role, project)] => format!("{role} of a project you follow: {project}"),
        many => {
            let each: Vec<String> = many
                .iter()
                .map(|(role, project)| format!("{role} of {project}"))
                .collect();
            format!("on {} projects you follow: {}", many.len(), each.join(", "))
        }
    }
}

fn foundation_role(role: FoundationRole) -> &'static str {
    match role {
        FoundationRole::Member => "member",
        FoundationRole::Contributor => "contributor",
        FoundationRole::WorkingGroupMember => "working-group member",
        FoundationRole::WorkingGroupChair => "working-group chair",
        FoundationRole::TscMember => "TSC member",
        FoundationRole::BoardMember => "board member",
    }
}

fn foundations(
    mentor: &MentorFeatures,
    mentee: &MenteeFeatures,
    names: &impl CatalogNames,
) -> String {
    let interests = best_per_index(mentee.foundations.iter().map(|&i| (i, 1)));
    if interests.is_empty() {
        return "you named no foundations to engage with".to_owned();
    }
    let roles = best_per_index(
        mentor
            .foundations
            .iter()
            .map(|(i, r)| (*i, r.index() as u32)),
    );
    let ties: Vec<String> = roles
        .iter()
        .filter(|r| {
            interests
                .binary_search_by_key(&r.index, |i| i.index)
                .is_ok()
        })
        .map(|r| {
            let role = foundation_role(FoundationRole::ALL[r.credit as usize]);
            format!(
                "{role} of {}",
                name(names.foundation(r.index), "foundation", r.index)
            )
        })
        .collect();
    match ties.as_slice() {
        [] => format!(
            "no tie to the {} you want to engage with",
            plural(interests.len(), "foundation")
        ),
        [one] => format!("{one}, which you want to engage with"),
        many => format!(
            "ties to {} foundations you want to engage with: {}",
            many.len(),
            many.join(", ")
        ),
    }
}

fn maturity(mentor: &MentorFeatures, mentee: &MenteeFeatures) -> String {
    let (level, current, target) = (mentor.level, mentee.level, mentee.target_level);
    if level < target {
        format!("level {level}, below your target of {target} (you are at {current})")
    } else {
        format!("level {level}, your target is {target} (you are at {current})")
    }
}

fn topics(mentor: &MentorFeatures, mentee: &MenteeFeatures) -> String {
    let mut wanted = mentee.topics.clone();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return "you named no mentoring topics".to_owned();
    }
    let shared: Vec<&str> = wanted
        .iter()
        .filter(|t| mentor.topics.contains(t))
        .map(|t| t.slug())
        .collect();
    if shared.is_empty() {
        format!("mentors on none of your {}", plural(wanted.len(), "topic"))
    } else {
        format!(
            "mentors on {} of your {} topics: {}",
            shared.len(),
            wanted.len(),
            shared.join(", ")
        )
    }
}

fn timezone(mentor: &MentorFeatures, mentee: &MenteeFeatures) -> String {
    let (Some(a), Some(b)) = (mentor.utc_offset_minutes, mentee.utc_offset_minutes) else {
        let whose = if mentor.utc_offset_minutes.is_none() {
            "mentor's"
        } else {
            "your"
        };
        return format!("{whose} timezone is unknown");
    };
    let distance = rules::clock_distance_minutes(rules::minute_of_day(a), rules::minute_of_day(b));
    let shared = rules::shared_working_minutes(distance);
    if distance == 0 {
        return "same timezone".to_owned();
    }
    let mut line = format!("{} apart", Hours(distance));
    if shared == 0 {
        line.push_str(", no working hours shared");
    } else {
        let _ = write!(line, ", {} of working hours shared", Hours(shared));
    }
    line
}

fn language(mentor: &MentorFeatures, mentee: &MenteeFeatures) -> String {
    if mentee.languages.is_empty() {
        return "you have no language preference".to_owned();
    }
    let wanted: Vec<String> = mentee
        .languages
        .iter()
        .map(|l| normalize_language(l))
        .collect();
    let spoken: Vec<String> = mentor
        .languages
        .iter()
        .map(|l| normalize_language(l))
        .collect();
    let mut shared: Vec<&str> = Vec::new();
    for language in wanted.iter().filter(|l| spoken.contains(l)) {
        if !shared.contains(&language.as_str()) {
            shared.push(language);
        }
    }
    if shared.is_empty() {
        format!("speaks none of your languages ({})", wanted.join(", "))
    } else {
        format!("speaks {}", shared.join(", "))
    }
}

fn load(mentor: &MentorFeatures) -> String {
    let capacity = u32::from(mentor.capacity.get());
    let free = capacity - mentor.live_count.min(capacity);
    format!("{free} of {} free", plural(capacity as usize, "place"))
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::fixtures::{level, mentee, mentor, priority, proficiency, scored};
    use crate::scoring::{Policy, ScoreContext, Weights};
    use crate::values::{Capacity, MentoringTopic};

    struct Names;

    impl CatalogNames for Names {
        fn skill(&self, index: u32) -> Option<&str> {
            ["rust", "licensing", "governance", "public-speaking"]
                .get(index as usize)
                .copied()
        }
        fn project(&self, index: u32) -> Option<&str> {
            ["kubernetes", "envoy"].get(index as usize).copied()
        }
        fn foundation(&self, index: u32) -> Option<&str> {
            ["FINOS", "CNCF"].get(index as usize).copied()
        }
    }

    #[test]
    fn explanations_name_the_evidence_for_each_criterion() {
        let mut m = mentor("m");
        m.skills = vec![
            (0, proficiency(5)),
            (1, proficiency(3)),
            (2, proficiency(4)),
        ];
        m.projects = vec![(0, ProjectRole::Maintainer)];
        m.foundations = vec![(0, FoundationRole::BoardMember)];
        m.topics = vec![MentoringTopic::Standards];
        m.capacity = Capacity::try_from(3).unwrap();
        m.utc_offset_minutes = Some(180);
        let mut e = mentee("e");
        e.wanted_skills = vec![
            (2, priority(2)),
            (0, priority(1)),
            (1, priority(1)),
            (3, priority(3)),
        ];
        e.projects = vec![0];
        e.foundations = vec![0];
        e.topics = vec![MentoringTopic::Standards, MentoringTopic::Compliance];
        e.languages = vec!["en".into(), "fr".into()];
        e.target_level = level(4);
        let lines = explain(&m, &e, &scored(&m, &e), &Names);
        assert_eq!(
            lines,
            [
                "covers 3 of 4 wanted skills: rust (5/5), licensing (3/5), governance (4/5)",
                "maintainer of a project you follow: kubernetes",
                "board member of FINOS, which you want to engage with",
                "level 4, your target is 4 (you are at 2)",
                "mentors on 1 of your 2 topics: standards",
                "3 h apart, 5 h of working hours shared",
                "speaks en",
                "2 of 3 places free",
            ]
        );
    }

    #[test]
    fn explanations_say_when_nothing_matches_or_nothing_was_asked() {
        let mut m = mentor("m");
        m.utc_offset_minutes = None;
        m.projects = vec![(0, ProjectRole::Lead), (1, ProjectRole::User)];
        m.level = level(1);
        m.live_count = 2;
        let mut e = mentee("e");
        e.wanted_skills = vec![(9, priority(1))];
        e.projects = vec![1, 0];
        e.foundations = vec![1, 7];
        e.languages = vec!["de".into()];
        let policy = Policy::new(
            1,
            Weights::new([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]).unwrap(),
            0.0,
        )
        .unwrap();
        let ctx = ScoreContext::new(crate::scoring::CapacityCheck::Ignore);
        let score = crate::scoring::fixtures::outcome(&m, &e, &policy, &ctx)
            .score()
            .cloned()
            .unwrap();
        let lines = explain(&m, &e, &score, &Names);
        assert_eq!(
            lines,
            [
                "covers none of your 1 wanted skill",
                "on 2 projects you follow: lead of kubernetes, user of envoy",
                "no tie to the 2 foundations you want to engage with",
                "level 1, below your target of 3 (you are at 2)",
                "you named no mentoring topics",
                "mentor's timezone is unknown",
                "speaks none of your languages (de)",
                "0 of 2 places free (not weighed by this policy)",
            ]
        );
        assert_eq!(name(Names.skill(42), "skill", 42), "skill #42");
    }
}

//! What a notification says: the recipient's message (inbox and email), the
//! one sentence a webhook posts, and the email bodies from templates
//! (plain text, and HTML with every value escaped).

use chrono::{DateTime, Utc};
use domain::mentorship::Side;
use domain::notification::Kind;
use minijinja::Environment;

use super::Facts;

/// A recipient's message: a subject and its paragraphs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub paragraphs: Vec<String>,
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "soon".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

fn decline_reason(slug: Option<&str>) -> &'static str {
    match slug {
        Some("not-right-expertise") => "their expertise is not the right fit",
        Some("no-time-now") => "they have no time for it right now",
        Some("another-mentor-better") => "another mentor would suit you better",
        _ => "of another reason",
    }
}

/// The recipient's copy (`facts.side`); a copy without a side reads as the
/// mentee's where the two differ.
pub fn message(kind: Kind, facts: &Facts) -> Message {
    let (mentor, mentee) = (&facts.mentor, &facts.mentee);
    let d = &facts.detail;
    let to_mentor = facts.side() == Some(Side::Mentor);
    let other = if to_mentor { mentee } else { mentor };
    let mut profile = Vec::new();
    if let Some(goals) = &d.goals {
        profile.push(format!("Their goals: {goals}"));
    }
    if !d.reasons.is_empty() {
        profile.push(format!("Why you: {}.", d.reasons.join("; ")));
    }
    let (subject, mut paragraphs) = match kind {
        Kind::ProposalCreated => (
            format!("{mentee} has been proposed to you as a mentee"),
            vec![format!("Tandem proposes that you mentor {mentee}.")],
        ),
        Kind::ProposalReminder => (
            format!("Reminder: {mentee} is waiting for your answer"),
            vec![format!(
                "The proposal that you mentor {mentee} is still waiting for your answer."
            )],
        ),
        Kind::MatchAccepted => (
            format!("{mentor} accepted to mentor you"),
            vec![format!(
                "{mentor} accepted your mentoring request. Say hello and plan your first check-in."
            )],
        ),
        Kind::ProposalDeclined => {
            let mut p = vec![format!(
                "{mentor} cannot mentor you, because {}.",
                decline_reason(d.decline_reason.as_deref())
            )];
            if let Some(message) = &d.message {
                p.push(format!("Their message: {message}"));
            }
            p.push("Tandem is looking for the next-best mentor for you.".into());
            (format!("{mentor} declined your mentoring request"), p)
        }
        Kind::ProposalExpired if to_mentor => (
            format!("The proposal to mentor {mentee} expired"),
            vec![format!(
                "You did not answer in time, so the proposal that you mentor {mentee} expired and your seat is free again."
            )],
        ),
        Kind::ProposalExpired => (
            format!("Your proposal to {mentor} expired"),
            vec![format!(
                "{mentor} did not answer in time. Tandem is looking for the next-best mentor for you."
            )],
        ),
        Kind::ProposalCancelled if to_mentor => (
            format!("The proposal to mentor {mentee} was cancelled"),
            vec![format!(
                "The OSPO cancelled the proposal that you mentor {mentee}; nothing is needed from you."
            )],
        ),
        Kind::ProposalCancelled => (
            format!("Your proposal to {mentor} was cancelled"),
            vec![format!(
                "The OSPO cancelled the proposal of {mentor} as your mentor. Tandem is looking for another mentor for you."
            )],
        ),
        Kind::RequestReproposed => (
            format!("Your request went to {mentor}"),
            vec![format!(
                "Tandem proposed {mentor} as your mentor; they have until {} to answer.",
                when(d.expires_at)
            )],
        ),
        Kind::RequestWithdrawn => (
            format!("{mentee} withdrew their request"),
            vec![format!(
                "{mentee} withdrew their mentoring request, so the proposal to you is closed and your seat is free again."
            )],
        ),
        Kind::MatchCompleted => (
            format!("Your mentorship with {other} is complete"),
            vec![
                format!("The mentorship of {mentor} and {mentee} is complete."),
                "Please tell us how it went: give your feedback in Tandem.".into(),
            ],
        ),
        Kind::MatchEndedEarly => {
            let why = d
                .end_reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"));
            (
                format!("Your mentorship with {other} ended early"),
                vec![
                    format!("The mentorship of {mentor} and {mentee} ended early{why}."),
                    "Please tell us how it went: give your feedback in Tandem.".into(),
                ],
            )
        }
        Kind::MilestoneLevelUp => {
            let level = d
                .new_level
                .map_or_else(|| "a new".to_owned(), |l| l.to_string());
            (
                if to_mentor {
                    format!("{mentee} reached open-source level {level}")
                } else {
                    format!("You reached open-source level {level}")
                },
                vec![format!(
                    "{mentee} advanced to open-source maturity level {level}, mentored by {mentor}. Congratulations!"
                )],
            )
        }
    };
    if kind.carries_mentee_profile() {
        paragraphs.extend(profile);
        paragraphs.push(format!(
            "Please accept or decline by {}; without an answer the request goes to the next mentor.",
            when(d.expires_at)
        ));
    }
    Message {
        subject,
        paragraphs,
    }
}

/// The sentence a webhook posts: who and what, nothing private.
pub fn webhook_text(kind: Kind, facts: &Facts) -> String {
    let (mentor, mentee) = (&facts.mentor, &facts.mentee);
    match kind {
        Kind::ProposalCreated => format!(
            "{mentor} was proposed as mentor to {mentee}; answer due {}.",
            when(facts.detail.expires_at)
        ),
        Kind::ProposalReminder => format!(
            "Reminder: {mentor} has not yet answered the proposal to mentor {mentee}; it expires {}.",
            when(facts.detail.expires_at)
        ),
        Kind::MatchAccepted => format!("{mentor} accepted to mentor {mentee}."),
        Kind::ProposalDeclined => format!("{mentor} declined to mentor {mentee}."),
        Kind::ProposalExpired => {
            format!("The proposal of {mentor} as mentor to {mentee} expired unanswered.")
        }
        Kind::ProposalCancelled => {
            format!("The OSPO cancelled the proposal of {mentor} as mentor to {mentee}.")
        }
        Kind::RequestReproposed => {
            format!("{mentee}'s request was proposed to the next mentor, {mentor}.")
        }
        Kind::RequestWithdrawn => {
            format!("{mentee} withdrew their request (proposed to {mentor}).")
        }
        Kind::MatchCompleted => format!("{mentor} and {mentee} completed their mentorship."),
        Kind::MatchEndedEarly => format!("The mentorship of {mentor} and {mentee} ended early."),
        Kind::MilestoneLevelUp => format!(
            "{mentee} reached open-source maturity level {}, mentored by {mentor}.",
            facts
                .detail
                .new_level
                .map_or_else(|| "a new".to_owned(), |l| l.to_string())
        ),
    }
}

const TEXT: &str = include_str!("templates/email.txt");
const HTML: &str = include_str!("templates/email.html");

/// The email templates, parsed once.
pub struct Templates(Environment<'static>);

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        // Names ending in .html are escaped for HTML; .txt is left as is.
        env.add_template("email.txt", TEXT)
            .expect("the plain-text email template parses");
        env.add_template("email.html", HTML)
            .expect("the HTML email template parses");
        Self(env)
    }

    /// `name` is the recipient's; `link` the absolute URL of the match.
    pub fn email(&self, message: &Message, name: &str, link: &str) -> Result<Email, String> {
        let context = minijinja::context! {
            name => name,
            subject => &message.subject,
            paragraphs => &message.paragraphs,
            link => link,
        };
        let render = |template: &str| {
            self.0
                .get_template(template)
                .and_then(|t| t.render(&context))
                .map_err(|e| format!("template {template}: {e}"))
        };
        Ok(Email {
            subject: message.subject.clone(),
            text: render("email.txt")?,
            html: render("email.html")?,
        })
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Detail;

    fn facts(side: &str, detail: Detail) -> Facts {
        Facts {
            mentor_id: "p1".into(),
            mentee_id: "p2".into(),
            mentor: "Ana <Mentor>".into(),
            mentee: "Bo".into(),
            side: Some(side.into()),
            path: "/matches/m1".into(),
            detail,
            ..Facts::default()
        }
    }

    #[test]
    fn every_kind_has_a_message_and_a_sentence() {
        for kind in Kind::ALL {
            for side in ["mentor", "mentee"] {
                let m = message(kind, &facts(side, Detail::default()));
                assert!(
                    !m.subject.is_empty() && !m.paragraphs.is_empty(),
                    "{kind:?}"
                );
            }
            assert!(webhook_text(kind, &facts("mentor", Detail::default())).contains("Bo"));
        }
    }

    fn text(kind: Kind, side: &str, detail: Detail) -> String {
        message(kind, &facts(side, detail)).paragraphs.join("\n")
    }

    #[test]
    fn times_reasons_and_sides_read_as_written() {
        let at = "2026-12-01T09:30:00Z".parse().unwrap();
        let due = |expires_at| Detail {
            expires_at,
            ..Detail::default()
        };
        assert!(
            text(Kind::RequestReproposed, "mentee", due(Some(at)))
                .contains("until 2026-12-01 09:30 UTC to answer")
        );
        assert!(text(Kind::RequestReproposed, "mentee", due(None)).contains("until soon"));
        for (slug, reads) in [
            (
                "not-right-expertise",
                "because their expertise is not the right fit.",
            ),
            ("no-time-now", "because they have no time for it right now."),
            (
                "another-mentor-better",
                "because another mentor would suit you better.",
            ),
            ("other", "because of another reason."),
        ] {
            let detail = Detail {
                decline_reason: Some(slug.into()),
                ..Detail::default()
            };
            assert!(
                text(Kind::ProposalDeclined, "mentee", detail).contains(reads),
                "{slug}"
            );
        }
        assert!(
            text(Kind::ProposalExpired, "mentor", Detail::default())
                .starts_with("You did not answer in time")
        );
        assert!(
            text(Kind::ProposalExpired, "mentee", Detail::default())
                .starts_with("Ana <Mentor> did not answer in time")
        );
        assert!(
            text(Kind::ProposalCancelled, "mentor", Detail::default())
                .starts_with("The OSPO cancelled the proposal that you mentor Bo")
        );
        assert!(
            text(Kind::ProposalCancelled, "mentee", Detail::default())
                .starts_with("The OSPO cancelled the proposal of Ana <Mentor>")
        );
    }

    #[test]
    fn a_proposal_tells_the_mentor_the_goals_and_reasons() {
        let detail = Detail {
            goals: Some("ship a first release".into()),
            reasons: vec!["shares Rust".into(), "two levels ahead".into()],
            ..Detail::default()
        };
        let m = message(Kind::ProposalCreated, &facts("mentor", detail));
        let all = m.paragraphs.join("\n");
        assert!(all.contains("Their goals: ship a first release"));
        assert!(all.contains("Why you: shares Rust; two levels ahead."));
    }

    #[test]
    fn goals_in_the_facts_show_only_in_a_proposal_or_reminder() {
        let detail = Detail {
            goals: Some("ship a first release".into()),
            reasons: vec!["shares Rust".into()],
            ..Detail::default()
        };
        for kind in Kind::ALL {
            let text = message(kind, &facts("mentor", detail.clone()))
                .paragraphs
                .join("\n");
            assert_eq!(
                text.contains("ship a first release"),
                kind.carries_mentee_profile(),
                "{kind:?}"
            );
            assert!(
                !webhook_text(kind, &facts("mentor", detail.clone())).contains("first release")
            );
        }
    }

    #[test]
    fn html_escapes_and_text_does_not() {
        let m = message(Kind::MatchAccepted, &facts("mentee", Detail::default()));
        let email = Templates::new()
            .email(&m, "Bo & co", "https://tandem.example/matches/m1?a=1&b=2")
            .expect("renders");
        assert!(email.text.contains("Hello Bo & co,"));
        assert!(email.text.contains("Ana <Mentor> accepted"));
        assert!(email.html.contains("Ana &lt;Mentor&gt; accepted"));
        assert!(email.html.contains("Bo &amp; co"));
        assert!(!email.html.contains("<Mentor>"));
        assert!(
            email
                .text
                .contains("https://tandem.example/matches/m1?a=1&b=2")
        );
    }
}

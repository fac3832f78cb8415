//! Value types with rules: each has one checked constructor, so code that
//! holds one can trust it. Errors carry the bad input and say what is allowed.

use std::fmt;
use std::ops::RangeInclusive;

/// A number outside the range a field allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be between {min} and {max}, got {got}")]
pub struct OutOfRange {
    pub field: &'static str,
    pub min: i64,
    pub max: i64,
    pub got: i64,
}

macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident, $field:literal, $lo:literal ..= $hi:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u8);

        impl $name {
            pub const RANGE: RangeInclusive<u8> = $lo..=$hi;
            pub const MIN: Self = Self($lo);
            pub const MAX: Self = Self($hi);

            pub fn get(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = OutOfRange;
            fn try_from(got: i64) -> Result<Self, OutOfRange> {
                u8::try_from(got)
                    .ok()
                    .filter(|v| Self::RANGE.contains(v))
                    .map(Self)
                    .ok_or(OutOfRange { field: $field, min: $lo, max: $hi, got })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

bounded!(
    /// Open-source maturity level (design.md, "OSMM"): 1 using open source …
    /// 5 leveraging it strategically.
    OsmmLevel, "level", 1..=5
);
bounded!(
    /// How many mentees a mentor takes on at once (live matches).
    Capacity, "capacity", 1..=10
);
bounded!(
    /// A mentor's proficiency in a skill.
    Proficiency, "proficiency", 1..=5
);
bounded!(
    /// How much a mentee wants a skill: 1 = most wanted, 3 = nice to have.
    Priority, "priority", 1..=3
);

/// A slug or another string that breaks its rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} must be at most {max} characters, got {got}")]
    TooLong {
        field: &'static str,
        max: usize,
        got: usize,
    },
    #[error(
        "{field} may hold only lowercase letters, digits and single hyphens inside, got {got:?}"
    )]
    BadSlug { field: &'static str, got: String },
    #[error("{field} is not a valid language tag (such as en, fr or pt-br): {got:?}")]
    BadLanguage { field: &'static str, got: String },
    #[error("{field} is not a valid email address")]
    BadEmail { field: &'static str },
    #[error("{field} must not contain control characters")]
    ControlCharacter { field: &'static str },
}

/// A catalog key (`rust`, `release-management`, `finos`): lowercase ASCII
/// letters and digits in hyphen-separated words, at most 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, TextError> {
        if raw.is_empty() {
            return Err(TextError::Empty { field });
        }
        if raw.len() > Self::MAX_LEN {
            return Err(TextError::TooLong {
                field,
                max: Self::MAX_LEN,
                got: raw.len(),
            });
        }
        let word_ok = |w: &str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if raw.split('-').all(word_ok) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(TextError::BadSlug {
                field,
                got: raw.to_owned(),
            })
        }
    }

    /// For values read back from our own database, which only ever stored parsed slugs.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text bounded in length (in characters) and free of control
/// characters other than newlines and tabs when `multiline`.
pub fn bounded_text(
    field: &'static str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> Result<String, TextError> {
    let trimmed = raw.trim();
    let got = trimmed.chars().count();
    if got > max {
        return Err(TextError::TooLong { field, max, got });
    }
    let bad = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r'));
    if trimmed.chars().any(bad) {
        return Err(TextError::ControlCharacter { field });
    }
    Ok(trimmed.to_owned())
}

/// Like [`bounded_text`], and not empty.
pub fn required_text(
    field: &'static str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> Result<String, TextError> {
    let text = bounded_text(field, raw, max, multiline)?;
    if text.is_empty() {
        return Err(TextError::Empty { field });
    }
    Ok(text)
}

/// A spoken language as a lowercase BCP 47 tag of the simple kind people
/// write in a profile: `en`, `fr`, `pt-br`, `zh-hant`.
pub fn language(raw: &str) -> Result<String, TextError> {
    let lower = raw.trim().to_ascii_lowercase();
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(lower)
    } else {
        Err(TextError::BadLanguage {
            field: "languages",
            got: raw.to_owned(),
        })
    }
}

/// An email address as an SSO would put it in a token: one `@`, a non-empty
/// local part and a dotted domain, no spaces; at most 254 characters.
pub fn email(raw: &str) -> Result<String, TextError> {
    let field = "email";
    let raw = raw.trim();
    if raw.len() > 254 {
        return Err(TextError::TooLong {
            field,
            max: 254,
            got: raw.len(),
        });
    }
    let (local, domain) = raw.split_once('@').ok_or(TextError::BadEmail { field })?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(TextError::BadEmail { field })
    }
}

/// Declares a closed vocabulary: a Rust enum with its wire slug per variant,
/// parsing from the slug and iteration over all values in order.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $slug:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn slug(self) -> &'static str {
                match self { $(Self::$variant => $slug),+ }
            }

            pub fn from_slug(slug: &str) -> Option<Self> {
                match slug { $($slug => Some(Self::$variant),)+ _ => None }
            }

            /// Position in declaration order; stable, used as a bit index.
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.slug())
            }
        }
    };
}

vocabulary!(
    /// A mentor's role on a project, in order of seniority.
    ProjectRole {
        User = "user",
        Contributor = "contributor",
        Committer = "committer",
        Maintainer = "maintainer",
        Lead = "lead",
    }
);

vocabulary!(
    /// A mentor's tie to a foundation; later variants carry more leadership.
    FoundationRole {
        Member = "member",
        Contributor = "contributor",
        WorkingGroupMember = "working-group-member",
        WorkingGroupChair = "working-group-chair",
        TscMember = "tsc-member",
        BoardMember = "board-member",
    }
);

vocabulary!(
    /// What a mentor mentors on and a mentee wants help with.
    MentoringTopic {
        FirstContribution = "first-contribution",
        Maintainership = "maintainership",
        StartingAProject = "starting-a-project",
        PublicSpeaking = "public-speaking",
        EventOrganizing = "event-organizing",
        FoundationEngagement = "foundation-engagement",
        Standards = "standards",
        Compliance = "compliance",
        InnerSource = "inner-source",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_values_accept_their_range_and_name_the_field_outside_it() {
        assert_eq!(Capacity::try_from(10).map(Capacity::get), Ok(10));
        let err = Capacity::try_from(11).unwrap_err();
        assert_eq!(err.to_string(), "capacity must be between 1 and 10, got 11");
        assert!(OsmmLevel::try_from(0).is_err());
        assert!(Priority::try_from(-1).is_err());
        assert!(Proficiency::try_from(i64::MAX).is_err());
    }

    #[test]
    fn slugs_are_lowercase_hyphenated_words() {
        assert!(Slug::parse("skill", "release-management").is_ok());
        assert!(Slug::parse("skill", "k8s").is_ok());
        let parsed = Slug::parse("skill", "release-management").unwrap();
        assert_eq!(parsed.as_str(), "release-management");
        assert_eq!(Slug::from_trusted("rust".into()).as_str(), "rust");
        for bad in ["", "Rust", "-rust", "rust-", "a--b", "rust lang", "ruſt"] {
            assert!(Slug::parse("skill", bad).is_err(), "{bad:?} accepted");
        }
        assert!(Slug::parse("skill", &"a".repeat(65)).is_err());
    }

    #[test]
    fn vocabularies_round_trip_their_slugs() {
        for role in FoundationRole::ALL {
            assert_eq!(FoundationRole::from_slug(role.slug()), Some(*role));
        }
        assert!(ProjectRole::User < ProjectRole::Lead);
        assert_eq!(MentoringTopic::InnerSource.index(), 8);
    }

    #[test]
    fn text_is_trimmed_bounded_and_free_of_controls() {
        assert_eq!(bounded_text("bio", "  hi  ", 10, false).unwrap(), "hi");
        assert!(bounded_text("bio", "héllo", 4, false).is_err());
        assert!(bounded_text("bio", "a\u{0}b", 10, false).is_err());
        assert!(bounded_text("bio", "a\nb", 10, true).is_ok());
        // Multi-line text allows line breaks and tabs, and no other control.
        for allowed in ["a\nb", "a\tb", "a\r\nb"] {
            assert!(
                bounded_text("notes", allowed, 10, true).is_ok(),
                "{allowed:?}"
            );
            assert!(
                bounded_text("name", allowed, 10, false).is_err(),
                "{allowed:?}"
            );
        }
        for refused in ["a\u{7}b", "a\u{0}b", "a\u{1b}b"] {
            assert!(
                bounded_text("notes", refused, 10, true).is_err(),
                "{refused:?}"
            );
        }
        assert!(required_text("name", "   ", 10, false).is_err());
    }

    #[test]
    fn languages_and_emails_are_checked() {
        assert_eq!(language("pt-BR").unwrap(), "pt-br");
        assert!(language("english").is_err());
        // Each subtag needs both its length and its characters.
        for bad in ["e", "engl", "e1", "12", "en-"] {
            assert!(language(bad).is_err(), "{bad:?} accepted");
        }
        assert!(email("ada@example.com").is_ok());
        for bad in ["ada", "ada@", "@x.com", "a b@x.com", "a@x"] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn limits_are_inclusive_and_slugs_print_as_written() {
        let ten = "x".repeat(10);
        assert_eq!(
            bounded_text("bio", &ten, 10, false).as_deref(),
            Ok(ten.as_str())
        );
        assert!(bounded_text("bio", &"x".repeat(11), 10, false).is_err());
        let longest = format!("{}@example.com", "a".repeat(254 - "@example.com".len()));
        assert_eq!(longest.len(), 254);
        assert_eq!(email(&longest).as_deref(), Ok(longest.as_str()));
        assert!(email(&format!("a{longest}")).is_err());
        assert_eq!(
            Slug::parse("skill", "release-management")
                .unwrap()
                .to_string(),
            "release-management"
        );
        let longest_slug = "a".repeat(Slug::MAX_LEN);
        assert!(Slug::parse("skill", &longest_slug).is_ok());
        assert!(Slug::parse("skill", &format!("{longest_slug}a")).is_err());
    }
}

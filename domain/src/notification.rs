//! Notifications (design.md, "Notifications"): which events people hear
//! about, who hears each, when a proposal's reminders fall due, and how
//! long a failed delivery waits before its next attempt. Times are whole
//! seconds since the Unix epoch, so the rules need no clock and no time crate.

use crate::mentorship::{MatchState, Side};

/// What happened, as receivers see it (`event` in a webhook's body).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ProposalCreated,
    ProposalReminder,
    MatchAccepted,
    ProposalDeclined,
    ProposalExpired,
    ProposalCancelled,
    RequestReproposed,
    RequestWithdrawn,
    MatchCompleted,
    MatchEndedEarly,
    MilestoneLevelUp,
}

impl Kind {
    pub const ALL: [Self; 11] = [
        Self::ProposalCreated,
        Self::ProposalReminder,
        Self::MatchAccepted,
        Self::ProposalDeclined,
        Self::ProposalExpired,
        Self::ProposalCancelled,
        Self::RequestReproposed,
        Self::RequestWithdrawn,
        Self::MatchCompleted,
        Self::MatchEndedEarly,
        Self::MilestoneLevelUp,
    ];

    /// The event's name in webhooks and in the database.
    pub fn slug(self) -> &'static str {
        match self {
            Self::ProposalCreated => "proposal.created",
            Self::ProposalReminder => "proposal.reminder",
            Self::MatchAccepted => "match.accepted",
            Self::ProposalDeclined => "proposal.declined",
            Self::ProposalExpired => "proposal.expired",
            Self::ProposalCancelled => "proposal.cancelled",
            Self::RequestReproposed => "request.reproposed",
            Self::RequestWithdrawn => "request.withdrawn",
            Self::MatchCompleted => "match.completed",
            Self::MatchEndedEarly => "match.ended_early",
            Self::MilestoneLevelUp => "milestone.level_up",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Who is told, by their side of the match. The person who acted is
    /// told too where the news is a shared one (an ended mentorship asks
    /// both sides for feedback; a level-up is the pair's milestone).
    pub fn recipients(self) -> &'static [Side] {
        match self {
            Self::ProposalCreated | Self::ProposalReminder | Self::RequestWithdrawn => {
                &[Side::Mentor]
            }
            Self::MatchAccepted | Self::ProposalDeclined | Self::RequestReproposed => {
                &[Side::Mentee]
            }
            Self::ProposalExpired
            | Self::ProposalCancelled
            | Self::MatchCompleted
            | Self::MatchEndedEarly
            | Self::MilestoneLevelUp => &[Side::Mentee, Side::Mentor],
        }
    }

    /// Whether the mentee's goals and the score's reasons go with it: only
    /// to the mentor a proposal is addressed to, while it is open.
    pub fn carries_mentee_profile(self) -> bool {
        matches!(self, Self::ProposalCreated | Self::ProposalReminder)
    }

    /// The notification a match's move makes, if any. A proposal cancelled
    /// by its own mentee is the request's withdrawal; by anyone else (the
    /// OSPO), a cancellation.
    pub fn of_move(from: Option<MatchState>, to: MatchState, by_mentee: bool) -> Option<Self> {
        use MatchState as S;
        Some(match (from, to) {
            (None, S::Proposed) => Self::ProposalCreated,
            (Some(S::Proposed), S::Active) => Self::MatchAccepted,
            (Some(S::Proposed), S::Declined) => Self::ProposalDeclined,
            (Some(S::Proposed), S::Expired) => Self::ProposalExpired,
            (Some(S::Proposed), S::Cancelled) if by_mentee => Self::RequestWithdrawn,
            (Some(S::Proposed), S::Cancelled) => Self::ProposalCancelled,
            (Some(S::Active), S::Completed) => Self::MatchCompleted,
            (Some(S::Active), S::EndedEarly) => Self::MatchEndedEarly,
            _ => return None,
        })
    }
}

/// A day, in seconds: the second reminder comes this long before expiry.
const DAY: i64 = 24 * 3600;

/// When an unanswered proposal's reminders fall due: at half its answer
/// time and a day before it expires, each strictly between proposal and
/// expiry, one reminder where both fall together. Sorted.
pub fn reminder_times(proposed_at: i64, expires_at: i64) -> Vec<i64> {
    let half = proposed_at + (expires_at - proposed_at) / 2;
    let mut times: Vec<i64> = [half, expires_at - DAY]
        .into_iter()
        .filter(|t| *t > proposed_at && *t < expires_at)
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

/// The reminder to send at `now`, given how many were sent: `Some(n)` means
/// send one reminder and record `n` as sent. A worker that slept through
/// both sends one, not two; none is due after expiry.
pub fn reminder_due(proposed_at: i64, expires_at: i64, sent: u32, now: i64) -> Option<u32> {
    if now >= expires_at {
        return None;
    }
    let passed = reminder_times(proposed_at, expires_at)
        .into_iter()
        .filter(|t| *t <= now)
        .count() as u32;
    (passed > sent).then_some(passed)
}

/// Seconds before the next attempt after `attempts` failed ones: `base`
/// doubled per earlier failure, capped at a day, with "equal jitter" (half
/// fixed, half scaled by `jitter` in [0, 1)) so instances that failed
/// together do not retry together.
pub fn retry_delay(base: i64, attempts: u32, jitter: f64) -> i64 {
    let doubled = base
        .max(1)
        .saturating_mul(1_i64 << attempts.saturating_sub(1).min(20))
        .min(DAY);
    let half = doubled / 2;
    half + (half as f64 * jitter.clamp(0.0, 1.0)).round() as i64
}

/// A person's choice of channels for one kind: email may be turned off; the
/// in-app inbox always receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preference {
    pub kind: Kind,
    pub email: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    #[test]
    fn only_an_open_proposal_carries_the_mentee_profile() {
        let carrying: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| k.carries_mentee_profile())
            .collect();
        assert_eq!(carrying, [Kind::ProposalCreated, Kind::ProposalReminder]);
    }

    #[test]
    fn slugs_round_trip_and_are_distinct() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_slug(kind.slug()), Some(kind));
        }
        let mut slugs: Vec<_> = Kind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), Kind::ALL.len());
        assert_eq!(Kind::from_slug("proposal.sent"), None);
    }

    #[test]
    fn a_three_day_sla_reminds_at_half_and_a_day_before() {
        assert_eq!(reminder_times(0, 72 * H), vec![36 * H, 48 * H]);
    }

    #[test]
    fn a_two_day_sla_reminds_once_when_both_fall_together() {
        assert_eq!(reminder_times(0, 48 * H), vec![24 * H]);
    }

    #[test]
    fn a_short_sla_reminds_at_half_only() {
        assert_eq!(reminder_times(0, 2 * H), vec![H]);
        // A day before expiry is before the proposal: skipped.
        assert_eq!(reminder_times(100, 100 + 20 * H), vec![100 + 10 * H]);
        // A one-day SLA: "a day before expiry" is the proposal itself.
        assert_eq!(reminder_times(100, 100 + 24 * H), vec![100 + 12 * H]);
    }

    #[test]
    fn reminders_fall_due_once_each_and_never_after_expiry() {
        let (p, e) = (0, 72 * H);
        assert_eq!(reminder_due(p, e, 0, 36 * H - 1), None);
        assert_eq!(reminder_due(p, e, 0, 36 * H), Some(1));
        assert_eq!(reminder_due(p, e, 1, 40 * H), None);
        assert_eq!(reminder_due(p, e, 1, 48 * H), Some(2));
        assert_eq!(reminder_due(p, e, 2, 60 * H), None);
        // Asleep through both: one reminder, both recorded.
        assert_eq!(reminder_due(p, e, 0, 50 * H), Some(2));
        assert_eq!(reminder_due(p, e, 0, 72 * H), None);
    }

    #[test]
    fn retries_double_from_the_base_with_bounded_jitter() {
        assert_eq!(retry_delay(30, 1, 0.0), 15);
        assert_eq!(retry_delay(30, 1, 0.999_999), 30);
        assert_eq!(retry_delay(30, 2, 1.0), 60);
        assert_eq!(retry_delay(30, 3, 0.0), 60);
        assert_eq!(retry_delay(30, 40, 1.0), DAY);
        for attempts in 1..12 {
            let low = retry_delay(30, attempts, 0.0);
            let high = retry_delay(30, attempts, 1.0);
            assert!(low <= high && high <= 2 * low + 1);
            assert!(retry_delay(30, attempts + 1, 0.0) >= low);
        }
    }

    #[test]
    fn moves_map_to_their_events() {
        use MatchState as S;
        // (from, to, by the mentee, event); every other move tells nobody.
        let expected = [
            (None, S::Proposed, false, Kind::ProposalCreated),
            (None, S::Proposed, true, Kind::ProposalCreated),
            (Some(S::Proposed), S::Active, false, Kind::MatchAccepted),
            (
                Some(S::Proposed),
                S::Declined,
                false,
                Kind::ProposalDeclined,
            ),
            (Some(S::Proposed), S::Expired, false, Kind::ProposalExpired),
            (
                Some(S::Proposed),
                S::Cancelled,
                true,
                Kind::RequestWithdrawn,
            ),
            (
                Some(S::Proposed),
                S::Cancelled,
                false,
                Kind::ProposalCancelled,
            ),
            (Some(S::Active), S::Completed, false, Kind::MatchCompleted),
            (Some(S::Active), S::EndedEarly, false, Kind::MatchEndedEarly),
        ];
        let froms = std::iter::once(None).chain(S::ALL.into_iter().map(Some));
        for from in froms {
            for to in S::ALL {
                for by_mentee in [false, true] {
                    let want = expected
                        .iter()
                        .find(|(f, t, m, _)| {
                            *f == from && *t == to && (*m == by_mentee || to != S::Cancelled)
                        })
                        .map(|e| e.3);
                    assert_eq!(
                        Kind::of_move(from, to, by_mentee),
                        want,
                        "{from:?} -> {to:?}, by the mentee: {by_mentee}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_proposed_mentor_gets_the_mentee_profile() {
        for kind in Kind::ALL {
            if kind.carries_mentee_profile() {
                assert_eq!(kind.recipients(), &[Side::Mentor]);
            }
        }
    }
}

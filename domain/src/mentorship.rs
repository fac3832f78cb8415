//! The mentorship lifecycle (design.md, "Mentorship request", "Match",
//! "Capacity", "Check-in", "Milestone", "Feedback"): the request and match
//! state machines, who may move a match, the capacity rule, and the rules
//! for feedback and milestones. Pure: the service applies these inside its
//! transactions and the database guards the same invariants.

use std::fmt;

use crate::values::{Capacity, OsmmLevel, OutOfRange};

/// A mentorship request: `open` (waiting for a proposal) → `proposed` →
/// `matched` → `closed`, and `withdrawn` from any state before `matched`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestState {
    Open,
    Proposed,
    Matched,
    Closed,
    Withdrawn,
}

/// What moves a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestAction {
    /// A mentor was proposed: `open → proposed`.
    Propose,
    /// Its proposal was declined, expired or cancelled: `proposed → open`.
    Reopen,
    /// The proposal was accepted: `proposed → matched`.
    Match,
    /// The mentee withdrew before a match was active: `open | proposed → withdrawn`.
    Withdraw,
    /// The mentorship finished (`matched → closed`), or the program closed
    /// before a match (`open | proposed → closed`).
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {from} request cannot be {}", article(from.slug()), action.past())]
pub struct IllegalRequestTransition {
    pub from: RequestState,
    pub action: RequestAction,
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

impl RequestAction {
    fn past(self) -> &'static str {
        match self {
            Self::Propose => "proposed",
            Self::Reopen => "reopened",
            Self::Match => "matched",
            Self::Withdraw => "withdrawn",
            Self::Close => "closed",
        }
    }
}

impl RequestState {
    pub const ALL: [Self; 5] = [
        Self::Open,
        Self::Proposed,
        Self::Matched,
        Self::Closed,
        Self::Withdrawn,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Proposed => "proposed",
            Self::Matched => "matched",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// Counts against "one unfinished request per mentee and program".
    pub fn is_unfinished(self) -> bool {
        matches!(self, Self::Open | Self::Proposed | Self::Matched)
    }

    /// # Errors
    /// [`IllegalRequestTransition`] for every move the workflow does not list.
    pub fn apply(self, action: RequestAction) -> Result<Self, IllegalRequestTransition> {
        use RequestAction as A;
        use RequestState as S;
        let to = match (self, action) {
            (S::Open, A::Propose) => S::Proposed,
            (S::Proposed, A::Reopen) => S::Open,
            (S::Proposed, A::Match) => S::Matched,
            (S::Open | S::Proposed, A::Withdraw) => S::Withdrawn,
            (S::Open | S::Proposed | S::Matched, A::Close) => S::Closed,
            (from, action) => return Err(IllegalRequestTransition { from, action }),
        };
        Ok(to)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A match: `proposed → active → completed | ended_early`, and
/// `proposed → declined | expired | cancelled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchState {
    Proposed,
    Active,
    Completed,
    EndedEarly,
    Declined,
    Expired,
    Cancelled,
}

/// What moves a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchAction {
    Accept,
    Decline,
    Expire,
    Cancel,
    Complete,
    EndEarly,
}

/// Who may take an action on a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The proposed mentor only.
    Mentor,
    /// The mentor or the mentee.
    EitherSide,
    /// Nobody by hand: the sweeper (expiry) or a cascade (cancel); the
    /// OSPO may cancel by hand too (see [`MatchAction::ospo_may_take`]).
    System,
}

impl MatchAction {
    pub const ALL: [Self; 6] = [
        Self::Accept,
        Self::Decline,
        Self::Expire,
        Self::Cancel,
        Self::Complete,
        Self::EndEarly,
    ];

    /// The OSPO's case handling: cancelling a live proposal and ending a
    /// mentorship early on someone's behalf. Answering a proposal and
    /// completing a mentorship stay with the pair.
    pub fn ospo_may_take(self) -> bool {
        matches!(self, Self::Cancel | Self::EndEarly)
    }

    pub fn party(self) -> Party {
        match self {
            Self::Accept | Self::Decline => Party::Mentor,
            Self::Complete | Self::EndEarly => Party::EitherSide,
            Self::Expire | Self::Cancel => Party::System,
        }
    }

    fn past(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::Decline => "declined",
            Self::Expire => "expired",
            Self::Cancel => "cancelled",
            Self::Complete => "completed",
            Self::EndEarly => "ended early",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {} match cannot be {}", article(from.slug()), from.slug().replace('_', " "), action.past())]
pub struct IllegalMatchTransition {
    pub from: MatchState,
    pub action: MatchAction,
}

impl MatchState {
    pub const ALL: [Self; 7] = [
        Self::Proposed,
        Self::Active,
        Self::Completed,
        Self::EndedEarly,
        Self::Declined,
        Self::Expired,
        Self::Cancelled,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::EndedEarly => "ended_early",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// Holds one of the mentor's seats.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Proposed | Self::Active)
    }

    /// A mentorship that ran and ended.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::EndedEarly)
    }

    pub fn accepts_check_ins(self) -> bool {
        self == Self::Active
    }

    pub fn accepts_feedback(self) -> bool {
        self.is_finished()
    }

    /// # Errors
    /// [`IllegalMatchTransition`] for every move the workflow does not list.
    pub fn apply(self, action: MatchAction) -> Result<Self, IllegalMatchTransition> {
        use MatchAction as A;
        use MatchState as S;
        let to = match (self, action) {
            (S::Proposed, A::Accept) => S::Active,
            (S::Proposed, A::Decline) => S::Declined,
            (S::Proposed, A::Expire) => S::Expired,
            (S::Proposed, A::Cancel) => S::Cancelled,
            (S::Active, A::Complete) => S::Completed,
            (S::Active, A::EndEarly) => S::EndedEarly,
            (from, action) => return Err(IllegalMatchTransition { from, action }),
        };
        Ok(to)
    }

    /// How the request moves when its match takes `action`: an accept
    /// matches it, a proposal that ends unanswered re-opens it (the caller
    /// may withdraw or close it instead), a finished mentorship closes it.
    pub fn request_action(action: MatchAction) -> RequestAction {
        match action {
            MatchAction::Accept => RequestAction::Match,
            MatchAction::Decline | MatchAction::Expire | MatchAction::Cancel => {
                RequestAction::Reopen
            }
            MatchAction::Complete | MatchAction::EndEarly => RequestAction::Close,
        }
    }
}

impl fmt::Display for MatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the mentor has no free seat ({live} of {capacity} taken)")]
pub struct MentorAtCapacity {
    pub capacity: u8,
    pub live: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("capacity {capacity} is below the {live} live mentorships and proposals")]
pub struct CapacityBelowLive {
    pub capacity: u8,
    pub live: u8,
}

/// Takes a seat: a mentor's live matches (proposed + active) never exceed
/// their capacity. Returns the new live count.
///
/// # Errors
/// [`MentorAtCapacity`] when every seat is taken.
pub fn take_seat(capacity: Capacity, live: u8) -> Result<u8, MentorAtCapacity> {
    if live < capacity.get() {
        Ok(live + 1)
    } else {
        Err(MentorAtCapacity {
            capacity: capacity.get(),
            live,
        })
    }
}

/// Gives a seat back (a proposal ended unanswered, a mentorship finished).
pub fn release_seat(live: u8) -> u8 {
    live.saturating_sub(1)
}

/// Lowering capacity below the live count is refused.
///
/// # Errors
/// [`CapacityBelowLive`].
pub fn check_capacity_change(new_capacity: Capacity, live: u8) -> Result<(), CapacityBelowLive> {
    if new_capacity.get() < live {
        Err(CapacityBelowLive {
            capacity: new_capacity.get(),
            live,
        })
    } else {
        Ok(())
    }
}

/// The two sides of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Mentor,
    Mentee,
}

impl Side {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Mentor => "mentor",
            Self::Mentee => "mentee",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("feedback comes after the mentorship; this match is {0}")]
    NotFinished(MatchState),
    #[error("the {} already gave feedback on this match", .0.slug())]
    AlreadyGiven(Side),
}

/// Feedback is given once per side, after the match finished.
///
/// # Errors
/// [`FeedbackError::NotFinished`] before completion or an early end,
/// [`FeedbackError::AlreadyGiven`] the second time.
pub fn check_feedback(
    state: MatchState,
    already_given_by_side: bool,
    side: Side,
) -> Result<(), FeedbackError> {
    if !state.accepts_feedback() {
        return Err(FeedbackError::NotFinished(state));
    }
    if already_given_by_side {
        return Err(FeedbackError::AlreadyGiven(side));
    }
    Ok(())
}

/// A rating from 1 (poor) to 5 (excellent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Rating {
    type Error = OutOfRange;
    fn try_from(got: i64) -> Result<Self, OutOfRange> {
        u8::try_from(got)
            .ok()
            .filter(|r| (1..=5).contains(r))
            .map(Self)
            .ok_or(OutOfRange {
                field: "rating",
                min: 1,
                max: 5,
                got,
            })
    }
}

/// What a mentee achieved during a mentorship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MilestoneKind {
    FirstContribution,
    BecameCommitter,
    BecameMaintainer,
    TalkGiven,
    EventOrganized,
    ProjectLaunched,
    JoinedWorkingGroup,
    LevelUp,
}

impl MilestoneKind {
    pub const ALL: [Self; 8] = [
        Self::FirstContribution,
        Self::BecameCommitter,
        Self::BecameMaintainer,
        Self::TalkGiven,
        Self::EventOrganized,
        Self::ProjectLaunched,
        Self::JoinedWorkingGroup,
        Self::LevelUp,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::FirstContribution => "first-contribution",
            Self::BecameCommitter => "became-committer",
            Self::BecameMaintainer => "became-maintainer",
            Self::TalkGiven => "talk-given",
            Self::EventOrganized => "event-organized",
            Self::ProjectLaunched => "project-launched",
            Self::JoinedWorkingGroup => "joined-working-group",
            Self::LevelUp => "level-up",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelUpError {
    #[error("LEVEL_UP needs newLevel")]
    Missing,
    #[error("newLevel must be above the mentee's current level {current}, got {new}")]
    NotAbove { current: OsmmLevel, new: OsmmLevel },
    #[error("newLevel only goes with LEVEL_UP")]
    Unexpected,
}

/// Checks a milestone: `LevelUp` needs a new level above `current` (the
/// [`OsmmLevel`] type caps it at 5); other kinds take none. Returns the
/// level the mentee moves to, if any.
///
/// # Errors
/// [`LevelUpError`] naming what is wrong.
pub fn check_milestone(
    kind: MilestoneKind,
    current: OsmmLevel,
    new_level: Option<OsmmLevel>,
) -> Result<Option<OsmmLevel>, LevelUpError> {
    match (kind, new_level) {
        (MilestoneKind::LevelUp, None) => Err(LevelUpError::Missing),
        (MilestoneKind::LevelUp, Some(new)) if new <= current => {
            Err(LevelUpError::NotAbove { current, new })
        }
        (MilestoneKind::LevelUp, Some(new)) => Ok(Some(new)),
        (_, Some(_)) => Err(LevelUpError::Unexpected),
        (_, None) => Ok(None),
    }
}

/// Why a mentor declined a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclineReason {
    NotRightExpertise,
    NoTimeNow,
    AnotherMentorBetter,
    Other,
}

impl DeclineReason {
    pub const ALL: [Self; 4] = [
        Self::NotRightExpertise,
        Self::NoTimeNow,
        Self::AnotherMentorBetter,
        Self::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::NotRightExpertise => "not-right-expertise",
            Self::NoTimeNow => "no-time-now",
            Self::AnotherMentorBetter => "another-mentor-better",
            Self::Other => "other",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.slug() == slug)
    }
}

/// The end reason a mentorship gets when one of its pair leaves the company.
pub const LEFT: &str = "left";

/// What a person's leaving does to one of their live matches (issue
/// "People leave"): nothing of theirs stays live, and the other side's
/// request goes on where it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDeparture {
    /// A proposal to the leaving mentor: cancelled, and the mentee's
    /// request cascades to the next-best mentor.
    CancelAndCascade,
    /// A proposal for the leaving mentee: cancelled, their request withdrawn.
    CancelAndWithdraw,
    /// An active mentorship, whichever side leaves: ended early, reason [`LEFT`].
    EndEarly,
}

impl OnDeparture {
    /// `None` for a match that is no longer live.
    pub fn of(state: MatchState, leaver: Side) -> Option<Self> {
        match (state, leaver) {
            (MatchState::Proposed, Side::Mentor) => Some(Self::CancelAndCascade),
            (MatchState::Proposed, Side::Mentee) => Some(Self::CancelAndWithdraw),
            (MatchState::Active, _) => Some(Self::EndEarly),
            _ => None,
        }
    }

    /// The match's move.
    pub fn action(self) -> MatchAction {
        match self {
            Self::CancelAndCascade | Self::CancelAndWithdraw => MatchAction::Cancel,
            Self::EndEarly => MatchAction::EndEarly,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_moves_through_its_workflow() {
        use RequestAction as A;
        use RequestState as S;
        assert_eq!(S::Open.apply(A::Propose), Ok(S::Proposed));
        assert_eq!(S::Proposed.apply(A::Reopen), Ok(S::Open));
        assert_eq!(S::Proposed.apply(A::Match), Ok(S::Matched));
        assert_eq!(S::Matched.apply(A::Close), Ok(S::Closed));
        assert_eq!(S::Open.apply(A::Withdraw), Ok(S::Withdrawn));
        assert_eq!(S::Proposed.apply(A::Withdraw), Ok(S::Withdrawn));
        assert_eq!(S::Open.apply(A::Close), Ok(S::Closed));
        assert_eq!(S::Proposed.apply(A::Close), Ok(S::Closed));
        let err = S::Withdrawn.apply(A::Propose).unwrap_err();
        assert_eq!(err.to_string(), "a withdrawn request cannot be proposed");
        assert_eq!(
            err,
            IllegalRequestTransition {
                from: S::Withdrawn,
                action: A::Propose
            }
        );
        let err = S::Closed.apply(A::Reopen).unwrap_err();
        assert_eq!(err.to_string(), "a closed request cannot be reopened");
        let err = S::Matched.apply(A::Withdraw).unwrap_err();
        assert_eq!(err.to_string(), "a matched request cannot be withdrawn");
        let err = S::Open.apply(A::Match).unwrap_err();
        assert_eq!(err.to_string(), "an open request cannot be matched");
        for action in [A::Propose, A::Reopen, A::Match, A::Withdraw, A::Close] {
            assert!(S::Withdrawn.apply(action).is_err());
            assert!(S::Closed.apply(action).is_err());
        }
    }

    #[test]
    fn a_match_moves_through_its_workflow() {
        use MatchAction as A;
        use MatchState as S;
        assert_eq!(S::Proposed.apply(A::Accept), Ok(S::Active));
        assert_eq!(S::Proposed.apply(A::Decline), Ok(S::Declined));
        assert_eq!(S::Proposed.apply(A::Expire), Ok(S::Expired));
        assert_eq!(S::Proposed.apply(A::Cancel), Ok(S::Cancelled));
        assert_eq!(S::Active.apply(A::Complete), Ok(S::Completed));
        assert_eq!(S::Active.apply(A::EndEarly), Ok(S::EndedEarly));
        assert_eq!(
            S::Declined.apply(A::Accept).unwrap_err().to_string(),
            "a declined match cannot be accepted"
        );
        assert_eq!(
            S::Proposed.apply(A::Complete).unwrap_err().to_string(),
            "a proposed match cannot be completed"
        );
        assert_eq!(
            S::EndedEarly.apply(A::Complete).unwrap_err().to_string(),
            "an ended early match cannot be completed"
        );
        assert_eq!(
            S::Active.apply(A::Decline).unwrap_err().to_string(),
            "an active match cannot be declined"
        );
        assert!(S::Active.apply(A::Accept).is_err());
        assert!(S::Proposed.apply(A::EndEarly).is_err());
        assert!(S::Cancelled.apply(A::Cancel).is_err());
    }

    #[test]
    fn only_proposed_and_active_matches_hold_a_seat() {
        use MatchState as S;
        let live: Vec<_> = S::ALL.into_iter().filter(|s| s.is_live()).collect();
        assert_eq!(live, [S::Proposed, S::Active]);
        let finished: Vec<_> = S::ALL.into_iter().filter(|s| s.is_finished()).collect();
        assert_eq!(finished, [S::Completed, S::EndedEarly]);
        let check_ins: Vec<_> = S::ALL
            .into_iter()
            .filter(|s| s.accepts_check_ins())
            .collect();
        assert_eq!(check_ins, [S::Active]);
        let feedback: Vec<_> = S::ALL
            .into_iter()
            .filter(|s| s.accepts_feedback())
            .collect();
        assert_eq!(feedback, finished);
        let unfinished: Vec<_> = RequestState::ALL
            .into_iter()
            .filter(|s| s.is_unfinished())
            .collect();
        assert_eq!(
            unfinished,
            [
                RequestState::Open,
                RequestState::Proposed,
                RequestState::Matched
            ]
        );
    }

    #[test]
    fn who_may_act_and_what_the_request_does() {
        assert_eq!(MatchAction::Accept.party(), Party::Mentor);
        assert_eq!(MatchAction::Decline.party(), Party::Mentor);
        assert_eq!(MatchAction::Complete.party(), Party::EitherSide);
        assert_eq!(MatchAction::EndEarly.party(), Party::EitherSide);
        assert_eq!(MatchAction::Expire.party(), Party::System);
        assert_eq!(MatchAction::Cancel.party(), Party::System);
        let by_ospo: Vec<MatchAction> = MatchAction::ALL
            .into_iter()
            .filter(|a| a.ospo_may_take())
            .collect();
        assert_eq!(by_ospo, [MatchAction::Cancel, MatchAction::EndEarly]);
        assert_eq!(
            MatchState::request_action(MatchAction::Accept),
            RequestAction::Match
        );
        assert_eq!(
            MatchState::request_action(MatchAction::Expire),
            RequestAction::Reopen
        );
        assert_eq!(
            MatchState::request_action(MatchAction::EndEarly),
            RequestAction::Close
        );
        assert_eq!(
            MatchState::request_action(MatchAction::Complete),
            RequestAction::Close
        );
        for reopening in [MatchAction::Decline, MatchAction::Cancel] {
            assert_eq!(MatchState::request_action(reopening), RequestAction::Reopen);
        }
    }

    #[test]
    fn seats_never_exceed_capacity() {
        let two = Capacity::try_from(2).unwrap();
        assert_eq!(take_seat(two, 0), Ok(1));
        assert_eq!(take_seat(two, 1), Ok(2));
        let full = take_seat(two, 2).unwrap_err();
        assert_eq!(
            full.to_string(),
            "the mentor has no free seat (2 of 2 taken)"
        );
        assert_eq!(release_seat(0), 0);
        assert_eq!(release_seat(2), 1);
        assert!(check_capacity_change(two, 2).is_ok());
        assert_eq!(
            check_capacity_change(Capacity::try_from(1).unwrap(), 2)
                .unwrap_err()
                .to_string(),
            "capacity 1 is below the 2 live mentorships and proposals"
        );
    }

    #[test]
    fn feedback_once_per_side_after_the_end() {
        assert_eq!(
            check_feedback(MatchState::Active, false, Side::Mentee),
            Err(FeedbackError::NotFinished(MatchState::Active))
        );
        assert_eq!(
            check_feedback(MatchState::Completed, false, Side::Mentee),
            Ok(())
        );
        assert_eq!(
            check_feedback(MatchState::EndedEarly, false, Side::Mentor),
            Ok(())
        );
        assert_eq!(
            check_feedback(MatchState::Completed, true, Side::Mentor),
            Err(FeedbackError::AlreadyGiven(Side::Mentor))
        );
        assert_eq!(
            FeedbackError::AlreadyGiven(Side::Mentee).to_string(),
            "the mentee already gave feedback on this match"
        );
        assert_eq!(
            check_feedback(MatchState::Declined, false, Side::Mentor)
                .unwrap_err()
                .to_string(),
            "feedback comes after the mentorship; this match is declined"
        );
        assert_eq!(
            Rating::try_from(6).unwrap_err().to_string(),
            "rating must be between 1 and 5, got 6"
        );
        assert!(Rating::try_from(0).is_err() && Rating::try_from(-1).is_err());
        assert_eq!(Rating::try_from(1).map(Rating::get), Ok(1));
        assert_eq!(Rating::try_from(5).map(Rating::get), Ok(5));
    }

    #[test]
    fn level_up_goes_up_and_only_with_its_kind() {
        let level = |l: i64| OsmmLevel::try_from(l).unwrap();
        assert_eq!(
            check_milestone(MilestoneKind::LevelUp, level(2), Some(level(3))),
            Ok(Some(level(3)))
        );
        assert_eq!(
            check_milestone(MilestoneKind::LevelUp, level(3), Some(level(3))),
            Err(LevelUpError::NotAbove {
                current: level(3),
                new: level(3)
            })
        );
        assert_eq!(
            check_milestone(MilestoneKind::LevelUp, level(3), None),
            Err(LevelUpError::Missing)
        );
        assert_eq!(
            check_milestone(MilestoneKind::TalkGiven, level(3), Some(level(4))),
            Err(LevelUpError::Unexpected)
        );
        assert_eq!(
            check_milestone(MilestoneKind::TalkGiven, level(3), None),
            Ok(None)
        );
        let messages = [
            check_milestone(MilestoneKind::LevelUp, level(3), None),
            check_milestone(MilestoneKind::LevelUp, level(3), Some(level(2))),
            check_milestone(MilestoneKind::FirstContribution, level(1), Some(level(2))),
        ]
        .map(|r| r.unwrap_err().to_string());
        assert_eq!(
            messages,
            [
                "LEVEL_UP needs newLevel",
                "newLevel must be above the mentee's current level 3, got 2",
                "newLevel only goes with LEVEL_UP",
            ]
        );
        // A mentee already at 5 has no level to go up to.
        assert!(
            check_milestone(MilestoneKind::LevelUp, OsmmLevel::MAX, Some(OsmmLevel::MAX)).is_err()
        );
    }

    #[test]
    fn every_slug_round_trips() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::from_slug(s.slug()), Some(s));
        }
        for s in MatchState::ALL {
            assert_eq!(MatchState::from_slug(s.slug()), Some(s));
        }
        for k in MilestoneKind::ALL {
            assert_eq!(MilestoneKind::from_slug(k.slug()), Some(k));
        }
        for r in DeclineReason::ALL {
            assert_eq!(DeclineReason::from_slug(r.slug()), Some(r));
        }
        assert_eq!(MatchState::from_slug("ENDED_EARLY"), None);
        assert_eq!(RequestState::from_slug("Open"), None);
        assert_eq!(MilestoneKind::LevelUp.slug(), "level-up");
        assert_eq!(DeclineReason::NoTimeNow.slug(), "no-time-now");
        // Display is the slug, which is what the store writes.
        assert_eq!(MatchState::EndedEarly.to_string(), "ended_early");
        assert_eq!(RequestState::Withdrawn.to_string(), "withdrawn");
    }

    #[test]
    fn leaving_ends_everything_live_and_nothing_else() {
        use MatchState as S;
        assert_eq!(
            OnDeparture::of(S::Proposed, Side::Mentor),
            Some(OnDeparture::CancelAndCascade)
        );
        assert_eq!(
            OnDeparture::of(S::Proposed, Side::Mentee),
            Some(OnDeparture::CancelAndWithdraw)
        );
        for side in [Side::Mentor, Side::Mentee] {
            assert_eq!(
                OnDeparture::of(S::Active, side),
                Some(OnDeparture::EndEarly)
            );
            for done in [
                S::Completed,
                S::EndedEarly,
                S::Declined,
                S::Expired,
                S::Cancelled,
            ] {
                assert_eq!(OnDeparture::of(done, side), None, "{done:?}");
            }
        }
        // Each move the departure makes is one the match's workflow allows.
        for (state, side) in [
            (S::Proposed, Side::Mentor),
            (S::Proposed, Side::Mentee),
            (S::Active, Side::Mentee),
        ] {
            let action = OnDeparture::of(state, side).unwrap().action();
            let to = state.apply(action).unwrap();
            assert!(!to.is_live());
        }
        assert_eq!(
            S::Active.apply(OnDeparture::EndEarly.action()),
            Ok(S::EndedEarly)
        );
    }
}

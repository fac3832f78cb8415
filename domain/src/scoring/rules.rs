//! The numbers behind each criterion: priority and role weights, the
//! maturity fit table, working-hour overlap. Compilation, scoring and
//! explanations all read them from here, so the three cannot drift apart.
//! Pure functions of values; knows nothing about profiles or policies.

use crate::values::{FoundationRole, OsmmLevel, Priority, ProjectRole};

/// What a wanted skill weighs in the skills coverage: priority 1 weighs 3,
/// priority 2 weighs 2, priority 3 weighs 1.
pub fn priority_weight(priority: Priority) -> u32 {
    4 - u32::from(priority.get())
}

/// A covered wanted skill is credited `proficiency / 5` of its priority
/// weight: linear, so each proficiency step is worth the same.
pub const PROFICIENCY_SCALE: u32 = 5;

/// Credit for a mentor's role on a shared project, out of [`ROLE_SCALE`]:
/// user 2, contributor 4, committer 6, maintainer 8, lead 10.
pub fn project_role_weight(role: ProjectRole) -> u32 {
    2 * (role.index() as u32 + 1)
}

/// Credit for a mentor's tie to a foundation of interest, out of
/// [`ROLE_SCALE`]. Leadership (chair, TSC, board) weighs about twice
/// membership: member 2, contributor 3, working-group member 4,
/// working-group chair 8, TSC member 9, board member 10.
pub fn foundation_role_weight(role: FoundationRole) -> u32 {
    match role {
        FoundationRole::Member => 2,
        FoundationRole::Contributor => 3,
        FoundationRole::WorkingGroupMember => 4,
        FoundationRole::WorkingGroupChair => 8,
        FoundationRole::TscMember => 9,
        FoundationRole::BoardMember => 10,
    }
}

/// The credit of the most senior role, for projects and foundations alike.
pub const ROLE_SCALE: u32 = 10;

/// Projects and foundations saturate: a mentor with top roles on two of the
/// mentee's projects (or on the only one they follow) is a full fit. A plain
/// coverage fraction would make a mentee who follows ten projects unmatchable
/// on this criterion, since no mentor leads all ten.
pub const TIES_FOR_FULL_FIT: u32 = 2;

/// The denominator of a saturating tie criterion for a mentee with
/// `interests` projects or foundations of interest; 0 means "no interests".
pub fn ties_denominator(interests: usize) -> u32 {
    ROLE_SCALE * (interests.min(TIES_FOR_FULL_FIT as usize) as u32)
}

/// How well a mentor at level `mentor` fits a mentee at `current` aiming at
/// `target` (design.md: "at level ≥ N, ideally one or two levels above the
/// mentee's current level").
///
/// The ideal band is `max(target, current + 1) ..= max(target, current + 2)`:
/// one or two above the mentee, and never below the target. Within it: 1.
/// At or above the target but above the band (far ahead of the mentee): 0.85.
/// At or above the target but not above the mentee (a target at or below
/// the current level): 0.7. Below the target: 0.3 one level short, 0.15 two
/// short, 0 beyond; below target is always under any full fit.
pub fn maturity_fit(mentor: OsmmLevel, current: OsmmLevel, target: OsmmLevel) -> f64 {
    let (m, c, t) = (
        i32::from(mentor.get()),
        i32::from(current.get()),
        i32::from(target.get()),
    );
    if m < t {
        return match t - m {
            1 => 0.3,
            2 => 0.15,
            _ => 0.0,
        };
    }
    let (low, high) = (t.max(c + 1), t.max(c + 2));
    if m > high {
        0.85
    } else if m >= low {
        1.0
    } else {
        0.7
    }
}

pub const MINUTES_PER_DAY: u32 = 24 * 60;

/// Working hours are 9:00–17:00 local, so two people share at most 8 hours.
pub const WORKDAY_MINUTES: u32 = 8 * 60;

/// Timezone raw value when either side's offset is unknown: half, so an
/// unknown timezone neither wins nor loses a close race by itself.
pub const UNKNOWN_TIMEZONE_RAW: f64 = 0.5;

/// An offset in minutes east of UTC as a minute of the day, `0..1440`.
#[inline]
pub fn minute_of_day(utc_offset_minutes: i32) -> u16 {
    utc_offset_minutes.rem_euclid(MINUTES_PER_DAY as i32) as u16
}

/// Clock distance between two offsets given by [`minute_of_day`], around
/// the day: UTC+14 and UTC−12 are 2 hours apart, not 26. At most 12 hours.
/// Other inputs give a meaningless distance but never panic: the scorer
/// computes it before knowing whether both timezones are set, to save a branch.
#[inline]
pub fn clock_distance_minutes(a: u16, b: u16) -> u32 {
    let d = u32::from(a.abs_diff(b));
    d.min(MINUTES_PER_DAY.saturating_sub(d))
}

/// Minutes of shared working hours for two people `distance` minutes apart:
/// two 8-hour windows on a 24-hour clock no more than 12 hours apart overlap
/// by `8 h − distance`.
#[inline]
pub fn shared_working_minutes(distance: u32) -> u32 {
    WORKDAY_MINUTES.saturating_sub(distance)
}

/// `shared / 8 h`, from a table: a load instead of a division per pair.
///
/// # Panics
/// When `shared_minutes` is above [`WORKDAY_MINUTES`]; [`shared_working_minutes`] never is.
#[inline]
pub fn shared_hours_fraction(shared_minutes: u32) -> f64 {
    SHARED_FRACTION[shared_minutes as usize]
}

static SHARED_FRACTION: [f64; WORKDAY_MINUTES as usize + 1] = {
    let mut table = [0.0; WORKDAY_MINUTES as usize + 1];
    let mut m = 0;
    while m <= WORKDAY_MINUTES as usize {
        table[m] = m as f64 / WORKDAY_MINUTES as f64;
        m += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Proficiency;

    fn level(n: i64) -> OsmmLevel {
        OsmmLevel::try_from(n).unwrap()
    }

    #[test]
    fn proficiency_scale_is_the_top_proficiency() {
        assert_eq!(PROFICIENCY_SCALE, u32::from(Proficiency::MAX.get()));
    }

    #[test]
    fn priorities_weigh_three_two_one() {
        let w: Vec<u32> = (1..=3)
            .map(|p| priority_weight(Priority::try_from(p).unwrap()))
            .collect();
        assert_eq!(w, [3, 2, 1]);
    }

    #[test]
    fn role_weights_rise_with_seniority_and_top_out_at_the_scale() {
        let p: Vec<u32> = ProjectRole::ALL
            .iter()
            .map(|r| project_role_weight(*r))
            .collect();
        assert!(p.windows(2).all(|w| w[0] < w[1]) && p[4] == ROLE_SCALE);
        let f: Vec<u32> = FoundationRole::ALL
            .iter()
            .map(|r| foundation_role_weight(*r))
            .collect();
        assert!(f.windows(2).all(|w| w[0] < w[1]) && f[5] == ROLE_SCALE);
        assert!(
            foundation_role_weight(FoundationRole::WorkingGroupChair)
                >= 2 * foundation_role_weight(FoundationRole::WorkingGroupMember)
        );
    }

    #[test]
    fn maturity_is_best_one_or_two_above_the_mentee_and_never_below_target() {
        // Mentee at 2 aiming at 3: mentors at 3 and 4 are ideal, 5 is far ahead.
        let fit = |m| maturity_fit(level(m), level(2), level(3));
        assert_eq!(
            [fit(1), fit(2), fit(3), fit(4), fit(5)],
            [0.15, 0.3, 1.0, 1.0, 0.85]
        );
        // Mentee at 1 aiming at 2: the band is still two levels, 2 and 3.
        let fit = |m| maturity_fit(level(m), level(1), level(2));
        assert_eq!(
            [fit(1), fit(2), fit(3), fit(4), fit(5)],
            [0.3, 1.0, 1.0, 0.85, 0.85]
        );
        // Aiming three levels up: only the target itself is ideal.
        assert_eq!(maturity_fit(level(5), level(1), level(4)), 0.85);
        assert_eq!(maturity_fit(level(4), level(1), level(4)), 1.0);
        // Target at the current level: a mentor at that same level is a weaker fit.
        assert_eq!(maturity_fit(level(3), level(3), level(3)), 0.7);
        assert_eq!(maturity_fit(level(4), level(3), level(3)), 1.0);
    }

    #[test]
    fn every_full_fit_beats_every_fit_below_target() {
        for (m, c, t) in
            (1..=5).flat_map(|m| (1..=5).flat_map(move |c| (1..=5).map(move |t| (m, c, t))))
        {
            let fit = maturity_fit(level(m), level(c), level(t));
            assert!((0.0..=1.0).contains(&fit));
            assert_eq!(m >= t, fit >= 0.7, "m={m} c={c} t={t}");
        }
    }

    #[test]
    fn clock_distance_wraps_around_the_day() {
        assert_eq!(
            clock_distance_minutes(minute_of_day(14 * 60), minute_of_day(-12 * 60)),
            120
        );
        assert_eq!(
            clock_distance_minutes(minute_of_day(60), minute_of_day(-150)),
            210
        );
        assert_eq!(
            clock_distance_minutes(minute_of_day(0), minute_of_day(12 * 60)),
            720
        );
        assert_eq!(shared_working_minutes(180), 300);
        assert_eq!(shared_working_minutes(600), 0);
        assert_eq!(shared_hours_fraction(300), 0.625);
        assert_eq!(shared_hours_fraction(WORKDAY_MINUTES), 1.0);
    }
}

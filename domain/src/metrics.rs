//! The maths of the OSPO's figures (design.md, "Program metrics"), kept
//! apart from the queries that count: nearest-rank percentiles, rates that
//! are `None` when nothing was counted, the Gini coefficient.

/// The 1-based rank of the `p`-th percentile among `n` sorted values by the
/// nearest-rank method: the smallest rank `k` with `k / n ≥ p`. `None` for
/// no values.
///
/// ```
/// use domain::metrics::nearest_rank;
/// assert_eq!(nearest_rank(10, 0.5), Some(5));
/// assert_eq!(nearest_rank(10, 0.9), Some(9));
/// assert_eq!(nearest_rank(3, 0.5), Some(2));
/// assert_eq!(nearest_rank(1, 0.9), Some(1));
/// assert_eq!(nearest_rank(0, 0.5), None);
/// ```
pub fn nearest_rank(n: u64, p: f64) -> Option<u64> {
    if n == 0 {
        return None;
    }
    let p = p.clamp(0.0, 1.0);
    // ceil(p · n) in integers (p has a few decimals), at least 1.
    let scaled = (p * 1_000_000.0).round() as u64;
    let rank = (scaled * n).div_ceil(1_000_000);
    Some(rank.clamp(1, n))
}

/// `part ÷ whole`, or `None` when `whole` is 0 (a rate of nothing is unknown,
/// not zero).
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The Gini coefficient of non-negative values: 0 when all are equal, near
/// 1 when one holds everything; `None` for no values, 0 when all are 0.
///
/// Mean absolute difference over twice the mean, computed on the sorted
/// values in O(n log n).
pub fn gini(values: &[u64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().map(|&v| v as f64).sum();
    if total == 0.0 {
        return Some(0.0);
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| (2.0 * (i as f64 + 1.0) - n - 1.0) * v as f64)
        .sum();
    Some(weighted / (n * total))
}

/// A calendar month, `YYYY-MM` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Parses `YYYY-MM` (what the databases give for a timestamp's month).
    pub fn parse(text: &str) -> Option<Self> {
        let (year, month) = text.split_once('-')?;
        let month = Self {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        (1..=12).contains(&month.month).then_some(month)
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Every month from the earliest to the latest of `months`, both included,
/// so a month without activity still gets its (empty) row.
///
/// ```
/// use domain::metrics::{Month, months_spanning};
/// let m = |t| Month::parse(t).unwrap();
/// let span: Vec<String> = months_spanning([m("2026-11"), m("2027-02")]).iter().map(|m| m.to_string()).collect();
/// assert_eq!(span, ["2026-11", "2026-12", "2027-01", "2027-02"]);
/// assert!(months_spanning([]).is_empty());
/// ```
pub fn months_spanning(months: impl IntoIterator<Item = Month>) -> Vec<Month> {
    let mut months = months.into_iter();
    let Some(first) = months.next() else {
        return Vec::new();
    };
    let (low, high) = months.fold((first, first), |(lo, hi), m| (lo.min(m), hi.max(m)));
    let mut span = vec![low];
    let mut at = low;
    while at < high {
        at = at.next();
        span.push(at);
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_follows_its_definition() {
        for n in 1..=50u64 {
            for p in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
                let k = nearest_rank(n, p).unwrap();
                assert!((1..=n).contains(&k));
                assert!(k as f64 / n as f64 >= p - 1e-9, "n {n} p {p} k {k}");
                assert!(
                    k == 1 || ((k - 1) as f64 / n as f64) < p - 1e-9,
                    "n {n} p {p} k {k}"
                );
            }
        }
    }

    #[test]
    fn rates_of_nothing_are_unknown() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn months_parse_and_span_years() {
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026"), None);
        assert_eq!(Month::parse("2026-00"), None);
        let dec = Month::parse("2026-12").unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        let one = months_spanning([dec, dec]);
        assert_eq!(one, vec![dec]);
        let span = months_spanning([dec.next().next(), dec]);
        assert_eq!(span.len(), 3);
        assert_eq!(span[1].to_string(), "2027-01");
    }

    #[test]
    fn gini_by_hand() {
        assert_eq!(gini(&[]), None);
        assert_eq!(gini(&[0, 0]), Some(0.0));
        assert_eq!(gini(&[2, 2, 2]), Some(0.0));
        // One of four holds everything: (n - 1) / n.
        assert!((gini(&[0, 0, 0, 4]).unwrap() - 0.75).abs() < 1e-12);
        // 1, 2, 3: mean |difference| over all ordered pairs = 8/9, mean 2 → 2/9.
        assert!((gini(&[3, 1, 2]).unwrap() - 2.0 / 9.0).abs() < 1e-12);
    }
}

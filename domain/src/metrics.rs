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

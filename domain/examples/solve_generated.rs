//! Generates a cohort in memory and times each solver on it, for the sizes
//! of design.md "Performance". Run in release, under `/usr/bin/time -v` for
//! peak memory:
//!
//! ```text
//! cargo run --release --example solve_generated -- structured 20000 5000 4750 1 optimal
//! ```
//!
//! Arguments: kind (`uniform`|`structured`), mentees, mentors, pairs per
//! mentee, seed, then `optimal`, `stable`, `both` (default) or `csv` (write
//! both files to memory and read them back, timing the parser).

use domain::matching::csv::{read_cohort, write_capacities, write_scores};
use domain::matching::generate::{Kind, generate};
use domain::matching::{blocking_pairs, is_feasible, optimal, stable};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let kind = if arg(0, "structured") == "uniform" {
        Kind::Uniform
    } else {
        Kind::Structured
    };
    let num = |i: usize, default: &str| arg(i, default).parse::<u32>().expect("a number");
    let (mentees, mentors, per, seed) =
        (num(1, "5000"), num(2, "1500"), num(3, "1400"), num(4, "1"));
    let what = arg(5, "both");

    let t = Instant::now();
    let cohort = generate(kind, mentees, mentors, per, u64::from(seed));
    let inst = &cohort.instance;
    println!(
        "generate {kind:?} {mentees}x{mentors}: {} pairs in {:.2?}",
        inst.pair_count(),
        t.elapsed()
    );

    if what == "csv" {
        let (mut caps, mut scores) = (Vec::new(), Vec::new());
        let t = Instant::now();
        write_capacities(&mut caps, &cohort).unwrap();
        write_scores(&mut scores, &cohort).unwrap();
        println!(
            "write csv: {} bytes in {:.2?}",
            caps.len() + scores.len(),
            t.elapsed()
        );
        let t = Instant::now();
        let back = read_cohort(&caps[..], &scores[..], &mut |_| {}).unwrap();
        println!(
            "read csv: {:.2?}, same cohort: {}",
            t.elapsed(),
            back == cohort
        );
        return;
    }
    if what == "optimal" || what == "both" {
        let t = Instant::now();
        let best = optimal(inst);
        let took = t.elapsed();
        println!(
            "optimal: objective {} matched {} in {took:.2?} (feasible {})",
            best.objective(inst),
            best.matched_count(),
            is_feasible(inst, &best)
        );
        let t = Instant::now();
        let blocking = blocking_pairs(inst, &best);
        println!(
            "  blocking pairs {blocking} (counted in {:.2?})",
            t.elapsed()
        );
    }
    if what == "stable" || what == "both" {
        let t = Instant::now();
        let fair = stable(inst);
        let took = t.elapsed();
        println!(
            "stable: objective {} matched {} in {took:.2?} (feasible {})",
            fair.objective(inst),
            fair.matched_count(),
            is_feasible(inst, &fair)
        );
        println!("  blocking pairs {}", blocking_pairs(inst, &fair));
    }
}

//! `tandem solve` and `tandem generate`: cohort matching from CSV files
//! (design.md, "Solving from files"), and the deterministic instances the
//! benchmarks solve. File handling and progress only; the work is in
//! `domain::matching`.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use domain::matching::{self, csv, generate};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Strategy {
    Optimal,
    Stable,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum InstanceKind {
    Uniform,
    Structured,
}

fn open(path: &Path) -> anyhow::Result<(BufReader<File>, u64)> {
    let file = File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((BufReader::with_capacity(1 << 20, file), len))
}

/// Solves the files and prints one JSON line; returns the error line to show.
pub fn solve(
    caps: &Path,
    scores: &Path,
    strategy: Strategy,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (caps_reader, caps_len) = open(caps)?;
    let (scores_reader, scores_len) = open(scores)?;
    let total = caps_len + scores_len;
    let show = std::io::stderr().is_terminal();
    let mut progress = |read: u64| {
        if show && total > 0 {
            eprint!("\rreading {:>3}%", read.min(total) * 100 / total);
        }
    };
    let cohort = csv::read_cohort(caps_reader, scores_reader, &mut progress).map_err(|e| {
        let file = match e.file {
            csv::CsvFile::Capacities => caps,
            csv::CsvFile::Scores => scores,
        };
        anyhow::anyhow!("{}: {e}", file.display())
    })?;
    if show {
        eprint!("\rsolving ({:?})…   ", strategy);
    }
    let assignment = match strategy {
        Strategy::Optimal => matching::optimal(&cohort.instance),
        Strategy::Stable => matching::stable(&cohort.instance),
    };
    if show {
        eprintln!("\rdone.            ");
    }
    if let Some(out) = out {
        let file = File::create(out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        let mut writer = BufWriter::new(file);
        csv::write_assignment(&mut writer, &cohort, &assignment)?;
        writer.flush()?;
    }
    let line = serde_json::json!({
        "strategy": match strategy { Strategy::Optimal => "optimal", Strategy::Stable => "stable" },
        "objective": assignment.objective(&cohort.instance),
        "matched": assignment.matched_count(),
        "mentees": cohort.instance.mentees(),
        "mentors": cohort.instance.mentors(),
        "elapsed_ms": started.elapsed().as_millis() as u64,
    });
    println!("{line}");
    Ok(())
}

/// Writes a generated instance as the two files `solve` reads.
pub fn generate(
    kind: InstanceKind,
    mentees: u32,
    mentors: u32,
    pairs_per_mentee: u32,
    seed: u64,
    caps: &Path,
    scores: &Path,
) -> anyhow::Result<()> {
    let kind = match kind {
        InstanceKind::Uniform => generate::Kind::Uniform,
        InstanceKind::Structured => generate::Kind::Structured,
    };
    if pairs_per_mentee > mentors {
        anyhow::bail!(
            "--pairs-per-mentee ({pairs_per_mentee}) cannot exceed --mentors ({mentors})"
        );
    }
    let cohort = generate::generate(kind, mentees, mentors, pairs_per_mentee, seed);
    let create = |path: &Path| -> anyhow::Result<BufWriter<File>> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            File::create(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        ))
    };
    let mut caps_out = create(caps)?;
    csv::write_capacities(&mut caps_out, &cohort)?;
    caps_out.flush()?;
    let mut scores_out = create(scores)?;
    csv::write_scores(&mut scores_out, &cohort)?;
    scores_out.flush()?;
    eprintln!("tandem: wrote {} pairs", cohort.instance.pair_count());
    Ok(())
}

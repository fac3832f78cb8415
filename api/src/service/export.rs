//! CSV exports for the OSPO (design.md, "Operations": `tandem export`,
//! `/export/matches.csv`, `/export/metrics.csv`): UTF-8 with a byte-order
//! mark (so spreadsheets read it as UTF-8), a header row, RFC 4180 quoting,
//! and text cells that a spreadsheet would run as a formula escaped with a
//! leading `'`. Matches are written a page at a time, never all in memory.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::DatabaseConnection;

use super::OspoTask;
use super::reports::{self, ProgramMetrics};
use crate::error::{ApiError, ApiResult};
use crate::store::export::{MatchLine, matches_page};
use crate::store::programs;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const PAGE: u64 = 1000;

pub const MATCH_COLUMNS: [&str; 14] = [
    "match_id",
    "request_id",
    "mentee",
    "mentee_email",
    "mentor",
    "mentor_email",
    "state",
    "proposed_at",
    "answered_at",
    "ended_at",
    "score",
    "policy_version",
    "decline_reason",
    "end_reason",
];

pub const METRIC_COLUMNS: [&str; 4] = ["section", "item", "month", "value"];

/// A text cell as written: one that starts like a formula (`=`, `+`, `-`,
/// `@`, or a tab or carriage return that some spreadsheets skip) gets a
/// leading `'`, so it is shown, never evaluated.
pub fn text_cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn csv_error(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(anyhow::Error::new(e))
}

/// Writes rows of cells to CSV bytes.
fn encode<'a>(rows: impl IntoIterator<Item = Vec<Cow<'a, str>>>) -> ApiResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|c| c.as_bytes()))
            .map_err(csv_error)?;
    }
    writer.into_inner().map_err(|e| csv_error(e.into_error()))
}

async fn check_program(db: &DatabaseConnection, program_id: Option<&str>) -> ApiResult<()> {
    if let Some(id) = program_id
        && programs::find(db, id).await?.is_none()
    {
        return Err(ApiError::NotFound("program"));
    }
    Ok(())
}

/// A program's matches (all matches without one) as CSV, chunk by chunk.
pub struct MatchExport {
    db: DatabaseConnection,
    program_id: Option<String>,
    after: Option<String>,
    started: bool,
    done: bool,
}

impl MatchExport {
    pub async fn new(
        db: &DatabaseConnection,
        _who: OspoTask<'_>,
        program_id: Option<String>,
    ) -> ApiResult<Self> {
        check_program(db, program_id.as_deref()).await?;
        Ok(Self {
            db: db.clone(),
            program_id,
            after: None,
            started: false,
            done: false,
        })
    }

    /// The next chunk of the file (the first holds the header), or `None`
    /// after the last.
    pub async fn next_chunk(&mut self) -> ApiResult<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let lines = matches_page(
            &self.db,
            self.program_id.as_deref(),
            self.after.as_deref(),
            PAGE,
        )
        .await?;
        self.done = (lines.len() as u64) < PAGE;
        self.after = lines.last().map(|l| l.id.clone());
        let mut chunk = Vec::new();
        let mut rows: Vec<Vec<Cow<'_, str>>> = Vec::new();
        if !self.started {
            self.started = true;
            chunk.extend_from_slice(BOM);
            rows.push(MATCH_COLUMNS.iter().map(|c| Cow::Borrowed(*c)).collect());
        }
        rows.extend(lines.iter().map(match_row));
        chunk.extend(encode(rows)?);
        Ok(Some(chunk))
    }
}

/// A stored slug as the API names it (`ended_early`, `no-time-now` →
/// `ENDED_EARLY`, `NO_TIME_NOW`), so the file and the API agree.
fn api_name(slug: &str) -> String {
    slug.replace('-', "_").to_uppercase()
}

/// An optional text cell, escaped like any other.
fn text(value: &Option<String>) -> Cow<'_, str> {
    text_cell(value.as_deref().unwrap_or_default())
}

fn match_row(l: &MatchLine) -> Vec<Cow<'_, str>> {
    vec![
        Cow::Borrowed(l.id.as_str()),
        Cow::Borrowed(l.request_id.as_str()),
        text_cell(&l.mentee),
        text(&l.mentee_email),
        text_cell(&l.mentor),
        text(&l.mentor_email),
        Cow::Owned(api_name(&l.state)),
        Cow::Owned(time(Some(l.proposed_at))),
        Cow::Owned(time(l.answered_at)),
        Cow::Owned(time(l.ended_at)),
        Cow::Owned(format!("{:.4}", l.score)),
        Cow::Owned(l.policy_version.to_string()),
        Cow::Owned(api_name(l.decline_reason.as_deref().unwrap_or_default())),
        text(&l.end_reason),
    ]
}

/// The figures of `programMetrics` as CSV rows `section,item,month,value`
/// (month only in `by_month` rows; an unknown rate is an empty value;
/// states, reasons and kinds named as in the API).
pub async fn metrics_csv(
    db: &DatabaseConnection,
    _who: OspoTask<'_>,
    program_id: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<Vec<u8>> {
    let m = reports::figures(db, program_id, from, to).await?;
    let mut out = BOM.to_vec();
    out.extend(encode(
        metric_rows(&m)
            .into_iter()
            .map(|row| row.into_iter().map(Cow::Owned).collect::<Vec<_>>()),
    )?);
    Ok(out)
}

fn metric_rows(m: &ProgramMetrics) -> Vec<Vec<String>> {
    let mut rows = vec![METRIC_COLUMNS.iter().map(|c| c.to_string()).collect()];
    let mut put = |section: &str, item: &str, month: &str, value: String| {
        rows.push(vec![
            section.to_owned(),
            text_cell(item).into_owned(),
            month.to_owned(),
            value,
        ]);
    };
    let rate = |r: Option<f64>| r.map(|v| format!("{v:.4}")).unwrap_or_default();
    for (state, n) in &m.requests_by_state {
        put(
            "requests_by_state",
            &api_name(state.slug()),
            "",
            n.to_string(),
        );
    }
    let t = &m.time_to_match;
    put("time_to_match", "count", "", t.count.to_string());
    put("time_to_match", "median_hours", "", rate(t.median_hours));
    put("time_to_match", "p90_hours", "", rate(t.p90_hours));
    let p = &m.proposals;
    for (item, n) in [
        ("made", p.made),
        ("accepted", p.accepted),
        ("declined", p.declined),
        ("expired", p.expired),
    ] {
        put("proposals", item, "", n.to_string());
    }
    put("proposals", "acceptance_rate", "", rate(p.acceptance_rate));
    for (reason, n) in &p.declines_by_reason {
        put(
            "declines_by_reason",
            &api_name(reason.slug()),
            "",
            n.to_string(),
        );
    }
    let s = &m.mentorships;
    for (item, n) in [
        ("active", s.active),
        ("completed", s.completed),
        ("ended_early", s.ended_early),
    ] {
        put("mentorships", item, "", n.to_string());
    }
    put(
        "mentorships",
        "completion_rate",
        "",
        rate(s.completion_rate),
    );
    let l = &m.mentors;
    for (item, n) in [
        ("capacity", l.capacity),
        ("live", l.live),
        ("active", l.active),
        ("idle_mentors", l.idle),
    ] {
        put("mentors", item, "", n.to_string());
    }
    put("mentors", "utilization", "", rate(l.utilization));
    put("mentors", "load_gini", "", rate(l.gini));
    let sat = &m.satisfaction;
    for (side, r) in [
        ("all", &sat.overall),
        ("by_mentor", &sat.by_mentor),
        ("by_mentee", &sat.by_mentee),
    ] {
        put(
            "satisfaction",
            &format!("{side}_ratings"),
            "",
            r.count.to_string(),
        );
        put(
            "satisfaction",
            &format!("{side}_mean_rating"),
            "",
            rate(r.mean()),
        );
    }
    let lp = &m.level_progression;
    put("level_progression", "advanced", "", lp.advanced.to_string());
    put(
        "level_progression",
        "mean_advance",
        "",
        rate(domain::metrics::rate(lp.total_advance, lp.advanced)),
    );
    for (kind, n) in &m.milestones {
        put("milestones", &api_name(kind.slug()), "", n.to_string());
    }
    put("check_ins", "count", "", m.check_ins.0.to_string());
    put("check_ins", "minutes", "", m.check_ins.1.to_string());
    for d in &m.demand_supply {
        let item = format!("{}:{}", d.kind.slug(), d.slug);
        put("demand_wanted", &item, "", d.wanted.to_string());
        put("demand_offered", &item, "", d.offered.to_string());
        put("demand_shortfall", &item, "", d.shortfall().to_string());
    }
    for (month, f) in &m.by_month {
        let month = month.to_string();
        for (item, n) in [
            ("requests", f.requests),
            ("proposals_made", f.proposals_made),
            ("accepted", f.accepted),
            ("declined", f.declined),
            ("expired", f.expired),
            ("completed", f.completed),
            ("ended_early", f.ended_early),
            ("check_ins", f.check_ins),
            ("check_in_minutes", f.check_in_minutes),
            ("milestones", f.milestones),
            ("level_ups", f.level_ups),
            ("ratings", f.ratings.count),
        ] {
            put("by_month", item, &month, n.to_string());
        }
        put(
            "by_month",
            "acceptance_rate",
            &month,
            rate(f.acceptance_rate()),
        );
        put(
            "by_month",
            "completion_rate",
            &month,
            rate(f.completion_rate()),
        );
        put("by_month", "mean_rating", &month, rate(f.ratings.mean()));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped_and_plain_ones_kept() {
        for risky in ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx"] {
            assert_eq!(text_cell(risky), format!("'{risky}"));
        }
        for plain in ["Ada", "a=b", "", "1"] {
            assert_eq!(text_cell(plain), plain);
        }
    }

    #[test]
    fn cells_are_quoted_per_rfc_4180() {
        let bytes = encode([vec![
            Cow::Borrowed("a,b"),
            Cow::Borrowed("say \"hi\""),
            Cow::Borrowed("two\nlines"),
        ]])
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
    }
}

//! The CSV file → checked rows. A real CSV reader (quoted fields, embedded
//! commas and newlines, CRLF, a UTF-8 BOM); each bad cell becomes a
//! [`RowError`] with the line on which its record starts. Problems with the
//! file as a whole (no header, an unknown or repeated column) stop the import.

use std::collections::HashMap;

use domain::values::{
    Capacity, FoundationRole, MentoringTopic, OsmmLevel, Priority, Proficiency, ProjectRole, Slug,
    bounded_text, email, required_text,
};

use super::cells::{self, CellResult};
use crate::error::{ApiError, ApiResult};

/// The columns of the HR export (README, "Importing people").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Email,
    Name,
    Department,
    ManagerEmail,
    Timezone,
    Languages,
    Level,
    MentorCapacity,
    MentorAccepting,
    MentorSkills,
    MentorProjects,
    MentorFoundations,
    MentorTopics,
    MenteeTargetLevel,
    MenteeSkills,
    MenteeProjects,
    MenteeFoundations,
    MenteeTopics,
    MenteeMaxTzDiffHours,
    Active,
}

impl Column {
    pub const ALL: [Self; 20] = [
        Self::Email,
        Self::Name,
        Self::Department,
        Self::ManagerEmail,
        Self::Timezone,
        Self::Languages,
        Self::Level,
        Self::MentorCapacity,
        Self::MentorAccepting,
        Self::MentorSkills,
        Self::MentorProjects,
        Self::MentorFoundations,
        Self::MentorTopics,
        Self::MenteeTargetLevel,
        Self::MenteeSkills,
        Self::MenteeProjects,
        Self::MenteeFoundations,
        Self::MenteeTopics,
        Self::MenteeMaxTzDiffHours,
        Self::Active,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Name => "name",
            Self::Department => "department",
            Self::ManagerEmail => "manager_email",
            Self::Timezone => "timezone",
            Self::Languages => "languages",
            Self::Level => "level",
            Self::MentorCapacity => "mentor_capacity",
            Self::MentorAccepting => "mentor_accepting",
            Self::MentorSkills => "mentor_skills",
            Self::MentorProjects => "mentor_projects",
            Self::MentorFoundations => "mentor_foundations",
            Self::MentorTopics => "mentor_topics",
            Self::MenteeTargetLevel => "mentee_target_level",
            Self::MenteeSkills => "mentee_skills",
            Self::MenteeProjects => "mentee_projects",
            Self::MenteeFoundations => "mentee_foundations",
            Self::MenteeTopics => "mentee_topics",
            Self::MenteeMaxTzDiffHours => "mentee_max_tz_diff_hours",
            Self::Active => "active",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A refused row: the line its record starts on, the column when one cell
/// is to blame, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<Column>,
    pub reason: String,
}

/// A checked row. `None` is an empty cell: the stored value stays.
#[derive(Debug, Default)]
pub struct Row {
    pub line: u64,
    pub email: String,
    pub name: Option<String>,
    pub department: Option<String>,
    pub manager_email: Option<String>,
    pub timezone: Option<String>,
    pub languages: Option<Vec<String>>,
    pub level: Option<OsmmLevel>,
    /// `None` when every mentor cell is empty: the mentor profile stays as it is.
    pub mentor: Option<MentorCells>,
    /// `None` when every mentee cell is empty.
    pub mentee: Option<MenteeCells>,
    /// `Some(false)` deactivates the person (they left); `true` and an
    /// empty cell change nothing (reactivation is explicit).
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub struct MentorCells {
    pub capacity: Option<Capacity>,
    pub accepting: Option<bool>,
    pub skills: Option<Vec<(Slug, Proficiency)>>,
    pub projects: Option<Vec<(Slug, ProjectRole)>>,
    pub foundations: Option<Vec<(Slug, FoundationRole)>>,
    pub topics: Option<Vec<MentoringTopic>>,
}

#[derive(Debug, Default)]
pub struct MenteeCells {
    pub target_level: Option<OsmmLevel>,
    pub skills: Option<Vec<(Slug, Priority)>>,
    pub projects: Option<Vec<Slug>>,
    pub foundations: Option<Vec<Slug>>,
    pub topics: Option<Vec<MentoringTopic>>,
    pub max_timezone_diff_hours: Option<u8>,
}

/// What the file held: the good rows, the refusals, and how many records
/// (data lines, not counting the header or blank rows) there were.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub errors: Vec<RowError>,
    pub records: usize,
    /// The emails of refused rows, with their lines: a good row naming one
    /// as its manager is not "unknown", and one naming it again is a repeat.
    pub refused: HashMap<String, u64>,
}

/// Reads the whole file. `Err` when the file itself cannot be imported.
pub fn read(csv: &[u8]) -> ApiResult<Parsed> {
    let csv = csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv);
    let unreadable =
        |e: csv::Error| ApiError::BadUserInput(format!("the file is not readable CSV: {e}"));
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(unreadable)? {
        return Err(ApiError::bad_input(
            "the file is empty: its first line must name the columns",
        ));
    }
    let columns = header(&record)?;
    let mut parsed = Parsed::default();
    let mut lines = Lines {
        text: csv,
        offset: 0,
        line: 1,
    };
    while reader.read_byte_record(&mut record).map_err(unreadable)? {
        let line = lines.at(record.position().map_or(0, csv::Position::byte));
        if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
            continue;
        }
        parsed.records += 1;
        if record.len() != columns.len() {
            parsed.errors.push(RowError {
                line,
                column: None,
                reason: format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let mut cells = Cells {
            line,
            errors: Vec::new(),
        };
        let mut texts = [""; Column::ALL.len()];
        for (column, raw) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(raw) {
                Ok(text) => texts[*column as usize] = text.trim(),
                Err(_) => cells.refuse(*column, "is not valid UTF-8".into()),
            }
        }
        let row = cells.row(&texts);
        if cells.errors.is_empty() {
            parsed.rows.push(row);
        } else {
            parsed.errors.append(&mut cells.errors);
            if !row.email.is_empty() {
                parsed.refused.entry(row.email).or_insert(line);
            }
        }
    }
    Ok(parsed)
}

/// The line on which a record starts, from its byte offset. The reader's own
/// `Position::line()` lags one behind after a CRLF (it consumes the `\n` with
/// the next record), so the newlines before the record's first byte are
/// counted here; records come in order, so each byte is looked at once.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self
            .text
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        if start > self.offset {
            let newlines = self.text[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines as u64;
            self.offset = start;
        }
        self.line
    }
}

/// The header's columns in file order; every name must be known and appear
/// once, and `email` must be there.
fn header(record: &csv::ByteRecord) -> ApiResult<Vec<Column>> {
    let known = || {
        Column::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut columns = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| ApiError::bad_input("the header (line 1) is not valid UTF-8"))?
            .trim()
            .to_ascii_lowercase();
        let column = Column::from_name(&name).ok_or_else(|| {
            if name.is_empty() {
                ApiError::BadUserInput(format!(
                    "column {} of the header (line 1) has no name; the columns are: {}",
                    i + 1,
                    known()
                ))
            } else {
                ApiError::BadUserInput(format!(
                    "unknown column {name:?} in the header (line 1); the columns are: {}",
                    known()
                ))
            }
        })?;
        if columns.contains(&column) {
            return Err(ApiError::BadUserInput(format!(
                "column {name:?} appears twice in the header (line 1)"
            )));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Email) {
        return Err(ApiError::bad_input(
            "the header (line 1) has no email column: email is the key of every row",
        ));
    }
    Ok(columns)
}

/// One record's cells as they are checked, collecting every refusal.
struct Cells {
    line: u64,
    errors: Vec<RowError>,
}

impl Cells {
    fn refuse(&mut self, column: Column, reason: String) {
        self.errors.push(RowError {
            line: self.line,
            column: Some(column),
            reason,
        });
    }

    /// The checked value of a non-empty cell; `None` when empty or refused.
    fn get<T>(
        &mut self,
        texts: &[&str],
        column: Column,
        parse: impl FnOnce(&str) -> CellResult<T>,
    ) -> Option<T> {
        let text = texts[column as usize];
        if text.is_empty() {
            return None;
        }
        match parse(text) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.refuse(column, reason);
                None
            }
        }
    }

    fn row(&mut self, t: &[&str]) -> Row {
        use Column as C;
        let text = |field: &'static str, max: usize, required: bool| {
            move |raw: &str| {
                if required {
                    required_text(field, raw, max, false)
                } else {
                    bounded_text(field, raw, max, false)
                }
                .map_err(|e| e.to_string())
            }
        };
        let address = |raw: &str| email(raw).map_err(|e| e.to_string());
        let email = self.get(t, C::Email, address);
        let unreadable = self.errors.iter().any(|e| e.column == Some(C::Email));
        if email.is_none() && t[C::Email as usize].is_empty() && !unreadable {
            self.refuse(C::Email, "is required: it is the key of every row".into());
        }
        let mentor_columns = [
            C::MentorCapacity,
            C::MentorAccepting,
            C::MentorSkills,
            C::MentorProjects,
            C::MentorFoundations,
            C::MentorTopics,
        ];
        let mentor = mentor_columns
            .iter()
            .any(|c| !t[*c as usize].is_empty())
            .then(|| MentorCells {
                capacity: self.get(t, C::MentorCapacity, cells::whole),
                accepting: self.get(t, C::MentorAccepting, cells::boolean),
                skills: self.get(t, C::MentorSkills, cells::skill_levels),
                projects: self.get(t, C::MentorProjects, cells::project_roles),
                foundations: self.get(t, C::MentorFoundations, cells::foundation_roles),
                topics: self.get(t, C::MentorTopics, cells::topics),
            });
        let mentee_columns = [
            C::MenteeTargetLevel,
            C::MenteeSkills,
            C::MenteeProjects,
            C::MenteeFoundations,
            C::MenteeTopics,
            C::MenteeMaxTzDiffHours,
        ];
        let mentee = mentee_columns
            .iter()
            .any(|c| !t[*c as usize].is_empty())
            .then(|| MenteeCells {
                target_level: self.get(t, C::MenteeTargetLevel, cells::whole),
                skills: self.get(t, C::MenteeSkills, cells::wanted_skills),
                projects: self.get(t, C::MenteeProjects, |r| cells::slugs("project", r)),
                foundations: self.get(t, C::MenteeFoundations, |r| cells::slugs("foundation", r)),
                topics: self.get(t, C::MenteeTopics, cells::topics),
                max_timezone_diff_hours: self.get(
                    t,
                    C::MenteeMaxTzDiffHours,
                    cells::timezone_hours,
                ),
            });
        Row {
            line: self.line,
            email: email.unwrap_or_default(),
            name: self.get(t, C::Name, text("name", 200, true)),
            department: self.get(t, C::Department, text("department", 200, false)),
            manager_email: self.get(t, C::ManagerEmail, address),
            timezone: self.get(t, C::Timezone, cells::timezone),
            languages: self.get(t, C::Languages, cells::languages),
            level: self.get(t, C::Level, cells::whole),
            mentor,
            mentee,
            active: self.get(t, C::Active, cells::boolean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(csv: &str) -> Parsed {
        read(csv.as_bytes()).unwrap()
    }

    fn refusal(csv: &str) -> String {
        read(csv.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn quoted_fields_carry_commas_and_newlines_and_lines_count_from_the_record_start() {
        let parsed = read_ok(
            "\u{feff}email,name,mentor_capacity,mentor_skills\r\n\
             a@x.com,\"Doe, Jane\",2,\"rust:5;\r\nlicensing:4\"\r\n\
             b@x.com,Bo,zero,\r\n",
        );
        assert_eq!(parsed.records, 2);
        assert_eq!(parsed.rows.len(), 1);
        let jane = &parsed.rows[0];
        assert_eq!(jane.line, 2);
        assert_eq!(jane.name.as_deref(), Some("Doe, Jane"));
        let mentor = jane.mentor.as_ref().unwrap();
        assert_eq!(mentor.skills.as_ref().unwrap().len(), 2);
        assert_eq!(
            parsed.errors,
            vec![RowError {
                line: 4,
                column: Some(Column::MentorCapacity),
                reason: "must be a whole number, got \"zero\"".into(),
            }]
        );
    }

    #[test]
    fn lines_count_over_blank_lines_and_lf_endings() {
        let parsed = read_ok("email,name\n\na@x.com,\"Ann\nLee\"\nnot-an-email,\n");
        let at: Vec<(u64, Option<Column>)> =
            parsed.errors.iter().map(|e| (e.line, e.column)).collect();
        // A name may not hold a line break; the next record starts on line 5.
        assert_eq!(at, vec![(3, Some(Column::Name)), (5, Some(Column::Email))]);
    }

    #[test]
    fn empty_cells_keep_values_and_empty_profile_columns_leave_profiles_alone() {
        let parsed = read_ok("email,name,level,mentee_target_level\na@x.com,,,\n");
        let row = &parsed.rows[0];
        assert_eq!(row.name, None);
        assert_eq!(row.level, None);
        assert!(row.mentor.is_none());
        assert!(row.mentee.is_none());
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported() {
        let parsed = read_ok("email,level,timezone\nnot-an-email,9,Mars/Base\n");
        let columns: Vec<_> = parsed.errors.iter().map(|e| e.column).collect();
        assert_eq!(
            columns,
            vec![
                Some(Column::Email),
                Some(Column::Timezone),
                Some(Column::Level)
            ]
        );
        assert!(parsed.errors.iter().all(|e| e.line == 2));
        assert!(parsed.rows.is_empty());
    }

    #[test]
    fn a_row_of_the_wrong_width_and_a_missing_email_are_refused() {
        let parsed = read_ok("email,name\na@x.com\n,Nobody\n,\n");
        assert_eq!(parsed.records, 2, "the all-empty row is not a record");
        assert_eq!(parsed.errors[0].reason, "has 1 fields, the header has 2");
        assert_eq!(parsed.errors[1].column, Some(Column::Email));
        assert_eq!(parsed.errors[1].line, 3);
    }

    #[test]
    fn the_header_must_name_known_columns_once_with_email() {
        assert!(refusal("email,emial\n").contains("unknown column \"emial\""));
        assert!(refusal("email,name,Name\n").contains("\"name\" appears twice"));
        assert!(refusal("name\nJo\n").contains("no email column"));
        assert!(refusal("").contains("empty"));
        assert!(refusal("email,\n").contains("column 2 of the header"));
        // Case and spaces around names are forgiven.
        assert_eq!(read_ok(" Email , NAME\na@x.com,A\n").rows.len(), 1);
    }
}

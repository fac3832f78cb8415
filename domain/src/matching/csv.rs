//! The files of `tandem solve` (design.md "Solving from files"): reads CAPS
//! (`mentor,capacity`) and SCORES (`mentee,mentor,score`) into a [`Cohort`],
//! and writes those files and assignment rows back. Works on `BufRead` /
//! `Write` only; the CLI opens the files and shows the progress this reports.
//!
//! The format is deliberately strict and simple: one header line, fields
//! split on every comma (no quoting, so ids cannot hold commas), an optional
//! `\r` before each `\n`, no blank lines. Ids are kept byte for byte and
//! compared as strings, so `007` and `7` are different mentors.

use super::{Assignment, Instance, InstanceBuilder, InstanceError};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead, Write};

const CAPS_HEADER: &str = "mentor,capacity";
const SCORES_HEADER: &str = "mentee,mentor,score";
/// Progress is reported at most once per this many bytes.
const PROGRESS_STEP: u64 = 16 << 20;

/// An [`Instance`] with the ids its indices stand for, both sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub instance: Instance,
    pub mentee_ids: Vec<String>,
    pub mentor_ids: Vec<String>,
}

/// Which of the two input files a [`CsvError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFile {
    Capacities,
    Scores,
}

impl fmt::Display for CsvFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Capacities => "capacities file",
            Self::Scores => "scores file",
        })
    }
}

/// A file that cannot be read as a cohort, with the 1-based line at fault.
#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {problem}")]
pub struct CsvError {
    pub file: CsvFile,
    pub line: u64,
    #[source]
    pub problem: CsvProblem,
}

#[derive(Debug, thiserror::Error)]
pub enum CsvProblem {
    #[error("the file is empty; it must start with the header `{expected}`")]
    Empty { expected: &'static str },
    #[error("the header must be `{expected}`")]
    BadHeader { expected: &'static str },
    #[error("expected {expected} comma-separated columns, found {found}")]
    ColumnCount { expected: usize, found: usize },
    #[error("an id must not be empty")]
    EmptyId,
    #[error("an id must be valid UTF-8")]
    IdNotUtf8,
    #[error("the score must be an integer ≥ 0, got {got:?}")]
    BadScore { got: String },
    #[error("the capacity must be a positive integer, got {got:?}")]
    BadCapacity { got: String },
    #[error("mentor {id:?} is not in the capacities file")]
    UnknownMentor { id: String },
    #[error("mentor {id:?} is listed twice")]
    DuplicateMentor { id: String },
    #[error("mentee {mentee:?} and mentor {mentor:?} are already paired on an earlier line")]
    DuplicatePair { mentee: String, mentor: String },
    #[error(transparent)]
    TooLarge(InstanceError),
    #[error("reading failed: {0}")]
    Io(#[from] io::Error),
}

/// Reads a cohort from its two files. Mentees and mentors get indices in
/// id order. `progress` receives the bytes read so far (both files), every
/// 16 MiB and at the end.
///
/// # Errors
/// The first problem, with its file and line: a missing or wrong header, a
/// wrong column count, an empty or non-UTF-8 id, a capacity that is not a
/// positive integer, a mentor listed twice, a score that is not an integer
/// ≥ 0, a mentor missing from the capacities file, a pair given twice, or a
/// read error.
///
/// # Complexity
/// O(bytes + P + E log E): one pass over each file, one hash lookup per
/// row (skipped when a row repeats the previous row's mentee, as sorted
/// files do). Memory while reading: 12 bytes per pair, then the
/// [`Instance`]'s 8.
pub fn read_cohort(
    capacities: impl BufRead,
    scores: impl BufRead,
    progress: &mut dyn FnMut(u64),
) -> Result<Cohort, CsvError> {
    let mut caps_rows: Vec<(Box<[u8]>, u32)> = Vec::new();
    let mut seen: IdMap = HashMap::default();
    let caps_bytes = for_each_line(
        CsvFile::Capacities,
        capacities,
        0,
        progress,
        |line_no, line| {
            if line_no == 1 {
                return check_header(line, CAPS_HEADER);
            }
            let [id, cap] = split_fields::<2>(line)?;
            let id = checked_id(id)?;
            let cap = parse_u32(cap)
                .filter(|&c| c > 0)
                .ok_or_else(|| CsvProblem::BadCapacity { got: lossy(cap) })?;
            if seen.insert(id.into(), 0).is_some() {
                return Err(CsvProblem::DuplicateMentor { id: lossy(id) });
            }
            caps_rows.push((id.into(), cap));
            Ok(())
        },
    )?
    .ok_or(CsvError {
        file: CsvFile::Capacities,
        line: 1,
        problem: CsvProblem::Empty {
            expected: CAPS_HEADER,
        },
    })?;
    caps_rows.sort_unstable();
    let mentor_index: IdMap = caps_rows
        .iter()
        .enumerate()
        .map(|(m, (id, _))| (id.clone(), m as u32))
        .collect();
    let caps: Vec<u32> = caps_rows.iter().map(|(_, c)| *c).collect();
    let mentor_ids: Vec<String> = caps_rows
        .into_iter()
        .map(|(id, _)| into_string(id))
        .collect();

    // Mentees are numbered in order of appearance, renumbered by id at the end.
    let mut mentee_index: IdMap = HashMap::default();
    let mut mentee_tmp_ids: Vec<Box<[u8]>> = Vec::new();
    let (mut last_mentee, mut last_tmp) = (Vec::<u8>::new(), u32::MAX);
    let (mut pair_mentee, mut pair_mentor, mut pair_score) = (Vec::new(), Vec::new(), Vec::new());
    let scores_end = for_each_line(
        CsvFile::Scores,
        scores,
        caps_bytes.0,
        progress,
        |line_no, line| {
            if line_no == 1 {
                return check_header(line, SCORES_HEADER);
            }
            let [mentee, mentor, score] = split_fields::<3>(line)?;
            let tmp = if last_tmp != u32::MAX && mentee == last_mentee.as_slice() {
                last_tmp
            } else {
                let mentee = checked_id(mentee)?;
                let tmp = match mentee_index.get(mentee) {
                    Some(&tmp) => tmp,
                    None => {
                        let tmp = mentee_tmp_ids.len() as u32;
                        mentee_index.insert(mentee.into(), tmp);
                        mentee_tmp_ids.push(mentee.into());
                        tmp
                    }
                };
                last_mentee.clear();
                last_mentee.extend_from_slice(mentee);
                last_tmp = tmp;
                tmp
            };
            let m = *mentor_index
                .get(mentor)
                .ok_or_else(|| CsvProblem::UnknownMentor { id: lossy(mentor) })?;
            let s = parse_u32(score).ok_or_else(|| CsvProblem::BadScore { got: lossy(score) })?;
            pair_mentee.push(tmp);
            pair_mentor.push(m);
            pair_score.push(s);
            Ok(())
        },
    )?;
    let Some((_, last_line)) = scores_end else {
        return Err(CsvError {
            file: CsvFile::Scores,
            line: 1,
            problem: CsvProblem::Empty {
                expected: SCORES_HEADER,
            },
        });
    };
    drop((mentee_index, last_mentee));

    let mut by_id: Vec<u32> = (0..mentee_tmp_ids.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| mentee_tmp_ids[a as usize].cmp(&mentee_tmp_ids[b as usize]));
    let mut new_index = vec![0u32; by_id.len()];
    for (rank, &tmp) in by_id.iter().enumerate() {
        new_index[tmp as usize] = rank as u32;
    }
    let mut mentee_ids: Vec<String> = Vec::with_capacity(by_id.len());
    let mut tmp_ids: Vec<Option<Box<[u8]>>> = mentee_tmp_ids.into_iter().map(Some).collect();
    for &tmp in &by_id {
        mentee_ids.push(into_string(
            tmp_ids[tmp as usize].take().unwrap_or_default(),
        ));
    }
    let mut builder = InstanceBuilder::from_parts(
        mentee_ids.len() as u32,
        caps,
        pair_mentee,
        pair_mentor,
        pair_score,
    );
    builder.remap_mentees(&new_index);
    let instance = builder.build().map_err(|e| match e {
        InstanceError::DuplicatePair {
            row,
            mentee,
            mentor,
        } => CsvError {
            file: CsvFile::Scores,
            line: row as u64 + 2,
            problem: CsvProblem::DuplicatePair {
                mentee: mentee_ids[mentee as usize].clone(),
                mentor: mentor_ids[mentor as usize].clone(),
            },
        },
        other => CsvError {
            file: CsvFile::Scores,
            line: last_line,
            problem: CsvProblem::TooLarge(other),
        },
    })?;
    Ok(Cohort {
        instance,
        mentee_ids,
        mentor_ids,
    })
}

/// Writes `mentor,capacity` rows for every mentor, in index order.
pub fn write_capacities(out: &mut impl Write, cohort: &Cohort) -> io::Result<()> {
    let mut chunk = Chunk::new(out);
    chunk.put(CAPS_HEADER.as_bytes())?;
    chunk.put(b"\n")?;
    for (id, &cap) in cohort.mentor_ids.iter().zip(cohort.instance.capacities()) {
        chunk.put(id.as_bytes())?;
        chunk.put(b",")?;
        chunk.put_u64(u64::from(cap))?;
        chunk.put(b"\n")?;
    }
    chunk.finish()
}

/// Writes `mentee,mentor,score` rows for every allowed pair, by mentee then mentor.
pub fn write_scores(out: &mut impl Write, cohort: &Cohort) -> io::Result<()> {
    let mut chunk = Chunk::new(out);
    chunk.put(SCORES_HEADER.as_bytes())?;
    chunk.put(b"\n")?;
    for (e, mentee) in cohort.mentee_ids.iter().enumerate() {
        let (ms, ss) = cohort.instance.pairs_of(e as u32);
        for (&m, &s) in ms.iter().zip(ss) {
            chunk.put(mentee.as_bytes())?;
            chunk.put(b",")?;
            chunk.put(cohort.mentor_ids[m as usize].as_bytes())?;
            chunk.put(b",")?;
            chunk.put_u64(u64::from(s))?;
            chunk.put(b"\n")?;
        }
    }
    chunk.finish()
}

/// Writes the header `mentee,mentor,score` and one row per matched mentee, by
/// mentee id (design.md: `--out ASSIGNMENT.csv`).
pub fn write_assignment(
    out: &mut impl Write,
    cohort: &Cohort,
    assignment: &Assignment,
) -> io::Result<()> {
    let mut chunk = Chunk::new(out);
    chunk.put(SCORES_HEADER.as_bytes())?;
    chunk.put(b"\n")?;
    for (e, m) in assignment.pairs() {
        chunk.put(cohort.mentee_ids[e as usize].as_bytes())?;
        chunk.put(b",")?;
        chunk.put(cohort.mentor_ids[m as usize].as_bytes())?;
        chunk.put(b",")?;
        chunk.put_u64(u64::from(cohort.instance.score(e, m).unwrap_or(0)))?;
        chunk.put(b"\n")?;
    }
    chunk.finish()
}

/// FxHash (rustc's): ids are short and come from local files, so speed
/// matters and hash flooding does not.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517C_C1B7_2722_0A95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x517C_C1B7_2722_0A95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap = HashMap<Box<[u8]>, u32, BuildHasherDefault<FxHasher>>;

/// Calls `on_line` with each line (1-based number, bytes without `\r\n`) and
/// returns the bytes read so far and the number of lines, or `None` for an
/// empty input. Lines split across buffer refills are stitched in `carry`;
/// every other line is handed out straight from the reader's buffer.
fn for_each_line(
    file: CsvFile,
    mut input: impl BufRead,
    bytes_before: u64,
    progress: &mut dyn FnMut(u64),
    mut on_line: impl FnMut(u64, &[u8]) -> Result<(), CsvProblem>,
) -> Result<Option<(u64, u64)>, CsvError> {
    let mut carry: Vec<u8> = Vec::new();
    let mut line_no = 0u64;
    let (mut bytes, mut reported) = (bytes_before, bytes_before);
    let fail = |line: u64, problem: CsvProblem| CsvError {
        file,
        line,
        problem,
    };
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(line_no + 1, CsvProblem::Io(e))),
        };
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        let mut start = 0;
        if !carry.is_empty() {
            match find_newline(buf) {
                Some(end) => {
                    carry.extend_from_slice(&buf[..end]);
                    line_no += 1;
                    on_line(line_no, trim_cr(&carry)).map_err(|p| fail(line_no, p))?;
                    carry.clear();
                    start = end + 1;
                }
                None => {
                    carry.extend_from_slice(buf);
                    start = len;
                }
            }
        }
        while start < len {
            match find_newline(&buf[start..]) {
                Some(end) => {
                    line_no += 1;
                    on_line(line_no, trim_cr(&buf[start..start + end]))
                        .map_err(|p| fail(line_no, p))?;
                    start += end + 1;
                }
                None => {
                    carry.extend_from_slice(&buf[start..]);
                    start = len;
                }
            }
        }
        input.consume(len);
        bytes += len as u64;
        if bytes - reported >= PROGRESS_STEP {
            progress(bytes);
            reported = bytes;
        }
    }
    if !carry.is_empty() {
        line_no += 1;
        on_line(line_no, trim_cr(&carry)).map_err(|p| fail(line_no, p))?;
    }
    progress(bytes);
    Ok((line_no > 0).then_some((bytes, line_no)))
}

fn find_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn check_header(line: &[u8], expected: &'static str) -> Result<(), CsvProblem> {
    // Spreadsheet exports often start with a UTF-8 byte order mark.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line == expected.as_bytes() {
        Ok(())
    } else {
        Err(CsvProblem::BadHeader { expected })
    }
}

fn split_fields<const N: usize>(line: &[u8]) -> Result<[&[u8]; N], CsvProblem> {
    let mut fields = [&line[..0]; N];
    let mut rest = line;
    for (i, field) in fields.iter_mut().enumerate() {
        if i + 1 == N {
            *field = rest;
        } else {
            let comma = rest
                .iter()
                .position(|&b| b == b',')
                .ok_or(CsvProblem::ColumnCount {
                    expected: N,
                    found: i + 1,
                })?;
            *field = &rest[..comma];
            rest = &rest[comma + 1..];
        }
    }
    if fields[N - 1].contains(&b',') {
        let found = N + fields[N - 1].iter().filter(|&&b| b == b',').count();
        return Err(CsvProblem::ColumnCount { expected: N, found });
    }
    Ok(fields)
}

fn checked_id(id: &[u8]) -> Result<&[u8], CsvProblem> {
    if id.is_empty() {
        return Err(CsvProblem::EmptyId);
    }
    std::str::from_utf8(id).map_err(|_| CsvProblem::IdNotUtf8)?;
    Ok(id)
}

/// Plain ASCII digits only: no sign, no spaces, no decimal point.
fn parse_u32(field: &[u8]) -> Option<u32> {
    if field.is_empty() || field.len() > 10 {
        return None;
    }
    let mut value = 0u64;
    for &b in field {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    u32::try_from(value).ok()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn into_string(id: Box<[u8]>) -> String {
    // Every id passed `checked_id`, so this never replaces anything.
    String::from_utf8(id.into_vec())
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A 1 MiB staging buffer: 95M rows through `write_all` one field at a time
/// would spend more time in call overhead than in formatting.
struct Chunk<'w, W: Write> {
    out: &'w mut W,
    buf: Vec<u8>,
}

impl<'w, W: Write> Chunk<'w, W> {
    fn new(out: &'w mut W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(1 << 20),
        }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.buf.len() + bytes.len() > self.buf.capacity() {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    fn put_u64(&mut self, mut n: u64) -> io::Result<()> {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(&digits[at..])
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(caps: &str, scores: &str) -> Result<Cohort, CsvError> {
        read_cohort(caps.as_bytes(), scores.as_bytes(), &mut |_| {})
    }

    #[test]
    fn fields_split_on_every_comma() {
        assert_eq!(
            split_fields::<3>(b"a,b,7").unwrap(),
            [&b"a"[..], b"b", b"7"]
        );
        assert!(matches!(
            split_fields::<3>(b"a,b"),
            Err(CsvProblem::ColumnCount {
                expected: 3,
                found: 2
            })
        ));
        assert!(matches!(
            split_fields::<3>(b"a,b,c,d"),
            Err(CsvProblem::ColumnCount {
                expected: 3,
                found: 4
            })
        ));
    }

    #[test]
    fn integers_are_plain_digits() {
        assert_eq!(parse_u32(b"0042"), Some(42));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b"1.5",
            b" 1",
            b"4294967296",
            b"99999999999",
        ] {
            assert_eq!(parse_u32(bad), None, "{bad:?}");
        }
    }

    /// Reads `data`, failing first with each of `errors`, one per call.
    struct Flaky {
        errors: Vec<io::ErrorKind>,
        data: &'static [u8],
    }

    impl io::Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if let Some(kind) = self.errors.pop() {
                return Err(kind.into());
            }
            let n = buf.len().min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_and_any_other_read_error_reported() {
        let scores = "mentee,mentor,score\ne1,m1,5\n";
        let flaky = |kind| {
            io::BufReader::new(Flaky {
                errors: vec![kind],
                data: b"mentor,capacity\nm1,2\n",
            })
        };
        let cohort = read_cohort(
            flaky(io::ErrorKind::Interrupted),
            scores.as_bytes(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(cohort.instance.score(0, 0), Some(5));
        let err = read_cohort(
            flaky(io::ErrorKind::PermissionDenied),
            scores.as_bytes(),
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!((err.file, err.line), (CsvFile::Capacities, 1));
        assert!(
            matches!(&err.problem, CsvProblem::Io(e) if e.kind() == io::ErrorKind::PermissionDenied),
            "{err}"
        );
    }

    /// `chunks` chunks of one MiB, each one line.
    struct Lines {
        chunk: Vec<u8>,
        chunks: usize,
    }

    impl io::Read for Lines {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            unreachable!("read through BufRead")
        }
    }

    impl io::BufRead for Lines {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            Ok(if self.chunks == 0 { &[] } else { &self.chunk })
        }
        fn consume(&mut self, amount: usize) {
            assert_eq!(amount, self.chunk.len());
            self.chunks -= 1;
        }
    }

    #[test]
    fn progress_is_told_every_16_mib_and_at_the_end() {
        let mib = 1 << 20;
        let mut chunk = vec![b'x'; mib];
        chunk[mib - 1] = b'\n';
        let mut told = Vec::new();
        let read = for_each_line(
            CsvFile::Scores,
            Lines { chunk, chunks: 40 },
            0,
            &mut |bytes| told.push(bytes / mib as u64),
            |_, line| {
                assert_eq!(line.len(), mib - 1);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(read, Some((40 * mib as u64, 40)));
        assert_eq!(told, [16, 32, 40]);
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_fine() {
        let cohort = read(
            "mentor,capacity\r\nm1,2\r\n",
            "mentee,mentor,score\r\ne1,m1,5",
        )
        .unwrap();
        assert_eq!(cohort.instance.score(0, 0), Some(5));
    }
}

//! Parsed documents by their text. A client (the web app, a script) sends
//! the same few documents over and over; parsing one was an eighth of a
//! small request's cost. A document is kept only once it passed the size,
//! token and shape limits, which depend on the configuration alone, so a
//! hit skips those checks as well. Variables and the operation's method are
//! still checked on every request.

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;

/// Past this many bytes of document text the memory is emptied, so unique
/// documents sent in bulk cost memory only up to here.
const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Default)]
pub struct Documents {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    parsed: HashMap<String, ExecutableDocument>,
    bytes: usize,
}

impl Documents {
    /// The parsed form of `query`, if it was kept.
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.parsed.get(query).cloned()
    }

    /// Keeps `doc` as the parsed form of `query`, which passed every limit.
    pub fn keep(&self, query: &str, doc: &ExecutableDocument) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.parsed.contains_key(query) {
            return;
        }
        if kept.bytes + query.len() > MAX_BYTES {
            kept.parsed.clear();
            kept.bytes = 0;
        }
        kept.bytes += query.len();
        kept.parsed.insert(query.to_owned(), doc.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).unwrap()
    }

    #[test]
    fn a_kept_document_comes_back_as_parsed() {
        let documents = Documents::default();
        assert!(documents.get("{ me { id } }").is_none());
        documents.keep("{ me { id } }", &parse("{ me { id } }"));
        let back = documents.get("{ me { id } }").expect("kept");
        assert_eq!(format!("{back:?}"), format!("{:?}", parse("{ me { id } }")));
        assert!(documents.get("{ me { id }}").is_none());
    }

    #[test]
    fn the_memory_is_bounded_by_bytes() {
        let documents = Documents::default();
        let big = format!("{{ me {{ id }} }} # {}", "x".repeat(MAX_BYTES / 2));
        let doc = parse("{ me { id } }");
        documents.keep(&big, &doc);
        documents.keep("{ a }", &doc);
        assert!(documents.get(&big).is_some());
        let other = format!("{big}y");
        documents.keep(&other, &doc);
        assert!(documents.get(&big).is_none(), "emptied when full");
        assert!(documents.get("{ a }").is_none());
        assert!(documents.get(&other).is_some());
        let kept = documents.kept.lock().unwrap();
        assert_eq!(kept.bytes, other.len());
    }
}

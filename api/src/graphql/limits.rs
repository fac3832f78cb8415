//! Checks on a parsed document that async-graphql does not make itself
//! (aliases and total selections), and the codes given to errors that come
//! back without one (parse, validation and limit errors).

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Response, ServerError};

use crate::config::Limits;
use crate::error::ErrorCode;

/// Refuses a document that is too long or has too many lexical tokens,
/// before the parser spends anything on it.
pub fn check_size(query: &str, limits: &Limits) -> Result<(), String> {
    if query.len() > limits.max_query_bytes {
        return Err(format!(
            "the query is {} bytes long; at most {} are allowed",
            query.len(),
            limits.max_query_bytes
        ));
    }
    if count_tokens(query, limits.max_tokens) > limits.max_tokens {
        return Err(format!(
            "the query has more than {} tokens",
            limits.max_tokens
        ));
    }
    Ok(())
}

/// Counts GraphQL lexical tokens (punctuators, names, numbers, strings),
/// skipping what the grammar ignores (white space, commas, comments, a BOM),
/// and stops counting past `stop`. A character no token starts with counts
/// as one token; the parser rejects it later.
pub fn count_tokens(query: &str, stop: usize) -> usize {
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut tokens = 0;
    while i < bytes.len() && tokens <= stop {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if bytes[i..].starts_with("\u{feff}".as_bytes()) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                tokens += 1;
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                tokens += 1;
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                // One character, however many bytes it takes.
                i += query[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    tokens
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    selections: usize,
    introspection: bool,
    /// Nodes visited, fragment spreads included; the walk stops past the
    /// budget, so fragments that spread each other many times (exponential
    /// when expanded) cannot make this check the slow part.
    visited: usize,
    budget: usize,
    too_nested: bool,
}

/// Fields and fragments nested deeper than this are refused whatever the
/// depth limit, so the walk itself stays bounded.
const MAX_NESTING: usize = 64;

/// `nesting` counts fields and fragments alike, so a fragment cycle
/// (rejected later by validation) cannot recurse forever. (The depth limit
/// itself is async-graphql's, which counts fields through fragments.)
fn walk(set: &SelectionSet, doc: &ExecutableDocument, counts: &mut Counts, nesting: usize) {
    if nesting > MAX_NESTING {
        counts.too_nested = true;
        return;
    }
    for selection in &set.items {
        counts.visited += 1;
        if counts.visited > counts.budget {
            return;
        }
        match &selection.node {
            Selection::Field(field) => {
                counts.selections += 1;
                let name = field.node.name.node.as_str();
                counts.introspection |= name == "__schema" || name == "__type";
                if field.node.alias.is_some() {
                    counts.aliases += 1;
                }
                walk(&field.node.selection_set.node, doc, counts, nesting + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    walk(&fragment.node.selection_set.node, doc, counts, nesting + 1);
                }
            }
            Selection::InlineFragment(inline) => {
                walk(&inline.node.selection_set.node, doc, counts, nesting + 1)
            }
        }
    }
}

/// Refuses documents with too many aliases or selections, and
/// introspection when it is switched off (async-graphql would answer null
/// without an error).
pub fn check(doc: &ExecutableDocument, limits: &Limits, introspection: bool) -> Result<(), String> {
    let mut counts = Counts {
        budget: limits.max_selections.saturating_mul(4),
        ..Counts::default()
    };
    for (_, operation) in doc.operations.iter() {
        walk(&operation.node.selection_set.node, doc, &mut counts, 0);
    }
    if counts.visited > counts.budget {
        return Err(format!(
            "the query expands to more than {} selections",
            counts.budget
        ));
    }
    if counts.too_nested {
        return Err(format!(
            "the query nests fields and fragments more than {MAX_NESTING} levels deep"
        ));
    }
    if counts.introspection && !introspection {
        return Err("introspection is disabled on this server".into());
    }
    if counts.aliases > limits.max_aliases {
        return Err(format!(
            "the query uses {} aliases; at most {} are allowed",
            counts.aliases, limits.max_aliases
        ));
    }
    if counts.selections > limits.max_selections {
        return Err(format!(
            "the query selects {} fields; at most {} are allowed",
            counts.selections, limits.max_selections
        ));
    }
    Ok(())
}

/// Whether the operation that would run is a mutation (for GET requests).
pub fn is_mutation(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    doc.operations.iter().any(|(name, op)| {
        let selected = match (operation_name, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && op.node.ty == OperationType::Mutation
    })
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}

pub fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    let ext = error.extensions.get_or_insert_with(Default::default);
    ext.set("code", code.as_str());
    error
}

/// Gives every error without a code one, by where it arose, never by its
/// text: before execution (no data), validation or a limit; during
/// execution with a field path, async-graphql's own coercion of an argument
/// (every resolver error of ours is an `ApiError` and carries its code);
/// anything else is internal, and its message is replaced so nothing leaks.
pub fn assign_codes(mut response: Response) -> Response {
    let executed = response.data != async_graphql::Value::Null;
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(|error| {
            if has_code(&error) {
                error
            } else if error.path.is_empty() && !executed {
                with_code(error, ErrorCode::GraphqlValidationFailed)
            } else if !error.path.is_empty() {
                with_code(error, ErrorCode::BadUserInput)
            } else {
                tracing::error!(message = %error.message, "uncoded resolver error");
                let mut internal = with_code(error, ErrorCode::Internal);
                internal.message = "internal error".into();
                internal
            }
        })
        .collect();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_as_the_grammar_reads_them() {
        let count = |q: &str| count_tokens(q, usize::MAX);
        assert_eq!(count("{ me { id } }"), 6);
        // Commas, white space, comments and a BOM are ignored.
        assert_eq!(count("\u{feff}{ me,,, { id } } # a b c d"), 6);
        assert_eq!(count("query($k: Int! = 3) { a }"), 13);
        assert_eq!(count("...F @skip(if: true)"), 9);
        // A string is one token, escapes and all; so is a block string.
        assert_eq!(count(r#"f(a: "x \" y, z")"#), 6);
        assert_eq!(count("f(a: \"\"\"x \\\"\"\" \"y\" \"\"\")"), 6);
        assert_eq!(count("f(a: -1.5e+3, b: 0)"), 9);
        // Anything else is one token each, for the parser to refuse.
        assert_eq!(count("€ ~"), 2);
        assert_eq!(count(""), 0);
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let many = "a ".repeat(1_000_000);
        assert_eq!(count_tokens(&many, 10), 11);
    }

    #[test]
    fn size_is_checked_in_bytes_then_tokens() {
        let limits = Limits {
            max_query_bytes: 20,
            max_tokens: 4,
            ..Limits::default()
        };
        assert!(check_size("{ a b }", &limits).is_ok());
        assert!(
            check_size("{ a b c }", &limits)
                .unwrap_err()
                .contains("4 tokens")
        );
        assert!(
            check_size(&format!("{{ a }} #{}", "x".repeat(20)), &limits)
                .unwrap_err()
                .contains("bytes")
        );
    }
}

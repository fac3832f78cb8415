//! Checks on a parsed document that async-graphql does not make itself
//! (aliases and total selections), and the codes given to errors that come
//! back without one (parse, validation and limit errors).

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Response, ServerError};

use crate::config::Limits;
use crate::error::ErrorCode;

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
}

fn walk(set: &SelectionSet, doc: &ExecutableDocument, counts: &mut Counts, depth: usize) {
    // Fragments can only nest as deep as the depth limit allows; this bound
    // keeps a fragment cycle (rejected later by validation) from recursing forever.
    if depth > 64 {
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
                walk(&field.node.selection_set.node, doc, counts, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    walk(&fragment.node.selection_set.node, doc, counts, depth + 1);
                }
            }
            Selection::InlineFragment(inline) => {
                walk(&inline.node.selection_set.node, doc, counts, depth + 1)
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

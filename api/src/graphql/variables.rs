//! Variable coercion before execution (the GraphQL spec's
//! CoerceVariableValues). async-graphql checks a variable's value only when
//! a field reads it: a `null` for a non-null variable ran with the
//! argument's default, and a value of the wrong shape surfaced as a field
//! error after other fields had run. Here every variable of the chosen
//! operation is checked against its declared type first, and a mismatch is
//! a request error, so nothing executes.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Positioned, Value};

enum Input {
    Scalar(fn(&Value) -> bool),
    Enum(HashSet<String>),
    Object(Vec<Field>),
}

struct Field {
    name: String,
    ty: Type,
    has_default: bool,
}

/// The schema's input types, read once from its SDL (async-graphql keeps
/// its registry private).
static INPUTS: LazyLock<HashMap<String, Input>> = LazyLock::new(|| table(&super::sdl()));

fn table(sdl: &str) -> HashMap<String, Input> {
    let mut inputs: HashMap<String, Input> = HashMap::from([
        ("Int".into(), Input::Scalar(is_int)),
        (
            "Float".into(),
            Input::Scalar(|v| matches!(v, Value::Number(_))),
        ),
        (
            "String".into(),
            Input::Scalar(|v| matches!(v, Value::String(_))),
        ),
        (
            "Boolean".into(),
            Input::Scalar(|v| matches!(v, Value::Boolean(_))),
        ),
        (
            "ID".into(),
            Input::Scalar(|v| matches!(v, Value::String(_)) || is_int(v)),
        ),
    ]);
    let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
        return inputs;
    };
    for definition in doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        let input = match ty.node.kind {
            TypeKind::Scalar => Input::Scalar(match name.as_str() {
                "Date" => |v| matches!(v, Value::String(s) if super::scalars::is_date(s)),
                "DateTime" => {
                    |v| matches!(v, Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok())
                }
                _ => |_| true,
            }),
            TypeKind::Enum(e) => Input::Enum(
                e.values
                    .iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect(),
            ),
            TypeKind::InputObject(o) => Input::Object(
                o.fields
                    .iter()
                    .map(|f| Field {
                        name: f.node.name.node.to_string(),
                        ty: f.node.ty.node.clone(),
                        has_default: f.node.default_value.is_some(),
                    })
                    .collect(),
            ),
            _ => continue,
        };
        inputs.insert(name, input);
    }
    inputs
}

fn is_int(value: &Value) -> bool {
    matches!(value, Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()))
}

/// The operation that will run, when the request names one that exists
/// (otherwise execution reports the problem itself).
fn operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Checks the supplied variables of the operation that will run against
/// their declared types; the error is the message for the client.
pub fn check(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), String> {
    let Some(op) = operation(doc, operation_name) else {
        return Ok(());
    };
    for definition in &op.node.variable_definitions {
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        let ty = &definition.var_type.node;
        match variables.get(name) {
            None if ty.nullable || definition.default_value.is_some() => {}
            None => {
                return Err(format!(
                    "variable ${name} of required type {ty} was not provided"
                ));
            }
            Some(value) => coerce(value, ty, &format!("${name}"))
                .map_err(|reason| format!("variable ${name} has an invalid value: {reason}"))?,
        }
    }
    Ok(())
}

fn coerce(value: &Value, ty: &Type, at: &str) -> Result<(), String> {
    if matches!(value, Value::Null) {
        return if ty.nullable {
            Ok(())
        } else {
            Err(format!("{at} is null, but {ty} cannot be null"))
        };
    }
    match &ty.base {
        BaseType::List(inner) => match value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| coerce(item, inner, &format!("{at}[{i}]"))),
            // A single value stands for a list of one.
            other => coerce(other, inner, at),
        },
        BaseType::Named(name) => named(value, name.as_str(), at),
    }
}

fn named(value: &Value, name: &str, at: &str) -> Result<(), String> {
    let expected = || format!("{at} is not a valid {name}");
    match INPUTS.get(name) {
        // Not an input type: validation reports the variable's type.
        None => Ok(()),
        Some(Input::Scalar(valid)) => valid(value).then_some(()).ok_or_else(expected),
        Some(Input::Enum(values)) => match value {
            Value::String(s) if values.contains(s) => Ok(()),
            Value::Enum(s) if values.contains(s.as_str()) => Ok(()),
            _ => Err(expected()),
        },
        Some(Input::Object(fields)) => {
            let Value::Object(given) = value else {
                return Err(format!("{at} must be an object of type {name}"));
            };
            if let Some(unknown) = given
                .keys()
                .find(|key| !fields.iter().any(|f| f.name == key.as_str()))
            {
                return Err(format!("{at}.{unknown} is not a field of {name}"));
            }
            for field in fields {
                let path = format!("{at}.{}", field.name);
                match given.get(field.name.as_str()) {
                    Some(v) => coerce(v, &field.ty, &path)?,
                    None if field.ty.nullable || field.has_default => {}
                    None => return Err(format!("{path} of type {} is required", field.ty)),
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, variables: serde_json::Value) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        check(&doc, None, &Variables::from_json(variables))
    }

    #[test]
    fn required_variables_must_be_given_and_not_null() {
        let q = "query($k: Int!) { skills(first: $k) { totalCount } }";
        assert!(run(q, serde_json::json!({ "k": 3 })).is_ok());
        let missing = run(q, serde_json::json!({})).unwrap_err();
        assert!(missing.contains("$k of required type Int!"), "{missing}");
        let null = run(q, serde_json::json!({ "k": null })).unwrap_err();
        assert!(null.contains("cannot be null"), "{null}");
        // A default stands in for a missing value, and a nullable one may be null.
        assert!(run("query($k: Int! = 3) { a }", serde_json::json!({})).is_ok());
        assert!(run("query($k: Int) { a }", serde_json::json!({ "k": null })).is_ok());
    }

    #[test]
    fn scalars_are_checked_by_shape() {
        let int = "query($k: Int) { a }";
        assert!(run(int, serde_json::json!({ "k": "3" })).is_err());
        assert!(run(int, serde_json::json!({ "k": 3_000_000_000_i64 })).is_err());
        assert!(run(int, serde_json::json!({ "k": 1.5 })).is_err());
        let date = "query($d: Date) { a }";
        assert!(run(date, serde_json::json!({ "d": "2026-01-31" })).is_ok());
        for bad in [
            serde_json::json!(true),
            serde_json::json!(20260131),
            serde_json::json!("2026-1-31"),
        ] {
            assert!(run(date, serde_json::json!({ "d": bad })).is_err(), "{bad}");
        }
        let id = "query($i: ID!) { a }";
        assert!(run(id, serde_json::json!({ "i": 7 })).is_ok());
        assert!(run(id, serde_json::json!({ "i": false })).is_err());
    }

    #[test]
    fn enums_lists_and_input_objects_are_walked() {
        let states = "query($s: [RequestState!]) { a }";
        assert!(run(states, serde_json::json!({ "s": ["OPEN"] })).is_ok());
        assert!(run(states, serde_json::json!({ "s": "OPEN" })).is_ok());
        let bad = run(states, serde_json::json!({ "s": ["OPEN", "NOPE"] })).unwrap_err();
        assert!(bad.contains("$s[1]"), "{bad}");
        assert!(run(states, serde_json::json!({ "s": [null] })).is_err());
        let filter = "query($f: MentorFilter) { a }";
        assert!(run(filter, serde_json::json!({ "f": {} })).is_ok());
        assert!(run(filter, serde_json::json!({ "f": "x" })).is_err());
        let unknown = run(filter, serde_json::json!({ "f": { "nope": 1 } })).unwrap_err();
        assert!(unknown.contains("$f.nope"), "{unknown}");
    }

    #[test]
    fn only_the_chosen_operation_is_checked() {
        let doc = async_graphql::parser::parse_query("query A($k: Int!) { a } query B { b }")
            .expect("parses");
        let none = Variables::from_json(serde_json::json!({}));
        assert!(check(&doc, Some("B"), &none).is_ok());
        assert!(check(&doc, Some("A"), &none).is_err());
        // An ambiguous or unknown operation is left to execution's own error.
        assert!(check(&doc, None, &none).is_ok());
        assert!(check(&doc, Some("C"), &none).is_ok());
    }
}

//! Custom scalars: `Date` (ISO 8601 calendar date, `2026-01-31`).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) if is_date(s) => {
                s.parse::<chrono::NaiveDate>().map(Date).map_err(|_| {
                    InputValueError::custom(format!("{s:?} is not a date in the form YYYY-MM-DD"))
                })
            }
            Value::String(s) => Err(InputValueError::custom(format!(
                "{s:?} is not a date in the form YYYY-MM-DD"
            ))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Lets validation refuse a literal that is not a date before anything runs.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if is_date(s))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// Exactly `YYYY-MM-DD` and a real day: chrono alone also takes `2026-1-5`
/// and signed or five-digit years.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && s.parse::<chrono::NaiveDate>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exactly_year_month_day() {
        assert!(is_date("2026-01-31"));
        for bad in [
            "2026-1-31",
            "2026-01-1",
            "+2026-01-31",
            "20260-01-31",
            "2026-02-30",
            "2026/01/31",
            "2026-01-31T00:00:00Z",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}

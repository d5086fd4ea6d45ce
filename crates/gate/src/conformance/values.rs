//! Valid and invalid values for a field, from its type and rules.

use blueprint_core::spec::{Field, FieldType};
use serde_json::{json, Value};

/// The longest string a `string` field takes when the spec gives no `max`.
const STRING_MAX: usize = 255;

fn text_bounds(field: &Field) -> (usize, usize) {
    let default_max = if field.ty == FieldType::Text {
        1000
    } else {
        STRING_MAX
    };
    let max = field
        .max
        .map(|m| m.as_f64().max(0.0) as usize)
        .unwrap_or(default_max);
    let min = field.min.map(|m| m.as_f64().max(0.0) as usize).unwrap_or(0);
    (min, max)
}

/// A string the pattern matches, digits (marked NUL by the sampler)
/// filled from `n` so unique fields get distinct values.
fn pattern_value(pattern: &str, n: u64) -> Option<String> {
    let sample = model::sample::sample_of_pattern(pattern)?;
    let digits: Vec<char> = format!("{n:020}").chars().rev().collect();
    let mut i = 0;
    let out: String = sample
        .chars()
        .map(|c| {
            if c == '\0' {
                let d = digits[i % digits.len()];
                i += 1;
                d
            } else {
                c
            }
        })
        .collect();
    Some(out)
}

/// A valid JSON value for a field; `n` is unique per call.
pub(crate) fn valid(field: &Field, name: &str, n: u64, nonce: &str) -> Value {
    if let Some(p) = field.pattern.as_ref().filter(|_| field.ty.is_textual()) {
        if let Some(s) = pattern_value(p, n) {
            return json!(s);
        }
    }
    match field.ty {
        FieldType::String | FieldType::Text => {
            let (min, max) = text_bounds(field);
            let mut s = format!("{name} {nonce} {n}");
            while s.chars().count() < min {
                s.push('x');
            }
            if s.chars().count() > max {
                // Keep the unique end.
                let chars: Vec<char> = s.chars().collect();
                s = chars[chars.len() - max..].iter().collect();
            }
            json!(s)
        }
        FieldType::Email => json!(format!("person{n}.{nonce}@example.com")),
        FieldType::Url => json!(format!("https://example.com/{nonce}/{n}")),
        FieldType::Phone => json!(format!("+4930{:07}", n % 10_000_000)),
        FieldType::Integer | FieldType::Bigint => {
            let lo = field.min.map(|m| m.as_f64().ceil() as i64).unwrap_or(0);
            let hi = field
                .max
                .map(|m| m.as_f64().floor() as i64)
                .unwrap_or(lo.saturating_add(1_000_000));
            let span = hi.saturating_sub(lo).max(0).saturating_add(1) as u64;
            json!(lo.saturating_add((n % span.max(1)) as i64))
        }
        FieldType::Decimal => {
            let (p, s) = field.decimal_digits();
            let lo = field.min.map(|m| m.as_f64()).unwrap_or(0.0).max(0.0);
            let hi = field.max.map(|m| m.as_f64()).unwrap_or(f64::MAX);
            let int_digits = p.saturating_sub(s).min(9) as i32;
            let cap = if int_digits == 0 {
                0.0
            } else {
                10f64.powi(int_digits) - 1.0
            };
            let v = lo.ceil().max(1.0).min(hi.floor()).min(cap).max(0.0);
            json!(format!("{:.*}", s as usize, v))
        }
        FieldType::Boolean => json!(true),
        FieldType::Date => json!("2030-01-15"),
        FieldType::Datetime => json!("2030-01-15T09:30:00+00:00"),
        FieldType::Uuid => json!(format!(
            "00000000-0000-4000-8000-{:012}",
            n % 1_000_000_000_000
        )),
        FieldType::Json => json!({ "n": n }),
        FieldType::Enum => json!(field.values.first().cloned().unwrap_or_default()),
    }
}

/// Whether `text` is an RFC 3339 time in UTC written with `Z`, such as
/// `2030-01-15T09:30:00Z` (fractions of a second allowed).
pub(crate) fn is_utc_z(text: &str) -> bool {
    static UTC_Z: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    UTC_Z
        .get_or_init(|| {
            regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
                .expect("a valid pattern")
        })
        .is_match(text)
}

/// Values that break one rule of the field each: `(rule, value)`.
pub(crate) fn invalid(field: &Field) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    if field.ty.is_textual() {
        let (min, _) = text_bounds(field);
        if let Some(max) = field.max {
            let len = max.as_f64().max(0.0) as usize + 1;
            out.push(("max", json!("a".repeat(len))));
        }
        if min > 0 {
            out.push(("min", json!("a".repeat(min - 1))));
        }
        if let Some(pattern) = &field.pattern {
            if let Ok(re) = regex::Regex::new(pattern) {
                let candidates = ["~", "!!", " ", "zz~~", "\u{1}", "-", "0", "a", ""];
                if let Some(bad) = candidates.iter().find(|c| !re.is_match(c)) {
                    out.push(("pattern", json!(bad)));
                }
            }
        }
    } else if field.ty.is_numeric() {
        let as_value = |x: f64| {
            if field.ty == FieldType::Decimal {
                json!(format!("{x}"))
            } else {
                json!(x as i64)
            }
        };
        if let Some(max) = field.max {
            let x = if field.ty == FieldType::Decimal {
                max.as_f64() + 1.0
            } else {
                max.as_f64().floor() + 1.0
            };
            out.push(("max", as_value(x)));
        }
        if let Some(min) = field.min {
            let x = if field.ty == FieldType::Decimal {
                min.as_f64() - 1.0
            } else {
                min.as_f64().ceil() - 1.0
            };
            out.push(("min", as_value(x)));
        }
    }
    match field.ty {
        FieldType::Decimal => {
            let (_, scale) = field.decimal_digits();
            out.push((
                "scale",
                json!(format!("1.{}", "1".repeat(scale as usize + 1))),
            ));
        }
        FieldType::Datetime => out.push(("offset", json!("2030-01-15T09:30:00"))),
        FieldType::Date => out.push(("date", json!("15/01/2030"))),
        FieldType::Enum => out.push(("enum", json!("not-one-of-the-values"))),
        FieldType::Email => out.push(("email", json!("not-an-email"))),
        FieldType::Url => out.push(("url", json!("ftp://"))),
        FieldType::Phone => out.push(("phone", json!("12345"))),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::spec::Number;

    fn field(ty: FieldType) -> Field {
        Field::new(ty)
    }

    #[test]
    fn valid_values_keep_the_rules() {
        let mut color = field(FieldType::String);
        color.pattern = Some("^#[0-9a-fA-F]{6}$".into());
        let re = regex::Regex::new("^#[0-9a-fA-F]{6}$").unwrap();
        let a = valid(&color, "color", 1, "n");
        let b = valid(&color, "color", 2, "n");
        assert!(re.is_match(a.as_str().unwrap()), "{a}");
        assert_ne!(a, b, "unique fields get distinct values");

        let mut name = field(FieldType::String);
        name.max = Some(Number::Int(5));
        name.min = Some(Number::Int(3));
        let v = valid(&name, "a_long_field_name", 123, "nonce");
        let len = v.as_str().unwrap().chars().count();
        assert!((3..=5).contains(&len), "{v}");

        let mut minutes = field(FieldType::Integer);
        minutes.min = Some(Number::Int(5));
        minutes.max = Some(Number::Int(240));
        for n in 0..500 {
            let v = valid(&minutes, "m", n, "x").as_i64().unwrap();
            assert!((5..=240).contains(&v));
        }
        let mut hours = field(FieldType::Decimal);
        hours.precision = Some(6);
        hours.scale = Some(2);
        assert_eq!(valid(&hours, "h", 1, "x"), json!("1.00"));
    }

    #[test]
    fn invalid_values_break_exactly_the_named_rule() {
        let mut code = field(FieldType::String);
        code.max = Some(Number::Int(10));
        code.pattern = Some("^[A-Z][0-9]{2}$".into());
        let cases = invalid(&code);
        let rules: Vec<&str> = cases.iter().map(|(r, _)| *r).collect();
        assert_eq!(rules, ["max", "pattern"]);
        let re = regex::Regex::new("^[A-Z][0-9]{2}$").unwrap();
        assert!(!re.is_match(cases[1].1.as_str().unwrap()));
        assert_eq!(cases[0].1.as_str().unwrap().len(), 11);

        let mut n = field(FieldType::Integer);
        n.min = Some(Number::Int(5));
        n.max = Some(Number::Int(240));
        assert_eq!(invalid(&n), [("max", json!(241)), ("min", json!(4))]);
        let rules = |t| {
            invalid(&field(t))
                .into_iter()
                .map(|(r, _)| r)
                .collect::<Vec<_>>()
        };
        assert_eq!(rules(FieldType::Email), ["email"]);
        assert_eq!(rules(FieldType::Phone), ["phone"]);
        assert_eq!(rules(FieldType::Url), ["url"]);
        assert_eq!(rules(FieldType::Datetime), ["offset"]);
        assert_eq!(rules(FieldType::Decimal), ["scale"]);
        assert!(rules(FieldType::Boolean).is_empty());
    }

    #[test]
    fn utc_times_are_written_with_z() {
        assert!(is_utc_z("2030-01-15T09:30:00Z"));
        assert!(is_utc_z("2030-01-15T09:30:00.123456Z"));
        assert!(!is_utc_z("2030-01-15T09:30:00+00:00"));
        assert!(!is_utc_z("2030-01-15T11:30:00+02:00"));
        assert!(!is_utc_z("2030-01-15T09:30:00"));
        assert!(!is_utc_z("2030-01-15"));
    }
}

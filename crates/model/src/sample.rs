//! Valid and invalid values of a field, from its type and bounds.
//!
//! A [`Sample`] says how to make a valid value for a counter `n` (so unique
//! fields get distinct values); stacks spell it as an expression of their
//! test language, the conformance suite evaluates it with
//! [`Sample::value`]. [`invalid_values`] lists values that each break one
//! rule of the field.

use blueprint_core::spec::{Field, FieldType};
use regex_syntax::hir::{Class, Hir, HirKind};
use serde::Serialize;
use serde_json::{json, Value};

/// How to make a valid value of a field for a counter `n`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sample {
    /// The same value every time.
    Fixed {
        /// The value.
        value: Value,
    },
    /// Text that starts with `prefix`, ends with `n`, padded with `x` to
    /// at least `min` characters and cut from the front to `max`.
    Text {
        /// Words that make the value readable.
        prefix: String,
        /// The fewest characters.
        min: u64,
        /// The most characters.
        max: u64,
    },
    /// A string matching the field's pattern: each NUL of `template` is a
    /// digit taken from `n`, least significant first.
    Digits {
        /// The pattern sample, with NUL at digit positions.
        template: String,
    },
    /// `lo + n % span`.
    Integer {
        /// The smallest value.
        lo: i64,
        /// How many values there are.
        span: u64,
    },
    /// `person{n}@example.com`.
    Email,
    /// `https://example.com/{n}`.
    Url,
    /// `+4930` and `n` in seven digits.
    Phone,
    /// A UUID made from `n`.
    Uuid,
    /// `{"n": n}`.
    Json,
}

impl Sample {
    /// The value for counter `n`; `nonce` makes text and emails distinct
    /// between runs against one database.
    ///
    /// ```
    /// use model::sample::Sample;
    /// let s = Sample::Text { prefix: "title".into(), min: 0, max: 200 };
    /// assert_eq!(s.value(7, "ab12"), serde_json::json!("title ab12 7"));
    /// assert_eq!(Sample::Integer { lo: 5, span: 10 }.value(12, ""), serde_json::json!(7));
    /// ```
    pub fn value(&self, n: u64, nonce: &str) -> Value {
        match self {
            Sample::Fixed { value } => value.clone(),
            Sample::Text { prefix, min, max } => {
                let mut s = if nonce.is_empty() {
                    format!("{prefix} {n}")
                } else {
                    format!("{prefix} {nonce} {n}")
                };
                while (s.chars().count() as u64) < *min {
                    s.push('x');
                }
                let len = s.chars().count() as u64;
                if len > *max {
                    s = s.chars().skip((len - max) as usize).collect();
                }
                json!(s)
            }
            Sample::Digits { template } => json!(fill_digits(template, n)),
            Sample::Integer { lo, span } => json!(lo.saturating_add((n % (*span).max(1)) as i64)),
            Sample::Email => {
                if nonce.is_empty() {
                    json!(format!("person{n}@example.com"))
                } else {
                    json!(format!("person{n}.{nonce}@example.com"))
                }
            }
            Sample::Url => {
                if nonce.is_empty() {
                    json!(format!("https://example.com/{n}"))
                } else {
                    json!(format!("https://example.com/{nonce}/{n}"))
                }
            }
            Sample::Phone => json!(format!("+4930{:07}", n % 10_000_000)),
            Sample::Uuid => json!(format!(
                "00000000-0000-4000-8000-{:012}",
                n % 1_000_000_000_000
            )),
            Sample::Json => json!({ "n": n }),
        }
    }
}

/// Fills the NUL positions of a pattern sample with the digits of `n`,
/// least significant first.
pub fn fill_digits(template: &str, n: u64) -> String {
    let digits: Vec<char> = format!("{n:020}").chars().rev().collect();
    let mut i = 0;
    template
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
        .collect()
}

/// The longest text a field takes: its `max`, else 255 for `string` and
/// 1,000 for the samples of `text`.
fn text_max(field: &Field) -> u64 {
    match field.max {
        Some(m) => m.as_f64().max(0.0) as u64,
        None if field.ty == FieldType::Text => 1000,
        None => blueprint_core::spec::DEFAULT_STRING_MAX as u64,
    }
}

/// How to make valid values of a field named `name`.
///
/// ```
/// use blueprint_core::spec::{Field, FieldType, Number};
/// use model::sample::{sample_of, Sample};
/// let mut f = Field::new(FieldType::Integer);
/// f.min = Some(Number::Int(5));
/// f.max = Some(Number::Int(240));
/// assert_eq!(sample_of(&f, "minutes"), Sample::Integer { lo: 5, span: 236 });
/// ```
pub fn sample_of(field: &Field, name: &str) -> Sample {
    if let Some(p) = field.pattern.as_ref().filter(|_| field.ty.is_textual()) {
        if let Some(template) = sample_of_pattern(p) {
            return if template.contains('\0') {
                Sample::Digits { template }
            } else {
                Sample::Fixed {
                    value: json!(template),
                }
            };
        }
    }
    match field.ty {
        FieldType::String | FieldType::Text => Sample::Text {
            prefix: name.to_string(),
            min: field.min.map(|m| m.as_f64().max(0.0) as u64).unwrap_or(0),
            max: text_max(field),
        },
        FieldType::Email => Sample::Email,
        FieldType::Url => Sample::Url,
        FieldType::Phone => Sample::Phone,
        FieldType::Integer | FieldType::Bigint => {
            let lo = field.min.map(|m| m.as_f64().ceil() as i64).unwrap_or(0);
            let hi = field
                .max
                .map(|m| m.as_f64().floor() as i64)
                .unwrap_or(lo.saturating_add(1_000_000));
            let span = hi.saturating_sub(lo).max(0).saturating_add(1) as u64;
            Sample::Integer { lo, span }
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
            Sample::Fixed {
                value: json!(format!("{:.*}", s as usize, v)),
            }
        }
        FieldType::Boolean => Sample::Fixed { value: json!(true) },
        FieldType::Date => Sample::Fixed {
            value: json!("2030-01-15"),
        },
        FieldType::Datetime => Sample::Fixed {
            value: json!("2030-01-15T09:30:00+00:00"),
        },
        FieldType::Uuid => Sample::Uuid,
        FieldType::Json => Sample::Json,
        FieldType::Enum => Sample::Fixed {
            value: json!(field.values.first().cloned().unwrap_or_default()),
        },
    }
}

/// Values that break one rule of the field each: `(rule, value)`.
///
/// ```
/// use blueprint_core::spec::{Field, FieldType, Number};
/// let mut f = Field::new(FieldType::String);
/// f.max = Some(Number::Int(3));
/// let bad = model::sample::invalid_values(&f);
/// assert!(bad.iter().any(|(rule, v)| *rule == "max" && v == "aaaa"));
/// ```
pub fn invalid_values(field: &Field) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    if field.ty.is_textual() {
        let min = field.min.map(|m| m.as_f64().max(0.0) as usize).unwrap_or(0);
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

/// A short string the regular expression matches, if one is easy to find,
/// with NUL where any digit fits.
///
/// ```
/// assert_eq!(model::sample::sample_of_pattern("^#[0-9a-fA-F]{6}$").as_deref(), Some("#\0\0\0\0\0\0"));
/// assert!(model::sample::sample_of_pattern("(").is_none());
/// ```
pub fn sample_of_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    write_sample(&hir, &mut out, 0)?;
    (out.len() <= 255).then_some(out)
}

fn write_sample(hir: &Hir, out: &mut String, depth: usize) -> Option<()> {
    if depth > 64 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(lit) => {
            out.push_str(std::str::from_utf8(&lit.0).ok()?);
            Some(())
        }
        HirKind::Class(Class::Unicode(c)) => {
            let has_all_digits = c
                .ranges()
                .iter()
                .any(|r| r.start() <= '0' && r.end() >= '9');
            if has_all_digits {
                out.push('\0');
                return Some(());
            }
            let first = c.ranges().iter().find_map(|r| {
                (r.start()..=r.end())
                    .find(|ch| ch.is_ascii_alphanumeric())
                    .or(Some(r.start()))
            })?;
            out.push(first);
            Some(())
        }
        HirKind::Class(Class::Bytes(c)) => {
            let r = c.ranges().first()?;
            out.push(char::from(r.start()));
            Some(())
        }
        HirKind::Repetition(rep) => {
            for _ in 0..rep.min.min(64) {
                write_sample(&rep.sub, out, depth + 1)?;
            }
            Some(())
        }
        HirKind::Capture(cap) => write_sample(&cap.sub, out, depth + 1),
        HirKind::Concat(parts) => {
            for p in parts {
                write_sample(p, out, depth + 1)?;
            }
            Some(())
        }
        HirKind::Alternation(alts) => write_sample(alts.first()?, out, depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_samples_match_their_pattern() {
        for p in [
            "^#[0-9a-fA-F]{6}$",
            "^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$",
            "^[a-z]+-[0-9]{3}$",
        ] {
            let s = fill_digits(&sample_of_pattern(p).unwrap(), 42);
            assert!(regex::Regex::new(p).unwrap().is_match(&s), "{p}: {s}");
        }
    }

    #[test]
    fn invalid_values_break_exactly_the_named_rule() {
        use blueprint_core::spec::Number;
        let mut code = Field::new(FieldType::String);
        code.max = Some(Number::Int(10));
        code.pattern = Some("^[A-Z][0-9]{2}$".into());
        let rules: Vec<&str> = invalid_values(&code).iter().map(|(r, _)| *r).collect();
        assert_eq!(rules, ["max", "pattern"]);
        let mut n = Field::new(FieldType::Integer);
        n.min = Some(Number::Int(5));
        n.max = Some(Number::Int(240));
        assert_eq!(invalid_values(&n), [("max", json!(241)), ("min", json!(4))]);
    }

    #[test]
    fn text_samples_fit_their_bounds() {
        let s = Sample::Text {
            prefix: "a long prefix".into(),
            min: 20,
            max: 22,
        };
        let v = s.value(123456, "nonce");
        let len = v.as_str().unwrap().chars().count();
        assert!((20..=22).contains(&len), "{v}");
        assert!(v.as_str().unwrap().ends_with("123456"));
    }
}

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
    /// A string matching the field's pattern, varying with `n`: each
    /// position marker of `template` (see [`fill_digits`]) takes a digit of
    /// `n`, least significant first.
    Digits {
        /// The pattern sample, with a marker at each varying position.
        template: String,
    },
    /// `lo + n % span`.
    Integer {
        /// The smallest value.
        lo: i64,
        /// How many values there are.
        span: u64,
    },
    /// One of `values`: the `n % len`-th (unique booleans and enums).
    OneOf {
        /// The values, in order.
        values: Vec<Value>,
    },
    /// A date from 2030-01-01 on that differs for each `n` (unique dates):
    /// year `2030 + n / 336`, month `1 + n / 28 % 12`, day `1 + n % 28`.
    Day,
    /// [`Sample::Day`] at 09:30 UTC (unique date-times).
    Instant,
    /// A decimal of `scale` places whose value in units of its last place
    /// is `lo + n % span` (unique decimals).
    Decimal {
        /// The smallest value, in units of the last decimal place.
        lo: i64,
        /// How many values there are.
        span: u64,
        /// The number of decimal places.
        scale: u32,
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
            Sample::OneOf { values } => values
                .get((n % values.len().max(1) as u64) as usize)
                .cloned()
                .unwrap_or(Value::Null),
            Sample::Day => json!(day(n)),
            Sample::Instant => json!(format!("{}T09:30:00Z", day(n))),
            Sample::Decimal { lo, span, scale } => {
                let units = lo.saturating_add((n % (*span).max(1)) as i64);
                json!(decimal_text(units, *scale))
            }
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

/// The date of [`Sample::Day`] for `n`, as `YYYY-MM-DD`.
fn day(n: u64) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        2030 + (n / 336) % 7000,
        1 + (n / 28) % 12,
        1 + n % 28
    )
}

/// A count of units of the last of `scale` decimal places, as decimal
/// text (`12345`, 2 → `123.45`).
fn decimal_text(units: i64, scale: u32) -> String {
    if scale == 0 {
        return units.to_string();
    }
    let unit = 10i64.pow(scale.min(18));
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / unit as u64,
        abs % unit as u64,
        width = scale as usize
    )
}

/// How many distinct values a sample makes, when that is few enough to
/// limit the rows of a table whose unique field it fills (`None`: more
/// than a million).
///
/// ```
/// use model::sample::Sample;
/// assert_eq!(Sample::Integer { lo: 0, span: 2 }.distinct(), Some(2));
/// assert_eq!(Sample::Email.distinct(), None);
/// ```
pub fn distinct_values(sample: &Sample) -> Option<u64> {
    let count = match sample {
        Sample::Fixed { .. } => 1,
        Sample::Integer { span, .. } | Sample::Decimal { span, .. } => *span,
        Sample::OneOf { values } => values.len() as u64,
        Sample::Digits { template } => 10u64.saturating_pow(positions(template) as u32),
        _ => return None,
    };
    (count <= 1_000_000).then_some(count)
}

impl Sample {
    /// [`distinct_values`] of this sample.
    pub fn distinct(&self) -> Option<u64> {
        distinct_values(self)
    }
}

/// The first of the position markers: a marker `MARKERS + c` stands for
/// the ten characters from `c` (`a`…`j` for `a`); NUL stands for `0`…`9`.
/// The markers are in Unicode's supplementary private use area, which no
/// pattern sample contains otherwise.
pub const MARKERS: u32 = 0xF0000;

/// The first of the ten characters a position marker stands for, if `c` is
/// one.
///
/// ```
/// use model::sample::{marker_base, MARKERS};
/// assert_eq!(marker_base('\0'), Some('0'));
/// assert_eq!(marker_base(char::from_u32(MARKERS + 'a' as u32).unwrap()), Some('a'));
/// assert_eq!(marker_base('a'), None);
/// ```
pub fn marker_base(c: char) -> Option<char> {
    if c == '\0' {
        return Some('0');
    }
    let code = c as u32;
    (MARKERS..MARKERS + 0x80)
        .contains(&code)
        .then(|| char::from_u32(code - MARKERS))
        .flatten()
}

/// Fills the position markers of a pattern sample with the digits of `n`,
/// least significant first: a digit `d` at a marker for `c` is the `d`-th
/// character from `c`.
///
/// ```
/// use model::sample::{fill_digits, MARKERS};
/// let a = char::from_u32(MARKERS + 'a' as u32).unwrap();
/// assert_eq!(fill_digits(&format!("#{a}{a}\0"), 42), "#ce0");
/// ```
pub fn fill_digits(template: &str, n: u64) -> String {
    let digits: Vec<u8> = format!("{n:020}").bytes().rev().map(|b| b - b'0').collect();
    let mut i = 0;
    template
        .chars()
        .map(|c| match marker_base(c) {
            Some(base) => {
                let d = digits[i % digits.len()];
                i += 1;
                char::from_u32(base as u32 + u32::from(d)).unwrap_or(base)
            }
            None => c,
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
        // Grown for more distinct values, unless that passes the field's
        // `max`.
        let fits = |t: &String| t.chars().count() as u64 <= text_max(field);
        let template = pattern_sample(p, true)
            .filter(fits)
            .or_else(|| pattern_sample(p, false));
        if let Some(template) = template {
            return if positions(&template) > 0 {
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
        FieldType::Boolean if field.unique => Sample::OneOf {
            values: vec![json!(true), json!(false)],
        },
        FieldType::Enum if field.unique => Sample::OneOf {
            values: field.values.iter().map(|v| json!(v)).collect(),
        },
        FieldType::Date if field.unique => Sample::Day,
        FieldType::Datetime if field.unique => Sample::Instant,
        FieldType::Decimal if field.unique => {
            let (p, s) = field.decimal_digits();
            let scale = s.min(18);
            let unit = 10f64.powi(scale as i32);
            let top = 10f64.powi(p.min(18) as i32) - 1.0;
            let lo = field
                .min
                .map(|m| (m.as_f64() * unit).ceil())
                .unwrap_or(0.0)
                .max(0.0);
            let hi = field
                .max
                .map(|m| (m.as_f64() * unit).floor())
                .unwrap_or(top)
                .min(top);
            Sample::Decimal {
                lo: lo as i64,
                span: (hi - lo + 1.0).max(1.0) as u64,
                scale,
            }
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
            value: json!("2030-01-15T09:30:00Z"),
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
        let as_value = |x: f64| json!(x as i64);
        // Whole bounds are stepped past in integers: past 2^53 a float
        // step rounds back onto the bound (a bigint `max` of 2^53 + 1).
        use blueprint_core::spec::Number;
        let whole = field.ty != FieldType::Decimal;
        if let Some(max) = field.max {
            match max {
                Number::Int(i) if whole => {
                    if let Some(past) = i.checked_add(1) {
                        out.push(("max", json!(past)));
                    }
                }
                _ if whole => out.push(("max", as_value(max.as_f64().floor() + 1.0))),
                _ => out.push(("max", json!(decimal_past(max.as_f64(), field, 1)))),
            }
        }
        if let Some(min) = field.min {
            match min {
                Number::Int(i) if whole => {
                    if let Some(past) = i.checked_sub(1) {
                        out.push(("min", json!(past)));
                    }
                }
                _ if whole => out.push(("min", as_value(min.as_f64().ceil() - 1.0))),
                _ => out.push(("min", json!(decimal_past(min.as_f64(), field, -1)))),
            }
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
        FieldType::Datetime => {
            out.push(("offset", json!("2030-01-15T09:30:00")));
            // Year 0 in UTC: no year PostgreSQL (or Python) takes.
            out.push(("year", json!("0001-01-01T00:00:00+01:00")));
        }
        FieldType::Date => {
            out.push(("date", json!("15/01/2030")));
            out.push(("year", json!("0000-01-01")));
        }
        FieldType::Enum => out.push(("enum", json!("not-one-of-the-values"))),
        FieldType::Email => out.push(("email", json!("not-an-email"))),
        FieldType::Url => out.push(("url", json!("ftp://"))),
        FieldType::Phone => out.push(("phone", json!("12345"))),
        _ => {}
    }
    out
}

/// The decimal text one unit of the field's scale past `bound` (`by` is 1
/// above, -1 below), computed exactly: in floating point a step past a
/// bound of sixteen or more digits rounds back onto the bound.
fn decimal_past(bound: f64, field: &Field, by: i64) -> String {
    use bigdecimal::BigDecimal;
    use std::str::FromStr;
    let (_, scale) = field.decimal_digits();
    // `{}` on an f64 writes every digit, never an exponent.
    let exact = BigDecimal::from_str(&format!("{bound}")).unwrap_or_default();
    let step = BigDecimal::new(by.into(), i64::from(scale));
    (exact + step).normalized().to_plain_string()
}

/// A short string the regular expression matches, if one is easy to find,
/// with NUL where any digit fits.
///
/// ```
/// assert_eq!(model::sample::sample_of_pattern("^#[0-9a-fA-F]{6}$").as_deref(), Some("#\0\0\0\0\0\0"));
/// assert!(model::sample::sample_of_pattern("(").is_none());
/// ```
pub fn sample_of_pattern(pattern: &str) -> Option<String> {
    pattern_sample(pattern, true)
}

/// The pattern's sample; `grow` lets repetitions that may grow add
/// varying positions.
fn pattern_sample(pattern: &str, grow: bool) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    write_sample(&hir, &mut out, 0, grow)?;
    (out.chars().count() <= 255).then_some(out)
}

/// How many varying positions a pattern sample should have: a unique
/// field then gets a million distinct values, where its pattern allows.
const WANTED_POSITIONS: usize = 6;

/// The number of position markers in a sample.
fn positions(sample: &str) -> usize {
    sample.chars().filter(|c| marker_base(*c).is_some()).count()
}

/// The marker of a class that holds ten consecutive ASCII letters or
/// digits (digits first), if it has one.
fn class_marker(c: &regex_syntax::hir::ClassUnicode) -> Option<char> {
    let spans = |from: char| {
        c.ranges().iter().any(|r| {
            r.start() <= from && char::from_u32(from as u32 + 9).is_some_and(|to| r.end() >= to)
        })
    };
    if spans('0') {
        return Some('\0');
    }
    ['a', 'A']
        .into_iter()
        .find(|from| spans(*from))
        .and_then(|from| char::from_u32(MARKERS + from as u32))
}

fn write_sample(hir: &Hir, out: &mut String, depth: usize, grow: bool) -> Option<()> {
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
            if let Some(marker) = class_marker(c) {
                out.push(marker);
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
            let mut done = 0;
            while done < rep.min.min(64) {
                write_sample(&rep.sub, out, depth + 1, grow)?;
                done += 1;
            }
            // A repetition that may grow does, while its sub-pattern adds
            // varying positions and the sample has too few of them.
            let cap = rep.max.unwrap_or(u32::MAX).min(64);
            while grow && done < cap && positions(out) < WANTED_POSITIONS {
                let before = out.len();
                let had = positions(out);
                write_sample(&rep.sub, out, depth + 1, grow)?;
                if positions(out) == had {
                    out.truncate(before);
                    break;
                }
                done += 1;
            }
            Some(())
        }
        HirKind::Capture(cap) => write_sample(&cap.sub, out, depth + 1, grow),
        HirKind::Concat(parts) => {
            for p in parts {
                write_sample(p, out, depth + 1, grow)?;
            }
            Some(())
        }
        HirKind::Alternation(alts) => write_sample(alts.first()?, out, depth + 1, grow),
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
    fn unique_patterned_values_vary() {
        for p in [
            "^[a-z]+$",
            "^[A-Z]{2,8}$",
            "^x[0-9]*$",
            "^[a-z]{3}-[0-9]{2}$",
        ] {
            let template = sample_of_pattern(p).unwrap();
            let re = regex::Regex::new(p).unwrap();
            let values: std::collections::BTreeSet<String> =
                (0..1000).map(|n| fill_digits(&template, n)).collect();
            assert_eq!(values.len(), 1000, "{p}");
            assert!(values.iter().all(|v| re.is_match(v)), "{p}");
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

    #[test]
    fn a_decimal_bound_of_many_digits_is_stepped_past_exactly() {
        use blueprint_core::spec::Number;
        let mut f = Field::new(FieldType::Decimal);
        f.precision = Some(38);
        f.scale = Some(2);
        // What `9999999999999999.99` reads as: 1e16, where a float step of
        // one or of a cent rounds back onto the bound.
        f.max = Some(Number::Float(9_999_999_999_999_999.99));
        f.min = Some(Number::Float(0.01));
        let bad = invalid_values(&f);
        let rule = |name: &str| bad.iter().find(|(r, _)| *r == name).unwrap().1.clone();
        assert_eq!(rule("max"), json!("10000000000000000.01"));
        assert_eq!(rule("min"), json!("0"));
    }
}

//! Spec field types in the python-fastapi stack: the SQLAlchemy column type,
//! the Python type of the mapped attribute, the Pydantic annotation and
//! constraints, the JSON Schema, and a sample value for the tests.

use blueprint_core::spec::{Field, FieldType, Number, Scalar, DEFAULT_STRING_MAX};
use regex_syntax::hir::{Class, Hir, HirKind};

use super::names::py_str;

/// The SQLAlchemy column type of a field, such as `sa.String(255)`.
pub fn column_type(field: &Field) -> String {
    match field.ty {
        FieldType::String => format!("sa.String({})", string_max(field)),
        FieldType::Email | FieldType::Url => format!("sa.String({})", string_max(field)),
        FieldType::Phone => "sa.String(16)".to_string(),
        FieldType::Text => "sa.Text()".to_string(),
        FieldType::Integer => "sa.Integer()".to_string(),
        FieldType::Bigint => "sa.BigInteger()".to_string(),
        FieldType::Decimal => {
            let (p, s) = field.decimal_digits();
            format!("sa.Numeric({p}, {s})")
        }
        FieldType::Boolean => "sa.Boolean()".to_string(),
        FieldType::Date => "sa.Date()".to_string(),
        FieldType::Datetime => "sa.DateTime(timezone=True)".to_string(),
        FieldType::Uuid => "sa.Uuid()".to_string(),
        FieldType::Json => "postgresql.JSONB()".to_string(),
        FieldType::Enum => {
            let longest = field
                .values
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(1)
                .max(1);
            format!("sa.String({longest})")
        }
    }
}

/// How an encrypted (sensitive) field's value turns into bytes and back:
/// the name of a codec in the generated `security/crypto.py`.
pub fn codec(field: &Field) -> &'static str {
    match field.ty {
        FieldType::String
        | FieldType::Text
        | FieldType::Email
        | FieldType::Url
        | FieldType::Phone
        | FieldType::Enum => "text",
        FieldType::Integer | FieldType::Bigint => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "datetime",
        FieldType::Uuid => "uuid",
        FieldType::Json => "json",
    }
}

/// The longest value a string-like column holds.
fn string_max(field: &Field) -> i64 {
    match field.max {
        Some(Number::Int(i)) if i > 0 => i,
        Some(Number::Float(f)) if (1.0..1e9).contains(&f) => f as i64,
        _ => DEFAULT_STRING_MAX,
    }
}

/// The Python type of a value of the field, without `None`.
pub fn python_type(field: &Field) -> String {
    match field.ty {
        FieldType::String
        | FieldType::Text
        | FieldType::Email
        | FieldType::Url
        | FieldType::Phone
        | FieldType::Enum => "str".to_string(),
        FieldType::Integer | FieldType::Bigint => "int".to_string(),
        FieldType::Decimal => "Decimal".to_string(),
        FieldType::Boolean => "bool".to_string(),
        FieldType::Date => "dt.date".to_string(),
        FieldType::Datetime => "dt.datetime".to_string(),
        FieldType::Uuid => "uuid.UUID".to_string(),
        FieldType::Json => "Any".to_string(),
    }
}

/// The annotation of the field in the Pydantic input models, without `None`.
pub fn input_type(field: &Field) -> String {
    match field.ty {
        FieldType::Email => "EmailStr".to_string(),
        FieldType::Url => "HttpUrlText".to_string(),
        FieldType::Phone => "PhoneNumber".to_string(),
        FieldType::Datetime => "AwareDatetime".to_string(),
        FieldType::Enum => format!(
            "Literal[{}]",
            field
                .values
                .iter()
                .map(|v| py_str(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => python_type(field),
    }
}

/// The keyword arguments of `Field(...)` that carry the field's
/// constraints, such as `max_length=200`.
pub fn constraints(field: &Field) -> Vec<String> {
    let mut out = Vec::new();
    let num = |n: Number| match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => format!("{f:?}"),
    };
    match field.ty {
        FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => {
            if let Some(min) = field.min {
                out.push(format!("min_length={}", num(min)));
            }
            if field.ty != FieldType::Text || field.max.is_some() {
                out.push(format!("max_length={}", string_max(field)));
            }
        }
        FieldType::Integer | FieldType::Bigint | FieldType::Decimal => {
            let (lo, hi) = match field.ty {
                FieldType::Integer => (Some("-2147483648"), Some("2147483647")),
                FieldType::Bigint => (Some("-9223372036854775808"), Some("9223372036854775807")),
                _ => (None, None),
            };
            match field.min {
                Some(m) => out.push(format!("ge={}", num(m))),
                None => out.extend(lo.map(|l| format!("ge={l}"))),
            }
            match field.max {
                Some(m) => out.push(format!("le={}", num(m))),
                None => out.extend(hi.map(|h| format!("le={h}"))),
            }
            if field.ty == FieldType::Decimal {
                let (p, s) = field.decimal_digits();
                out.push(format!("max_digits={p}"));
                out.push(format!("decimal_places={s}"));
                out.push("allow_inf_nan=False".to_string());
            } else {
                out.push("strict=True".to_string());
            }
        }
        FieldType::Boolean | FieldType::Date | FieldType::Uuid => {
            out.push("strict=True".to_string())
        }
        _ => {}
    }
    if let Some(p) = &field.pattern {
        if field.ty.is_textual() {
            out.push(format!("pattern={}", py_str(p)));
        }
    }
    out
}

/// The Python literal of the field's default, if it has one.
pub fn default_literal(field: &Field) -> Option<String> {
    let d = field.default.as_ref()?;
    Some(match (field.ty, d) {
        (FieldType::Boolean, Scalar::Bool(b)) => if *b { "True" } else { "False" }.to_string(),
        (FieldType::Decimal, Scalar::Number(n)) => format!("Decimal({})", py_str(&n.to_string())),
        (FieldType::Decimal, Scalar::Str(s)) => format!("Decimal({})", py_str(s)),
        (FieldType::Integer | FieldType::Bigint, Scalar::Number(Number::Int(i))) => i.to_string(),
        (FieldType::Date, Scalar::Str(s)) => format!("dt.date.fromisoformat({})", py_str(s)),
        (FieldType::Datetime, Scalar::Str(s)) => {
            format!("dt.datetime.fromisoformat({})", py_str(s))
        }
        (FieldType::Uuid, Scalar::Str(s)) => format!("uuid.UUID({})", py_str(s)),
        (_, Scalar::Str(s)) if python_type(field) == "str" => py_str(s),
        _ => return None,
    })
}

/// How a query-string value of the field is parsed for filters and cursors.
pub fn parser(field: &Field) -> &'static str {
    match field.ty {
        FieldType::Integer | FieldType::Bigint => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "datetime",
        FieldType::Uuid => "uuid",
        _ => "text",
    }
}

/// Whether lists may be sorted and filtered by the field (scalar values
/// only; sensitive fields never).
pub fn comparable(field: &Field) -> bool {
    field.ty != FieldType::Json
}

/// The JSON Schema of a field's value as the API reads and writes it.
pub fn json_schema(field: &Field) -> serde_json::Value {
    use serde_json::json;
    let mut s = match field.ty {
        FieldType::String | FieldType::Text => json!({"type": "string"}),
        FieldType::Email => json!({"type": "string", "format": "email"}),
        FieldType::Url => json!({"type": "string", "format": "uri"}),
        FieldType::Phone => json!({"type": "string", "pattern": "^\\+[1-9][0-9]{1,14}$"}),
        FieldType::Integer => json!({"type": "integer", "format": "int32"}),
        FieldType::Bigint => json!({"type": "integer", "format": "int64"}),
        FieldType::Decimal => json!({"type": "string", "format": "decimal"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Datetime => json!({"type": "string", "format": "date-time"}),
        FieldType::Uuid => json!({"type": "string", "format": "uuid"}),
        FieldType::Json => json!({}),
        FieldType::Enum => json!({"type": "string", "enum": field.values}),
    };
    if let (Some(p), true) = (&field.pattern, field.ty.is_textual()) {
        s["pattern"] = json!(p);
    }
    s
}

/// A Python expression for a valid value of the field in the generated
/// tests; `n` is a number unique per call, so unique fields get unique
/// values.
pub fn sample(field: &Field, name: &str) -> String {
    if let Some(p) = field.pattern.as_ref().filter(|_| field.ty.is_textual()) {
        if let Some(s) = sample_of_pattern(p) {
            // Digit positions (marked NUL) take the digits of `n`, so
            // unique fields get distinct values.
            return if s.contains('\0') {
                format!("fill_digits({}, n)", py_str(&s))
            } else {
                py_str(&s)
            };
        }
    }
    match field.ty {
        FieldType::String | FieldType::Text => {
            let max = if field.ty == FieldType::Text && field.max.is_none() {
                1000
            } else {
                string_max(field)
            };
            let min = field.min.map(|m| m.as_f64().max(0.0) as i64).unwrap_or(0);
            format!("text({}, n, {min}, {max})", py_str(name))
        }
        FieldType::Email => "f\"person{n}@example.com\"".to_string(),
        FieldType::Url => "f\"https://example.com/{n}\"".to_string(),
        FieldType::Phone => "f\"+4930{n:07d}\"".to_string(),
        FieldType::Integer | FieldType::Bigint => {
            let lo = field.min.map(|m| m.as_f64().ceil() as i64).unwrap_or(0);
            let hi = field
                .max
                .map(|m| m.as_f64().floor() as i64)
                .unwrap_or(lo.saturating_add(1_000_000));
            let span = hi.saturating_sub(lo).max(0).saturating_add(1);
            format!("{lo} + n % {span}")
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
            format!("\"{:.*}\"", s as usize, v)
        }
        FieldType::Boolean => "True".to_string(),
        FieldType::Date => "\"2030-01-15\"".to_string(),
        FieldType::Datetime => "\"2030-01-15T09:30:00+00:00\"".to_string(),
        FieldType::Uuid => "str(uuid.uuid4())".to_string(),
        FieldType::Json => "{\"n\": n}".to_string(),
        FieldType::Enum => field
            .values
            .first()
            .map(|v| py_str(v))
            .unwrap_or_else(|| "\"\"".to_string()),
    }
}

/// A short string the regular expression matches, if one is easy to find.
pub fn sample_of_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    write_sample(&hir, &mut out, 0)?;
    let re_ok = out.len() <= 255;
    re_ok.then_some(out)
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
    fn pattern_samples_match() {
        assert_eq!(
            sample_of_pattern("^#[0-9a-fA-F]{6}$").as_deref(),
            Some("#\0\0\0\0\0\0")
        );
        assert_eq!(
            sample_of_pattern("^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$").as_deref(),
            Some("A\0\0")
        );
        assert!(sample_of_pattern("(").is_none());
    }
}

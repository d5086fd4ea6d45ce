//! Spec field types in the python-fastapi stack: the SQLAlchemy column type,
//! the Python type of the mapped attribute, the Pydantic annotation and
//! constraints and the codec of encrypted values.

use blueprint_core::spec::{Field, FieldType, Number, Scalar, DEFAULT_STRING_MAX};

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
        FieldType::Datetime => "StorableDatetime".to_string(),
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
        // Strict: in lax mode Pydantic takes a number as a Unix time for a
        // datetime (and `1` for `true`), which the document does not admit.
        FieldType::Boolean | FieldType::Date | FieldType::Datetime | FieldType::Uuid => {
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

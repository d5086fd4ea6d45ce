//! Python identifiers and literals for the python-fastapi stack.
//!
//! A spec name that Python, Pydantic or SQLAlchemy would misread becomes an
//! attribute with a trailing `_` (`class` → `class_`), while the JSON key and
//! the column keep the spec's name (the Pydantic model carries it as the
//! field's alias).

use blueprint_core::reserved::Language;

/// Names that must not be class attributes of a generated model: Python's
/// keywords, the builtins and modules the generated modules use in type
/// annotations, and the attributes of Pydantic's `BaseModel` and
/// SQLAlchemy's declarative base.
const SHADOWED: &[&str] = &[
    // Modules and names imported by the generated schemas and models.
    "dt",
    "uuid",
    "sa",
    "typing",
    "decimal",
    "Decimal",
    "Any",
    "Field",
    "Literal",
    // Builtins used in annotations.
    "str",
    "int",
    "bool",
    "float",
    "list",
    "dict",
    "bytes",
    "object",
    "set",
    "tuple",
    // Pydantic's BaseModel (v1 names kept for compatibility) and SQLAlchemy.
    "json",
    "copy",
    "schema",
    "schema_json",
    "validate",
    "construct",
    "fields",
    "parse_obj",
    "parse_raw",
    "parse_file",
    "from_orm",
    "update_forward_refs",
    "metadata",
    "registry",
];

/// Whether a snake_case spec name must be escaped as a Python attribute.
pub fn needs_escape(name: &str) -> bool {
    Language::Python.is_reserved(name) || SHADOWED.contains(&name) || name.starts_with("model_")
}

/// The Python attribute for a snake_case spec name: the name itself, or the
/// name with a trailing `_` when it is reserved or shadows something.
///
/// ```
/// use stacks::python_fastapi::names::attribute;
/// assert_eq!(attribute("class"), "class_");
/// assert_eq!(attribute("title"), "title");
/// ```
pub fn attribute(name: &str) -> String {
    if needs_escape(name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// A module name for a collection: the collection itself unless it is a
/// keyword or the name of a module the generated package has (a service or
/// router module of that name would clash with it, in the file system or in
/// a module that imports both).
pub fn module(collection: &str) -> String {
    const TAKEN: &[&str] = &[
        // Modules of the package, and of its subpackages, that generated
        // modules import by name.
        "admin",
        "audit",
        "auth",
        "backup",
        "cli",
        "client",
        "common",
        "context",
        "crypto",
        "csrf",
        "db",
        "dependencies",
        "filters",
        "grants",
        "health",
        "http",
        "logs",
        "main",
        "me",
        "middleware",
        "models",
        "pagination",
        "passwords",
        "permissions",
        "privacy",
        "problems",
        "ratelimit",
        "routers",
        "schemas",
        "security",
        "services",
        "sessions",
        "settings",
        "types",
        "users",
    ];
    if needs_escape(collection) || TAKEN.contains(&collection) {
        format!("{collection}_")
    } else {
        collection.to_string()
    }
}

/// Class and type names the generated modules define or import beside the
/// entities' model classes (in `models.py`, the services, the routers'
/// dependencies and the tests): an entity of one of these names would
/// shadow it, or be shadowed.
const TAKEN_CLASSES: &[&str] = &[
    // The stack's own tables and their bases (`models.py`).
    "Base",
    "RecordMixin",
    "AuthUser",
    "AuthSession",
    "AuthLoginAttempt",
    "AuthEmailToken",
    "AuthRateLimit",
    "AuthIdempotencyKey",
    "AuditEvent",
    "MailOutbox",
    "Payment",
    "StripeEvent",
    // SQLAlchemy, Pydantic, FastAPI, Starlette and the standard library.
    "Any",
    "Annotated",
    "APIRouter",
    "Awaitable",
    "BaseModel",
    "BaseSettings",
    "Callable",
    "Column",
    "Config",
    "DBAPIError",
    "DeclarativeBase",
    "Decimal",
    "Depends",
    "FastAPI",
    "Field",
    "Header",
    "InstrumentedAttribute",
    "IntegrityError",
    "Iterable",
    "Iterator",
    "JSONResponse",
    "Literal",
    "Mapped",
    "Mapping",
    "Message",
    "Path",
    "Protocol",
    "Request",
    "Response",
    "Sequence",
    "Session",
    "TestClient",
    "TypeVar",
    "ValidationError",
    // The package's own names that modules importing the models import.
    "Actor",
    "AuditActor",
    "Claim",
    "CurrentPrincipal",
    "DbSession",
    "Encrypted",
    "Grant",
    "Idempotent",
    "ListQuery",
    "LiveSession",
    "Mail",
    "OptionalPrincipal",
    "Principal",
    "Problem",
    "RawBody",
    "Reader",
    "RecordedInsert",
    "Scope",
    "Scopes",
    "Settings",
    "Workflow",
];

/// The Python class of an entity's model: its spec name, with a trailing `_`
/// when the generated modules already use that name for something else
/// (`Session` is SQLAlchemy's, `Response` FastAPI's). The JSON, the tables,
/// the audit log and the permissions keep the spec's name.
///
/// ```
/// use stacks::python_fastapi::names::class_name;
/// assert_eq!(class_name("Session"), "Session_");
/// assert_eq!(class_name("Task"), "Task");
/// ```
pub fn class_name(entity: &str) -> String {
    if TAKEN_CLASSES.contains(&entity) {
        format!("{entity}_")
    } else {
        entity.to_string()
    }
}

/// A Python string literal, with every character that needs it escaped
/// (non-ASCII as `\u` escapes), so it is valid in any Python source file;
/// in the quotes `ruff format` leaves: double, unless the text holds more
/// double quotes than single ones (then single, as fewer escapes).
///
/// ```
/// use stacks::python_fastapi::names::py_str;
/// assert_eq!(py_str("a\\c"), r#""a\\c""#);
/// assert_eq!(py_str("it's"), r#""it's""#);
/// assert_eq!(py_str("say \"hi\""), r#"'say "hi"'"#);
/// ```
pub fn py_str(text: &str) -> String {
    let doubles = text.matches('"').count();
    let singles = text.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_ascii() => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Text safe inside a Python comment or docstring line: one line, no
/// characters that would end a docstring.
pub fn comment_text(text: &str) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect();
    line.replace("\"\"\"", "'''")
        .replace('\\', "/")
        .trim_end_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_keywords_and_shadowing_names() {
        for n in [
            "class",
            "type",
            "match",
            "json",
            "str",
            "model_name",
            "uuid",
            "metadata",
        ] {
            assert_eq!(attribute(n), format!("{n}_"));
        }
        for n in ["order", "title", "status", "group"] {
            assert_eq!(attribute(n), n);
        }
    }

    #[test]
    fn literals_escape_everything() {
        assert_eq!(py_str("é\n"), "\"\\u00e9\\n\"");
        assert_eq!(py_str("^#[0-9]$"), "\"^#[0-9]$\"");
        assert_eq!(py_str("a\"b"), "'a\"b'");
        assert_eq!(py_str("a\"b'c"), "\"a\\\"b'c\"");
        assert_eq!(py_str("\"it's\" \"x\""), "'\"it\\'s\" \"x\"'");
    }
}

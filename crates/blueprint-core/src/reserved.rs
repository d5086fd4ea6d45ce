//! Reserved words of every language a stack emits, and what the stacks do
//! about a name that is one.

/// A target language of the built-in and planned stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Python 3.
    Python,
    /// TypeScript and JavaScript.
    TypeScript,
    /// SQL (PostgreSQL's reserved key words, those it allows as function
    /// or type names included: a column can be named none of them unquoted).
    Sql,
    /// Rust.
    Rust,
    /// Go.
    Go,
    /// Java.
    Java,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: [Language; 6] = [
        Language::Python,
        Language::TypeScript,
        Language::Sql,
        Language::Rust,
        Language::Go,
        Language::Java,
    ];

    /// The language's name.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::TypeScript => "TypeScript/JavaScript",
            Language::Sql => "SQL",
            Language::Rust => "Rust",
            Language::Go => "Go",
            Language::Java => "Java",
        }
    }

    /// The language's reserved words (case-sensitive, except SQL's, which
    /// are listed in lowercase and compared without case).
    pub fn reserved_words(self) -> &'static [&'static str] {
        match self {
            Language::Python => PYTHON,
            Language::TypeScript => TYPESCRIPT,
            Language::Sql => SQL,
            Language::Rust => RUST,
            Language::Go => GO,
            Language::Java => JAVA,
        }
    }

    /// Whether `word` is reserved in this language.
    ///
    /// ```
    /// use blueprint_core::reserved::Language;
    /// assert!(Language::Python.is_reserved("class"));
    /// assert!(Language::Sql.is_reserved("ORDER"));
    /// assert!(!Language::Go.is_reserved("class"));
    /// ```
    pub fn is_reserved(self, word: &str) -> bool {
        match self {
            Language::Sql => SQL.contains(&word.to_ascii_lowercase().as_str()),
            _ => self.reserved_words().contains(&word),
        }
    }

    /// What the stacks do with a snake_case member name (field or relation)
    /// that is reserved in this language; `None` when nothing needs doing
    /// because the language never uses the name bare.
    pub fn member_way_out(self, name: &str) -> Option<String> {
        match self {
            Language::Python => Some(format!("the attribute is `{name}_`, JSON keeps `{name}`")),
            Language::Sql => Some(format!("the column `{name}` is always quoted")),
            Language::Rust => Some(format!("the field is `r#{name}`")),
            Language::Java => Some(format!(
                "the field is `{}_`, JSON keeps `{name}`",
                crate::naming::camel(name)
            )),
            // Property names may be reserved words in TypeScript, and Go
            // exports members in PascalCase.
            Language::TypeScript | Language::Go => None,
        }
    }
}

/// Languages in which `word` is reserved.
pub fn reserved_in(word: &str) -> Vec<Language> {
    Language::ALL
        .into_iter()
        .filter(|l| l.is_reserved(word))
        .collect()
}

const PYTHON: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type",
];

const TYPESCRIPT: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "any",
    "boolean",
    "number",
    "string",
    "symbol",
    "undefined",
    "never",
    "unknown",
];

const SQL: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

const RUST: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

const GO: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

const JAVA: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "try",
    "void",
    "volatile",
    "while",
    "true",
    "false",
    "null",
    "var",
    "record",
    "yield",
    "sealed",
    "permits",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(
            reserved_in("class"),
            vec![Language::Python, Language::TypeScript, Language::Java]
        );
        assert_eq!(reserved_in("order"), vec![Language::Sql]);
        assert!(reserved_in("patient").is_empty());
        assert!(Language::Rust.is_reserved("Self"));
    }
}

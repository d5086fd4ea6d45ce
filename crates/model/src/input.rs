//! What the API accepts of the text a client sends, whatever the field: the
//! rules every stack enforces where it parses requests and the OpenAPI
//! document states, so that the document is exactly as strict as the API.

/// The pattern every client string matches: no NUL character (PostgreSQL
/// cannot store one in text). A request breaking it is 422 naming the field
/// or parameter, in bodies, filters and every other string a client sends.
/// Unpaired surrogates are refused too (not characters; UTF-8 cannot encode
/// them), but a pattern cannot say so: regular-expression engines that
/// work on Unicode scalar values (Rust's, and so the validators built on
/// it) cannot name them, so [`TEXT_RULE`] says it in words.
pub const TEXT_PATTERN: &str = "^[^\\u0000]*$";

/// What the rule says, in the words the document uses.
pub const TEXT_RULE: &str =
    "Text must not contain NUL characters or unpaired surrogates (422 naming the field).";

/// The shape of the cursors a list issues: base64url text, a dot, and
/// base64url text (a payload and its signature). Only a cursor the list
/// issued is accepted; any other is 422.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";

/// The list of commonly used passwords the contract refuses (C-AUTH-1),
/// one a line, as every stack ships it.
pub const COMMON_PASSWORDS: &str = include_str!("../data/common_passwords.txt");

/// The common passwords a register request could send: lowercased, those
/// with a length (in characters) within `min..=max`, sorted and without
/// repeats. Passwords are compared case-insensitively.
///
/// ```
/// let some = model::input::common_passwords(12, 128);
/// assert!(some.iter().all(|p| p.chars().count() >= 12));
/// assert!(some.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn common_passwords(min: u64, max: u64) -> Vec<String> {
    let mut out: Vec<String> = COMMON_PASSWORDS
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| {
            let n = l.chars().count();
            let n = n as u64;
            !l.is_empty() && n >= min && n <= max
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

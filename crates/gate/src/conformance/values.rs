//! Checks of the values the app answers with.

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

#[cfg(test)]
mod tests {
    use super::*;

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

//! The three renderings of an [`Analysis`]: stable JSON, a terminal
//! summary, and the Markdown compliance matrix an auditor reads.

mod json;
mod markdown;
mod text;

use crate::Analysis;

impl Analysis {
    /// The analysis as JSON, in the stable shape documented in
    /// `docs/compliance-json.md` (pretty-printed, two-space indent).
    ///
    /// ```
    /// # let spec = compliance::testing::tasks();
    /// let json: serde_json::Value =
    ///     serde_json::from_str(&compliance::analyze(&spec).to_json()).unwrap();
    /// assert_eq!(json["frameworks"][0]["id"], "soc2");
    /// assert_eq!(json["frameworks"][0]["declared"], true);
    /// ```
    pub fn to_json(&self) -> String {
        json::render(self)
    }

    /// The analysis as JSON values (the same shape as [`Analysis::to_json`]).
    pub fn to_json_value(&self) -> serde_json::Value {
        json::value(self)
    }

    /// A short summary for a terminal.
    ///
    /// ```
    /// # let spec = compliance::testing::tasks();
    /// let text = compliance::analyze(&spec).to_text();
    /// assert!(text.contains("soc2"));
    /// ```
    pub fn to_text(&self) -> String {
        text::render(self)
    }

    /// The compliance matrix in Markdown: controls × frameworks with clause
    /// ids and what realizes each control, then the PII inventory.
    ///
    /// ```
    /// # let spec = compliance::testing::clinic();
    /// let md = compliance::analyze(&spec).to_markdown();
    /// assert!(md.contains("| `PII-ENCRYPTION-AT-REST`"));
    /// assert!(md.contains("## PII inventory"));
    /// ```
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}

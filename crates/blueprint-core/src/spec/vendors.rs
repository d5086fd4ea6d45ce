//! The integrations a spec may name, with the options each one takes.
//!
//! The vendor templates live in the `vendors` crate; this table is what the
//! spec checker needs to reject unknown ids and options early, with a hint.

/// The kind of value an integration option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Text.
    Text,
    /// True or false.
    Bool,
    /// A number.
    Number,
    /// One of a fixed list of words.
    OneOf(&'static [&'static str]),
    /// A list of texts.
    TextList,
}

impl OptionKind {
    /// Describes the kind for a message.
    pub fn describe(self) -> String {
        match self {
            OptionKind::Text => "text".to_string(),
            OptionKind::Bool => "true or false".to_string(),
            OptionKind::Number => "a number".to_string(),
            OptionKind::OneOf(words) => format!("one of {}", words.join(", ")),
            OptionKind::TextList => "a list of texts".to_string(),
        }
    }

    /// Whether a JSON value fits the kind.
    pub fn accepts(self, value: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match (self, value) {
            (OptionKind::Text, V::String(_)) => true,
            (OptionKind::Bool, V::Bool(_)) => true,
            (OptionKind::Number, V::Number(_)) => true,
            (OptionKind::OneOf(words), V::String(s)) => words.contains(&s.as_str()),
            (OptionKind::TextList, V::Array(items)) => items.iter().all(|i| i.is_string()),
            _ => false,
        }
    }
}

/// One integration archgen knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VendorInfo {
    /// The id used in specs.
    pub id: &'static str,
    /// What it is for.
    pub purpose: &'static str,
    /// The options it takes.
    pub options: &'static [(&'static str, OptionKind)],
}

/// Every integration a spec may name.
pub const VENDORS: &[VendorInfo] = &[
    VendorInfo {
        id: "stripe",
        purpose: "payments and webhooks",
        options: &[
            ("mode", OptionKind::OneOf(&["checkout", "payment-intents"])),
            ("currency", OptionKind::Text),
            ("webhooks", OptionKind::Bool),
            ("pays_for", OptionKind::Text),
            ("amount", OptionKind::Text),
            ("sets", OptionKind::Text),
        ],
    },
    VendorInfo {
        id: "sendgrid",
        purpose: "transactional email",
        options: &[("from", OptionKind::Text), ("sandbox", OptionKind::Bool)],
    },
    VendorInfo {
        id: "smtp",
        purpose: "email through an SMTP relay",
        options: &[("from", OptionKind::Text), ("starttls", OptionKind::Bool)],
    },
    VendorInfo {
        id: "oidc",
        purpose: "sign-in through an external identity provider",
        options: &[
            ("issuer", OptionKind::Text),
            ("scopes", OptionKind::TextList),
            ("default_role", OptionKind::Text),
        ],
    },
    VendorInfo {
        id: "sentry",
        purpose: "error monitoring",
        options: &[
            ("traces_sample_rate", OptionKind::Number),
            ("environment", OptionKind::Text),
        ],
    },
    VendorInfo {
        id: "s3",
        purpose: "object storage",
        options: &[("bucket", OptionKind::Text), ("region", OptionKind::Text)],
    },
    VendorInfo {
        id: "twilio",
        purpose: "SMS",
        options: &[("from", OptionKind::Text)],
    },
    VendorInfo {
        id: "slack",
        purpose: "notifications",
        options: &[("channel", OptionKind::Text)],
    },
];

/// The integration with this id, if archgen knows it.
///
/// ```
/// assert!(blueprint_core::spec::vendor("stripe").is_some());
/// assert!(blueprint_core::spec::vendor("paypal").is_none());
/// ```
pub fn vendor(id: &str) -> Option<&'static VendorInfo> {
    VENDORS.iter().find(|v| v.id == id)
}

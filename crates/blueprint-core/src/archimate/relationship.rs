//! Relationship kinds and access types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The eleven ArchiMate relationship kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelationshipKind {
    /// Behaviour or an active structure reads or writes a passive structure.
    Access,
    /// An element groups others that may exist without it.
    Aggregation,
    /// Responsibility for, or execution of, behaviour.
    Assignment,
    /// An unspecified relationship.
    Association,
    /// An element consists of others that do not exist without it.
    Composition,
    /// A transfer from one element to another.
    Flow,
    /// An element affects a motivation element.
    Influence,
    /// An element plays a critical role in creating, achieving or operating another.
    Realization,
    /// An element provides its functionality to another.
    Serving,
    /// An element is a particular kind of another.
    Specialization,
    /// A temporal or causal relationship between behaviours.
    Triggering,
}

impl RelationshipKind {
    /// Every relationship kind, in alphabetical order.
    pub const ALL: [RelationshipKind; 11] = [
        RelationshipKind::Access,
        RelationshipKind::Aggregation,
        RelationshipKind::Assignment,
        RelationshipKind::Association,
        RelationshipKind::Composition,
        RelationshipKind::Flow,
        RelationshipKind::Influence,
        RelationshipKind::Realization,
        RelationshipKind::Serving,
        RelationshipKind::Specialization,
        RelationshipKind::Triggering,
    ];

    /// The letter of the kind in Archi's rule table (`relationships-keys.xml`).
    ///
    /// ```
    /// use blueprint_core::archimate::RelationshipKind;
    /// assert_eq!(RelationshipKind::Serving.letter(), 'v');
    /// assert_eq!(RelationshipKind::Aggregation.letter(), 'g');
    /// ```
    pub fn letter(self) -> char {
        match self {
            RelationshipKind::Access => 'a',
            RelationshipKind::Composition => 'c',
            RelationshipKind::Flow => 'f',
            RelationshipKind::Aggregation => 'g',
            RelationshipKind::Assignment => 'i',
            RelationshipKind::Influence => 'n',
            RelationshipKind::Association => 'o',
            RelationshipKind::Realization => 'r',
            RelationshipKind::Specialization => 's',
            RelationshipKind::Triggering => 't',
            RelationshipKind::Serving => 'v',
        }
    }

    /// The kind a letter of the rule table stands for, if any.
    ///
    /// ```
    /// use blueprint_core::archimate::RelationshipKind;
    /// assert_eq!(RelationshipKind::from_letter('r'), Some(RelationshipKind::Realization));
    /// assert_eq!(RelationshipKind::from_letter('x'), None);
    /// ```
    pub fn from_letter(letter: char) -> Option<RelationshipKind> {
        RelationshipKind::ALL
            .into_iter()
            .find(|k| k.letter() == letter)
    }

    /// The exchange-format name (`xsi:type`), such as `Serving`.
    ///
    /// ```
    /// use blueprint_core::archimate::RelationshipKind;
    /// assert_eq!(RelationshipKind::Access.xsi_type(), "Access");
    /// ```
    pub fn xsi_type(self) -> &'static str {
        match self {
            RelationshipKind::Access => "Access",
            RelationshipKind::Aggregation => "Aggregation",
            RelationshipKind::Assignment => "Assignment",
            RelationshipKind::Association => "Association",
            RelationshipKind::Composition => "Composition",
            RelationshipKind::Flow => "Flow",
            RelationshipKind::Influence => "Influence",
            RelationshipKind::Realization => "Realization",
            RelationshipKind::Serving => "Serving",
            RelationshipKind::Specialization => "Specialization",
            RelationshipKind::Triggering => "Triggering",
        }
    }

    /// The kind with this exchange-format name, if any.
    ///
    /// ```
    /// use blueprint_core::archimate::RelationshipKind;
    /// assert_eq!(RelationshipKind::from_xsi_type("Flow"), Some(RelationshipKind::Flow));
    /// ```
    pub fn from_xsi_type(name: &str) -> Option<RelationshipKind> {
        RelationshipKind::ALL
            .into_iter()
            .find(|k| k.xsi_type() == name)
    }

    /// The lowercase name used in relationship ids, such as `serving`.
    ///
    /// ```
    /// use blueprint_core::archimate::RelationshipKind;
    /// assert_eq!(RelationshipKind::Realization.id_name(), "realization");
    /// ```
    pub fn id_name(self) -> &'static str {
        match self {
            RelationshipKind::Access => "access",
            RelationshipKind::Aggregation => "aggregation",
            RelationshipKind::Assignment => "assignment",
            RelationshipKind::Association => "association",
            RelationshipKind::Composition => "composition",
            RelationshipKind::Flow => "flow",
            RelationshipKind::Influence => "influence",
            RelationshipKind::Realization => "realization",
            RelationshipKind::Serving => "serving",
            RelationshipKind::Specialization => "specialization",
            RelationshipKind::Triggering => "triggering",
        }
    }

    /// The bit of the kind in a rule-table cell.
    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for RelationshipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.xsi_type())
    }
}

/// How an Access relationship uses the data it reaches
/// (the exchange format's `accessType` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AccessType {
    /// The behaviour reads the data.
    Read,
    /// The behaviour writes the data.
    Write,
    /// The behaviour reads and writes the data.
    ReadWrite,
    /// Access without saying which (the exchange format's default).
    Access,
}

impl AccessType {
    /// The exchange-format attribute value: `Read`, `Write`, `ReadWrite` or
    /// `Access`.
    ///
    /// ```
    /// use blueprint_core::archimate::AccessType;
    /// assert_eq!(AccessType::ReadWrite.as_str(), "ReadWrite");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            AccessType::Read => "Read",
            AccessType::Write => "Write",
            AccessType::ReadWrite => "ReadWrite",
            AccessType::Access => "Access",
        }
    }

    /// The access type with this attribute value, if any.
    ///
    /// ```
    /// use blueprint_core::archimate::AccessType;
    /// assert_eq!(AccessType::parse("Write"), Some(AccessType::Write));
    /// ```
    pub fn parse(text: &str) -> Option<AccessType> {
        [
            AccessType::Read,
            AccessType::Write,
            AccessType::ReadWrite,
            AccessType::Access,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

impl fmt::Display for AccessType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_distinct_and_round_trip() {
        let letters: String = RelationshipKind::ALL.iter().map(|k| k.letter()).collect();
        assert_eq!(letters, "agiocfnrvst");
        for k in RelationshipKind::ALL {
            assert_eq!(RelationshipKind::from_letter(k.letter()), Some(k));
            assert_eq!(RelationshipKind::from_xsi_type(k.xsi_type()), Some(k));
            assert_eq!(k.bit().count_ones(), 1);
        }
    }
}

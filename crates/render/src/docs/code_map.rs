//! Where things live in a generated project: the files that realize each
//! compliance capability and hold each entity. The stack says which of its
//! files do ([`stacks::Realizations`]); this module adds the documents the
//! render crate emits itself for the capabilities that are organisational
//! (incident response, policies, processing records and the like).

use compliance::Capability;

use crate::docs::compliance_md::COMPLIANCE_PATH;
use crate::StackDocs;

/// The documents of this crate that carry a capability no code realizes.
///
/// ```
/// use compliance::Capability;
/// use render::docs::code_map::document_paths;
/// assert_eq!(document_paths(Capability::IncidentResponse), ["docs/compliance.md"]);
/// assert!(document_paths(Capability::PasswordHashing).is_empty());
/// ```
pub fn document_paths(capability: Capability) -> &'static [&'static str] {
    use Capability as C;
    match capability {
        C::IncidentResponse
        | C::EmergencyAccess
        | C::PolicyDocumentation
        | C::ProcessingRecords
        | C::ProcessorRegister
        | C::DataInventory => &[COMPLIANCE_PATH],
        _ => &[],
    }
}

/// The files that realize a capability: the stack's (when there is one),
/// then the documents of [`document_paths`], each once.
///
/// ```
/// use compliance::Capability;
/// use render::docs::code_map::capability_paths;
/// assert_eq!(capability_paths(None, Capability::DataInventory), ["docs/compliance.md"]);
/// assert!(capability_paths(None, Capability::PasswordHashing).is_empty());
/// ```
pub fn capability_paths(stack: Option<&StackDocs<'_>>, capability: Capability) -> Vec<String> {
    let mut out: Vec<String> = stack
        .map(|s| s.realizations.of(capability).to_vec())
        .unwrap_or_default();
    for p in document_paths(capability) {
        if !out.iter().any(|o| o == p) {
            out.push((*p).to_string());
        }
    }
    out
}

/// The files of the stack's project that hold an entity (empty without a
/// stack, or when the stack does not say).
pub fn entity_paths(stack: Option<&StackDocs<'_>>, entity: &str) -> Vec<String> {
    stack
        .map(|s| s.realizations.of_entity(entity).to_vec())
        .unwrap_or_default()
}

/// Whether the stack says where any capability is realized.
pub fn knows_paths(stack: Option<&StackDocs<'_>>) -> bool {
    stack.is_some_and(|s| !s.realizations.capabilities.is_empty())
}

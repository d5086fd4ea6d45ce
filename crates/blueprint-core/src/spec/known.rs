//! What a spec may name: the stack ids and the integrations (with their
//! option schemas) the checker accepts.
//!
//! `blueprint-core` knows no stacks or vendors itself; whoever holds them
//! (the render engine's registries) says which exist through a [`Known`].
//! [`Known::builtin`] is archgen's own: the built-in stacks and the
//! integration table of [`VENDORS`].

use super::vendors::{VendorInfo, VENDORS};
use std::sync::OnceLock;

/// The ids of the stacks archgen ships. The render engine's built-in
/// registry registers exactly these (a test there keeps the two equal).
pub const BUILTIN_STACKS: &[&str] = &[super::model::DEFAULT_STACK];

/// The stacks and integrations a spec may name, for [`parse_file_with`](super::parse_file_with)
/// and the other `*_with` checks.
///
/// An embedder that registers a stack or a vendor of its own gets one from
/// its render engine (`render::Engine::known`), or extends
/// [`Known::builtin`] itself:
///
/// ```
/// use blueprint_core::spec::{parse_str_with, Format, Known, OptionKind, VendorInfo};
///
/// let known = Known::builtin()
///     .with_stack("acme-catalog")
///     .with_vendor(VendorInfo {
///         id: "acme_crm",
///         purpose: "Acme's customer records",
///         options: &[("region", OptionKind::OneOf(&["eu", "us"]))],
///     });
/// let text = "spec_version: 1\nproduct: { name: shop }\nstack: acme-catalog\n\
///             integrations: { acme_crm: { region: eu } }\n\
///             entities: { Order: { fields: { total: integer } } }\n";
/// let checked = parse_str_with("shop.yaml", text, Format::Yaml, &known).unwrap();
/// assert_eq!(checked.spec.stack, "acme-catalog");
///
/// // Archgen's own table does not know either.
/// let err = blueprint_core::spec::parse_str("shop.yaml", text, Format::Yaml).unwrap_err();
/// let codes: Vec<&str> = err.diagnostics.iter().map(|d| d.code.as_str()).collect();
/// assert_eq!(codes, ["E631", "E600"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    stacks: Vec<&'static str>,
    vendors: Vec<VendorInfo>,
}

impl Default for Known {
    fn default() -> Self {
        Known::builtin()
    }
}

impl Known {
    /// Nothing known: every stack id and every integration is refused.
    ///
    /// ```
    /// let known = blueprint_core::spec::Known::empty();
    /// assert_eq!(known.stack_ids().count(), 0);
    /// assert!(known.vendor("stripe").is_none());
    /// ```
    pub fn empty() -> Known {
        Known {
            stacks: Vec::new(),
            vendors: Vec::new(),
        }
    }

    /// Archgen's own: the [`BUILTIN_STACKS`] and every integration of
    /// [`VENDORS`].
    ///
    /// ```
    /// let known = blueprint_core::spec::Known::builtin();
    /// assert!(known.has_stack("python-fastapi"));
    /// assert_eq!(known.vendor("stripe").unwrap().purpose, "payments and webhooks");
    /// ```
    pub fn builtin() -> Known {
        builtin_ref().clone()
    }

    /// Adds a stack id (kept once, in first-added order).
    pub fn add_stack(&mut self, id: &'static str) -> &mut Known {
        if !self.stacks.contains(&id) {
            self.stacks.push(id);
        }
        self
    }

    /// [`add_stack`](Self::add_stack), by value.
    pub fn with_stack(mut self, id: &'static str) -> Known {
        self.add_stack(id);
        self
    }

    /// Adds an integration with its option schema, replacing one with the
    /// same id in place (so an embedder can redefine a built-in one's
    /// options).
    pub fn add_vendor(&mut self, info: VendorInfo) -> &mut Known {
        match self.vendors.iter_mut().find(|v| v.id == info.id) {
            Some(slot) => *slot = info,
            None => self.vendors.push(info),
        }
        self
    }

    /// [`add_vendor`](Self::add_vendor), by value.
    pub fn with_vendor(mut self, info: VendorInfo) -> Known {
        self.add_vendor(info);
        self
    }

    /// Whether a spec may name this stack.
    pub fn has_stack(&self, id: &str) -> bool {
        self.stacks.contains(&id)
    }

    /// The known stack ids, in the order they were added.
    pub fn stack_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.stacks.iter().copied()
    }

    /// The integration with this id.
    pub fn vendor(&self, id: &str) -> Option<&VendorInfo> {
        self.vendors.iter().find(|v| v.id == id)
    }

    /// Every known integration, in the order they were added.
    pub fn vendors(&self) -> impl Iterator<Item = &VendorInfo> + '_ {
        self.vendors.iter()
    }
}

/// The built-in [`Known`], made once.
pub(crate) fn builtin_ref() -> &'static Known {
    static BUILTIN: OnceLock<Known> = OnceLock::new();
    BUILTIN.get_or_init(|| Known {
        stacks: BUILTIN_STACKS.to_vec(),
        vendors: VENDORS.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::OptionKind;

    #[test]
    fn adding_a_known_vendor_replaces_it_in_place() {
        let mut known = Known::builtin();
        let first = known.vendors().next().unwrap().id;
        known.add_vendor(VendorInfo {
            id: first,
            purpose: "ours",
            options: &[("colour", OptionKind::Text)],
        });
        assert_eq!(known.vendors().next().unwrap().purpose, "ours");
        assert_eq!(known.vendors().count(), VENDORS.len());
        known.add_stack("python-fastapi").add_stack("x");
        assert_eq!(
            known.stack_ids().collect::<Vec<_>>(),
            ["python-fastapi", "x"]
        );
    }
}

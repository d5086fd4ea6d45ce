//! The stable diagnostic codes. `docs/errors.md` explains each one; a test
//! keeps the two in step.

use serde::Serialize;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $title:literal; )*) => {
        /// A stable diagnostic code, such as `E400` (unknown relation target).
        ///
        /// Codes never change meaning; new ones are added at the end of
        /// their group.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as printed: `E400`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// A short title for the docs: `unknown relation target`.
            pub fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }
        }
    };
}

codes! {
    /// The file is not valid YAML, TOML or JSON.
    Syntax = "E001", "syntax error";
    /// The file is not UTF-8 text.
    InvalidUtf8 = "E002", "not UTF-8 text";
    /// The file is larger than archgen reads.
    FileTooLarge = "E003", "file too large";
    /// Lists and maps are nested deeper than a spec ever needs.
    NestingTooDeep = "E004", "nesting too deep";
    /// YAML aliases expand to more nodes than a spec ever needs.
    TooManyNodes = "E005", "too many nodes";
    /// A number does not fit in 64 bits or is not finite.
    NumberOutOfRange = "E007", "number out of range";
    /// A key appears twice in one map.
    DuplicateKey = "E008", "duplicate key";
    /// A YAML feature a spec cannot use (tags, several documents).
    UnsupportedYaml = "E009", "unsupported YAML feature";
    /// A key that the spec format does not know.
    UnknownKey = "E100", "unknown key";
    /// A value of the wrong kind (a list where a map belongs, …).
    WrongType = "E101", "wrong type";
    /// A required key is missing.
    MissingKey = "E102", "missing key";
    /// `spec_version` names a version this archgen does not read.
    UnsupportedSpecVersion = "E103", "unsupported spec version";
    /// The spec declares no entity.
    NoEntities = "E104", "no entities";
    /// A value that is not one of the allowed words.
    InvalidValue = "E105", "invalid value";
    /// The product name is not lowercase kebab-case of 2 to 40 characters.
    BadProductName = "E200", "bad product name";
    /// An entity name is not PascalCase.
    BadEntityName = "E201", "bad entity name";
    /// A field, relation, role or collection name is not snake_case.
    BadSnakeName = "E202", "bad name";
    /// A name with characters no generated code can carry.
    UnsafeIdentifier = "E203", "unsafe identifier";
    /// A field name archgen adds itself (`id`, `created_at`, …).
    ReservedField = "E204", "reserved field name";
    /// A collection name taken by a fixed route or system table.
    ReservedCollection = "E205", "reserved collection name";
    /// Two names become the same after case conversion or pluralisation.
    NameCollision = "E206", "name collision";
    /// A reserved word in a target language that no stack can work around.
    ReservedWord = "E207", "reserved word";
    /// A reserved word in a target language that the stacks rename.
    ReservedWordRenamed = "W208", "reserved word, renamed in code";
    /// A role named like an access subject (`owner`, `authenticated`, `public`).
    ReservedRoleName = "E209", "reserved role name";
    /// A field named like a list parameter (`limit`, `cursor`, `sort`),
    /// which therefore cannot be a filter.
    ListParameterField = "W210", "field named like a list parameter";
    /// A field type that does not exist.
    UnknownFieldType = "E300", "unknown field type";
    /// An enum without values, or with empty or repeated values.
    BadEnumValues = "E301", "bad enum values";
    /// A default value that does not fit the field.
    BadDefault = "E302", "bad default";
    /// A field option that does not apply to the field's type.
    OptionNotForType = "E303", "option not for this type";
    /// A bound, length, precision or scale outside what the column can hold.
    BoundOutOfRange = "E304", "bound out of range";
    /// A pattern that is not a regular expression every stack can enforce.
    InvalidPattern = "E305", "invalid pattern";
    /// A retention period that is not `30d`, `18m` or `7y` form.
    InvalidRetention = "E306", "invalid retention";
    /// `min` greater than `max`.
    ContradictoryBounds = "E307", "contradictory bounds";
    /// A workflow (`transitions`) without a `default` to start from.
    WorkflowWithoutDefault = "E310", "workflow without a default";
    /// A value in `transitions` or `frozen` that the enum does not have.
    UnknownState = "E311", "unknown workflow state";
    /// A value no move reaches from the default.
    UnreachableState = "W312", "unreachable workflow state";
    /// A field with both `write` and `transitions`.
    WriteWithTransitions = "E313", "write rule on a workflow field";
    /// A relation to an entity that does not exist.
    UnknownRelationTarget = "E400", "unknown relation target";
    /// `on_delete: set-null` on a required relation.
    SetNullOnRequired = "E401", "set-null on a required relation";
    /// An `inverse` name that is already a field or relation of the target.
    InverseCollision = "E402", "inverse name collision";
    /// A relation option that does not apply to its kind.
    OptionNotForRelation = "E403", "option not for this relation kind";
    /// A `restrict` relation from a shared entity to an owned one.
    RestrictBlocksErasure = "W404", "restrict relation can block erasure";
    /// `owned: { through: … }` names no required to-one relation to an
    /// owned entity.
    BadOwnershipRelation = "E410", "bad ownership relation";
    /// Ownership through relations goes round in a circle.
    OwnershipCycle = "E411", "ownership cycle";
    /// An entity is owned through its one required relation to an owned
    /// entity, without saying so.
    ImpliedOwnership = "N412", "ownership implied";
    /// An entity has several required relations to owned entities and
    /// does not say which one makes its owner.
    AmbiguousOwnership = "W413", "ambiguous ownership";
    /// A role may create rows owned through a relation, but may update no
    /// parent row to put one under, so each of its creates is refused.
    CreateWithoutParent = "W414", "create that can never succeed";
    /// An access subject that is no role, `owner`, `authenticated` or `public`.
    UnknownAccessSubject = "E500", "unknown access subject";
    /// `owner` on an entity that is not `owned`.
    OwnerOnUnowned = "E501", "owner on an entity that is not owned";
    /// `owner` in `create`, where no row exists yet.
    OwnerInCreate = "E502", "owner in create";
    /// `public` in `create` of an owned entity.
    PublicCreateOnOwned = "E503", "public create of an owned entity";
    /// A role that is both `admin` and `signup`.
    AdminSignupRole = "E504", "admin role open to signup";
    /// No admin role, and the name `admin` is taken by another role.
    AdminNameTaken = "E505", "no admin role";
    /// An entity without a rule for an action gets a stricter default than
    /// it did before least-privilege defaults.
    DefaultAccessTightened = "N510", "default access tightened";
    /// Personal or sensitive fields readable by every signed-in user (or
    /// every visitor) on rows that are not theirs.
    PersonalDataExposed = "W511", "personal data readable by everyone";
    /// A field rule names a subject it cannot (`public` in `write`, an
    /// unknown role, `owner` on an entity that is not owned).
    BadFieldRule = "E512", "bad field rule";
    /// A required field without a default that some creator may not write.
    RequiredFieldUnwritable = "E513", "required field nobody may write";
    /// An integration archgen does not know.
    UnknownVendor = "E600", "unknown integration";
    /// An option an integration does not take.
    UnknownVendorOption = "E601", "unknown integration option";
    /// An integration option of the wrong kind.
    BadVendorOption = "E602", "bad integration option";
    /// An integration whose vendor has no files for the spec's stack.
    UnsupportedVendor = "E603", "integration not available for the stack";
    /// An integration its vendor generates, without the options it needs
    /// (`stripe` without `pays_for`, `amount` and `sets`).
    MissingVendorOption = "E604", "integration option missing";
    /// An integration option that names no usable part of the spec (a
    /// `stripe` `pays_for` that is no entity, an `amount` that is no
    /// integer field).
    VendorOptionTarget = "E605", "integration option names no usable field";
    /// A field a payment reads or sets that callers may write (no `write`
    /// rule): they could mark the row paid, or lower its price, themselves.
    PaymentFieldWritable = "E606", "payment field writable by callers";
    /// The `oidc` integration's `default_role` (or, without one, the
    /// product) names no signup role for the accounts it creates.
    OidcRoleNotSignup = "E607", "OIDC role not open to signup";
    /// `api.page_size` outside 1 to 500.
    BadPageSize = "E610", "bad page size";
    /// `api.base_path` that is not a simple absolute path.
    BadBasePath = "E611", "bad base path";
    /// A compliance framework archgen does not know.
    UnknownFramework = "E620", "unknown framework";
    /// A stack or database id that is not a kebab-case identifier.
    BadComponentId = "E630", "bad stack or database id";
    /// A stack id that no known stack has.
    UnknownStack = "E631", "unknown stack";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

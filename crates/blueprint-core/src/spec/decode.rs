//! Node tree → typed [`Spec`], with defaults applied and every problem of
//! shape (unknown keys, wrong kinds of value, missing keys) reported, not
//! just the first. Meaning is checked afterwards, in `validate`.

use super::model::*;
use crate::diag::{Code, Diagnostic};
use crate::naming::{did_you_mean, suggest};
use crate::source::{Path, SourceMap, Span};
use crate::syntax::{shorten, Key, Node, NodeKind, Spanned};
use indexmap::IndexMap;

const TOP_KEYS: &[&str] = &[
    "spec_version",
    "product",
    "stack",
    "database",
    "compliance",
    "roles",
    "entities",
    "integrations",
    "api",
];
const PRODUCT_KEYS: &[&str] = &["name", "title", "description"];
const COMPLIANCE_KEYS: &[&str] = &["frameworks", "infer", "none"];
const ROLE_KEYS: &[&str] = &["signup", "admin", "description"];
const ENTITY_KEYS: &[&str] = &[
    "description",
    "owned",
    "fields",
    "relations",
    "access",
    "retention",
    "plural",
    "renamed_from",
];
const FIELD_KEYS: &[&str] = &[
    "type",
    "required",
    "unique",
    "default",
    "min",
    "max",
    "pattern",
    "index",
    "pii",
    "description",
    "values",
    "precision",
    "scale",
    "read",
    "write",
    "transitions",
    "frozen",
    "renamed_from",
];
const RELATION_KEYS: &[&str] = &["to", "kind", "required", "on_delete", "inverse"];
const ACCESS_KEYS: &[&str] = &["create", "read", "update", "delete"];
const API_KEYS: &[&str] = &["base_path", "page_size"];

/// What decoding gives: a spec with every default applied (parts that could
/// not be read are left out), the places things were written, and the
/// problems found.
pub(crate) struct Decoded {
    pub spec: Spec,
    pub map: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn decode(root: &Node) -> Decoded {
    let mut d = Decoder {
        map: SourceMap::default(),
        diags: Vec::new(),
    };
    let spec = d.spec(root);
    Decoded {
        spec,
        map: d.map,
        diagnostics: d.diags,
    }
}

struct Decoder {
    map: SourceMap,
    diags: Vec<Diagnostic>,
}

fn child(path: &Path, key: &str) -> Path {
    path.key(key)
}

fn dotted(path: &Path) -> String {
    path.dotted()
}

impl Decoder {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, path: &Path, expected: &str, hint: &str) {
        self.err(
            Diagnostic::error(
                Code::WrongType,
                format!(
                    "{} should be {expected}, but it is {}",
                    dotted(path),
                    node.kind.describe()
                ),
            )
            .with_hint(hint.to_string())
            .spanned(node.span),
        );
    }

    /// The entries of a map, recording spans and reporting unknown keys.
    fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &Path,
        allowed: Option<&[&str]>,
        hint: &str,
    ) -> Option<&'n [(Key, Node)]> {
        let entries = match &node.kind {
            NodeKind::Map(entries) => entries.as_slice(),
            _ => {
                self.wrong_type(node, path, "a map of `key: value` lines", hint);
                return None;
            }
        };
        for (k, v) in entries {
            self.map.insert(child(path, &k.name), Some(k.span), v.span);
            if let Some(allowed) = allowed {
                if !allowed.contains(&k.name.as_str()) {
                    let hint = did_you_mean(&k.name, allowed.iter().copied(), || {
                        format!("the keys allowed here are: {}", allowed.join(", "))
                    });
                    self.err(
                        Diagnostic::error(
                            Code::UnknownKey,
                            format!(
                                "`{}` is not a key archgen knows in {}",
                                shorten(&k.name),
                                dotted(path)
                            ),
                        )
                        .with_label("unknown key")
                        .with_hint(hint)
                        .spanned(k.span),
                    );
                }
            }
        }
        Some(entries)
    }

    fn text(&mut self, node: &Node, path: &Path) -> Option<String> {
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(f.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            _ => {
                self.wrong_type(
                    node,
                    path,
                    "text",
                    "write the value on the same line as its key",
                );
                None
            }
        }
    }

    fn optional_text(&mut self, node: &Node, path: &Path) -> Option<String> {
        match node.kind {
            NodeKind::Null => None,
            _ => self.text(node, path),
        }
    }

    fn boolean(&mut self, node: &Node, path: &Path) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(node, path, "true or false", "write `true` or `false`");
                None
            }
        }
    }

    fn number(&mut self, node: &Node, path: &Path) -> Option<Number> {
        match node.kind {
            NodeKind::Int(i) => Some(Number::Int(i)),
            NodeKind::Float(f) if f.is_finite() => Some(Number::Float(f)),
            NodeKind::Float(_) => {
                self.err(crate::syntax::number_out_of_range("inf", node.span));
                None
            }
            _ => {
                self.wrong_type(node, path, "a number", "write a number without quotes");
                None
            }
        }
    }

    fn whole(&mut self, node: &Node, path: &Path, max: u32) -> Option<u32> {
        match node.kind {
            NodeKind::Int(i) if (0..=i64::from(max)).contains(&i) => Some(i as u32),
            NodeKind::Int(i) => {
                self.err(
                    Diagnostic::error(
                        Code::BoundOutOfRange,
                        format!("{} is {i}, outside 0 to {max}", dotted(path)),
                    )
                    .with_hint(format!("use a whole number from 0 to {max}"))
                    .spanned(node.span),
                );
                None
            }
            _ => {
                self.wrong_type(
                    node,
                    path,
                    "a whole number",
                    "write a whole number without quotes",
                );
                None
            }
        }
    }

    fn text_list(&mut self, node: &Node, path: &Path, hint: &str) -> Option<Vec<(String, Span)>> {
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push_index(i);
                    self.map.insert(p.clone(), None, item.span);
                    if let Some(t) = self.text(item, &p) {
                        out.push((t, item.span));
                    }
                }
                Some(out)
            }
            NodeKind::Null => Some(Vec::new()),
            _ => {
                self.wrong_type(node, path, "a list", hint);
                None
            }
        }
    }

    fn missing(&mut self, at: Span, path: &Path, key: &str, hint: &str) {
        self.err(
            Diagnostic::error(
                Code::MissingKey,
                format!("{} needs a `{key}`", dotted(path)),
            )
            .with_hint(hint.to_string())
            .spanned(at),
        );
    }

    fn spec(&mut self, root: &Node) -> Spec {
        let top = Path::root();
        self.map.insert(top.clone(), None, root.span);
        let mut spec = Spec {
            spec_version: SPEC_VERSION,
            product: Product {
                name: String::new(),
                title: None,
                description: None,
            },
            stack: DEFAULT_STACK.to_string(),
            database: DEFAULT_DATABASE.to_string(),
            compliance: ComplianceSettings::default(),
            roles: default_roles(),
            entities: IndexMap::new(),
            integrations: IndexMap::new(),
            api: Api::default(),
        };
        let start = Span::new(root.span.start, root.span.start);
        let Some(entries) = self.map(
            root,
            &top,
            Some(TOP_KEYS),
            "a spec is a map with `spec_version`, `product` and `entities` at the top level",
        ) else {
            return spec;
        };
        let get = |name: &str| entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);

        match get("spec_version") {
            None => self.missing(start, &top, "spec_version", "add `spec_version: 1` as the first line"),
            Some(v) => match v.kind {
                NodeKind::Int(1) => {}
                _ => self.err(
                    Diagnostic::error(
                        Code::UnsupportedSpecVersion,
                        format!(
                            "this archgen reads spec_version {SPEC_VERSION}, not `{}`",
                            node_text(v)
                        ),
                    )
                    .with_hint(format!("write `spec_version: {SPEC_VERSION}`, or use the archgen release made for that version"))
                    .spanned(v.span),
                ),
            },
        }

        match get("product") {
            None => self.missing(
                start,
                &top,
                "product",
                "add `product: { name: my-product }`",
            ),
            Some(v) => spec.product = self.product(v),
        }
        if let Some(v) = get("stack") {
            if let Some(s) = self.text(v, &child(&top, "stack")) {
                spec.stack = s;
            }
        }
        if let Some(v) = get("database") {
            if let Some(s) = self.text(v, &child(&top, "database")) {
                spec.database = s;
            }
        }
        if let Some(v) = get("compliance") {
            spec.compliance = self.compliance(v);
        }
        match get("roles") {
            Some(v) if !matches!(v.kind, NodeKind::Null) => spec.roles = self.roles(v),
            _ => {}
        }
        if !spec.roles.values().any(|r| r.admin) && !spec.roles.contains_key("admin") {
            spec.roles.insert(
                "admin".to_string(),
                Role {
                    signup: false,
                    admin: true,
                    description: None,
                },
            );
        }
        let admin_roles: Vec<String> = spec.admin_roles().map(str::to_string).collect();
        match get("entities") {
            None => self.err(
                Diagnostic::error(Code::NoEntities, "the spec declares no entities")
                    .with_hint("add an `entities:` map with at least one entity, such as `Task: { fields: { title: string! } }`")
                    .spanned(start),
            ),
            Some(v) => {
                spec.entities = self.entities(v, &admin_roles);
                if matches!(&v.kind, NodeKind::Map(m) if m.is_empty()) || matches!(v.kind, NodeKind::Null) {
                    self.err(
                        Diagnostic::error(Code::NoEntities, "`entities` is empty")
                            .with_hint("declare at least one entity, such as `Task: { fields: { title: string! } }`")
                            .spanned(v.span),
                    );
                }
            }
        }
        if let Some(v) = get("integrations") {
            spec.integrations = self.integrations(v);
        }
        if let Some(v) = get("api") {
            spec.api = self.api(v);
        }
        spec
    }

    fn product(&mut self, node: &Node) -> Product {
        let path = Path::root().key("product");
        let mut product = Product {
            name: String::new(),
            title: None,
            description: None,
        };
        let Some(entries) = self.map(
            node,
            &path,
            Some(PRODUCT_KEYS),
            "write `product: { name: my-product }`",
        ) else {
            return product;
        };
        let mut has_name = false;
        for (k, v) in entries {
            let p = child(&path, &k.name);
            match k.name.as_str() {
                "name" => {
                    has_name = true;
                    product.name = self.text(v, &p).unwrap_or_default();
                }
                "title" => product.title = self.optional_text(v, &p),
                "description" => product.description = self.optional_text(v, &p),
                _ => {}
            }
        }
        if !has_name {
            self.missing(
                node.span,
                &path,
                "name",
                "add `name: my-product` (lowercase kebab-case, used for package and image names)",
            );
        }
        product
    }

    fn compliance(&mut self, node: &Node) -> ComplianceSettings {
        let path = Path::root().key("compliance");
        let mut c = ComplianceSettings::default();
        let Some(entries) = self.map(
            node,
            &path,
            Some(COMPLIANCE_KEYS),
            "write `compliance: { frameworks: [gdpr] }`",
        ) else {
            return c;
        };
        for (k, v) in entries {
            let p = child(&path, &k.name);
            match k.name.as_str() {
                "frameworks" => {
                    for (text, span) in self
                        .text_list(v, &p, "write `frameworks: [gdpr, soc2]`")
                        .unwrap_or_default()
                    {
                        let id = text.to_ascii_lowercase();
                        let id = if id == "pci_dss" || id == "pcidss" {
                            "pci-dss".to_string()
                        } else {
                            id
                        };
                        match Framework::from_id(&id) {
                            Some(f) if !c.frameworks.contains(&f) => c.frameworks.push(f),
                            Some(_) => {}
                            None => {
                                let ids: Vec<&str> =
                                    Framework::ALL.iter().map(|f| f.id()).collect();
                                let hint = did_you_mean(&text, ids.iter().copied(), || {
                                    format!("the frameworks archgen knows are: {}", ids.join(", "))
                                });
                                self.err(
                                    Diagnostic::error(
                                        Code::UnknownFramework,
                                        format!(
                                            "archgen does not know the framework `{}`",
                                            shorten(&text)
                                        ),
                                    )
                                    .with_hint(hint)
                                    .spanned(span),
                                );
                            }
                        }
                    }
                }
                "infer" => c.infer = self.boolean(v, &p).unwrap_or(true),
                "none" => c.none = self.boolean(v, &p).unwrap_or(false),
                _ => {}
            }
        }
        c
    }

    fn roles(&mut self, node: &Node) -> IndexMap<String, Role> {
        let path = Path::root().key("roles");
        let mut roles = IndexMap::new();
        let Some(entries) = self.map(
            node,
            &path,
            None,
            "write `roles: { patient: { signup: true } }`",
        ) else {
            return roles;
        };
        for (k, v) in entries {
            let p = child(&path, &k.name);
            let mut role = Role::default();
            if !matches!(v.kind, NodeKind::Null) {
                if let Some(fields) = self.map(
                    v,
                    &p,
                    Some(ROLE_KEYS),
                    "write `{ signup: true }`, `{ admin: true }` or `{}`",
                ) {
                    for (fk, fv) in fields {
                        let fp = child(&p, &fk.name);
                        match fk.name.as_str() {
                            "signup" => role.signup = self.boolean(fv, &fp).unwrap_or(false),
                            "admin" => role.admin = self.boolean(fv, &fp).unwrap_or(false),
                            "description" => role.description = self.optional_text(fv, &fp),
                            _ => {}
                        }
                    }
                }
            }
            roles.insert(k.name.clone(), role);
        }
        roles
    }

    fn entities(&mut self, node: &Node, admin_roles: &[String]) -> IndexMap<String, Entity> {
        let path = Path::root().key("entities");
        let mut out = IndexMap::new();
        if matches!(node.kind, NodeKind::Null) {
            return out;
        }
        let Some(entries) = self.map(node, &path, None, "write `entities:` followed by one entity per line, such as `Task: { fields: { title: string! } }`") else {
            return out;
        };
        for (k, v) in entries {
            let p = child(&path, &k.name);
            out.insert(k.name.clone(), self.entity(&k.name, v, &p, admin_roles));
        }
        super::complete::complete(&mut out, admin_roles);
        out
    }

    fn entity(&mut self, name: &str, node: &Node, path: &Path, admin_roles: &[String]) -> Entity {
        let mut entity = Entity {
            description: None,
            owned: false,
            owned_through: None,
            completion: Default::default(),
            fields: IndexMap::new(),
            relations: IndexMap::new(),
            access: Access::default(),
            retention: None,
            plural: None,
            renamed_from: None,
            name: name.to_string(),
        };
        let mut access_node = None;
        if let Some(entries) = self.map(
            node,
            path,
            Some(ENTITY_KEYS),
            "an entity is a map with `fields` and optionally `relations`, `access`, `owned`",
        ) {
            for (k, v) in entries {
                let p = child(path, &k.name);
                match k.name.as_str() {
                    "description" => entity.description = self.optional_text(v, &p),
                    "owned" => {
                        entity.completion.owned_key = true;
                        if matches!(v.kind, NodeKind::Map(_)) {
                            entity.owned_through = self.through(v, &p);
                        } else {
                            entity.owned = self.boolean(v, &p).unwrap_or(false);
                        }
                    }
                    "fields" => entity.fields = self.fields(v, &p),
                    "relations" => entity.relations = self.relations(v, &p),
                    "access" => access_node = Some((v, p)),
                    "retention" => entity.retention = self.retention(v, &p),
                    "plural" => entity.plural = self.optional_text(v, &p),
                    "renamed_from" => entity.renamed_from = self.optional_text(v, &p),
                    _ => {}
                }
            }
        }
        let mut given: Vec<Action> = Vec::new();
        if let Some((v, p)) = access_node {
            if let Some(entries) = self.map(
                v,
                &p,
                Some(ACCESS_KEYS),
                "write `access: { read: [owner, admin] }`",
            ) {
                for (k, sv) in entries {
                    let Some(action) = Action::ALL.into_iter().find(|a| a.as_str() == k.name)
                    else {
                        continue;
                    };
                    let ap = child(&p, &k.name);
                    let subjects = self
                        .text_list(sv, &ap, "write a list of roles, such as `[owner, admin]`")
                        .unwrap_or_default();
                    given.push(action);
                    *entity.access.get_mut(action) = subjects
                        .into_iter()
                        .map(|(s, _)| Subject::parse(&s))
                        .collect();
                }
            }
        }
        let _ = admin_roles;
        entity.completion.defaulted = Action::ALL
            .into_iter()
            .filter(|a| !given.contains(a))
            .collect();
        entity
    }

    /// `owned: { through: relation }`: the relation's name.
    fn through(&mut self, node: &Node, path: &Path) -> Option<String> {
        let entries = self.map(
            node,
            path,
            Some(&["through"]),
            "write `owned: true`, `owned: false` or `owned: { through: <relation> }`",
        )?;
        let Some((_, v)) = entries.iter().find(|(k, _)| k.name == "through") else {
            self.missing(
                node.span,
                path,
                "through",
                "name the required relation whose row owns this one, such as `owned: { through: loan }`",
            );
            return None;
        };
        self.text(v, &child(path, "through"))
    }

    /// A list of access subjects (`[owner, underwriter]`).
    fn subjects(&mut self, node: &Node, path: &Path) -> Option<Vec<Subject>> {
        self.text_list(
            node,
            path,
            "write a list of roles, such as `[owner, admin]`",
        )
        .map(|items| items.into_iter().map(|(s, _)| Subject::parse(&s)).collect())
    }

    /// `transitions: { from: { to: [subjects] } }`.
    fn transitions(
        &mut self,
        node: &Node,
        path: &Path,
    ) -> IndexMap<String, IndexMap<String, Vec<Subject>>> {
        let mut out = IndexMap::new();
        let Some(entries) = self.map(
            node,
            path,
            None,
            "write `transitions: { draft: { submitted: [owner] } }`: from a value, the values it may move to and who may",
        ) else {
            return out;
        };
        for (from, moves) in entries {
            let fp = child(path, &from.name);
            let mut targets = IndexMap::new();
            if let Some(moves) = self.map(
                moves,
                &fp,
                None,
                "write the values this one may move to, each with who may: `{ submitted: [owner] }`",
            ) {
                for (to, who) in moves {
                    let tp = child(&fp, &to.name);
                    let subjects = self.subjects(who, &tp).unwrap_or_default();
                    targets.insert(to.name.clone(), subjects);
                }
            }
            out.insert(from.name.clone(), targets);
        }
        out
    }

    fn fields(&mut self, node: &Node, path: &Path) -> IndexMap<String, Field> {
        let mut out = IndexMap::new();
        if matches!(node.kind, NodeKind::Null) {
            return out;
        }
        let Some(entries) = self.map(
            node,
            path,
            None,
            "write one field per line, such as `title: string!`",
        ) else {
            return out;
        };
        for (k, v) in entries {
            let p = child(path, &k.name);
            if let Some(f) = self.field(v, &p) {
                out.insert(k.name.clone(), f);
            }
        }
        out
    }

    fn field_type(&mut self, text: &str, span: Span) -> Option<FieldType> {
        if let Some(t) = FieldType::parse(text) {
            return Some(t);
        }
        let lower = text.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "str" | "varchar" | "char" => Some("string"),
            "int" | "int32" | "number" => Some("integer"),
            "int64" | "long" => Some("bigint"),
            "bool" => Some("boolean"),
            "timestamp" | "timestamptz" | "date_time" => Some("datetime"),
            "float" | "double" | "money" | "numeric" => Some("decimal"),
            "jsonb" | "object" => Some("json"),
            "uri" | "link" => Some("url"),
            "mail" => Some("email"),
            _ => None,
        };
        let names: Vec<&str> = FieldType::ALL.iter().map(|t| t.as_str()).collect();
        let hint = match alias.or_else(|| suggest(text, names.iter().copied())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the field types are: {}", names.join(", ")),
        };
        self.err(
            Diagnostic::error(
                Code::UnknownFieldType,
                format!("`{}` is not a field type", shorten(text)),
            )
            .with_label("unknown type")
            .with_hint(hint)
            .spanned(span),
        );
        None
    }

    fn field(&mut self, node: &Node, path: &Path) -> Option<Field> {
        match &node.kind {
            NodeKind::Str(s) => {
                let (name, required) = match s.strip_suffix('!') {
                    Some(n) => (n.trim(), true),
                    None => (s.trim(), false),
                };
                let ty = self.field_type(name, node.span)?;
                let mut f = Field::new(ty);
                f.required = required;
                Some(f)
            }
            NodeKind::Map(_) => {
                let entries = self.map(node, path, Some(FIELD_KEYS), "")?;
                let ty_node = entries
                    .iter()
                    .find(|(k, _)| k.name == "type")
                    .map(|(_, v)| v);
                let ty = match ty_node {
                    None => {
                        self.missing(
                            node.span,
                            path,
                            "type",
                            "add `type: string` (or another field type)",
                        );
                        return None;
                    }
                    Some(t) => {
                        let text = self.text(t, &child(path, "type"))?;
                        let (name, required) = match text.strip_suffix('!') {
                            Some(n) => (n.trim().to_string(), true),
                            None => (text.trim().to_string(), false),
                        };
                        let ty = self.field_type(&name, t.span)?;
                        (ty, required)
                    }
                };
                let mut f = Field::new(ty.0);
                f.required = ty.1;
                for (k, v) in entries {
                    let p = child(path, &k.name);
                    match k.name.as_str() {
                        "required" => f.required = self.boolean(v, &p).unwrap_or(f.required),
                        "unique" => f.unique = self.boolean(v, &p).unwrap_or(false),
                        "index" => f.index = self.boolean(v, &p).unwrap_or(false),
                        "default" => f.default = self.scalar(v, &p),
                        "min" => f.min = self.number(v, &p),
                        "max" => f.max = self.number(v, &p),
                        "pattern" => f.pattern = self.optional_text(v, &p),
                        "description" => f.description = self.optional_text(v, &p),
                        "renamed_from" => f.renamed_from = self.optional_text(v, &p),
                        "values" => {
                            f.values = self
                                .text_list(v, &p, "write `values: [draft, published]`")
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(t, _)| t)
                                .collect()
                        }
                        "read" => f.read = self.subjects(v, &p),
                        "write" => f.write = self.subjects(v, &p),
                        "transitions" => f.transitions = self.transitions(v, &p),
                        "frozen" => {
                            f.frozen = self
                                .text_list(v, &p, "write `frozen: [approved, declined]`")
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(t, _)| t)
                                .collect()
                        }
                        "precision" => f.precision = self.whole(v, &p, 1000),
                        "scale" => f.scale = self.whole(v, &p, 1000),
                        "pii" => {
                            f.pii = self
                                .word(v, &p, &["none", "personal", "sensitive"])
                                .map(|w| match w {
                                    "personal" => Pii::Personal,
                                    "sensitive" => Pii::Sensitive,
                                    _ => Pii::None,
                                })
                        }
                        _ => {}
                    }
                }
                Some(f)
            }
            _ => {
                self.wrong_type(
                    node,
                    path,
                    "a type name (such as `string!`) or a map with `type`",
                    "write `name: string!` or `name: { type: string, max: 80 }`",
                );
                None
            }
        }
    }

    fn scalar(&mut self, node: &Node, path: &Path) -> Option<Scalar> {
        match &node.kind {
            NodeKind::Bool(b) => Some(Scalar::Bool(*b)),
            NodeKind::Int(i) => Some(Scalar::Number(Number::Int(*i))),
            NodeKind::Float(f) => Some(Scalar::Number(Number::Float(*f))),
            NodeKind::Str(s) => Some(Scalar::Str(s.clone())),
            NodeKind::Null => None,
            _ => {
                self.wrong_type(
                    node,
                    path,
                    "a single value",
                    "a default is one value, such as `draft`, `0` or `false`",
                );
                None
            }
        }
    }

    /// One of a fixed list of words.
    fn word<'w>(&mut self, node: &Node, path: &Path, words: &[&'w str]) -> Option<&'w str> {
        let text = self.text(node, path)?;
        if let Some(w) = words.iter().find(|w| **w == text) {
            return Some(w);
        }
        let hint = did_you_mean(&text, words.iter().copied(), || {
            format!("write one of: {}", words.join(", "))
        });
        self.err(
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{}` is not allowed for {}", shorten(&text), dotted(path)),
            )
            .with_hint(hint)
            .spanned(node.span),
        );
        None
    }

    fn relations(&mut self, node: &Node, path: &Path) -> IndexMap<String, Relation> {
        let mut out = IndexMap::new();
        if matches!(node.kind, NodeKind::Null) {
            return out;
        }
        let Some(entries) = self.map(
            node,
            path,
            None,
            "write one relation per line, such as `patient: { to: Patient }`",
        ) else {
            return out;
        };
        for (k, v) in entries {
            let p = child(path, &k.name);
            let Some(fields) = self.map(v, &p, Some(RELATION_KEYS), "write `{ to: Patient }`, optionally with `kind`, `required`, `on_delete`, `inverse`") else {
                continue;
            };
            let mut rel = Relation {
                to: String::new(),
                kind: RelationKind::ManyToOne,
                required: false,
                on_delete: OnDelete::Restrict,
                inverse: None,
            };
            let mut has_to = false;
            for (fk, fv) in fields {
                let fp = child(&p, &fk.name);
                match fk.name.as_str() {
                    "to" => {
                        has_to = true;
                        rel.to = self.text(fv, &fp).unwrap_or_default();
                    }
                    "kind" => {
                        if let Some(w) =
                            self.word(fv, &fp, &["many-to-one", "one-to-one", "many-to-many"])
                        {
                            rel.kind = match w {
                                "one-to-one" => RelationKind::OneToOne,
                                "many-to-many" => RelationKind::ManyToMany,
                                _ => RelationKind::ManyToOne,
                            };
                        }
                    }
                    "required" => rel.required = self.boolean(fv, &fp).unwrap_or(false),
                    "on_delete" => {
                        if let Some(w) = self.word(fv, &fp, &["restrict", "cascade", "set-null"]) {
                            rel.on_delete = match w {
                                "cascade" => OnDelete::Cascade,
                                "set-null" => OnDelete::SetNull,
                                _ => OnDelete::Restrict,
                            };
                        }
                    }
                    "inverse" => rel.inverse = self.optional_text(fv, &fp),
                    _ => {}
                }
            }
            if !has_to {
                self.missing(
                    v.span,
                    &p,
                    "to",
                    "add `to: Entity` naming the entity this relation points at",
                );
                continue;
            }
            out.insert(k.name.clone(), rel);
        }
        out
    }

    fn retention(&mut self, node: &Node, path: &Path) -> Option<Retention> {
        if matches!(node.kind, NodeKind::Null) {
            return None;
        }
        let text = node_text(node);
        match (&node.kind, Retention::parse(&text)) {
            (NodeKind::Str(_), Some(r)) => Some(r),
            _ => {
                let hint = if matches!(node.kind, NodeKind::Int(_)) {
                    format!("add a unit: `{text}d` (days), `{text}m` (months) or `{text}y` (years)")
                } else {
                    "write a whole number and a unit: `30d`, `18m` or `7y`".to_string()
                };
                self.err(
                    Diagnostic::error(
                        Code::InvalidRetention,
                        format!("`{}` is not a retention period", shorten(&text)),
                    )
                    .with_hint(hint)
                    .spanned(node.span),
                );
                let _ = path;
                None
            }
        }
    }

    fn integrations(
        &mut self,
        node: &Node,
    ) -> IndexMap<String, IndexMap<String, serde_json::Value>> {
        let path = Path::root().key("integrations");
        let mut out = IndexMap::new();
        match &node.kind {
            NodeKind::Null => {}
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push_index(i);
                    self.map.insert(p.clone(), None, item.span);
                    if let Some(id) = self.text(item, &p) {
                        if out.contains_key(&id) {
                            self.err(
                                Diagnostic::error(
                                    Code::DuplicateKey,
                                    format!("the integration `{}` is listed twice", shorten(&id)),
                                )
                                .with_hint("list each integration once")
                                .spanned(item.span),
                            );
                        }
                        // Record the id's place under its name too, for later checks.
                        self.map
                            .insert(child(&path, &id), Some(item.span), item.span);
                        out.insert(id, IndexMap::new());
                    }
                }
            }
            NodeKind::Map(_) => {
                if let Some(entries) = self.map(node, &path, None, "") {
                    for (k, v) in entries {
                        let p = child(&path, &k.name);
                        let mut options = IndexMap::new();
                        if !matches!(v.kind, NodeKind::Null) {
                            if let Some(opts) = self.map(v, &p, None, "write the integration's options as a map, such as `stripe: { mode: checkout }`") {
                                for (ok, ov) in opts {
                                    options.insert(ok.name.clone(), to_json(ov));
                                }
                            }
                        }
                        out.insert(k.name.clone(), options);
                    }
                }
            }
            _ => self.wrong_type(
                node,
                &path,
                "a list of integration ids or a map of id to options",
                "write `integrations: [stripe, sentry]`",
            ),
        }
        out
    }

    fn api(&mut self, node: &Node) -> Api {
        let path = Path::root().key("api");
        let mut api = Api::default();
        let Some(entries) = self.map(
            node,
            &path,
            Some(API_KEYS),
            "write `api: { base_path: /api, page_size: 50 }`",
        ) else {
            return api;
        };
        for (k, v) in entries {
            let p = child(&path, &k.name);
            match k.name.as_str() {
                "base_path" => {
                    if let Some(t) = self.text(v, &p) {
                        api.base_path = t;
                    }
                }
                "page_size" => match v.kind {
                    NodeKind::Int(i) if (1..=i64::from(MAX_PAGE_SIZE)).contains(&i) => api.page_size = i as u32,
                    NodeKind::Int(i) => self.err(
                        Diagnostic::error(Code::BadPageSize, format!("`api.page_size` is {i}; it must be from 1 to {MAX_PAGE_SIZE}"))
                            .with_hint(format!("pick a page size from 1 to {MAX_PAGE_SIZE}; clients page through longer lists with the cursor"))
                            .spanned(v.span),
                    ),
                    _ => self.wrong_type(v, &p, "a whole number", "write `page_size: 50`"),
                },
                _ => {}
            }
        }
        api
    }
}

/// The roles of a spec that names none: `user` (signup) and `admin`.
fn default_roles() -> IndexMap<String, Role> {
    let mut roles = IndexMap::new();
    let user = Role {
        signup: true,
        admin: false,
        description: None,
    };
    let admin = Role {
        signup: false,
        admin: true,
        description: None,
    };
    roles.insert("user".to_string(), user);
    roles.insert("admin".to_string(), admin);
    roles
}

fn node_text(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(s) => s.clone(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Bool(b) => b.to_string(),
        other => other.describe().to_string(),
    }
}

fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as V;
    match &node.kind {
        NodeKind::Null => V::Null,
        NodeKind::Bool(b) => V::Bool(*b),
        NodeKind::Int(i) => V::from(*i),
        NodeKind::Float(f) => serde_json::Number::from_f64(*f)
            .map(V::Number)
            .unwrap_or(V::Null),
        NodeKind::Str(s) => V::String(s.clone()),
        NodeKind::Seq(items) => V::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => V::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

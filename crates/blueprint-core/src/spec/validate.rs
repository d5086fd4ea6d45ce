//! The meaning checks: every rule of the spec format that a typed spec can
//! still break (names, collisions, reserved words, types and bounds,
//! relations, access subjects, integrations, API settings).
//!
//! Each check reports through [`Checks::report`], which places the problem
//! at the span the [`SourceMap`] recorded, when there is one.

use super::known::Known;
use super::model::*;
use crate::diag::{Code, Diagnostic};
use crate::naming::{self, did_you_mean, suggest};
use crate::reserved::{reserved_in, Language};
use crate::source::{Path, SourceMap};
use crate::syntax::{shorten, Spanned};
use std::collections::HashMap;

/// Checks a spec against what is known; returns every problem found,
/// errors and warnings.
pub(crate) fn validate(spec: &Spec, map: &SourceMap, known: &Known) -> Vec<Diagnostic> {
    let mut c = Checks {
        map,
        known,
        out: Vec::new(),
    };
    c.product(spec);
    c.roles(spec);
    c.entities(spec);
    c.integrations(spec);
    c.api(spec);
    c.out
}

struct Checks<'m> {
    map: &'m SourceMap,
    known: &'m Known,
    out: Vec<Diagnostic>,
}

fn p(keys: &[&str]) -> Path {
    crate::source::path(keys)
}

/// Where a diagnostic points: the key or the value of a path.
enum At {
    Key(Path),
    Value(Path),
}

impl Checks<'_> {
    fn report(&mut self, d: Diagnostic, at: At) {
        let span = match &at {
            At::Key(path) => self.map.key(path).or_else(|| self.map.nearest(path)),
            At::Value(path) => self.map.value(path).or_else(|| self.map.nearest(path)),
        };
        self.out.push(match span {
            Some(s) => d.spanned(s),
            None => d,
        });
    }

    fn product(&mut self, spec: &Spec) {
        let name = &spec.product.name;
        if !name.is_empty() && (!naming::is_kebab_case(name) || !(2..=40).contains(&name.len())) {
            let fixed = naming::kebab(&ascii_only(name));
            let hint = if naming::is_kebab_case(&fixed)
                && (2..=40).contains(&fixed.len())
                && &fixed != name
            {
                format!("write it as `{fixed}`")
            } else {
                "use 2 to 40 lowercase letters, digits and dashes, starting with a letter, such as `clinic-flow`".to_string()
            };
            self.report(
                Diagnostic::error(
                    Code::BadProductName,
                    format!(
                        "the product name `{}` is not lowercase kebab-case of 2 to 40 characters",
                        shorten(name)
                    ),
                )
                .with_hint(hint),
                At::Value(p(&["product", "name"])),
            );
        }
        for (key, value) in [("stack", &spec.stack), ("database", &spec.database)] {
            if !naming::is_kebab_case(value) {
                self.report(
                    Diagnostic::error(
                        Code::BadComponentId,
                        format!("`{}` is not a {key} id", shorten(value)),
                    )
                    .with_hint(format!(
                        "{key} ids are lowercase kebab-case, such as `{}`",
                        if key == "stack" {
                            DEFAULT_STACK
                        } else {
                            DEFAULT_DATABASE
                        }
                    )),
                    At::Value(p(&[key])),
                );
            } else if key == "stack" && !self.known.has_stack(value) {
                let ids: Vec<&str> = self.known.stack_ids().collect();
                let hint = did_you_mean(value, ids.iter().copied(), || {
                    if ids.is_empty() {
                        "no stack is registered; register one with the engine that checks the spec"
                            .to_string()
                    } else {
                        format!("the stacks archgen knows are: {}", ids.join(", "))
                    }
                });
                self.report(
                    Diagnostic::error(
                        Code::UnknownStack,
                        format!("archgen has no stack `{}`", shorten(value)),
                    )
                    .with_hint(hint),
                    At::Value(p(&[key])),
                );
            }
        }
    }

    fn roles(&mut self, spec: &Spec) {
        for (name, role) in &spec.roles {
            let path = p(&["roles", name]);
            if !self.snake_name(name, "role", At::Key(path.clone())) {
                continue;
            }
            if matches!(name.as_str(), "owner" | "authenticated" | "public") {
                self.report(
                    Diagnostic::error(
                        Code::ReservedRoleName,
                        format!("`{name}` is an access subject, so it cannot also be a role"),
                    )
                    .with_hint(format!("rename the role, such as `{name}_role`; `{name}` already means something in `access` lists")),
                    At::Key(path.clone()),
                );
            }
            if role.admin && role.signup {
                self.report(
                    Diagnostic::error(
                        Code::AdminSignupRole,
                        format!("the admin role `{name}` is open to signup: anyone could register as an administrator"),
                    )
                    .with_hint("remove `signup: true` from the admin role; create administrators with `make user`"),
                    At::Key(path),
                );
            }
        }
        if !spec.roles.values().any(|r| r.admin) {
            self.report(
                Diagnostic::error(
                    Code::AdminNameTaken,
                    "no role is an admin role, and the name `admin` is taken by a role that is not one",
                )
                .with_hint("mark one role `admin: true` (operators need one to manage users and read the audit log)"),
                At::Key(p(&["roles", "admin"])),
            );
        }
    }

    /// Checks a snake_case name; returns whether it is usable at all.
    fn snake_name(&mut self, name: &str, what: &str, at: At) -> bool {
        if !naming::is_ascii_identifier(name) {
            self.unsafe_identifier(name, what, at);
            return false;
        }
        if !naming::is_snake_case(name) {
            let fixed = naming::snake(name);
            self.report(
                Diagnostic::error(
                    Code::BadSnakeName,
                    format!("the {what} name `{name}` is not snake_case"),
                )
                .with_hint(format!(
                    "write it as `{fixed}` (lowercase words joined by `_`)"
                )),
                at,
            );
            return false;
        }
        true
    }

    fn unsafe_identifier(&mut self, name: &str, what: &str, at: At) {
        self.report(
            Diagnostic::error(
                Code::UnsafeIdentifier,
                format!("the {what} name {:?} has characters no generated code can carry", shorten(name)),
            )
            .with_hint("names are ASCII letters, digits and `_`, starting with a letter; no spaces, quotes, dots or slashes"),
            at,
        );
    }

    fn entities(&mut self, spec: &Spec) {
        let mut by_snake: HashMap<String, &str> = HashMap::new();
        let mut by_collection: HashMap<String, &str> = HashMap::new();
        for (name, entity) in &spec.entities {
            let path = p(&["entities", name]);
            if !naming::is_ascii_identifier(name) {
                self.unsafe_identifier(name, "entity", At::Key(path.clone()));
            } else if !naming::is_pascal_case(name) {
                self.report(
                    Diagnostic::error(
                        Code::BadEntityName,
                        format!("the entity name `{name}` is not PascalCase"),
                    )
                    .with_hint(format!("write it as `{}`", naming::pascal(name))),
                    At::Key(path.clone()),
                );
            } else {
                self.entity_keywords(name, &path);
                let snake = naming::snake(name);
                if let Some(other) = by_snake.insert(snake.clone(), name) {
                    self.report(
                        Diagnostic::error(
                            Code::NameCollision,
                            format!("the entities `{other}` and `{name}` both become `{snake}` in tables and code"),
                        )
                        .with_hint("rename one of them"),
                        At::Key(path.clone()),
                    );
                }
                let collection = entity.collection();
                let plural_path = {
                    let mut pp = path.clone();
                    pp.push_key("plural");
                    pp
                };
                if entity.plural.is_some() && !naming::is_snake_case(&collection) {
                    if naming::is_ascii_identifier(&collection) {
                        self.snake_name(&collection, "collection", At::Value(plural_path.clone()));
                    } else {
                        self.unsafe_identifier(
                            &collection,
                            "collection",
                            At::Value(plural_path.clone()),
                        );
                    }
                } else if RESERVED_COLLECTIONS.contains(&collection.as_str())
                    || collection.starts_with("auth_")
                {
                    let at = if entity.plural.is_some() {
                        At::Value(plural_path.clone())
                    } else {
                        At::Key(path.clone())
                    };
                    self.report(
                        Diagnostic::error(
                            Code::ReservedCollection,
                            format!("the collection `{collection}` of `{name}` is taken by archgen's own routes and tables"),
                        )
                        .with_hint(format!("set `plural:` to another name, or rename the entity; reserved: {}", RESERVED_COLLECTIONS.join(", "))),
                        at,
                    );
                } else if let Some(other) = by_collection.insert(collection.clone(), name) {
                    self.report(
                        Diagnostic::error(
                            Code::NameCollision,
                            format!("the entities `{other}` and `{name}` both use the collection `{collection}`"),
                        )
                        .with_hint("give one of them another `plural:`"),
                        At::Key(path.clone()),
                    );
                }
            }
            self.fields(spec, name, entity, &path);
            self.relations(spec, name, entity, &path);
            self.access(spec, name, entity, &path);
            self.ownership(spec, name, entity, &path);
            self.creates_without_parent(spec, name, entity, &path);
            self.defaults_tightened(spec, name, entity, &path);
            self.field_rules(spec, name, entity, &path);
        }
    }

    fn entity_keywords(&mut self, name: &str, path: &Path) {
        let langs: Vec<&str> = Language::ALL
            .into_iter()
            .filter(|l| l.is_reserved(name) && *l != Language::Sql)
            .map(|l| l.name())
            .collect();
        if !langs.is_empty() {
            self.report(
                Diagnostic::error(
                    Code::ReservedWord,
                    format!("the entity name `{name}` is a reserved word in {}", langs.join(", ")),
                )
                .with_hint("entity names become class and type names, which cannot be escaped; pick another name"),
                At::Key(path.clone()),
            );
        }
    }

    fn member_keywords(&mut self, name: &str, what: &str, at: At) {
        let ways: Vec<String> = reserved_in(name)
            .into_iter()
            .filter_map(|l| l.member_way_out(name).map(|w| format!("{}: {w}", l.name())))
            .collect();
        if !ways.is_empty() {
            self.report(
                Diagnostic::warning(
                    Code::ReservedWordRenamed,
                    format!("the {what} name `{name}` is a reserved word in generated code"),
                )
                .with_hint(format!(
                    "archgen works around it ({}); rename it if you would rather not",
                    ways.join("; ")
                )),
                at,
            );
        }
    }

    fn fields(&mut self, spec: &Spec, entity_name: &str, entity: &Entity, path: &Path) {
        let _ = spec;
        let mut columns: HashMap<String, String> = HashMap::new();
        for (fname, field) in &entity.fields {
            let fpath = {
                let mut fp = path.clone();
                fp.push_key("fields");
                fp.push_key(fname);
                fp
            };
            if !self.snake_name(fname, "field", At::Key(fpath.clone())) {
                continue;
            }
            if LIST_PARAMETERS.contains(&fname.as_str()) {
                self.report(
                    Diagnostic::warning(
                        Code::ListParameterField,
                        format!(
                            "the field `{fname}` of `{entity_name}` cannot be a list filter: `?{fname}=` is the list's own parameter"
                        ),
                    )
                    .with_hint(format!(
                        "lists sort on it (`?sort={fname}`) but do not filter on it; rename it (for example `{}_{fname}`) to filter on it",
                        naming::snake(entity_name)
                    )),
                    At::Key(fpath.clone()),
                );
            }
            if RESERVED_FIELDS.contains(&fname.as_str()) {
                self.report(
                    Diagnostic::error(Code::ReservedField, format!("`{fname}` is a field archgen adds to every entity"))
                        .with_hint("remove it; every entity already has `id`, `created_at`, `updated_at` (and `owner_id` when owned)"),
                    At::Key(fpath.clone()),
                );
                continue;
            }
            self.member_keywords(fname, "field", At::Key(fpath.clone()));
            columns.insert(fname.clone(), format!("the field `{fname}`"));
            FieldChecks {
                c: self,
                entity: entity_name,
                name: fname,
                field,
                path: &fpath,
            }
            .run();
        }
        for (rname, rel) in &entity.relations {
            let rpath = {
                let mut rp = path.clone();
                rp.push_key("relations");
                rp.push_key(rname);
                rp
            };
            if !naming::is_snake_case(rname) {
                continue;
            }
            let column = rel.json_name(rname);
            let mut clash = |name: &str, this: String| {
                if let Some(prev) = columns.get(name) {
                    Some(prev.clone())
                } else {
                    columns.insert(name.to_string(), this);
                    None
                }
            };
            let clash_col = clash(&column, format!("the relation `{rname}`"));
            let clash_name = if column != *rname {
                clash(rname, format!("the relation `{rname}`"))
            } else {
                None
            };
            for (prev, clashing) in [(clash_col, &column), (clash_name, rname)] {
                if let Some(prev) = prev {
                    self.report(
                        Diagnostic::error(
                            Code::NameCollision,
                            format!("the relation `{rname}` of `{entity_name}` needs the name `{clashing}`, which {prev} already uses"),
                        )
                        .with_hint("rename the relation or the field"),
                        At::Key(rpath.clone()),
                    );
                }
            }
            if RESERVED_FIELDS.contains(&column.as_str()) {
                self.report(
                    Diagnostic::error(Code::ReservedField, format!("the relation `{rname}` would add `{column}`, a field archgen adds itself"))
                        .with_hint("rename the relation"),
                    At::Key(rpath.clone()),
                );
            }
        }
    }

    fn relations(&mut self, spec: &Spec, entity_name: &str, entity: &Entity, path: &Path) {
        for (rname, rel) in &entity.relations {
            let rpath = {
                let mut rp = path.clone();
                rp.push_key("relations");
                rp.push_key(rname);
                rp
            };
            let sub = |k: &str| {
                let mut s = rpath.clone();
                s.push_key(k);
                s
            };
            if !self.snake_name(rname, "relation", At::Key(rpath.clone())) {
                continue;
            }
            self.member_keywords(rname, "relation", At::Key(rpath.clone()));
            let Some(target) = spec.entities.get(&rel.to) else {
                let hint = did_you_mean(&rel.to, spec.entities.keys().map(String::as_str), || {
                    format!(
                        "relations point at entities of this spec: {}",
                        spec.entities
                            .keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
                self.report(
                    Diagnostic::error(
                        Code::UnknownRelationTarget,
                        format!("the relation `{rname}` of `{entity_name}` points at `{}`, which is not an entity", shorten(&rel.to)),
                    )
                    .with_label("no such entity")
                    .with_hint(hint),
                    At::Value(sub("to")),
                );
                continue;
            };
            if rel.on_delete == OnDelete::SetNull && rel.required {
                self.report(
                    Diagnostic::error(
                        Code::SetNullOnRequired,
                        format!("the relation `{rname}` is required, so deleting its `{}` cannot set it to null", rel.to),
                    )
                    .with_hint("use `on_delete: cascade` or `restrict`, or make the relation optional (`required: false`)"),
                    At::Value(sub("on_delete")),
                );
            }
            if rel.kind == RelationKind::ManyToMany
                && (rel.required || rel.on_delete != OnDelete::Restrict)
            {
                let key = if rel.required {
                    "required"
                } else {
                    "on_delete"
                };
                self.report(
                    Diagnostic::error(
                        Code::OptionNotForRelation,
                        format!("`{key}` does not apply to the many-to-many relation `{rname}`"),
                    )
                    .with_hint("links of a many-to-many relation live in a join table and go with either side; remove the option"),
                    At::Key(sub(key)),
                );
            }
            if let Some(inverse) = &rel.inverse {
                if self.snake_name(inverse, "inverse", At::Value(sub("inverse"))) {
                    let taken = target.fields.contains_key(inverse)
                        || target.relations.contains_key(inverse)
                        || RESERVED_FIELDS.contains(&inverse.as_str());
                    let inverse_twice = spec.entities.iter().any(|(en, e)| {
                        e.relations.iter().any(|(rn, r)| {
                            r.to == rel.to
                                && r.inverse.as_deref() == Some(inverse.as_str())
                                && !(en == entity_name && rn == rname)
                        })
                    });
                    if taken || inverse_twice {
                        self.report(
                            Diagnostic::error(
                                Code::InverseCollision,
                                format!(
                                    "`{}` already has a field or relation named `{inverse}`",
                                    rel.to
                                ),
                            )
                            .with_hint("give the inverse side another name"),
                            At::Value(sub("inverse")),
                        );
                    }
                }
            }
            if rel.on_delete == OnDelete::Restrict
                && rel.kind != RelationKind::ManyToMany
                && target.is_owned()
                && !entity.is_owned()
            {
                self.report(
                    Diagnostic::warning(
                        Code::RestrictBlocksErasure,
                        format!(
                            "rows of `{entity_name}` (not owned by anyone) can block a user's erasure through `{rname}` → `{}`",
                            rel.to
                        ),
                    )
                    .with_hint(format!(
                        "DELETE /api/me then answers 409 while such rows exist; use `on_delete: cascade` or `set-null` if `{entity_name}` rows should not outlive the user's `{}`",
                        rel.to
                    )),
                    At::Key(rpath.clone()),
                );
            }
            if rel.on_delete == OnDelete::Restrict
                && rel.kind != RelationKind::ManyToMany
                && rel.to != *entity_name
                && target.is_owned()
                && entity.is_owned()
                && entity.owned_through.as_deref() != Some(rname.as_str())
            {
                if let Some(role) = links_others_rows(spec, entity, target) {
                    self.report(
                        Diagnostic::warning(
                            Code::RestrictBlocksErasure,
                            format!(
                                "a user's `{entity_name}` rows can block another user's erasure through `{rname}` → `{}`: `{role}` may create them linked to `{}` rows it does not own",
                                rel.to, rel.to
                            ),
                        )
                        .with_hint(format!(
                            "DELETE /api/me then answers 409 for a user whose `{}` rows others' `{entity_name}` rows refer to; use `on_delete: cascade` or `set-null` if `{entity_name}` rows should not outlive the rows they refer to",
                            rel.to
                        )),
                        At::Key(rpath.clone()),
                    );
                }
            }
        }
    }

    fn access(&mut self, spec: &Spec, entity_name: &str, entity: &Entity, path: &Path) {
        for action in Action::ALL {
            let apath = {
                let mut ap = path.clone();
                ap.push_key("access");
                ap.push_key(action.as_str());
                ap
            };
            for (i, subject) in entity.access.get(action).iter().enumerate() {
                let mut at = apath.clone();
                at.push_index(i);
                match subject {
                    Subject::Role(role) if !spec.roles.contains_key(role) => {
                        let mut known: Vec<&str> = spec.roles.keys().map(String::as_str).collect();
                        known.extend(["owner", "authenticated", "public"]);
                        let hint = did_you_mean(role, known.iter().copied(), || format!("write a role of this spec or `owner`, `authenticated`, `public`: {}", known.join(", ")));
                        self.report(
                            Diagnostic::error(
                                Code::UnknownAccessSubject,
                                format!("`{}` in `{}` access of `{entity_name}` is not a role", shorten(role), action),
                            )
                            .with_label("unknown role")
                            .with_hint(hint),
                            At::Value(at),
                        );
                    }
                    Subject::Owner if action == Action::Create => {
                        let hint = match &entity.owned_through {
                            Some(through) => format!(
                                "use `authenticated` or the roles that may create: `{entity_name}` rows belong to the owner of the row their `{through}` points at, and a caller may create one only under a row it may change"
                            ),
                            None => "use `authenticated` or the roles that may create; the creator becomes the owner".to_string(),
                        };
                        self.report(
                            Diagnostic::error(
                                Code::OwnerInCreate,
                                format!("`owner` cannot create `{entity_name}` rows: there is no row, so no owner, yet"),
                            )
                            .with_hint(hint),
                            At::Value(at),
                        )
                    }
                    Subject::Owner if !entity.is_owned() => self.report(
                        Diagnostic::error(
                            Code::OwnerOnUnowned,
                            format!("`owner` is used in `{action}` access of `{entity_name}`, which is not owned"),
                        )
                        .with_hint(format!("add `owned: true` to `{entity_name}` so rows belong to their creator, or name roles instead")),
                        At::Value(at),
                    ),
                    Subject::Public if action == Action::Create && entity.is_owned() => self.report(
                        Diagnostic::error(
                            Code::PublicCreateOnOwned,
                            format!("`public` may not create `{entity_name}` rows: they are owned, and an anonymous visitor owns nothing"),
                        )
                        .with_hint("use `authenticated` instead"),
                        At::Value(at),
                    ),
                    _ => {}
                }
            }
        }
    }

    /// `owned: { through: … }` and implied ownership (E410, E411, N412,
    /// W413).
    fn ownership(&mut self, spec: &Spec, name: &str, entity: &Entity, path: &Path) {
        let owned_path = {
            let mut p = path.clone();
            p.push_key("owned");
            p
        };
        if let Some(through) = &entity.owned_through {
            let at = if entity.completion.ownership_implied {
                At::Key(path.clone())
            } else {
                let mut p = owned_path.clone();
                p.push_key("through");
                At::Value(p)
            };
            let candidates = super::ownership_candidates(name, entity, &spec.entities);
            match entity.relations.get(through) {
                _ if entity.owned => self.report(
                    Diagnostic::error(
                        Code::BadOwnershipRelation,
                        format!("`{name}` is both owned and owned through `{through}`"),
                    )
                    .with_hint("keep one: `owned: true` or `owned: { through: … }`"),
                    at,
                ),
                None => {
                    let known: Vec<&str> = entity.relations.keys().map(String::as_str).collect();
                    let hint = did_you_mean(through, known.iter().copied(), || {
                        "name a required many-to-one relation of this entity to an owned entity"
                            .to_string()
                    });
                    self.report(
                        Diagnostic::error(
                            Code::BadOwnershipRelation,
                            format!("`{name}` is owned through `{through}`, which is not one of its relations"),
                        )
                        .with_hint(hint),
                        at,
                    );
                }
                Some(rel) if !candidates.contains(&through.as_str()) => {
                    let why = if !rel.required {
                        "it is optional"
                    } else if rel.kind == RelationKind::ManyToMany {
                        "it is many-to-many"
                    } else if rel.to == name {
                        "it points at the entity itself"
                    } else {
                        "the entity it points at is not owned"
                    };
                    self.report(
                        Diagnostic::error(
                            Code::BadOwnershipRelation,
                            format!("`{name}` cannot be owned through `{through}`: {why}"),
                        )
                        .with_hint(format!(
                            "ownership follows a required many-to-one (or one-to-one) relation to an owned entity; make `{through}` required and `{}` owned, or choose another relation",
                            rel.to
                        )),
                        at,
                    );
                }
                Some(_) => {
                    // A chain that comes back to this entity owns nothing.
                    let mut seen = vec![name.to_string()];
                    let mut current = entity;
                    while let Some(rel) = current
                        .owned_through
                        .as_ref()
                        .and_then(|t| current.relations.get(t))
                    {
                        if seen.contains(&rel.to) {
                            seen.push(rel.to.clone());
                            self.report(
                                Diagnostic::error(
                                    Code::OwnershipCycle,
                                    format!("ownership of `{name}` goes round in a circle: {}", seen.join(" → ")),
                                )
                                .with_hint("one entity of the chain must be `owned: true` (rows belong to their creator)"),
                                at,
                            );
                            break;
                        }
                        seen.push(rel.to.clone());
                        match spec.entities.get(&rel.to) {
                            Some(next) => current = next,
                            None => break,
                        }
                    }
                    if entity.completion.ownership_implied {
                        let rel = &entity.relations[through];
                        self.report(
                            Diagnostic::note(
                                Code::ImpliedOwnership,
                                format!(
                                    "`{name}` rows belong to the owner of their `{through}` ({}): it is the entity's one required relation to an owned entity",
                                    rel.to
                                ),
                            )
                            .with_hint(format!(
                                "write `owned: {{ through: {through} }}` to say so, or `owned: false` if `{name}` rows belong to nobody"
                            )),
                            At::Key(path.clone()),
                        );
                    }
                }
            }
        } else if !entity.completion.owned_key && !entity.owned {
            let candidates = super::ownership_candidates(name, entity, &spec.entities);
            if candidates.len() > 1 {
                self.report(
                    Diagnostic::warning(
                        Code::AmbiguousOwnership,
                        format!(
                            "`{name}` has required relations to several owned entities ({}), so whose rows they are is not clear",
                            candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .with_hint(format!(
                        "write `owned: {{ through: {} }}` (or another of them), or `owned: false`",
                        candidates[0]
                    )),
                    At::Key(path.clone()),
                );
            }
        }
    }

    /// W414: a role the `create` rule of a row owned through a relation
    /// grants to, that may update no parent row to put one under (the
    /// contract refuses such a create with 422): neither is the role in
    /// the parent's `update`, nor may it own a parent (`owner` in the
    /// parent's `update`, and a parent of its own it may create).
    fn creates_without_parent(&mut self, spec: &Spec, name: &str, entity: &Entity, path: &Path) {
        let Some(parent_name) = entity
            .owned_through
            .as_ref()
            .and_then(|t| entity.relations.get(t))
            .map(|r| r.to.as_str())
        else {
            return;
        };
        let Some(parent) = spec.entities.get(parent_name) else {
            return;
        };
        // A chain that does not end at an owned entity is E410 or E411.
        if !owner_chain_ends(spec, entity) {
            return;
        }
        let mut apath = path.clone();
        apath.push_key("access");
        apath.push_key("create");
        for (role, _) in spec.roles.iter().filter(|(_, r)| !r.admin) {
            if !grants(&entity.access.create, role) || may_update_some(spec, parent, role) {
                continue;
            }
            let at = match entity
                .access
                .create
                .iter()
                .position(|s| *s == Subject::Role(role.clone()))
            {
                Some(i) => {
                    let mut at = apath.clone();
                    at.push_index(i);
                    At::Value(at)
                }
                None if entity.completion.defaulted.contains(&Action::Create) => {
                    At::Key(path.clone())
                }
                None => At::Key(apath.clone()),
            };
            self.report(
                Diagnostic::warning(
                    Code::CreateWithoutParent,
                    format!(
                        "`{role}` may create `{name}` rows, but may change no `{parent_name}` row to put one under, so each of its creates is refused (422)"
                    ),
                )
                .with_hint(format!(
                    "add `{role}` to `{parent_name}`'s `update` rule, or take it out of `{name}`'s `create` rule"
                )),
                at,
            );
        }
    }

    /// N510: actions without a rule whose least-privilege default is
    /// stricter than the default before it.
    fn defaults_tightened(&mut self, spec: &Spec, name: &str, entity: &Entity, path: &Path) {
        let admins: Vec<String> = spec.admin_roles().map(str::to_string).collect();
        let owned = entity.is_owned();
        let changed: Vec<String> = entity
            .completion
            .defaulted
            .iter()
            .filter(|a| {
                Access::default_for(**a, owned, &admins)
                    != Access::previous_default_for(**a, owned, &admins)
            })
            .map(|a| {
                let now: Vec<&str> = entity.access.get(*a).iter().map(Subject::as_str).collect();
                format!("`{a}` is now [{}]", now.join(", "))
            })
            .collect();
        if changed.is_empty() {
            return;
        }
        self.report(
            Diagnostic::note(
                Code::DefaultAccessTightened,
                format!(
                    "`{name}` has no rule for some actions, and their defaults are now least-privilege: {}",
                    changed.join("; ")
                ),
            )
            .with_hint("write an `access` rule for each action to choose who may (`authenticated` gives every signed-in user every row)"),
            At::Key(path.clone()),
        );
    }

    /// Field rules and workflows: E512, E513, E303, E310, E311, W312, E313.
    fn field_rules(&mut self, spec: &Spec, name: &str, entity: &Entity, path: &Path) {
        for (fname, f) in &entity.fields {
            let fpath = {
                let mut p = path.clone();
                p.push_key("fields");
                p.push_key(fname);
                p
            };
            let sub = |key: &str| {
                let mut p = fpath.clone();
                p.push_key(key);
                p
            };
            for (key, subjects) in [("read", &f.read), ("write", &f.write)] {
                let Some(subjects) = subjects else { continue };
                for (i, subject) in subjects.iter().enumerate() {
                    let mut at = sub(key);
                    at.push_index(i);
                    if let Some(problem) =
                        self.subject_problem(spec, entity, subject, key == "read")
                    {
                        self.report(
                            Diagnostic::error(
                                Code::BadFieldRule,
                                format!("`{}` in the `{key}` rule of `{name}.{fname}` {problem}", subject.as_str()),
                            )
                            .with_hint("field rules name roles of this spec, `owner` (owned entities), `authenticated`, and in `read` also `public`"),
                            At::Value(at),
                        );
                    }
                }
            }
            // A required field without a default must be writable by every
            // creator, or some creates could never succeed.
            if f.required && f.default.is_none() {
                if let Some(write) = &f.write {
                    let may = |s: &Subject| {
                        write.contains(s)
                            || write.contains(&Subject::Authenticated)
                            || matches!(s, Subject::Role(r) if spec.roles.get(r).is_some_and(|r| r.admin))
                    };
                    let blocked: Vec<&str> = entity
                        .access
                        .create
                        .iter()
                        .filter(|s| {
                            // The creator of a directly owned row owns it, so
                            // `owner` lets it write; a row owned through a
                            // relation is the creator's under a parent of its
                            // own, which a role has only when it may own one.
                            let as_owner = write.contains(&Subject::Owner)
                                && match s {
                                    Subject::Role(role) if entity.owned_through.is_some() => {
                                        may_own_a_parent(spec, entity, role)
                                    }
                                    Subject::Role(_) | Subject::Authenticated | Subject::Public => {
                                        entity.is_owned()
                                    }
                                    Subject::Owner => true,
                                };
                            !(may(s) || as_owner)
                        })
                        .map(Subject::as_str)
                        .collect();
                    if !blocked.is_empty() {
                        // `owner` in the rule, on a row owned through a
                        // relation: say why it did not cover them.
                        let why = match (&entity.owned_through, write.contains(&Subject::Owner)) {
                            (Some(relation), true) => format!(
                                " (`owner` covers a creator only under a `{relation}` row of its own, which they may not own and change)"
                            ),
                            _ => String::new(),
                        };
                        self.report(
                            Diagnostic::error(
                                Code::RequiredFieldUnwritable,
                                format!(
                                    "`{name}.{fname}` is required and has no default, but {} may create `{name}` rows without being allowed to write it{why}",
                                    blocked.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", ")
                                ),
                            )
                            .with_hint("give the field a `default`, make it optional, or add those subjects to its `write` rule"),
                            At::Value(sub("write")),
                        );
                    }
                }
            }
            if f.transitions.is_empty() && f.frozen.is_empty() {
                continue;
            }
            if f.ty != FieldType::Enum {
                let key = if f.transitions.is_empty() {
                    "frozen"
                } else {
                    "transitions"
                };
                self.report(
                    Diagnostic::error(
                        Code::OptionNotForType,
                        format!(
                            "`{key}` does not apply to `{name}.{fname}`, a {} field",
                            f.ty
                        ),
                    )
                    .with_hint(
                        "workflows are `enum` fields: give the field `type: enum` and `values`",
                    ),
                    At::Key(sub(key)),
                );
                continue;
            }
            if !f.transitions.is_empty() && f.default.is_none() {
                self.report(
                    Diagnostic::error(
                        Code::WorkflowWithoutDefault,
                        format!("the workflow `{name}.{fname}` has no `default`, so rows have no state to start from"),
                    )
                    .with_hint(format!(
                        "add `default: {}` (the state new rows start in)",
                        f.values.first().map(String::as_str).unwrap_or("draft")
                    )),
                    At::Key(fpath.clone()),
                );
            }
            if !f.transitions.is_empty() && f.write.is_some() {
                self.report(
                    Diagnostic::error(
                        Code::WriteWithTransitions,
                        format!("`{name}.{fname}` has both a `write` rule and `transitions`"),
                    )
                    .with_hint("the moves of `transitions` say who may change a workflow field; remove `write`"),
                    At::Key(sub("write")),
                );
            }
            let known = |v: &str| f.values.iter().any(|x| x == v);
            let mut unknown: Vec<(Path, &str)> = Vec::new();
            for (from, moves) in &f.transitions {
                let fp = {
                    let mut p = sub("transitions");
                    p.push_key(from);
                    p
                };
                if !known(from) {
                    unknown.push((fp.clone(), from));
                }
                for (to, subjects) in moves {
                    let mut tp = fp.clone();
                    tp.push_key(to);
                    if !known(to) {
                        unknown.push((tp.clone(), to));
                    }
                    for (i, subject) in subjects.iter().enumerate() {
                        let mut at = tp.clone();
                        at.push_index(i);
                        if let Some(problem) = self.subject_problem(spec, entity, subject, false) {
                            self.report(
                                Diagnostic::error(
                                    Code::BadFieldRule,
                                    format!("`{}` in the move `{from}` → `{to}` of `{name}.{fname}` {problem}", subject.as_str()),
                                )
                                .with_hint("a move names roles of this spec, `owner` (owned entities) or `authenticated`"),
                                At::Value(at),
                            );
                        }
                    }
                }
            }
            for (i, v) in f.frozen.iter().enumerate() {
                if !known(v) {
                    let mut at = sub("frozen");
                    at.push_index(i);
                    unknown.push((at, v));
                }
            }
            for (at, value) in unknown {
                let hint = did_you_mean(value, f.values.iter().map(String::as_str), || {
                    format!("the values of `{fname}` are: {}", f.values.join(", "))
                });
                self.report(
                    Diagnostic::error(
                        Code::UnknownState,
                        format!("`{}` is not a value of `{name}.{fname}`", shorten(value)),
                    )
                    .with_hint(hint),
                    At::Key(at),
                );
            }
            // Values no move reaches from the default.
            if let Some(Scalar::Str(start)) = &f.default {
                let mut reached = vec![start.clone()];
                let mut i = 0;
                while i < reached.len() {
                    if let Some(moves) = f.transitions.get(&reached[i]) {
                        for to in moves.keys() {
                            if !reached.contains(to) {
                                reached.push(to.clone());
                            }
                        }
                    }
                    i += 1;
                }
                let unreachable: Vec<&str> = f
                    .values
                    .iter()
                    .filter(|v| !reached.contains(v))
                    .map(String::as_str)
                    .collect();
                if !f.transitions.is_empty() && !unreachable.is_empty() {
                    self.report(
                        Diagnostic::warning(
                            Code::UnreachableState,
                            format!(
                                "no move reaches {} of `{name}.{fname}` from `{start}`",
                                unreachable
                                    .iter()
                                    .map(|u| format!("`{u}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                        .with_hint("add a move to it under `transitions`, or remove the value"),
                        At::Key(sub("transitions")),
                    );
                }
            }
        }
    }

    /// Why a subject cannot appear in a field rule or a move, if it cannot.
    fn subject_problem(
        &self,
        spec: &Spec,
        entity: &Entity,
        subject: &Subject,
        read: bool,
    ) -> Option<String> {
        match subject {
            Subject::Role(r) if !spec.roles.contains_key(r) => {
                Some("is not a role of this spec".into())
            }
            Subject::Owner if !entity.is_owned() => {
                Some("names the owner of a row that has none (the entity is not owned)".into())
            }
            Subject::Public if !read => Some("would let anonymous visitors change it".into()),
            _ => None,
        }
    }

    fn integrations(&mut self, spec: &Spec) {
        for id in spec.integrations.keys() {
            let tables = self.known.vendor_tables(id);
            for (name, entity) in &spec.entities {
                let collection = entity.collection();
                if !tables.contains(&collection) {
                    continue;
                }
                let at = if entity.plural.is_some() {
                    At::Value(p(&["entities", name, "plural"]))
                } else {
                    At::Key(p(&["entities", name]))
                };
                self.report(
                    Diagnostic::error(
                        Code::ReservedCollection,
                        format!("the collection `{collection}` of `{name}` is the table the `{id}` integration keeps its own rows in"),
                    )
                    .with_hint("set `plural:` to another name, or rename the entity"),
                    at,
                );
            }
        }
        for (id, options) in &spec.integrations {
            let path = p(&["integrations", id]);
            let Some(info) = self.known.vendor(id) else {
                let ids: Vec<&str> = self.known.vendors().map(|v| v.id).collect();
                let hint = did_you_mean(id, ids.iter().copied(), || {
                    format!("the integrations archgen knows are: {}", ids.join(", "))
                });
                self.report(
                    Diagnostic::error(
                        Code::UnknownVendor,
                        format!("archgen has no integration `{}`", shorten(id)),
                    )
                    .with_hint(hint),
                    At::Key(path),
                );
                continue;
            };
            // An unknown stack is reported once, as such (E631).
            if let Some(stacks) = self
                .known
                .vendor_stacks(id)
                .filter(|_| self.known.has_stack(&spec.stack))
            {
                if !stacks.contains(&spec.stack.as_str()) {
                    let hint = if stacks.is_empty() {
                        format!("no stack has `{id}` files; drop the integration")
                    } else {
                        format!(
                            "`{id}` is generated for: {}; choose one of them as `stack`, or drop the integration",
                            stacks.join(", ")
                        )
                    };
                    self.report(
                        Diagnostic::error(
                            Code::UnsupportedVendor,
                            format!(
                                "the `{id}` integration has no files for the `{}` stack",
                                shorten(&spec.stack)
                            ),
                        )
                        .with_hint(hint),
                        At::Key(path.clone()),
                    );
                }
            }
            for (name, value) in options {
                let mut opath = path.clone();
                opath.push_key(name);
                match info.options.iter().find(|(n, _)| n == name) {
                    None => {
                        let names: Vec<&str> = info.options.iter().map(|(n, _)| *n).collect();
                        let hint = did_you_mean(name, names.iter().copied(), || {
                            format!("`{id}` takes: {}", names.join(", "))
                        });
                        self.report(
                            Diagnostic::error(
                                Code::UnknownVendorOption,
                                format!("`{id}` has no option `{}`", shorten(name)),
                            )
                            .with_hint(hint),
                            At::Key(opath),
                        );
                    }
                    Some((_, kind)) if !kind.accepts(value) => self.report(
                        Diagnostic::error(
                            Code::BadVendorOption,
                            format!("the `{id}` option `{name}` should be {}", kind.describe()),
                        )
                        .with_hint(format!("write `{name}:` with {}", kind.describe())),
                        At::Value(opath),
                    ),
                    Some(_) => {}
                }
            }
            if id == "stripe" {
                self.payment(spec, &path, options);
            }
            if id == "oidc" {
                self.oidc_role(spec, options, &path);
            }
        }
    }

    /// The `stripe` options against the spec: what is paid for, its price,
    /// its currency and what payment sets (E604, E605, E606). Missing
    /// options are an error only where a registered vendor generates the
    /// integration for the spec's stack (elsewhere it is left out anyway).
    fn payment(
        &mut self,
        spec: &Spec,
        path: &Path,
        options: &indexmap::IndexMap<String, serde_json::Value>,
    ) {
        let Err(problems) = super::payments::Payment::of(spec, options) else {
            return;
        };
        let generated = self
            .known
            .vendor_stacks("stripe")
            .is_some_and(|stacks| stacks.contains(&spec.stack.as_str()));
        // An option of the wrong kind (E602) or an unknown one (E601, often
        // a misspelt required one) is reported already.
        let known = self.known.vendor("stripe").map_or(&[][..], |v| v.options);
        let ill_typed = options.iter().any(|(name, value)| {
            known
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, kind)| !kind.accepts(value))
        });
        for problem in problems {
            use super::payments::PaymentProblemKind as Kind;
            let code = match problem.kind {
                Kind::Missing if !generated || ill_typed => continue,
                Kind::Missing => Code::MissingVendorOption,
                Kind::Target => Code::VendorOptionTarget,
                Kind::Writable => Code::PaymentFieldWritable,
            };
            let at = if problem.kind == Kind::Missing {
                At::Key(path.clone())
            } else {
                let mut opath = path.clone();
                opath.push_key(problem.option);
                At::Value(opath)
            };
            self.report(
                Diagnostic::error(code, problem.message).with_hint(problem.hint),
                at,
            );
        }
    }

    /// The role the `oidc` integration gives the accounts it creates must
    /// be one visitors may sign up into: an identity provider is a way to
    /// sign up, never a way into a role the product does not open (E607).
    fn oidc_role(
        &mut self,
        spec: &Spec,
        options: &indexmap::IndexMap<String, serde_json::Value>,
        path: &Path,
    ) {
        let signup: Vec<&str> = spec
            .roles
            .iter()
            .filter(|(_, r)| r.signup)
            .map(|(n, _)| n.as_str())
            .collect();
        let open = if signup.is_empty() {
            "this product has no signup role: mark one `signup: true`, or drop the integration"
                .to_string()
        } else {
            format!(
                "write `default_role:` with a signup role: {}",
                signup.join(", ")
            )
        };
        match options.get("default_role") {
            Some(serde_json::Value::String(role)) if !signup.contains(&role.as_str()) => {
                let mut opath = path.clone();
                opath.push_key("default_role");
                self.report(
                    Diagnostic::error(
                        Code::OidcRoleNotSignup,
                        format!(
                            "`oidc` would create accounts in `{}`, which is not a signup role",
                            shorten(role)
                        ),
                    )
                    .with_hint(open),
                    At::Value(opath),
                );
            }
            None if signup.is_empty() => self.report(
                Diagnostic::error(
                    Code::OidcRoleNotSignup,
                    "`oidc` has no role to create accounts in",
                )
                .with_hint(open),
                At::Key(path.clone()),
            ),
            _ => {}
        }
    }

    fn api(&mut self, spec: &Spec) {
        let bp = &spec.api.base_path;
        let ok = bp.starts_with('/')
            && (bp.len() == 1 || !bp.ends_with('/'))
            && bp[1..].split('/').all(|seg| {
                bp.len() == 1
                    || (!seg.is_empty()
                        && seg.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                        }))
            })
            && bp != "/";
        if !ok {
            self.report(
                Diagnostic::error(Code::BadBasePath, format!("`{}` is not a usable API base path", shorten(bp)))
                    .with_hint("write an absolute path of lowercase segments without a trailing slash, such as `/api` or `/api/v1`"),
                At::Value(p(&["api", "base_path"])),
            );
        }
    }
}

/// Whether a rule's subjects take in a (non-admin) role: by name, or as
/// any signed-in user.
fn grants(subjects: &[Subject], role: &str) -> bool {
    subjects.iter().any(|s| match s {
        Subject::Role(r) => r == role,
        Subject::Authenticated | Subject::Public => true,
        Subject::Owner => false,
    })
}

/// Whether an entity's ownership chain ends, within as many steps as there
/// are entities, at an entity that is `owned: true`.
fn owner_chain_ends(spec: &Spec, entity: &Entity) -> bool {
    let mut current = entity;
    for _ in 0..=spec.entities.len() {
        match current
            .owned_through
            .as_ref()
            .and_then(|t| current.relations.get(t))
        {
            None => return current.owned,
            Some(rel) => match spec.entities.get(&rel.to) {
                Some(next) => current = next,
                None => return false,
            },
        }
    }
    false
}

/// Whether a role may update some row of `entity`: every row when its
/// `update` grants the role, or rows of its own when `update` lists
/// `owner` and the role may own one ([`may_own`]).
fn may_update_some(spec: &Spec, entity: &Entity, role: &str) -> bool {
    grants(&entity.access.update, role)
        || (entity.access.update.contains(&Subject::Owner) && may_own(spec, entity, role))
}

/// Whether a role may create a row of `entity` that it then owns: it may
/// create one, and for a row owned through a relation, a parent of its own
/// it may then update, to any depth (the chain is bounded: a cycle is
/// E411).
fn may_own(spec: &Spec, entity: &Entity, role: &str) -> bool {
    let mut current = entity;
    for _ in 0..=spec.entities.len() {
        if !grants(&current.access.create, role) {
            return false;
        }
        let Some(parent) = current
            .owned_through
            .as_ref()
            .and_then(|t| current.relations.get(t))
            .and_then(|r| spec.entities.get(&r.to))
        else {
            return current.owned;
        };
        if !grants(&parent.access.update, role) && !parent.access.update.contains(&Subject::Owner) {
            return false;
        }
        current = parent;
    }
    false
}

fn ascii_only(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .collect()
}

/// Checks of one field's type and options.
struct FieldChecks<'a, 'm> {
    c: &'a mut Checks<'m>,
    entity: &'a str,
    name: &'a str,
    field: &'a Field,
    path: &'a Path,
}

impl FieldChecks<'_, '_> {
    fn at(&self, key: &str) -> Path {
        let mut p = self.path.clone();
        p.push_key(key);
        p
    }

    fn not_for_type(&mut self, key: &str, hint: &str) {
        let msg = format!(
            "`{key}` does not apply to `{}.{}`, a {} field",
            self.entity, self.name, self.field.ty
        );
        let at = At::Key(self.at(key));
        self.c.report(
            Diagnostic::error(Code::OptionNotForType, msg).with_hint(hint.to_string()),
            at,
        );
    }

    fn run(&mut self) {
        let f = self.field;
        let ty = f.ty;
        // Options that only some types take.
        if !f.values.is_empty() && ty != FieldType::Enum {
            self.not_for_type(
                "values",
                "only `enum` fields take `values`; change the type to `enum` or remove `values`",
            );
        }
        if (f.precision.is_some() || f.scale.is_some()) && ty != FieldType::Decimal {
            let key = if f.precision.is_some() {
                "precision"
            } else {
                "scale"
            };
            self.not_for_type(key, "only `decimal` fields take `precision` and `scale`");
        }
        if f.pattern.is_some() && !ty.is_textual() {
            self.not_for_type(
                "pattern",
                "`pattern` applies to text fields (string, text, email, url, phone)",
            );
        }
        if (f.min.is_some() || f.max.is_some()) && !(ty.is_textual() || ty.is_numeric()) {
            let key = if f.min.is_some() { "min" } else { "max" };
            self.not_for_type(key, "`min` and `max` bound numbers, or the length of text");
        }
        if f.unique && ty == FieldType::Json {
            self.not_for_type(
                "unique",
                "JSON values cannot be compared for uniqueness; remove `unique`",
            );
        }
        if ty == FieldType::Enum {
            self.enum_values();
        }
        self.bounds();
        if let Some(pattern) = &f.pattern {
            if let Err(e) = super::pattern::portable(pattern) {
                let at = At::Value(self.at("pattern"));
                self.c.report(
                    Diagnostic::error(
                        Code::InvalidPattern,
                        format!("the pattern of `{}.{}` is not a regular expression every stack can enforce: {}", self.entity, self.name, e.reason),
                    )
                    .with_hint(e.hint),
                    at,
                );
            }
        }
        self.default();
    }

    fn enum_values(&mut self) {
        let values = &self.field.values;
        let mut problem = None;
        if values.is_empty() {
            problem = Some("has no `values`".to_string());
        } else if let Some(v) = values.iter().find(|v| {
            v.trim().is_empty() || v.len() > 63 || !v.chars().all(|c| c.is_ascii_graphic())
        }) {
            problem = Some(format!(
                "has the value {:?}, which is empty, too long or not printable ASCII",
                shorten(v)
            ));
        } else {
            for (i, v) in values.iter().enumerate() {
                if values[..i].contains(v) {
                    problem = Some(format!("lists `{v}` twice"));
                    break;
                }
            }
        }
        if let Some(problem) = problem {
            let at = if values.is_empty() {
                At::Key(self.path.clone())
            } else {
                At::Value(self.at("values"))
            };
            self.c.report(
                Diagnostic::error(Code::BadEnumValues, format!("the enum `{}.{}` {problem}", self.entity, self.name))
                    .with_hint("write `values: [draft, published]`: distinct words of printable ASCII, at most 63 characters"),
                at,
            );
        }
    }

    fn bounds(&mut self) {
        let f = self.field;
        let (lo, hi, what): (f64, f64, &str) = match f.ty {
            FieldType::Integer => (i32::MIN as f64, i32::MAX as f64, "a 32-bit integer"),
            FieldType::Bigint => (
                -9.223_372_036_854_776e18,
                9.223_372_036_854_776e18,
                "a 64-bit integer",
            ),
            FieldType::Decimal => {
                let (precision, scale) = f.decimal_digits();
                if !(1..=1000).contains(&precision) || scale > precision {
                    let key = if scale > precision && (1..=1000).contains(&precision) {
                        "scale"
                    } else {
                        "precision"
                    };
                    let at = At::Value(self.at(key));
                    self.c.report(
                        Diagnostic::error(
                            Code::BoundOutOfRange,
                            format!("`{}.{}` has precision {precision} and scale {scale}", self.entity, self.name),
                        )
                        .with_hint("precision is 1 to 1000 digits in all; scale (digits after the point) is at most the precision"),
                        at,
                    );
                    return;
                }
                let limit = 10f64.powi((precision - scale) as i32);
                (-limit, limit, "the decimal's digits")
            }
            _ if f.ty.is_textual() => (0.0, 10_485_760.0, "a text length"),
            _ => return,
        };
        let whole_only = !matches!(f.ty, FieldType::Decimal);
        for (key, bound) in [("min", f.min), ("max", f.max)] {
            let Some(b) = bound else { continue };
            let v = b.as_f64();
            let fraction = whole_only && matches!(b, Number::Float(x) if x.fract() != 0.0);
            if v < lo || v > hi || fraction {
                let at = At::Value(self.at(key));
                self.c.report(
                    Diagnostic::error(
                        Code::BoundOutOfRange,
                        format!(
                            "`{key}: {b}` of `{}.{}` does not fit {what}",
                            self.entity, self.name
                        ),
                    )
                    .with_hint(if fraction {
                        "use a whole number".to_string()
                    } else {
                        format!("use a value from {lo} to {hi}, or a wider type (bigint, decimal)")
                    }),
                    at,
                );
            }
        }
        if let (Some(min), Some(max)) = (f.min, f.max) {
            if min.as_f64() > max.as_f64() {
                let at = At::Value(self.at("min"));
                self.c.report(
                    Diagnostic::error(
                        Code::ContradictoryBounds,
                        format!(
                            "`{}.{}` has `min: {min}` above `max: {max}`",
                            self.entity, self.name
                        ),
                    )
                    .with_hint("swap them, or fix the one that is wrong"),
                    at,
                );
            }
        }
    }

    fn default(&mut self) {
        let f = self.field;
        let Some(default) = &f.default else { return };
        let problem: Option<String> = match (f.ty, default) {
            (FieldType::Enum, Scalar::Str(s)) if !f.values.is_empty() && !f.values.contains(s) => {
                let hint = suggest(s, f.values.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("pick one of: {}", f.values.join(", ")));
                let at = At::Value(self.at("default"));
                self.c.report(
                    Diagnostic::error(
                        Code::BadDefault,
                        format!(
                            "the default `{s}` of `{}.{}` is not one of its values",
                            self.entity, self.name
                        ),
                    )
                    .with_hint(hint),
                    at,
                );
                return;
            }
            (FieldType::Enum, Scalar::Str(_)) => None,
            (FieldType::Boolean, Scalar::Bool(_)) => None,
            (FieldType::Integer | FieldType::Bigint, Scalar::Number(Number::Int(_))) => None,
            (FieldType::Decimal, Scalar::Number(_)) => None,
            (FieldType::Decimal, Scalar::Str(s)) if s.parse::<f64>().is_ok() => None,
            (t, Scalar::Str(s)) if t.is_textual() => {
                let len = s.chars().count() as f64;
                let max = f
                    .max
                    .map(|m| m.as_f64())
                    .unwrap_or(if t == FieldType::String {
                        DEFAULT_STRING_MAX as f64
                    } else {
                        f64::MAX
                    });
                (len > max).then(|| format!("is longer than its `max` of {max}"))
            }
            (FieldType::Date, Scalar::Str(s)) => {
                (!is_date(s)).then(|| "is not a date in `YYYY-MM-DD` form".to_string())
            }
            (FieldType::Uuid, Scalar::Str(s)) => (!is_uuid(s)).then(|| "is not a UUID".to_string()),
            (FieldType::Json, _) => None,
            (FieldType::Datetime, _) => {
                Some("cannot be fixed in the spec; leave datetimes without a default".to_string())
            }
            (t, _) => Some(format!("does not fit a {t} field")),
        };
        if problem.is_none() {
            if let (Scalar::Number(n), true) = (default, f.ty.is_numeric()) {
                let v = n.as_f64();
                let below = f.min.is_some_and(|m| v < m.as_f64());
                let above = f.max.is_some_and(|m| v > m.as_f64());
                if below || above {
                    let at = At::Value(self.at("default"));
                    self.c.report(
                        Diagnostic::error(
                            Code::BadDefault,
                            format!(
                                "the default {n} of `{}.{}` is outside its `min`/`max`",
                                self.entity, self.name
                            ),
                        )
                        .with_hint("pick a default within the bounds"),
                        at,
                    );
                }
            }
            return;
        }
        let shown = match default {
            Scalar::Str(s) => format!("`{}`", shorten(s)),
            Scalar::Bool(b) => format!("`{b}`"),
            Scalar::Number(n) => format!("`{n}`"),
        };
        let at = At::Value(self.at("default"));
        self.c.report(
            Diagnostic::error(
                Code::BadDefault,
                format!(
                    "the default {shown} of `{}.{}` {}",
                    self.entity,
                    self.name,
                    problem.unwrap_or_default()
                ),
            )
            .with_hint(format!(
                "write a default that is a valid {} value, or remove it",
                f.ty
            )),
            at,
        );
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `role` can create a row of `entity` (owned through a relation)
/// under a parent row it owns: it may own rows of the parent (directly, or
/// through the parent's own parent) and change its own parent, as creating
/// under a parent asks.
/// A role that is not an admin role, may create rows of `entity` and may
/// read every row of `target`, so may link a row it owns to another user's
/// `target` row; the first in spec order.
fn links_others_rows<'a>(spec: &'a Spec, entity: &Entity, target: &Entity) -> Option<&'a str> {
    let names = |subjects: &[Subject], role: &str| {
        subjects.iter().any(|s| match s {
            Subject::Authenticated | Subject::Public => true,
            Subject::Role(r) => r == role,
            Subject::Owner => false,
        })
    };
    spec.roles
        .iter()
        .find(|(name, role)| {
            !role.admin && names(&entity.access.create, name) && names(&target.access.read, name)
        })
        .map(|(name, _)| name.as_str())
}

fn may_own_a_parent(spec: &Spec, entity: &Entity, role: &str) -> bool {
    let admin = spec.roles.get(role).is_some_and(|r| r.admin);
    let names = |subjects: &[Subject], owner_counts: bool| {
        admin
            || subjects.iter().any(|s| match s {
                Subject::Authenticated => true,
                Subject::Role(r) => r == role,
                Subject::Owner => owner_counts,
                Subject::Public => false,
            })
    };
    let mut current = entity;
    // Each step goes one relation up; a chain longer than the entities is a
    // cycle, which the relation checks report.
    for _ in 0..=spec.entities.len() {
        let Some(parent) = current
            .owned_through
            .as_ref()
            .and_then(|relation| current.relations.get(relation))
            .and_then(|relation| spec.entities.get(&relation.to))
        else {
            return false;
        };
        if !names(&parent.access.create, false) || !names(&parent.access.update, true) {
            return false;
        }
        if parent.owned {
            return true;
        }
        current = parent;
    }
    false
}

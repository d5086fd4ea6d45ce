//! The application model: what a spec means for a running backend,
//! computed once from the complete blueprint.
//!
//! Stacks, the OpenAPI emitter, the documents and the quality gate all read
//! an [`AppModel`] instead of deciding again what the spec means: which
//! fields are encrypted, filterable or sortable, what the constraints and
//! indexes are called, who may do what on which rows and which status each
//! case gets, which routes exist and what they answer, how tests make valid
//! values, and the numbers of the compliance controls. A stack only spells
//! the model in its language.
//!
//! ```
//! use blueprint_core::builder::SpecBuilder;
//! use blueprint_core::spec::{Action, FieldType};
//! use model::{AppModel, Scope};
//!
//! let mut bp = SpecBuilder::new("tasks")
//!     .with_role("member", |r| r.signup())
//!     .with_entity("Task", |e| {
//!         e.owned().with_field("title", FieldType::String, |f| f.required().max(200))
//!     })
//!     .build();
//! compliance::complete(&mut bp).unwrap();
//! let model = AppModel::from_blueprint(&bp);
//! let task = model.entity("Task").unwrap();
//! assert_eq!(task.collection, "tasks");
//! assert_eq!(task.field("title").unwrap().max_length, Some(200));
//! let member = model.role("member");
//! assert_eq!(task.access(Action::Update).scope(member), Scope::Own);
//! assert_eq!(model.params.lockout_max_failures, 5);
//! ```

#![warn(missing_docs)]

// The page that documents the model, with its example, checked as a doc test.
#[doc = include_str!("../../../docs/app-model.md")]
#[cfg(doctest)]
pub struct AppModelPage;

pub mod access;
pub mod entity;
pub mod input;
pub mod names;
pub mod params;
pub mod routes;
pub mod sample;
pub mod schema;

pub use access::{AccessCase, ActionAccess, RowOwner, Scope};
pub use entity::{
    Blocker, Entity, EntityId, Field, FieldRule, FilterOn, JoinTable, Move, MoveAnswer, Ownership,
    PiiClass, Relation, RetentionPeriod, RoleId, Workflow,
};
pub use params::{ControlParams, ParamKey, LOCKOUT_EMAIL_MAX_FAILURES};
pub use routes::{Method, Operation, Route, SessionUse};

use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::{Action, FieldType, OnDelete, Pii, RelationKind, Scalar, Subject};
use names::pg_identifier;
use serde::Serialize;

/// The product's names and texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// The kebab-case name (package, image and service names).
    pub name: String,
    /// The display name.
    pub title: String,
    /// The description, if any.
    pub description: Option<String>,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// Its id in the model.
    pub id: RoleId,
    /// Its name.
    pub name: String,
    /// Visitors may register into it.
    pub signup: bool,
    /// It may do everything.
    pub admin: bool,
    /// The spec's description.
    pub description: Option<String>,
}

/// An integration the spec names, with its options and, once the render
/// engine has asked the vendor that generates it, what the vendor adds to
/// the project around its own files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Integration {
    /// The vendor id (`stripe`).
    pub id: String,
    /// The options the spec gives it.
    pub options: serde_json::Map<String, serde_json::Value>,
    /// Whether a registered vendor generates it for the stack being
    /// rendered; `false` in a model computed from a blueprint alone.
    pub generated: bool,
    /// The environment variables the vendor's code reads, in the vendor's
    /// order; the stack lists them in its configuration files.
    pub env: Vec<EnvVar>,
    /// The packages the vendor's code needs, direct and transitive, in the
    /// stack's package ecosystem; the stack adds them to its manifests.
    pub packages: Vec<Package>,
    /// The packages the vendor's tests alone need (a local fake of the
    /// service), pinned; the stack adds them to its development lock.
    pub dev_packages: Vec<Package>,
    /// The routes the vendor's code serves (also in [`AppModel::routes`],
    /// so the OpenAPI document, the docs and the conformance suite read
    /// them from one place).
    pub routes: Vec<Route>,
    /// The tables the vendor's code adds (its own migration creates them).
    pub tables: Vec<String>,
    /// The audit actions the vendor's code records, besides the
    /// contract's ([`AppModel::audit_actions`]).
    pub audit_actions: Vec<String>,
    /// What a payment integration (`stripe`) pays for, read once from its
    /// options; `None` for other integrations, or options the checker
    /// refuses.
    pub payment: Option<blueprint_core::spec::Payment>,
}

/// An environment variable an integration reads.
///
/// ```
/// let dsn = model::EnvVar::secret("SENTRY_DSN", "where error reports go", "");
/// assert!(dsn.secret);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// The name (`SENTRY_DSN`): upper-case letters, digits and `_`.
    pub name: String,
    /// What it does, one sentence for `.env.example` and the README.
    pub description: String,
    /// Whether it holds a secret: secrets go to the deployment's Secret,
    /// the others to its configuration.
    pub secret: bool,
    /// The value `.env.example` ships (empty for a secret: never a real
    /// one), which is also the default.
    pub example: String,
}

impl EnvVar {
    /// A secret variable.
    pub fn secret(name: &str, description: &str, example: &str) -> EnvVar {
        EnvVar {
            name: name.to_string(),
            description: description.to_string(),
            secret: true,
            example: example.to_string(),
        }
    }

    /// A variable that is not secret.
    pub fn plain(name: &str, description: &str, example: &str) -> EnvVar {
        EnvVar {
            secret: false,
            ..EnvVar::secret(name, description, example)
        }
    }
}

/// A package an integration's code needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The name in its registry (`sentry-sdk`).
    pub name: String,
    /// The exact version the lock files pin.
    pub pin: String,
    /// The range the project's manifest declares, for a package the code
    /// imports; `None` for a transitive one the lock alone lists.
    pub range: Option<String>,
}

/// The API's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Api {
    /// The base path without a trailing slash (`/api`).
    pub base_path: String,
    /// The default page size of lists (1 to [`routes::MAX_PAGE_SIZE`]).
    pub page_size: u32,
}

/// The application model of one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppModel {
    /// Names and texts.
    pub product: Product,
    /// API settings.
    pub api: Api,
    /// The roles, in spec order.
    pub roles: Vec<Role>,
    /// The entities, in spec order.
    pub entities: Vec<Entity>,
    /// Every route.
    pub routes: Vec<Route>,
    /// The numbers of the controls.
    pub params: ControlParams,
    /// The integrations, in spec order.
    pub integrations: Vec<Integration>,
    /// Mail, when the spec names an email integration: the outbox, the
    /// verification and reset flows, and register's 202 answer that does
    /// not reveal whether an email is taken. `None` without one: register
    /// answers 201 or 409.
    pub email: Option<Email>,
}

/// The integrations that send mail.
pub const EMAIL_VENDORS: [&str; 2] = ["smtp", "sendgrid"];

/// Hours an email verification token is valid.
pub const VERIFICATION_TOKEN_HOURS: u32 = 24;

/// Minutes a password reset token is valid.
pub const RESET_TOKEN_MINUTES: u32 = 30;

/// How often the outbox worker tries to send one mail before it records it
/// as failed (each try goes through the providers in order).
pub const EMAIL_MAX_ATTEMPTS: u32 = 5;

/// The email a product sends.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
/// spec.integrations.insert("smtp".into(), Default::default());
/// let bp = blueprint_core::graph::Blueprint::from_spec(&spec);
/// let model = model::AppModel::from_blueprint(&bp);
/// assert_eq!(model.email.unwrap().providers, ["smtp"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email {
    /// The providers, in the order the spec lists them: the worker tries
    /// the first, then falls back to the next.
    pub providers: Vec<String>,
}

impl AppModel {
    /// Computes the model of a blueprint. Give it the complete blueprint
    /// (after `compliance::complete`), so that the fields' classes and the
    /// controls' numbers are the ones compliance decided; a blueprint
    /// without them gets the catalog's baseline numbers and the spec's own
    /// `pii` keys.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("shop").with_entity("Order", |e| e.owned()).build();
    /// let model = model::AppModel::from_blueprint(&bp);
    /// assert_eq!(model.entities[0].table, "orders");
    /// assert!(model.routes.iter().any(|r| r.path == "/api/orders/{id}"));
    /// ```
    pub fn from_blueprint(bp: &Blueprint) -> AppModel {
        build(bp)
    }

    /// The sender of the product's mail: the `from` option of the first
    /// email provider that gives one, else `no-reply@example.com`.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let mut spec = SpecBuilder::new("shop").with_entity("Order", |e| e).spec();
    /// let from = ("from".to_string(), serde_json::json!("orders@shop.example"));
    /// spec.integrations.insert("smtp".into(), [from].into_iter().collect());
    /// let bp = blueprint_core::graph::Blueprint::from_spec(&spec);
    /// assert_eq!(model::AppModel::from_blueprint(&bp).email_sender(), "orders@shop.example");
    /// ```
    pub fn email_sender(&self) -> &str {
        self.email
            .iter()
            .flat_map(|e| &e.providers)
            .filter_map(|p| self.integrations.iter().find(|i| &i.id == p))
            .find_map(|i| i.options.get("from").and_then(|f| f.as_str()))
            .unwrap_or("no-reply@example.com")
    }

    /// Keeps only the email providers `keep` accepts (the render engine
    /// keeps the ones a registered vendor generates), and without any, no
    /// email: register answers 201 or 409 again and the verification and
    /// reset routes go.
    pub fn retain_email_providers(&mut self, keep: impl Fn(&str) -> bool) {
        let Some(email) = &mut self.email else {
            return;
        };
        email.providers.retain(|p| keep(p));
        if email.providers.is_empty() {
            self.email = None;
            self.routes.retain(|r| {
                !matches!(
                    r.operation,
                    Operation::VerifyEmail
                        | Operation::PasswordReset
                        | Operation::PasswordResetConfirm
                )
            });
            for route in &mut self.routes {
                if route.operation == Operation::Register {
                    route.statuses = routes::register_statuses(false).to_vec();
                }
            }
        }
    }

    /// Drops the sign-in through an identity provider (the routes
    /// [`Operation::OidcLogin`] and [`Operation::OidcCallback`]) when no
    /// registered vendor generates the spec's `oidc` integration, so the
    /// document and the checks describe only what is served.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// let bp = SpecBuilder::new("shop")
    ///     .with_entity("Order", |e| e.owned())
    ///     .with_integration("oidc")
    ///     .build();
    /// let mut model = model::AppModel::from_blueprint(&bp);
    /// assert!(model.routes.iter().any(|r| r.operation == model::Operation::OidcLogin));
    /// model.drop_oidc();
    /// assert!(!model.routes.iter().any(|r| r.operation == model::Operation::OidcLogin));
    /// ```
    pub fn drop_oidc(&mut self) {
        self.routes
            .retain(|r| !matches!(r.operation, Operation::OidcLogin | Operation::OidcCallback));
    }

    /// An entity by name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The entity with this id.
    pub fn get(&self, id: EntityId) -> &Entity {
        &self.entities[id.0]
    }

    /// Whether a role may create a row of an entity that it then owns:
    /// it may create rows of the entity and, for an entity owned through
    /// a relation, a parent row of its own that it may then update (the
    /// parent's `update` lists the role or `owner`), to any depth. A role
    /// that may create rows only under others' parents makes rows they own.
    pub fn may_own(&self, entity: EntityId, role: Option<RoleId>) -> bool {
        let mut id = entity;
        // The ownership chain has no cycles (the spec checker refuses
        // them); the bound keeps a hand-built model from looping.
        for _ in 0..=self.entities.len() {
            let e = self.get(id);
            if e.access(Action::Create).scope(role) != Scope::All {
                return false;
            }
            match e.ownership {
                Ownership::Through { parent, .. } => {
                    if self.get(parent).access(Action::Update).scope(role) == Scope::None {
                        return false;
                    }
                    id = parent;
                }
                _ => return true,
            }
        }
        false
    }

    /// Whether a role may create any row of an entity: its `create` lists
    /// the role and, for an entity owned through a relation, there is a
    /// parent row it may update to put the row under (the contract's
    /// rule: creating such a row needs `update` on the parent). That is any
    /// parent when the parent's `update` lists the role (admin roles
    /// included), its own parent when `update` lists `owner` and the role
    /// may own one ([`AppModel::may_own`]); otherwise every create is 422.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::Action;
    /// let spec = SpecBuilder::new("care")
    ///     .with_role("carer", |r| r)
    ///     .with_entity("Client", |e| e
    ///         .owned()
    ///         .with_access(Action::Create, ["admin"])
    ///         .with_access(Action::Update, ["owner"]))
    ///     .with_entity("Visit", |e| e
    ///         .with_relation("client", "Client", |r| r.required())
    ///         .owned_through("client")
    ///         .with_access(Action::Create, ["carer"]))
    ///     .spec();
    /// let bp = blueprint_core::graph::Blueprint::from_spec(&spec);
    /// let model = model::AppModel::from_blueprint(&bp);
    /// let visit = model.entity("Visit").unwrap().id;
    /// // `carer` is in Visit's `create`, but may update only Client rows
    /// // of its own, and may not create one.
    /// assert!(!model.may_create(visit, model.role("carer")));
    /// assert!(model.may_create(visit, model.role("admin")));
    /// ```
    pub fn may_create(&self, entity: EntityId, role: Option<RoleId>) -> bool {
        let e = self.get(entity);
        if e.access(Action::Create).scope(role) != Scope::All {
            return false;
        }
        match e.ownership {
            Ownership::Through { parent, .. } => {
                match self.get(parent).access(Action::Update).scope(role) {
                    Scope::All => true,
                    Scope::Own => self.may_own(parent, role),
                    Scope::None => false,
                }
            }
            _ => true,
        }
    }

    /// A role's id by name.
    pub fn role(&self, name: &str) -> Option<RoleId> {
        self.roles.iter().find(|r| r.name == name).map(|r| r.id)
    }

    /// The admin roles.
    pub fn admin_roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.iter().filter(|r| r.admin)
    }

    /// The roles visitors may register into, in spec order (the first is
    /// the default).
    pub fn signup_roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.iter().filter(|r| r.signup)
    }

    /// The owned entities.
    pub fn owned(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|e| e.is_owned())
    }

    /// The owned entities whose rows an erasure deletes one table at a
    /// time before it deletes the account (whose `ON DELETE CASCADE` takes
    /// the rest), in the order it deletes them.
    ///
    /// Those are the entities owned through a relation, and the directly
    /// owned ones with a `restrict` link (many-to-one or one-to-one) to an
    /// owned entity. The order puts a row before every row it refers to by
    /// such a link, and rows owned through a relation before their parents
    /// (deepest first), so a `restrict` link between two rows of the same
    /// user never blocks the erasure: an application the user owns that
    /// refers to an opening the user also owns goes first. Only a `restrict`
    /// link from a row of another user (or of nobody) still does. Among
    /// entities the links leave free, the deepest goes first, then spec
    /// order; links that form a cycle (which no order satisfies) leave the
    /// rest in that order.
    ///
    /// ```
    /// let yaml = r#"
    /// spec_version: 1
    /// product: { name: hire }
    /// roles: { member: { signup: true } }
    /// entities:
    ///   Company: { owned: true, fields: { name: string! } }
    ///   Opening:
    ///     owned: { through: company }
    ///     fields: { title: string! }
    ///     relations: { company: { to: Company, required: true, on_delete: cascade } }
    ///   Application:
    ///     owned: true
    ///     fields: { note: text }
    ///     relations: { opening: { to: Opening, required: true } }
    /// "#;
    /// use blueprint_core::spec::{parse_str, Format};
    /// let spec = parse_str("hire.yaml", yaml, Format::Yaml).unwrap().spec;
    /// let bp = blueprint_core::graph::Blueprint::from_spec(&spec);
    /// let model = model::AppModel::from_blueprint(&bp);
    /// let order: Vec<&str> = model
    ///     .erasure_order()
    ///     .into_iter()
    ///     .map(|id| model.get(id).name.as_str())
    ///     .collect();
    /// assert_eq!(order, ["Application", "Opening"]);
    /// ```
    pub fn erasure_order(&self) -> Vec<EntityId> {
        let chosen: Vec<&Entity> = self
            .entities
            .iter()
            .filter(|e| self.erased_first(e.id))
            .collect();
        let depth = |e: &Entity| {
            let mut d = 0;
            let mut at = e;
            while let Some(rel) = at.owner_relation() {
                d += 1;
                at = self.get(rel.target);
                if d > self.entities.len() {
                    break;
                }
            }
            d
        };
        let depths: Vec<usize> = chosen.iter().map(|e| depth(e)).collect();
        // `waits_for[i]`: how many chosen entities must go before entity i
        // (those that refer to it, and its children by ownership);
        // `unblocks[i]`: the entities entity i must go before.
        let position = |id: EntityId| chosen.iter().position(|e| e.id == id);
        let mut waits_for = vec![0usize; chosen.len()];
        let mut unblocks: Vec<Vec<usize>> = vec![Vec::new(); chosen.len()];
        for (i, e) in chosen.iter().enumerate() {
            let mut targets: Vec<usize> = e
                .relations
                .iter()
                .filter(|r| {
                    r.kind != RelationKind::ManyToMany
                        && r.target != e.id
                        && (r.on_delete == OnDelete::Restrict
                            || e.owner_relation().is_some_and(|o| o.name == r.name))
                })
                .filter_map(|r| position(r.target))
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for t in targets {
                waits_for[t] += 1;
                unblocks[i].push(t);
            }
        }
        let rank = |i: usize| (std::cmp::Reverse(depths[i]), chosen[i].id.0);
        let mut done = vec![false; chosen.len()];
        let mut order = Vec::with_capacity(chosen.len());
        while order.len() < chosen.len() {
            let free = (0..chosen.len())
                .filter(|&i| !done[i] && waits_for[i] == 0)
                .min_by_key(|&i| rank(i));
            // A cycle of links: the rest goes in rank order.
            let next = free.unwrap_or_else(|| {
                (0..chosen.len())
                    .filter(|&i| !done[i])
                    .min_by_key(|&i| rank(i))
                    .expect("an entity is left")
            });
            done[next] = true;
            for &t in &unblocks[next] {
                waits_for[t] = waits_for[t].saturating_sub(1);
            }
            order.push(chosen[next].id);
        }
        order
    }

    /// Whether an erasure deletes this entity's rows before the account
    /// (one of [`AppModel::erasure_order`]): it is owned through a
    /// relation, or owned with a `restrict` link to an owned entity.
    pub fn erased_first(&self, id: EntityId) -> bool {
        let e = self.get(id);
        e.is_owned()
            && (e.owner_relation().is_some()
                || e.relations.iter().any(|r| {
                    r.kind != RelationKind::ManyToMany
                        && r.on_delete == OnDelete::Restrict
                        && r.target != e.id
                        && self.get(r.target).is_owned()
                }))
    }

    /// Whether any field is encrypted.
    pub fn has_encrypted(&self) -> bool {
        self.entities.iter().any(|e| e.encrypted().next().is_some())
    }

    /// Whether any field has this type.
    pub fn uses_type(&self, ty: FieldType) -> bool {
        self.entities
            .iter()
            .any(|e| e.fields.iter().any(|f| f.ty() == ty))
    }

    /// Every action the audit log records: the contract's
    /// ([`routes::AUDIT_ACTIONS`]), then those of the generated
    /// integrations, in spec order.
    ///
    /// ```
    /// let bp = blueprint_core::builder::SpecBuilder::new("notes").with_entity("Note", |e| e).build();
    /// let model = model::AppModel::from_blueprint(&bp);
    /// assert_eq!(model.audit_actions().len(), model::routes::AUDIT_ACTIONS.len());
    /// ```
    pub fn audit_actions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = routes::AUDIT_ACTIONS.to_vec();
        for action in self
            .integrations
            .iter()
            .filter(|i| i.generated)
            .flat_map(|i| &i.audit_actions)
        {
            if !out.contains(&action.as_str()) {
                out.push(action);
            }
        }
        out
    }

    /// Records what a generated integration serves: its routes join
    /// [`routes`](AppModel::routes) (before the operations routes,
    /// `/healthz` and the like), its tables and audit actions its
    /// [`Integration`].
    pub fn declare_integration(
        &mut self,
        index: usize,
        routes: Vec<Route>,
        tables: Vec<String>,
        audit_actions: Vec<String>,
    ) {
        let at = self
            .routes
            .iter()
            .position(|r| matches!(r.operation, Operation::Healthz))
            .unwrap_or(self.routes.len());
        for (offset, route) in routes.iter().enumerate() {
            self.routes.insert(at + offset, route.clone());
        }
        let integration = &mut self.integrations[index];
        integration.routes = routes;
        integration.tables = tables;
        integration.audit_actions = audit_actions;
    }

    /// The routes of one entity.
    pub fn routes_of(&self, entity: EntityId) -> impl Iterator<Item = &Route> {
        self.routes.iter().filter(move |r| {
            matches!(r.operation,
                Operation::List(e) | Operation::Create(e) | Operation::Read(e)
                | Operation::Update(e) | Operation::Delete(e) if e == entity)
        })
    }

    /// Whether a role can make the links a create of `entity` needs: it
    /// may read a row of every required parent, and for rows owned
    /// through a relation it may update the parent row (its own, at
    /// least).
    pub fn parents_readable(&self, entity: EntityId, role: Option<RoleId>) -> bool {
        let e = self.get(entity);
        let through = e.owner_relation().map(|r| r.name.as_str());
        e.relations.iter().all(|rel| {
            let parent = self.get(rel.target);
            if through == Some(rel.name.as_str()) {
                return parent.access(Action::Update).scope(role) != Scope::None;
            }
            !rel.required
                || !rel.is_to_one()
                || rel.target == entity
                || parent.access(Action::Read).scope(role) != Scope::None
        })
    }

    /// The access table: every role (and a visitor) × action × entity ×
    /// whose row, with the status the contract demands, in entity, role,
    /// action order, visitors last.
    ///
    /// ```
    /// use blueprint_core::builder::SpecBuilder;
    /// use blueprint_core::spec::Action;
    /// use model::{AppModel, RowOwner};
    /// let bp = SpecBuilder::new("tasks")
    ///     .with_role("member", |r| r.signup())
    ///     .with_entity("Task", |e| e.owned().with_access(Action::Read, ["owner"]))
    ///     .build();
    /// let model = AppModel::from_blueprint(&bp);
    /// let member = model.role("member");
    /// let case = model.access_cases().into_iter()
    ///     .find(|c| c.role == member && c.action == Action::Read && c.row == Some(RowOwner::Other))
    ///     .unwrap();
    /// assert_eq!(case.status, 404);
    /// ```
    pub fn access_cases(&self) -> Vec<AccessCase> {
        self.entities
            .iter()
            .flat_map(|e| self.access_cases_of(e.id))
            .collect()
    }

    /// The access cases of one entity (see [`AppModel::access_cases`]).
    pub fn access_cases_of(&self, entity: EntityId) -> Vec<AccessCase> {
        let e = self.get(entity);
        let mut cases = Vec::new();
        for role in &self.roles {
            let who = Some(role.id);
            for action in Action::ALL {
                let scope = e.access(action).scope(who);
                if action == Action::Create {
                    let status = match scope {
                        Scope::None => 403,
                        _ if !self.parents_readable(entity, who) => 422,
                        _ => 201,
                    };
                    cases.push(AccessCase {
                        entity,
                        action,
                        role: who,
                        row: None,
                        status,
                    });
                    continue;
                }
                let rows: &[Option<RowOwner>] = if e.is_owned() {
                    &[Some(RowOwner::Mine), Some(RowOwner::Other)]
                } else {
                    &[None]
                };
                for row in rows {
                    let mine = *row == Some(RowOwner::Mine);
                    let read = e.access(Action::Read).scope(who);
                    let readable = read == Scope::All || (read == Scope::Own && mine);
                    let may = scope == Scope::All || (scope == Scope::Own && mine);
                    let ok = match action {
                        Action::Read | Action::Update => 200,
                        _ => 204,
                    };
                    let status = if scope == Scope::None {
                        403
                    } else if !readable {
                        404
                    } else if !may {
                        403
                    } else {
                        ok
                    };
                    cases.push(AccessCase {
                        entity,
                        action,
                        role: who,
                        row: *row,
                        status,
                    });
                }
            }
        }
        for action in Action::ALL {
            let row = (e.is_owned() && action != Action::Create).then_some(RowOwner::Other);
            let rule = e.access(action);
            let status = if !rule.public {
                401
            } else if action == Action::Read {
                200
            } else {
                continue;
            };
            cases.push(AccessCase {
                entity,
                action,
                role: None,
                row,
                status,
            });
        }
        cases
    }
}

/// Folds the subjects of a field rule or a move into one decision per
/// role (admin roles always may).
fn fold_subjects(subjects: &[Subject], owned: bool, roles: &[(String, bool)]) -> Vec<Scope> {
    roles
        .iter()
        .map(|(name, admin)| {
            if *admin
                || subjects.contains(&Subject::Public)
                || subjects.contains(&Subject::Authenticated)
                || subjects.contains(&Subject::Role(name.clone()))
            {
                Scope::All
            } else if owned && subjects.contains(&Subject::Owner) {
                Scope::Own
            } else {
                Scope::None
            }
        })
        .collect()
}

fn field_rule(subjects: &[Subject], owned: bool, roles: &[(String, bool)]) -> FieldRule {
    FieldRule {
        subjects: subjects.to_vec(),
        public: subjects.contains(&Subject::Public),
        roles: fold_subjects(subjects, owned, roles),
    }
}

fn workflow_of(
    f: &blueprint_core::spec::Field,
    owned: bool,
    roles: &[(String, bool)],
) -> Option<Workflow> {
    if f.transitions.is_empty() {
        return None;
    }
    let initial = match &f.default {
        Some(Scalar::Str(s)) => s.clone(),
        _ => f.values.first().cloned()?,
    };
    let moves = f
        .transitions
        .iter()
        .flat_map(|(from, targets)| {
            targets.iter().map(move |(to, subjects)| Move {
                from: from.clone(),
                to: to.clone(),
                subjects: subjects.clone(),
                roles: fold_subjects(subjects, owned, roles),
            })
        })
        .collect();
    Some(Workflow {
        initial,
        moves,
        frozen: f.frozen.clone(),
    })
}

/// The PII class of a field: the compliance stage's, else the spec's `pii`.
fn pii_class(
    bp: &Blueprint,
    entity: &str,
    name: &str,
    field: &blueprint_core::spec::Field,
) -> PiiClass {
    let decided = bp
        .parameter(&compliance::pii::parameter_key(entity, name))
        .and_then(|p| p.value.as_str().map(str::to_string));
    match decided.as_deref() {
        Some("sensitive") => PiiClass::Sensitive,
        Some("personal") => PiiClass::Personal,
        Some(_) => PiiClass::None,
        None => match field.pii {
            Some(Pii::Sensitive) => PiiClass::Sensitive,
            Some(Pii::Personal) => PiiClass::Personal,
            _ => PiiClass::None,
        },
    }
}

/// The API base path as routes use it: a leading `/`, no trailing one
/// (`api/` → `/api`; `/` → the empty string).
///
/// ```
/// assert_eq!(model::base_path("api/"), "/api");
/// assert_eq!(model::base_path("/"), "");
/// ```
pub fn base_path(written: &str) -> String {
    let b = written.trim_end_matches('/');
    if b.is_empty() || b.starts_with('/') {
        b.to_string()
    } else {
        format!("/{b}")
    }
}

fn build(bp: &Blueprint) -> AppModel {
    let spec = bp.spec();
    let base = base_path(&spec.api.base_path);
    let roles: Vec<Role> = spec
        .roles
        .iter()
        .enumerate()
        .map(|(i, (name, r))| Role {
            id: RoleId(i),
            name: name.clone(),
            signup: r.signup,
            admin: r.admin,
            description: r.description.clone(),
        })
        .collect();
    let role_flags: Vec<(String, bool)> = roles.iter().map(|r| (r.name.clone(), r.admin)).collect();
    let index_of = |name: &str| spec.entities.get_index_of(name).map(EntityId);

    let mut entities: Vec<Entity> = Vec::with_capacity(spec.entities.len());
    for (i, (name, e)) in spec.entities.iter().enumerate() {
        let collection = e.collection();
        let table = collection.clone();
        let owned = e.is_owned();
        let mut fields = Vec::with_capacity(e.fields.len());
        let mut sortable = Vec::new();
        let mut filters = Vec::new();
        for (fname, f) in &e.fields {
            let pii = pii_class(bp, name, fname, f);
            let encrypted = pii == PiiClass::Sensitive;
            let comparable = !encrypted && f.ty != FieldType::Json;
            let index_in = fields.len();
            if comparable {
                sortable.push(index_in);
                filters.push(FilterOn::Field(index_in));
            }
            let max_length = if f.ty.is_textual() {
                match (f.max, f.ty) {
                    (Some(m), _) => Some(m.as_f64().max(0.0).floor() as u64),
                    (None, FieldType::String) => {
                        Some(blueprint_core::spec::DEFAULT_STRING_MAX as u64)
                    }
                    _ => None,
                }
            } else {
                None
            };
            fields.push(Field {
                name: fname.clone(),
                rules: portable_rules(f),
                nullable: !f.required && f.default.is_none(),
                max_length,
                pii,
                encrypted,
                blind_index: (encrypted && f.unique)
                    .then(|| pg_identifier(&format!("{fname}_bidx"))),
                filterable: comparable
                    && !blueprint_core::spec::LIST_PARAMETERS.contains(&fname.as_str()),
                sortable: comparable,
                unique_constraint: f
                    .unique
                    .then(|| pg_identifier(&format!("uq_{table}_{fname}"))),
                index: (f.index && !f.unique && !encrypted)
                    .then(|| pg_identifier(&format!("ix_{table}_{fname}"))),
                sample: sample::sample_of(f, fname),
                read: f
                    .read
                    .as_ref()
                    .map(|subjects| field_rule(subjects, owned, &role_flags)),
                write: f
                    .write
                    .as_ref()
                    .map(|subjects| field_rule(subjects, owned, &role_flags)),
                workflow: workflow_of(f, owned, &role_flags),
            });
        }
        let mut relations = Vec::with_capacity(e.relations.len());
        for (rname, rel) in &e.relations {
            let Some(target) = index_of(&rel.to) else {
                continue;
            };
            let target_table = spec.entities[target.0].collection();
            let key = rel.json_name(rname);
            let to_one = rel.kind != RelationKind::ManyToMany;
            if to_one {
                filters.push(FilterOn::Relation(relations.len()));
            }
            let join = (!to_one).then(|| {
                let jt = pg_identifier(&format!("{}_{}", naming::snake(name), rname));
                JoinTable {
                    primary_key: pg_identifier(&format!("pk_{jt}")),
                    source_foreign_key: pg_identifier(&format!("fk_{jt}_source_id")),
                    target_foreign_key: pg_identifier(&format!("fk_{jt}_target_id")),
                    target_index: pg_identifier(&format!("ix_{jt}_target_id")),
                    table: jt,
                }
            });
            relations.push(Relation {
                name: rname.clone(),
                target,
                target_name: rel.to.clone(),
                kind: rel.kind,
                required: rel.required,
                on_delete: rel.on_delete,
                inverse: rel.inverse.clone(),
                foreign_key: to_one
                    .then(|| pg_identifier(&format!("fk_{table}_{key}_{target_table}"))),
                index: (rel.kind == RelationKind::ManyToOne)
                    .then(|| pg_identifier(&format!("ix_{table}_{key}"))),
                unique_constraint: (rel.kind == RelationKind::OneToOne)
                    .then(|| pg_identifier(&format!("uq_{table}_{key}"))),
                join,
                key,
            });
        }
        let access = Action::ALL
            .into_iter()
            .map(|action| access::fold(action, bp.who_can(action, name), owned, &role_flags))
            .collect();
        entities.push(Entity {
            id: EntityId(i),
            name: name.clone(),
            collection,
            description: e.description.clone(),
            ownership: match (&e.owned_through, e.owned) {
                (Some(through), _) => match (
                    e.relations.get_index_of(through),
                    e.relations.get(through).and_then(|r| index_of(&r.to)),
                ) {
                    (Some(relation), Some(parent)) => Ownership::Through { relation, parent },
                    _ => Ownership::None,
                },
                (None, true) => Ownership::Direct,
                (None, false) => Ownership::None,
            },
            owner_foreign_key: owned
                .then(|| pg_identifier(&format!("fk_{table}_owner_id_{}", names::USERS_TABLE))),
            owner_index: owned.then(|| pg_identifier(&format!("ix_{table}_owner_id"))),
            fields,
            relations,
            access,
            retention: e.retention.map(RetentionPeriod::of),
            sortable,
            filters,
            blockers: Vec::new(),
            table,
        });
    }
    // Restrict relations block deleting the rows they point at.
    let mut blockers: Vec<(EntityId, Blocker)> = Vec::new();
    for e in &entities {
        for rel in e.to_one() {
            if rel.on_delete == OnDelete::Restrict && rel.required && rel.target != e.id {
                blockers.push((
                    rel.target,
                    Blocker {
                        entity: e.id,
                        entity_name: e.name.clone(),
                        key: rel.key.clone(),
                        foreign_key: rel.foreign_key.clone().unwrap_or_default(),
                    },
                ));
            }
        }
    }
    for (target, b) in blockers {
        entities[target.0].blockers.push(b);
    }

    let collections: Vec<(EntityId, String)> = entities
        .iter()
        .map(|e| (e.id, e.collection.clone()))
        .collect();
    let providers: Vec<String> = spec
        .integrations
        .keys()
        .filter(|id| EMAIL_VENDORS.contains(&id.as_str()))
        .cloned()
        .collect();
    let email = (!providers.is_empty()).then_some(Email { providers });
    AppModel {
        product: Product {
            name: spec.product.name.clone(),
            title: spec.product.display_name().to_string(),
            description: spec.product.description.clone(),
        },
        routes: routes::routes(
            &base,
            &collections,
            email.is_some(),
            spec.integrations.contains_key("oidc"),
        ),
        api: Api {
            base_path: base,
            page_size: spec.api.page_size.clamp(1, routes::MAX_PAGE_SIZE),
        },
        roles,
        entities,
        params: ControlParams::of(bp),
        integrations: spec
            .integrations
            .iter()
            .map(|(id, options)| Integration {
                id: id.clone(),
                options: options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                generated: false,
                env: Vec::new(),
                packages: Vec::new(),
                dev_packages: Vec::new(),
                routes: Vec::new(),
                tables: Vec::new(),
                audit_actions: Vec::new(),
                payment: (id == "stripe")
                    .then(|| blueprint_core::spec::Payment::of(spec, options).ok())
                    .flatten(),
            })
            .collect(),
        email,
    }
}

/// A field's rules with its pattern spelled so that every engine reads it
/// alike (`spec::pattern::portable`: `\d` as `[0-9]` …). A checked spec's
/// pattern always can be; one that cannot is kept as written.
fn portable_rules(field: &blueprint_core::spec::Field) -> blueprint_core::spec::Field {
    let mut rules = field.clone();
    if let Some(pattern) = &field.pattern {
        if let Ok(portable) = blueprint_core::spec::pattern::portable(pattern) {
            rules.pattern = Some(portable);
        }
    }
    rules
}

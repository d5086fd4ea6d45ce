//! The conformance suite: the backend contract
//! (`docs/quality-gate.md`, and the contract it checks) exercised against a
//! running app from outside, whatever stack produced it.
//!
//! It reads the application model ([`model::AppModel`]: entities, fields
//! and their rules and samples, relations, roles, the access decisions and
//! the statuses of the access table, the control parameters) and calls the
//! API the way a client would, reporting one [`CheckResult`] per check. The
//! blueprint is only read for the OpenAPI document the app must serve.

mod access;
mod account;
mod auth;
mod entities;
mod hostile;
pub(crate) mod http;
mod oidc;
mod payments;
mod rules;
mod surface;
mod values;

use crate::report::CheckResult;
use blueprint_core::spec::{Action, FieldType, OnDelete, RelationKind};
use http::{Client, Resp, Session};
use model::{AppModel, Entity, EntityId, Operation, PiiClass, RoleId, RowOwner, Scope};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Creates a user of any role (`make user EMAIL= PASSWORD= ROLE=` for a
/// generated project): `(email, password, role)`, or why it failed.
pub type UserCreator<'a> = dyn Fn(&str, &str, &str) -> Result<(), String> + 'a;

/// The text of the latest mail the app queued for an address (its outbox,
/// `mail_outbox` in the contract), `None` when there is none, or why it
/// could not be read.
pub type MailReader<'a> = dyn Fn(&str) -> Result<Option<String>, String> + 'a;

/// What the suite needs besides the model and the URL.
#[derive(Default)]
pub struct Options<'a> {
    /// How to create users of roles visitors cannot sign up into (staff,
    /// admins). Without it, the checks that need such a user fail, saying
    /// so.
    pub create_user: Option<&'a UserCreator<'a>>,
    /// How to read the mail the app queued (with an email integration):
    /// the checks that follow a verification or reset link need it, and
    /// fail without it, saying so.
    pub read_mail: Option<&'a MailReader<'a>>,
    /// Set to stop between checks (Ctrl-C).
    pub cancel: Option<&'a AtomicBool>,
    /// The `STRIPE_WEBHOOK_SECRET` the app was given: the payment checks
    /// sign Stripe events with it. Without it they fail, saying so.
    pub stripe_webhook_secret: Option<String>,
    /// Why the app has no Stripe to talk to (stripe-mock could not be
    /// started): the payment checks fail with it.
    pub stripe_unavailable: Option<String>,
}

/// Runs every check against the app at `base_url` (such as
/// `http://127.0.0.1:8000`), whose application model is `model` (with
/// what the vendors declare: `render::Engine::app_model`). The suite reads
/// the model, and the OpenAPI document the app must serve is the model's.
///
/// ```no_run
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e.owned()).build();
/// compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let options = gate::conformance::Options::default();
/// let results = gate::conformance::run(&model, "http://127.0.0.1:8000", &options);
/// for r in results.iter().filter(|r| !r.passed) {
///     eprintln!("{}: {}", r.name, r.detail);
/// }
/// ```
pub fn run(model: &AppModel, base_url: &str, options: &Options<'_>) -> Vec<CheckResult> {
    let mut suite = Suite::new(model, base_url, options);
    suite.run_all();
    suite.results
}

struct User {
    role: RoleId,
    /// The role's name, for check names and messages.
    role_name: String,
    email: String,
    password: String,
    session: Session,
    id: Option<String>,
    /// Why this user could not be made (checks needing it fail with it).
    broken: Option<String>,
}

const PASSWORD_TAIL: &str = "conformance passphrase 7Qx";

struct Suite<'a> {
    model: &'a AppModel,
    opts: &'a Options<'a>,
    client: Client,
    base: String,
    nonce: String,
    counter: u64,
    results: Vec<CheckResult>,
    /// One signed-in user per role, in spec order.
    users: Vec<User>,
    /// Rows created once per (entity, creator) and shared.
    shared: HashMap<(EntityId, usize), String>,
    /// Rows the check under way still needs: making room for another row
    /// (a unique field with few values) never deletes them.
    held: BTreeSet<String>,
}

type Check = Result<(), String>;

fn expect(resp: &Resp, status: u16, what: &str) -> Check {
    if resp.status == status {
        Ok(())
    } else {
        Err(format!("{what}: expected {status}, got {}", resp.brief()))
    }
}

impl<'a> Suite<'a> {
    fn new(model: &'a AppModel, base_url: &str, opts: &'a Options<'a>) -> Suite<'a> {
        Suite {
            model,
            opts,
            client: Client::new(base_url),
            base: model.api.base_path.clone(),
            nonce: crate::db::random_hex(4),
            counter: 0,
            results: Vec::new(),
            users: Vec::new(),
            shared: HashMap::new(),
            held: BTreeSet::new(),
        }
    }

    fn cancelled(&self) -> bool {
        self.opts.cancel.is_some_and(|c| c.load(Ordering::SeqCst))
    }

    fn record(&mut self, name: impl Into<String>, result: Check) {
        let (passed, detail) = match result {
            Ok(()) => (true, String::new()),
            Err(detail) => (false, detail),
        };
        self.results.push(CheckResult {
            name: name.into(),
            passed,
            detail,
        });
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The entities' ids, in spec order.
    fn entities(&self) -> Vec<EntityId> {
        self.model.entities.iter().map(|e| e.id).collect()
    }

    /// The collection path of an entity (`/api/tasks`).
    fn collection_path(&self, entity: EntityId) -> String {
        self.api(&format!("/{}", self.model.get(entity).collection))
    }

    fn is_admin(&self, role: RoleId) -> bool {
        self.model.roles[role.0].admin
    }

    fn admin_index(&self) -> Option<usize> {
        self.users
            .iter()
            .position(|u| self.is_admin(u.role) && u.broken.is_none())
    }

    /// The scope of a user (None: a visitor without a session) for an
    /// action on an entity, as the model decides it.
    fn scope(&self, who: Option<usize>, action: Action, entity: EntityId) -> Scope {
        let role = who.map(|i| self.users[i].role);
        self.model.get(entity).access(action).scope(role)
    }

    fn send(
        &mut self,
        who: Option<usize>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Resp, String> {
        let mut anon = Session::default();
        let session = match who {
            Some(i) => &mut self.users[i].session,
            None => &mut anon,
        };
        self.client.send(session, method, path, body, true, &[])
    }

    // ----- the run -------------------------------------------------------

    fn run_all(&mut self) {
        let steps: [fn(&mut Suite<'a>); 14] = [
            Suite::health,
            Suite::openapi,
            Suite::auth,
            Suite::oidc,
            Suite::sign_in_roles,
            Suite::headers,
            Suite::problems,
            Suite::entities_checks,
            Suite::hostile_checks,
            Suite::access,
            Suite::rule_checks,
            Suite::payments,
            Suite::account,
            Suite::admin,
        ];
        for step in steps {
            if self.cancelled() {
                return;
            }
            step(self);
        }
        let errors: Vec<String> = self
            .client
            .log
            .iter()
            .filter(|e| e.status >= 500)
            .map(|e| format!("{} {} → {}", e.method, e.path, e.status))
            .collect();
        let total = self.client.log.len();
        self.record(
            "no_server_errors",
            if errors.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} of {total} responses were 5xx: {}",
                    errors.len(),
                    errors.join(", ")
                ))
            },
        );
    }
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The JSON pointer of the first place two documents differ.
fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return first_difference(v, w, &here),
                    None => return format!("{here} (missing from the served document)"),
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    return format!("{at}/{k} (only in the served document)");
                }
            }
            at.to_string()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if v != w {
                    return first_difference(v, w, &format!("{at}/{i}"));
                }
            }
            at.to_string()
        }
        _ => format!(
            "{} (expected {a}, served {b})",
            if at.is_empty() { "/" } else { at }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_located() {
        let a = json!({"paths": {"/a": {"get": 1}}, "info": {"title": "x"}});
        let b = json!({"paths": {"/a": {"get": 2}}, "info": {"title": "x"}});
        assert!(first_difference(&a, &b, "").starts_with("/paths/~1a/get"));
        let c = json!({"paths": {}, "info": {"title": "x"}});
        assert!(first_difference(&a, &c, "").contains("missing from the served document"));
    }

    fn tasks() -> AppModel {
        let spec = blueprint_core::spec::parse_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/specs/tasks.yaml"),
        )
        .unwrap()
        .spec;
        let mut bp = blueprint_core::lower::lower(&spec);
        compliance::complete(&mut bp).unwrap();
        AppModel::from_blueprint(&bp)
    }

    /// A suite with one signed-out user per role, in role order.
    fn suite_of<'a>(model: &'a AppModel, options: &'a Options<'a>) -> Suite<'a> {
        let mut suite = Suite::new(model, "http://127.0.0.1:9", options);
        for role in &model.roles {
            suite.users.push(User {
                role: role.id,
                role_name: role.name.clone(),
                email: String::new(),
                password: String::new(),
                session: Session::default(),
                id: None,
                broken: None,
            });
        }
        suite
    }

    #[test]
    fn scopes_fold_the_access_rules() {
        let model = tasks();
        let options = Options::default();
        let suite = suite_of(&model, &options);
        let user = |name: &str| model.role(name).map(|r| r.0);
        let task = model.entity("Task").unwrap().id;
        let label = model.entity("Label").unwrap().id;
        assert_eq!(
            suite.scope(user("member"), Action::Delete, task),
            Scope::None
        );
        assert_eq!(
            suite.scope(user("manager"), Action::Delete, task),
            Scope::All
        );
        assert_eq!(
            suite.scope(user("member"), Action::Update, task),
            Scope::Own
        );
        assert_eq!(
            suite.scope(user("admin"), Action::Delete, label),
            Scope::All
        );
        assert_eq!(suite.scope(None, Action::Read, task), Scope::None);
        assert_eq!(suite.admin_index(), user("admin"));
        assert_eq!(suite.collection_path(task), "/api/tasks");
    }

    #[test]
    fn access_checks_expect_the_statuses_of_the_access_table() {
        let model = tasks();
        let options = Options::default();
        let suite = suite_of(&model, &options);
        let user = |name: &str| model.role(name).map(|r| r.0);
        let task = model.entity("Task").unwrap().id;
        // Someone else's row.
        assert_eq!(
            suite.expected(task, Action::Delete, user("member"), RowOwner::Other),
            403
        );
        assert_eq!(
            suite.expected(task, Action::Update, user("member"), RowOwner::Other),
            403
        );
        assert_eq!(
            suite.expected(task, Action::Delete, user("manager"), RowOwner::Other),
            204
        );
        assert_eq!(
            suite.expected(task, Action::Read, None, RowOwner::Other),
            401
        );
        assert_eq!(
            suite.expected(task, Action::Create, user("member"), RowOwner::Other),
            201
        );
        // Its own row.
        assert_eq!(
            suite.expected(task, Action::Update, user("member"), RowOwner::Mine),
            200
        );
    }

    #[test]
    fn accounts_and_numbers_come_from_the_model() {
        let model = tasks();
        let options = Options::default();
        let suite = Suite::new(&model, "http://127.0.0.1:9", &options);
        let plain = suite.plain_role().unwrap();
        assert_eq!(Some(plain), model.signup_roles().next().map(|r| r.id));
        let password = suite.password("x");
        assert!(password.chars().count() as u64 >= model.params.password_min_length);
        assert!(password.chars().count() as u64 <= model.params.password_max_length);
        assert!((suite.weak_password().chars().count() as u64) < model.params.password_min_length);
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(encode("a b+c/é"), "a%20b%2Bc%2F%C3%A9");
    }
}

//! The conformance suite: the backend contract
//! (`docs/quality-gate.md`, and the contract it checks) exercised against a
//! running app from outside, whatever stack produced it.
//!
//! It reads the blueprint (entities, fields and their rules, relations,
//! roles, access rules, owned entities, signup and admin roles) and calls the
//! API the way a client would, reporting one [`CheckResult`] per check.

mod access;
mod account;
mod auth;
mod entities;
mod http;
mod surface;
mod values;

use crate::report::CheckResult;
use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{Action, Entity, FieldType, OnDelete, RelationKind, Subject};
use http::{Client, Resp, Session};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Creates a user of any role (`make user EMAIL= PASSWORD= ROLE=` for a
/// generated project): `(email, password, role)`, or why it failed.
pub type UserCreator<'a> = dyn Fn(&str, &str, &str) -> Result<(), String> + 'a;

/// What the suite needs besides the blueprint and the URL.
#[derive(Default)]
pub struct Options<'a> {
    /// How to create users of roles visitors cannot sign up into (staff,
    /// admins). Without it, the checks that need such a user fail, saying
    /// so.
    pub create_user: Option<&'a UserCreator<'a>>,
    /// Set to stop between checks (Ctrl-C).
    pub cancel: Option<&'a AtomicBool>,
}

/// What a role may do with one action on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Own,
    None,
}

/// Runs every check against the app at `base_url` (such as
/// `http://127.0.0.1:8000`), built from the complete blueprint.
///
/// ```no_run
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e.owned()).build();
/// compliance::complete(&mut bp).unwrap();
/// let results = gate::conformance::run(&bp, "http://127.0.0.1:8000", &gate::conformance::Options::default());
/// for r in results.iter().filter(|r| !r.passed) {
///     eprintln!("{}: {}", r.name, r.detail);
/// }
/// ```
pub fn run(bp: &Blueprint, base_url: &str, options: &Options<'_>) -> Vec<CheckResult> {
    let mut suite = Suite::new(bp, base_url, options);
    suite.run_all();
    suite.results
}

struct User {
    role: String,
    email: String,
    password: String,
    session: Session,
    id: Option<String>,
    /// Why this user could not be made (checks needing it fail with it).
    broken: Option<String>,
}

const PASSWORD_TAIL: &str = "conformance passphrase 7Qx";

struct Suite<'a> {
    bp: &'a Blueprint,
    opts: &'a Options<'a>,
    client: Client,
    base: String,
    nonce: String,
    counter: u64,
    results: Vec<CheckResult>,
    /// One signed-in user per role, in spec order.
    users: Vec<User>,
    /// Rows created once per (entity, creator) and shared.
    shared: HashMap<(String, usize), String>,
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
    fn new(bp: &'a Blueprint, base_url: &str, opts: &'a Options<'a>) -> Suite<'a> {
        Suite {
            bp,
            opts,
            client: Client::new(base_url),
            base: render::docs::facts::base_path(bp.spec()),
            nonce: crate::db::random_hex(4),
            counter: 0,
            results: Vec::new(),
            users: Vec::new(),
            shared: HashMap::new(),
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

    fn entities(&self) -> Vec<(String, Entity)> {
        self.bp
            .spec()
            .entities
            .iter()
            .map(|(n, e)| (n.clone(), e.clone()))
            .collect()
    }

    fn collection(&self, entity: &str) -> String {
        let e = &self.bp.spec().entities[entity];
        render::docs::facts::collection(entity, e)
    }

    fn admin_index(&self) -> Option<usize> {
        let spec = self.bp.spec();
        self.users
            .iter()
            .position(|u| spec.roles.get(&u.role).is_some_and(|r| r.admin) && u.broken.is_none())
    }

    /// The scope of a role (None: a visitor without a session) for an
    /// action on an entity, folded from the blueprint's access rules.
    fn scope(&self, role: Option<&str>, action: Action, entity: &str) -> Scope {
        let spec = self.bp.spec();
        let subjects = self.bp.who_can(action, entity);
        if subjects.contains(&Subject::Public) {
            return Scope::All;
        }
        let Some(role) = role else {
            return Scope::None;
        };
        let owned = spec.entities.get(entity).is_some_and(|e| e.owned);
        let admin = spec.roles.get(role).is_some_and(|r| r.admin);
        if admin
            || subjects.contains(&Subject::Authenticated)
            || subjects.contains(&Subject::Role(role.to_string()))
        {
            Scope::All
        } else if owned && action != Action::Create && subjects.contains(&Subject::Owner) {
            Scope::Own
        } else {
            Scope::None
        }
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
        let steps: [fn(&mut Suite<'a>); 10] = [
            Suite::health,
            Suite::openapi,
            Suite::auth,
            Suite::sign_in_roles,
            Suite::headers,
            Suite::problems,
            Suite::entities_checks,
            Suite::access,
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

    #[test]
    fn scopes_fold_the_access_rules() {
        let spec = blueprint_core::spec::parse_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/specs/tasks.yaml"),
        )
        .unwrap()
        .spec;
        let mut bp = blueprint_core::lower::lower(&spec);
        compliance::complete(&mut bp).unwrap();
        let options = Options::default();
        let suite = Suite::new(&bp, "http://127.0.0.1:9", &options);
        assert_eq!(
            suite.scope(Some("member"), Action::Delete, "Task"),
            Scope::None
        );
        assert_eq!(
            suite.scope(Some("manager"), Action::Delete, "Task"),
            Scope::All
        );
        assert_eq!(
            suite.scope(Some("member"), Action::Update, "Task"),
            Scope::Own
        );
        assert_eq!(
            suite.scope(Some("admin"), Action::Delete, "Label"),
            Scope::All
        );
        assert_eq!(suite.scope(None, Action::Read, "Task"), Scope::None);
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(encode("a b+c/é"), "a%20b%2Bc%2F%C3%A9");
    }
}

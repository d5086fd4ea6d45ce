//! The conformance suite: the backend contract
//! (`docs/quality-gate.md`, and the contract it checks) exercised against a
//! running app from outside, whatever stack produced it.
//!
//! It reads the blueprint (entities, fields and their rules, relations,
//! roles, access rules, owned entities, signup and admin roles) and calls the
//! API the way a client would, reporting one [`CheckResult`] per check.

mod http;
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

    fn health(&mut self) {
        let r = self.send(None, "GET", "/healthz", None);
        self.record(
            "health.healthz",
            r.and_then(|r| expect(&r, 200, "GET /healthz")),
        );
        let r = self.send(None, "GET", "/readyz", None);
        self.record(
            "health.readyz",
            r.and_then(|r| expect(&r, 200, "GET /readyz")),
        );
    }

    fn openapi(&mut self) {
        let expected = render::docs::openapi::openapi(self.bp);
        let r = self.send(None, "GET", "/openapi.json", None).and_then(|r| {
            expect(&r, 200, "GET /openapi.json")?;
            let served = r.json();
            if served == expected {
                Ok(())
            } else {
                Err(format!(
                    "/openapi.json differs from the blueprint's OpenAPI document at {}",
                    first_difference(&expected, &served, "")
                ))
            }
        });
        self.record("openapi.matches_blueprint", r);
    }

    fn password(&self, role: &str) -> String {
        format!("{role} {} {PASSWORD_TAIL}", self.nonce)
    }

    fn email(&mut self, what: &str) -> String {
        let n = self.next();
        format!("{what}.{n}.{}@example.com", self.nonce)
    }

    fn login(&mut self, email: &str, password: &str) -> Result<(Session, Resp), String> {
        let mut session = Session::default();
        let resp = self.client.send(
            &mut session,
            "POST",
            &self.api("/auth/login"),
            Some(&json!({"email": email, "password": password})),
            false,
            &[],
        )?;
        Ok((session, resp))
    }

    fn register(
        &mut self,
        email: &str,
        password: &str,
        role: Option<&str>,
    ) -> Result<Resp, String> {
        let mut body = json!({"email": email, "password": password});
        if let Some(role) = role {
            body["role"] = json!(role);
        }
        let mut session = Session::default();
        let path = self.api("/auth/register");
        self.client
            .send(&mut session, "POST", &path, Some(&body), false, &[])
    }

    /// The role plain accounts get: the first signup role, else the first
    /// role that is not an admin role, else the first role.
    fn plain_role(&self) -> Option<String> {
        let spec = self.bp.spec();
        spec.signup_roles()
            .next()
            .or_else(|| {
                spec.roles
                    .iter()
                    .find(|(_, r)| !r.admin)
                    .map(|(n, _)| n.as_str())
            })
            .or_else(|| spec.roles.keys().next().map(String::as_str))
            .map(str::to_string)
    }

    /// An account of `role`: registered when it is a signup role, else
    /// created through the project's user command.
    fn make_account(&mut self, email: &str, password: &str, role: &str) -> Check {
        let signup = self.bp.spec().roles.get(role).is_some_and(|r| r.signup);
        if signup {
            let r = self.register(email, password, Some(role))?;
            expect(&r, 201, &format!("registering a `{role}` account"))
        } else {
            match self.opts.create_user {
                Some(create) => create(email, password, role),
                None => Err(format!(
                    "no way to create a `{role}` user (it is not a signup role)"
                )),
            }
        }
    }

    fn auth(&mut self) {
        let spec = self.bp.spec();
        let signup: Vec<String> = spec.signup_roles().map(str::to_string).collect();
        let non_signup: Vec<String> = spec
            .roles
            .iter()
            .filter(|(_, r)| !r.signup)
            .map(|(n, _)| n.clone())
            .collect();

        // Register with the default role.
        let email = self.email("visitor");
        let password = self.password("visitor");
        let r = self.register(&email, &password, None).and_then(|r| {
            if let Some(first) = signup.first() {
                expect(&r, 201, "POST /auth/register")?;
                let body = r.json();
                for key in ["user_id", "email", "role"] {
                    if body.get(key).is_none() {
                        return Err(format!("the answer lacks `{key}`: {}", r.body));
                    }
                }
                if body["role"] != json!(first) {
                    return Err(format!(
                        "the default role is the first signup role `{first}`, got {}",
                        body["role"]
                    ));
                }
                Ok(())
            } else {
                expect(&r, 403, "POST /auth/register with no signup role")
            }
        });
        self.record("auth.register", r);
        if signup.is_empty() {
            // The account the auth checks use comes from the user command.
            let Some(role) = self.plain_role() else {
                return;
            };
            let r = self.make_account(&email, &password, &role);
            if let Err(e) = r {
                self.record("auth.account", Err(e));
                return;
            }
        } else {
            self.signup_checks(&email, &password, &signup, &non_signup);
        }
        self.session_checks(&email, &password);
    }

    fn signup_checks(
        &mut self,
        email: &str,
        password: &str,
        signup: &[String],
        non_signup: &[String],
    ) {
        let r = self
            .register(email, password, None)
            .and_then(|r| expect(&r, 409, "registering a taken email"));
        self.record("auth.register_duplicate_email", r);

        let weak = self.email("weak");
        let r = self
            .register(&weak, "short", None)
            .and_then(|r| expect(&r, 422, "a password of 5 characters"));
        self.record("auth.register_weak_password", r);

        let r = (|| {
            for role in signup {
                let e = self.email("signup");
                let r = self.register(&e, password, Some(role))?;
                expect(
                    &r,
                    201,
                    &format!("registering with the signup role `{role}`"),
                )?;
                if r.json()["role"] != json!(role) {
                    return Err(format!("registered as `{role}`, got {}", r.body));
                }
            }
            for role in non_signup {
                let e = self.email("escalate");
                let r = self.register(&e, password, Some(role))?;
                expect(
                    &r,
                    422,
                    &format!("registering with the non-signup role `{role}`"),
                )?;
            }
            Ok(())
        })();
        self.record("auth.register_role_rules", r);
    }

    /// Login, cookies, me, CSRF, logout and lockout, for an account that
    /// exists.
    fn session_checks(&mut self, email: &str, password: &str) {
        let login = self.login(email, password);
        let r = login.as_ref().map_err(Clone::clone).and_then(|(_, r)| {
            expect(r, 200, "POST /auth/login")?;
            let body = r.json();
            for key in ["user_id", "email", "role", "csrf_token"] {
                if body.get(key).is_none() {
                    return Err(format!("the answer lacks `{key}`: {}", r.body));
                }
            }
            Ok(())
        });
        self.record("auth.login", r);
        let (mut session, login_resp) = match login {
            Ok(x) => x,
            Err(e) => (
                Session::default(),
                Resp {
                    status: 0,
                    headers: vec![],
                    body: e,
                },
            ),
        };
        let cookies = login_resp.set_cookies();
        let find = |name: &str| {
            cookies
                .iter()
                .find(|c| c.starts_with(&format!("{name}=")))
                .cloned()
        };
        let r = match find("session") {
            None => Err(format!(
                "login set no `session` cookie (Set-Cookie: {cookies:?})"
            )),
            Some(c) => {
                let attrs: Vec<String> = c
                    .split(';')
                    .skip(1)
                    .map(|a| a.trim().to_ascii_lowercase())
                    .collect();
                let has = |a: &str| attrs.iter().any(|x| x == a);
                if !has("httponly") {
                    Err(format!("the session cookie is not HttpOnly: {c}"))
                } else if !has("samesite=lax") {
                    Err(format!("the session cookie is not SameSite=Lax: {c}"))
                } else if !has("path=/") {
                    Err(format!("the session cookie is not Path=/: {c}"))
                } else if has("secure") {
                    Err(format!(
                        "the session cookie is Secure although COOKIE_SECURE=false: {c}"
                    ))
                } else {
                    Ok(())
                }
            }
        };
        self.record("auth.session_cookie_flags", r);
        let r = match find("csrf_token") {
            None => Err(format!(
                "login set no `csrf_token` cookie (Set-Cookie: {cookies:?})"
            )),
            Some(c) if c.to_ascii_lowercase().contains("httponly") => Err(format!(
                "the csrf_token cookie must be readable by scripts: {c}"
            )),
            Some(_) => Ok(()),
        };
        self.record("auth.csrf_cookie_readable", r);

        let me = self.api("/auth/me");
        let r = self
            .client
            .send(&mut session, "GET", &me, None, false, &[])
            .and_then(|r| {
                expect(&r, 200, "GET /auth/me")?;
                if r.json()["email"] != json!(email) {
                    return Err(format!("me is not the signed-in user: {}", r.body));
                }
                Ok(())
            });
        self.record("auth.me", r);
        let r = self
            .send(None, "GET", &me, None)
            .and_then(|r| expect(&r, 401, "GET /auth/me without a session"));
        self.record("auth.me_without_session", r);

        // One message for an unknown email and a wrong password.
        let r = (|| {
            let unknown_email = self.email("nobody");
            let (_, a) = self.login(&unknown_email, password)?;
            let (_, b) = self.login(email, "a wrong passphrase entirely")?;
            expect(&a, 401, "login with an unknown email")?;
            expect(&b, 401, "login with a wrong password")?;
            if a.json()["detail"] != b.json()["detail"] {
                return Err(format!(
                    "the messages differ: {} vs {}",
                    a.json()["detail"],
                    b.json()["detail"]
                ));
            }
            Ok(())
        })();
        self.record("auth.login_failure_uniform", r);

        // CSRF: a state change with a live session and no (or a wrong) token.
        let logout = self.api("/auth/logout");
        let r = self
            .client
            .send(&mut session, "POST", &logout, None, false, &[])
            .and_then(|r| expect(&r, 403, "POST /auth/logout without X-CSRF-Token"));
        self.record("auth.csrf_required", r);
        let r = self
            .client
            .send(
                &mut session,
                "POST",
                &logout,
                None,
                false,
                &[("X-CSRF-Token", "not-the-token")],
            )
            .and_then(|r| expect(&r, 403, "POST /auth/logout with a wrong X-CSRF-Token"));
        self.record("auth.csrf_wrong_token", r);

        // Logout revokes the session on the server.
        let r = (|| {
            let before = session.clone();
            let r = self
                .client
                .send(&mut session, "POST", &logout, None, true, &[])?;
            expect(&r, 204, "POST /auth/logout")?;
            let mut replay = before;
            let r = self
                .client
                .send(&mut replay, "GET", &me, None, false, &[])?;
            expect(
                &r,
                401,
                "GET /auth/me with the session cookie from before the logout",
            )
        })();
        self.record("auth.logout_revokes", r);
        let r = self
            .send(None, "POST", &logout, None)
            .and_then(|r| expect(&r, 204, "POST /auth/logout without a session"));
        self.record("auth.logout_without_session", r);

        // Lockout after five failures, the right password included.
        let r = (|| {
            let victim = self.email("lockout");
            let role = self.plain_role().ok_or("the spec has no role")?;
            self.make_account(&victim, password, &role)?;
            for i in 1..=5 {
                let (_, r) = self.login(&victim, "a wrong passphrase entirely")?;
                expect(&r, 401, &format!("failed login {i}"))?;
            }
            let (_, r) = self.login(&victim, password)?;
            expect(
                &r,
                429,
                "the sixth login (right password) after five failures",
            )?;
            match r.header("retry-after").map(|v| v.trim().parse::<u64>()) {
                Some(Ok(secs)) if secs > 0 => Ok(()),
                other => Err(format!("429 without a positive Retry-After: {other:?}")),
            }
        })();
        self.record("auth.lockout", r);
    }

    /// One signed-in user per role: signup roles register, the others are
    /// created through the project's user command.
    fn sign_in_roles(&mut self) {
        let spec = self.bp.spec();
        let roles: Vec<String> = spec.roles.keys().cloned().collect();
        for role in roles {
            let email = self.email(&role.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
            let password = self.password(&role);
            let made = self.make_account(&email, &password, &role);
            let mut user = User {
                role: role.clone(),
                email: email.clone(),
                password: password.clone(),
                session: Session::default(),
                id: None,
                broken: made.err(),
            };
            if user.broken.is_none() {
                match self.login(&email, &password) {
                    Ok((session, r)) if r.status == 200 => {
                        user.id = r.json()["user_id"].as_str().map(str::to_string);
                        user.session = session;
                    }
                    Ok((_, r)) => user.broken = Some(format!("login as `{role}`: {}", r.brief())),
                    Err(e) => user.broken = Some(e),
                }
            }
            self.users.push(user);
        }
    }

    fn headers(&mut self) {
        let r = self.send(None, "GET", &self.api("/auth/me"), None);
        let Ok(resp) = r else {
            let e = r.err().unwrap_or_default();
            for name in ["nosniff", "hsts", "referrer_policy", "csp"] {
                self.record(format!("headers.{name}"), Err(e.clone()));
            }
            return;
        };
        let has = |name: &str, pred: &dyn Fn(&str) -> bool| match resp.header(name) {
            Some(v) if pred(v) => Ok(()),
            Some(v) => Err(format!("`{name}: {v}` is not what the contract asks")),
            None => Err(format!("no `{name}` header on GET /auth/me")),
        };
        let r = has("x-content-type-options", &|v| {
            v.eq_ignore_ascii_case("nosniff")
        });
        self.record("headers.nosniff", r);
        let r = has("strict-transport-security", &|v| v.contains("max-age="));
        self.record("headers.hsts", r);
        let r = has("referrer-policy", &|v| {
            !v.trim().is_empty() && v != "unsafe-url"
        });
        self.record("headers.referrer_policy", r);
        let r = has("content-security-policy", &|v| {
            v.contains("default-src") && !v.contains("unsafe-inline") && !v.contains('*')
        });
        self.record("headers.csp", r);

        let id = format!("conformance-{}", self.nonce);
        let mut anon = Session::default();
        let path = self.api("/auth/me");
        let r = self
            .client
            .send(
                &mut anon,
                "GET",
                &path,
                None,
                false,
                &[("X-Request-ID", &id)],
            )
            .and_then(|r| match r.header("x-request-id") {
                Some(v) if v == id => Ok(()),
                other => Err(format!("sent X-Request-ID {id}, got {other:?}")),
            });
        self.record("headers.request_id_echo", r);
        let r = match resp.header("x-request-id") {
            Some(v) if !v.trim().is_empty() => Ok(()),
            _ => Err("no X-Request-ID created for a request without one".to_string()),
        };
        self.record("headers.request_id_created", r);
    }

    fn problems(&mut self) {
        let is_problem = |r: &Resp, status: u16| -> Check {
            expect(r, status, "the status")?;
            let ct = r.header("content-type").unwrap_or("");
            if !ct.starts_with("application/problem+json") {
                return Err(format!("content type `{ct}`, not application/problem+json"));
            }
            let body = r.json();
            if !body["type"].is_string()
                || !body["title"].is_string()
                || body["status"] != json!(status)
            {
                return Err(format!(
                    "not a problem document with type, title and status: {}",
                    r.body
                ));
            }
            Ok(())
        };
        let r = self
            .send(None, "GET", &self.api("/auth/me"), None)
            .and_then(|r| is_problem(&r, 401));
        self.record("problem.unauthorized", r);
        let entity = self.entities().first().map(|(n, _)| n.clone());
        if let (Some(entity), Some(admin)) = (entity, self.admin_index()) {
            let path = self.api(&format!(
                "/{}/00000000-0000-4000-8000-000000000000",
                self.collection(&entity)
            ));
            let r = self
                .send(Some(admin), "GET", &path, None)
                .and_then(|r| is_problem(&r, 404));
            self.record("problem.not_found", r);
            let path = self.api(&format!("/{}", self.collection(&entity)));
            let r = self
                .send(
                    Some(admin),
                    "POST",
                    &path,
                    Some(&json!({"no_such_field_x": 1})),
                )
                .and_then(|r| {
                    is_problem(&r, 422)?;
                    if r.json()["errors"].is_object() {
                        Ok(())
                    } else {
                        Err(format!("a 422 without an `errors` map: {}", r.body))
                    }
                });
            self.record("problem.validation", r);
        }
    }

    // ----- rows ----------------------------------------------------------

    /// A valid body for creating `entity` as user `who`; required relations
    /// point at rows `who` may read (created as needed).
    fn payload(&mut self, entity: &str, who: usize, depth: usize) -> Result<Value, String> {
        if depth > 8 {
            return Err(format!("the required relations of {entity} do not end"));
        }
        let e = self.bp.spec().entities[entity].clone();
        let mut body = Map::new();
        for (name, field) in &e.fields {
            let n = self.next();
            let key = name.clone();
            body.insert(key, values::valid(field, name, n, &self.nonce));
        }
        for (name, rel) in &e.relations {
            if !rel.required {
                continue;
            }
            let role = self.users[who].role.clone();
            let target_id = match self.scope(Some(&role), Action::Read, &rel.to) {
                Scope::All => {
                    let admin = self.admin_index().unwrap_or(who);
                    if rel.kind == RelationKind::OneToOne {
                        self.create_row(&rel.to, admin, depth + 1)?
                    } else {
                        self.shared_row(&rel.to, admin, depth + 1)?
                    }
                }
                Scope::Own => {
                    if self.scope(Some(&role), Action::Create, &rel.to) != Scope::All {
                        return Err(format!(
                            "`{role}` can neither read others' {} rows nor create its own",
                            rel.to
                        ));
                    }
                    if rel.kind == RelationKind::OneToOne {
                        self.create_row(&rel.to, who, depth + 1)?
                    } else {
                        self.shared_row(&rel.to, who, depth + 1)?
                    }
                }
                Scope::None => {
                    return Err(format!("`{role}` may not read {} rows", rel.to));
                }
            };
            let key = rel.json_name(name);
            let value = if rel.kind == RelationKind::ManyToMany {
                json!([target_id])
            } else {
                json!(target_id)
            };
            body.insert(key, value);
        }
        Ok(Value::Object(body))
    }

    fn create_row(&mut self, entity: &str, who: usize, depth: usize) -> Result<String, String> {
        let body = self.payload(entity, who, depth)?;
        let path = self.api(&format!("/{}", self.collection(entity)));
        let r = self.send(Some(who), "POST", &path, Some(&body))?;
        if r.status != 201 {
            return Err(format!(
                "creating a {entity} as `{}` ({body}): {}",
                self.users[who].role,
                r.brief()
            ));
        }
        r.json()["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the created {entity} has no id: {}", r.body))
    }

    fn shared_row(&mut self, entity: &str, who: usize, depth: usize) -> Result<String, String> {
        if let Some(id) = self.shared.get(&(entity.to_string(), who)) {
            return Ok(id.clone());
        }
        let id = self.create_row(entity, who, depth)?;
        self.shared.insert((entity.to_string(), who), id.clone());
        Ok(id)
    }

    fn entities_checks(&mut self) {
        let Some(admin) = self.admin_index() else {
            self.record(
                "entities.admin_user",
                Err("no admin user could sign in, so no entity checks ran".to_string()),
            );
            return;
        };
        for (name, entity) in self.entities() {
            if self.cancelled() {
                return;
            }
            let c = self.collection(&name);
            let path = self.api(&format!("/{c}"));
            // Create, read, update, delete.
            let r = (|| {
                let body = self.payload(&name, admin, 0)?;
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 201, &format!("POST /{c}"))?;
                let item = r.json();
                for key in ["id", "created_at", "updated_at"] {
                    if !item[key].is_string() {
                        return Err(format!("the created item lacks `{key}`: {}", r.body));
                    }
                }
                let id = item["id"].as_str().unwrap_or_default().to_string();
                let one = format!("{path}/{id}");
                let r = self.send(Some(admin), "GET", &one, None)?;
                expect(&r, 200, &format!("GET /{c}/{{id}}"))?;
                if r.json()["id"] != item["id"] {
                    return Err(format!("GET answered another row: {}", r.body));
                }
                let patch = self.update_body(&name);
                let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
                expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
                let r = self.send(Some(admin), "DELETE", &one, None)?;
                expect(&r, 204, &format!("DELETE /{c}/{{id}}"))?;
                let r = self.send(Some(admin), "GET", &one, None)?;
                expect(&r, 404, "GET after DELETE")
            })();
            self.record(format!("crud.{name}"), r);

            // Validation, per field rule.
            let base = match self.payload(&name, admin, 0) {
                Ok(b) => b,
                Err(e) => {
                    self.record(format!("validation.{name}"), Err(e));
                    continue;
                }
            };
            for (field_name, field) in &entity.fields {
                let key = field_name.clone();
                let mut cases: Vec<(&'static str, Option<Value>)> = Vec::new();
                if field.required {
                    cases.push(("required", None));
                }
                for (rule, v) in values::invalid(field) {
                    cases.push((rule, Some(v)));
                }
                for (rule, value) in cases {
                    let mut body = base.clone();
                    match &value {
                        None => {
                            body.as_object_mut().map(|o| o.remove(&key));
                        }
                        Some(v) => body[&key] = v.clone(),
                    }
                    let r = self
                        .send(Some(admin), "POST", &path, Some(&body))
                        .and_then(|r| {
                            expect(&r, 422, &format!("POST /{c} breaking `{key}` ({rule})"))?;
                            let errors = r.json()["errors"].clone();
                            let named = errors.as_object().is_some_and(|m| {
                                m.keys()
                                    .any(|k| k == &key || k.starts_with(&format!("{key}.")))
                            });
                            if named {
                                Ok(())
                            } else {
                                Err(format!(
                                    "the 422's `errors` do not name `{key}`: {}",
                                    r.body
                                ))
                            }
                        });
                    self.record(format!("validation.{name}.{field_name}.{rule}"), r);
                }
                if field.unique {
                    let r = (|| {
                        let body = self.payload(&name, admin, 0)?;
                        let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                        expect(&r, 201, &format!("POST /{c}"))?;
                        let mut again = self.payload(&name, admin, 0)?;
                        again[&key] = body[&key].clone();
                        let r = self.send(Some(admin), "POST", &path, Some(&again))?;
                        expect(&r, 409, &format!("POST /{c} with a taken `{key}`"))
                    })();
                    self.record(format!("validation.{name}.{field_name}.unique"), r);
                }
            }
            let r = (|| {
                let mut body = base.clone();
                body["no_such_field_x"] = json!("x");
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 422, &format!("POST /{c} with an unknown field"))
            })();
            self.record(format!("validation.{name}.unknown_field"), r);
            for (rel_name, rel) in &entity.relations {
                let key = rel.json_name(rel_name);
                let mut body = base.clone();
                let ghost = "00000000-0000-4000-8000-0000000000ff";
                body[&key] = if rel.kind == RelationKind::ManyToMany {
                    json!([ghost])
                } else {
                    json!(ghost)
                };
                let r = self
                    .send(Some(admin), "POST", &path, Some(&body))
                    .and_then(|r| expect(&r, 422, &format!("POST /{c} with a dangling `{key}`")));
                self.record(format!("relations.{name}.{rel_name}.dangling"), r);
            }

            self.restrict_checks(&name, &entity, admin);
            self.listing_checks(&name, &entity, admin);
            if entity.owned {
                self.owner_checks(&name, admin);
            }

            // Pagination.
            let r = (|| {
                let mut made = BTreeSet::new();
                for _ in 0..3 {
                    let body = self.payload(&name, admin, 0)?;
                    let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                    expect(&r, 201, &format!("POST /{c}"))?;
                    made.insert(r.json()["id"].as_str().unwrap_or_default().to_string());
                }
                let mut seen = BTreeSet::new();
                let mut cursor: Option<String> = None;
                for _ in 0..10_000 {
                    let url = match &cursor {
                        Some(cur) => format!("{path}?limit=2&cursor={}", encode(cur)),
                        None => format!("{path}?limit=2"),
                    };
                    let r = self.send(Some(admin), "GET", &url, None)?;
                    expect(&r, 200, &format!("GET /{c}?limit=2"))?;
                    let page = r.json();
                    let items = page["items"]
                        .as_array()
                        .ok_or_else(|| format!("no `items` list: {}", r.body))?;
                    if items.len() > 2 {
                        return Err(format!("limit=2 answered {} items", items.len()));
                    }
                    for item in items {
                        let id = item["id"].as_str().unwrap_or_default().to_string();
                        if !seen.insert(id.clone()) {
                            return Err(format!("{id} came twice while paging"));
                        }
                    }
                    match page["next_cursor"].as_str() {
                        Some(next) => cursor = Some(next.to_string()),
                        None => break,
                    }
                }
                let missing: Vec<_> = made.difference(&seen).collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!("paging never reached {missing:?}"))
                }
            })();
            self.record(format!("pagination.{name}.walk"), r);
            let r = self
                .send(
                    Some(admin),
                    "GET",
                    &format!("{path}?cursor=not-a-cursor"),
                    None,
                )
                .and_then(|r| expect(&r, 422, "a cursor the API did not issue"));
            self.record(format!("pagination.{name}.bad_cursor"), r);
            let r = (|| {
                for limit in ["0", "501", "x"] {
                    let r =
                        self.send(Some(admin), "GET", &format!("{path}?limit={limit}"), None)?;
                    expect(&r, 422, &format!("limit={limit}"))?;
                }
                Ok(())
            })();
            self.record(format!("pagination.{name}.bad_limit"), r);
        }
    }

    /// A row referred to through a `restrict` relation cannot be deleted
    /// (409).
    fn restrict_checks(&mut self, name: &str, entity: &Entity, admin: usize) {
        for (rel_name, rel) in &entity.relations {
            if rel.on_delete != OnDelete::Restrict || rel.kind == RelationKind::ManyToMany {
                continue;
            }
            let r = (|| {
                let target = self.create_row(&rel.to, admin, 0)?;
                let mut body = self.payload(name, admin, 0)?;
                body[rel.json_name(rel_name)] = json!(target);
                let path = self.api(&format!("/{}", self.collection(name)));
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 201, &format!("POST {path}"))?;
                let target_path = self.api(&format!("/{}/{target}", self.collection(&rel.to)));
                let r = self.send(Some(admin), "DELETE", &target_path, None)?;
                expect(
                    &r,
                    409,
                    &format!("DELETE {target_path} while a {name} refers to it"),
                )
            })();
            self.record(format!("relations.{name}.{rel_name}.restrict"), r);
        }
    }

    /// Filters and sorting: equality filters work, unknown and sensitive
    /// fields are 422.
    fn listing_checks(&mut self, name: &str, entity: &Entity, admin: usize) {
        let path = self.api(&format!("/{}", self.collection(name)));
        let r = (|| {
            for query in ["sort=no_such_field_x", "no_such_field_x=1"] {
                let r = self.send(Some(admin), "GET", &format!("{path}?{query}"), None)?;
                expect(&r, 422, &format!("GET {path}?{query}"))?;
            }
            Ok(())
        })();
        self.record(format!("listing.{name}.unknown_field"), r);
        let r = (|| {
            let r = self.send(
                Some(admin),
                "GET",
                &format!("{path}?sort=-created_at&limit=500"),
                None,
            )?;
            expect(&r, 200, &format!("GET {path}?sort=-created_at"))?;
            let stamps: Vec<String> = r.json()["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i["created_at"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if stamps.windows(2).all(|w| w[0] >= w[1]) {
                Ok(())
            } else {
                Err(format!("sort=-created_at is not newest first: {stamps:?}"))
            }
        })();
        self.record(format!("listing.{name}.sort"), r);
        let sensitive: Vec<String> = entity
            .fields
            .keys()
            .filter(|f| render::docs::facts::is_sensitive(self.bp, name, f))
            .cloned()
            .collect();
        if let Some(field) = sensitive.first() {
            let r = (|| {
                for query in [format!("sort={field}"), format!("{field}=x")] {
                    let r = self.send(Some(admin), "GET", &format!("{path}?{query}"), None)?;
                    expect(&r, 422, &format!("GET {path}?{query} (a sensitive field)"))?;
                }
                Ok(())
            })();
            self.record(format!("listing.{name}.sensitive_field"), r);
        }
        let filterable = entity.fields.iter().find(|(f, field)| {
            matches!(field.ty, FieldType::String | FieldType::Email)
                && !render::docs::facts::is_sensitive(self.bp, name, f)
        });
        if let Some((field, _)) = filterable {
            let r = (|| {
                let body = self.payload(name, admin, 0)?;
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 201, &format!("POST {path}"))?;
                let id = r.json()["id"].clone();
                let value = body[field].as_str().unwrap_or_default().to_string();
                let url = format!("{path}?{field}={}", encode(&value));
                let r = self.send(Some(admin), "GET", &url, None)?;
                expect(&r, 200, &format!("GET {url}"))?;
                let items = r.json()["items"].as_array().cloned().unwrap_or_default();
                if items.iter().any(|i| i[field] != json!(value)) {
                    return Err(format!(
                        "GET {url} answered rows with another `{field}`: {}",
                        r.body
                    ));
                }
                if !items.iter().any(|i| i["id"] == id) {
                    return Err(format!("GET {url} misses the row that has it"));
                }
                Ok(())
            })();
            self.record(format!("listing.{name}.filter"), r);
        }
    }

    /// `owner_id`: read-only, set on behalf of a user by admins only.
    fn owner_checks(&mut self, name: &str, admin: usize) {
        let path = self.api(&format!("/{}", self.collection(name)));
        let spec = self.bp.spec();
        let other = self.users.iter().position(|u| {
            u.broken.is_none()
                && u.id.is_some()
                && !spec.roles.get(&u.role).is_some_and(|r| r.admin)
        });
        let r = (|| {
            let body = self.payload(name, admin, 0)?;
            let r = self.send(Some(admin), "POST", &path, Some(&body))?;
            expect(&r, 201, &format!("POST {path}"))?;
            if r.json()["owner_id"] != json!(self.users[admin].id) {
                return Err(format!(
                    "the row an admin created is not owned by it: {}",
                    r.body
                ));
            }
            if let Some(o) = other {
                let mut body = self.payload(name, admin, 0)?;
                body["owner_id"] = json!(self.users[o].id);
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 201, &format!("POST {path} with owner_id, as an admin"))?;
                if r.json()["owner_id"] != json!(self.users[o].id) {
                    return Err(format!("an admin's owner_id was not kept: {}", r.body));
                }
                let role = self.users[o].role.clone();
                if self.scope(Some(&role), Action::Create, name) == Scope::All {
                    if let Ok(mut body) = self.payload(name, o, 0) {
                        body["owner_id"] = json!(self.users[admin].id);
                        let r = self.send(Some(o), "POST", &path, Some(&body))?;
                        expect(&r, 422, &format!("POST {path} with owner_id, as `{role}`"))?;
                    }
                }
            }
            Ok(())
        })();
        self.record(format!("owned.{name}.owner_id"), r);
    }

    /// A PATCH body changing one field (the first one not unique), or an
    /// empty one.
    fn update_body(&mut self, entity: &str) -> Value {
        let e = self.bp.spec().entities[entity].clone();
        let n = self.next();
        match e.fields.iter().find(|(_, f)| !f.unique) {
            Some((name, field)) => {
                let key = name.clone();
                json!({ key: values::valid(field, name, n, &self.nonce) })
            }
            None => json!({}),
        }
    }

    // ----- access ----------------------------------------------------------

    fn access(&mut self) {
        let Some(admin) = self.admin_index() else {
            return;
        };
        for (name, _) in self.entities() {
            for action in Action::ALL {
                if self.cancelled() {
                    return;
                }
                let r = self.access_case(&name, action, None, admin);
                self.record(format!("access.{name}.{action}.anonymous"), r);
                for who in 0..self.users.len() {
                    let role = self.users[who].role.clone();
                    let r = match self.users[who].broken.clone() {
                        Some(why) => Err(why),
                        None => self.access_case(&name, action, Some(who), admin),
                    };
                    self.record(format!("access.{name}.{action}.{role}"), r);
                }
            }
        }
    }

    /// Checks one role (or a visitor) against one action on one entity, on
    /// a row someone else (an admin) owns and, for `own` scopes, on its
    /// own row.
    fn access_case(
        &mut self,
        entity: &str,
        action: Action,
        who: Option<usize>,
        admin: usize,
    ) -> Check {
        let role = who.map(|i| self.users[i].role.clone());
        let label = role.clone().unwrap_or_else(|| "a visitor".to_string());
        let c = self.collection(entity);
        let path = self.api(&format!("/{c}"));
        let scope = self.scope(role.as_deref(), action, entity);
        let read = self.scope(role.as_deref(), Action::Read, entity);
        let public = self.bp.who_can(action, entity).contains(&Subject::Public);
        let denied = if who.is_none() && !public { 401 } else { 403 };

        // A row the caller does not own (fresh for deletes).
        let foreign = if action == Action::Delete {
            self.create_row(entity, admin, 0)?
        } else {
            self.shared_row(entity, admin, 0)?
        };
        let one = format!("{path}/{foreign}");
        let (method, url, body, ok) = match action {
            Action::Create => {
                let body = match who {
                    Some(i) if scope == Scope::All => {
                        // None: the caller may not read what the row must
                        // point at (422).
                        self.payload(entity, i, 0).ok()
                    }
                    _ => None,
                };
                match body {
                    Some(b) => ("POST", path.clone(), Some(b), 201),
                    None if scope == Scope::All && who.is_some() => {
                        let b = self.payload(entity, admin, 0)?;
                        ("POST", path.clone(), Some(b), 422)
                    }
                    None => {
                        let b = self.payload(entity, admin, 0)?;
                        ("POST", path.clone(), Some(b), 201)
                    }
                }
            }
            Action::Read => ("GET", one.clone(), None, 200),
            Action::Update => ("PATCH", one.clone(), Some(self.update_body(entity)), 200),
            Action::Delete => ("DELETE", one.clone(), None, 204),
        };
        let visible = read == Scope::All;
        let expected = if scope == Scope::None {
            denied
        } else if action == Action::Create {
            ok
        } else if !visible {
            404
        } else if scope == Scope::Own {
            403
        } else {
            ok
        };
        let r = self.send(who, method, &url, body.as_ref())?;
        expect(
            &r,
            expected,
            &format!("{label}: {method} {url} (someone else's row)"),
        )?;

        if action == Action::Read && scope != Scope::None {
            let r = self.send(who, "GET", &format!("{path}?limit=500"), None)?;
            expect(&r, 200, &format!("{label}: GET /{c}"))?;
            let listed = r.json()["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["id"] == json!(foreign)));
            if scope == Scope::Own && listed {
                return Err(format!("{label} sees someone else's row in GET /{c}"));
            }
        }
        // An `own` scope acts on the caller's own rows.
        if let (Scope::Own, Some(i)) = (scope, who) {
            if self.scope(role.as_deref(), Action::Create, entity) == Scope::All {
                let mine = self.create_row(entity, i, 0)?;
                let own = format!("{path}/{mine}");
                let (method, body, ok) = match action {
                    Action::Read => ("GET", None, 200),
                    Action::Update => ("PATCH", Some(self.update_body(entity)), 200),
                    _ => ("DELETE", None, 204),
                };
                let r = self.send(who, method, &own, body.as_ref())?;
                expect(&r, ok, &format!("{label}: {method} its own row"))?;
            }
        }
        Ok(())
    }

    // ----- account, audit, admin ---------------------------------------------

    fn account(&mut self) {
        let Some(role) = self.plain_role() else {
            return;
        };
        let r = (|| -> Result<usize, String> {
            let email = self.email("gdpr");
            let password = self.password(&role);
            self.make_account(&email, &password, &role)?;
            let (session, r) = self.login(&email, &password)?;
            expect(&r, 200, "login of the GDPR account")?;
            let user_id = r.json()["user_id"].clone();
            self.users.push(User {
                role: role.clone(),
                email: email.clone(),
                password: password.clone(),
                session,
                id: user_id.as_str().map(str::to_string),
                broken: None,
            });
            Ok(self.users.len() - 1)
        })();
        let who = match r {
            Ok(w) => w,
            Err(e) => {
                self.record("gdpr.export", Err(e.clone()));
                self.record("gdpr.erasure", Err(e));
                return;
            }
        };
        // A row the account owns, when its role may create one.
        let owned: Option<(String, String)> = self
            .entities()
            .into_iter()
            .filter(|(_, e)| e.owned)
            .find(|(n, _)| self.scope(Some(&role), Action::Create, n) == Scope::All)
            .and_then(|(n, _)| self.create_row(&n, who, 0).ok().map(|id| (n, id)));
        let export = self.api("/me/export");
        let r = self.send(Some(who), "GET", &export, None).and_then(|r| {
            expect(&r, 200, "GET /me/export")?;
            let body = r.json();
            if body["account"]["user_id"] != json!(self.users[who].id)
                || body["account"]["email"] != json!(self.users[who].email)
            {
                return Err(format!(
                    "the export's `account` is not the caller: {}",
                    r.body
                ));
            }
            if !body["data"].is_object() {
                return Err(format!("the export has no `data` object: {}", r.body));
            }
            if let Some((entity, id)) = &owned {
                let has = body["data"][entity]
                    .as_array()
                    .is_some_and(|rows| rows.iter().any(|row| row["id"] == json!(id)));
                if !has {
                    return Err(format!("the export lacks the caller's {entity} {id}"));
                }
            }
            Ok(())
        });
        self.record("gdpr.export", r);
        let me = self.api("/me");
        let r = (|| {
            let r = self.send(Some(who), "DELETE", &me, None)?;
            expect(&r, 204, "DELETE /me")?;
            let (email, password) = (
                self.users[who].email.clone(),
                self.users[who].password.clone(),
            );
            let (_, r) = self.login(&email, &password)?;
            expect(&r, 401, "login after erasure")
        })();
        self.record("gdpr.erasure", r);
        // The account is gone (or should be): later checks must not use it.
        self.users.remove(who);
    }

    fn admin(&mut self) {
        let Some(admin) = self.admin_index() else {
            return;
        };
        let spec = self.bp.spec();
        let others: Vec<usize> = (0..self.users.len())
            .filter(|&i| {
                self.users[i].broken.is_none()
                    && !spec.roles.get(&self.users[i].role).is_some_and(|r| r.admin)
            })
            .collect();
        for (check, path) in [
            ("audit", self.api("/admin/audit-events")),
            ("admin_users", self.api("/admin/users")),
        ] {
            let r = self.send(Some(admin), "GET", &path, None).and_then(|r| {
                expect(&r, 200, &format!("GET {path} as an admin"))?;
                if r.json()["items"].is_array() {
                    Ok(())
                } else {
                    Err(format!("no `items` list: {}", r.body))
                }
            });
            self.record(format!("{check}.admin_allowed"), r);
            let r = (|| {
                for &i in &others {
                    let role = self.users[i].role.clone();
                    let r = self.send(Some(i), "GET", &path, None)?;
                    expect(&r, 403, &format!("GET {path} as `{role}`"))?;
                }
                let r = self.send(None, "GET", &path, None)?;
                expect(&r, 401, &format!("GET {path} without a session"))
            })();
            self.record(format!("{check}.others_forbidden"), r);
        }
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

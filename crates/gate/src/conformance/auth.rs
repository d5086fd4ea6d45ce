//! Register, sign in and out, sessions, cookies, CSRF and lockout: the contract's auth table and its precise rules.

use super::*;

impl<'a> Suite<'a> {
    /// A password for an account of `role`, as long as the password
    /// control asks (padded, or cut to its longest).
    pub(super) fn password(&self, role: &str) -> String {
        crate::fit_password(
            format!("{role} {} {PASSWORD_TAIL}", self.nonce),
            &self.model.params,
        )
    }

    /// A password one character shorter than the password control allows.
    pub(super) fn weak_password(&self) -> String {
        let len = self.model.params.password_min_length.saturating_sub(1);
        "s".repeat(len as usize)
    }

    pub(super) fn email(&mut self, what: &str) -> String {
        let n = self.next();
        format!("{what}.{n}.{}@example.com", self.nonce)
    }

    pub(super) fn login(&mut self, email: &str, password: &str) -> Result<(Session, Resp), String> {
        self.login_with(email, password, &[])
    }

    /// A login sending more headers (`X-Forwarded-For`, say).
    pub(super) fn login_with(
        &mut self,
        email: &str,
        password: &str,
        extra: &[(&str, &str)],
    ) -> Result<(Session, Resp), String> {
        let mut session = Session::default();
        let resp = self.client.send(
            &mut session,
            "POST",
            &self.api("/auth/login"),
            Some(&json!({"email": email, "password": password})),
            false,
            extra,
        )?;
        Ok((session, resp))
    }

    pub(super) fn register(
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
    pub(super) fn plain_role(&self) -> Option<RoleId> {
        let model = self.model;
        model
            .signup_roles()
            .next()
            .or_else(|| model.roles.iter().find(|r| !r.admin))
            .or_else(|| model.roles.first())
            .map(|r| r.id)
    }

    /// An account of `role`: registered when it is a signup role, else
    /// created through the project's user command.
    pub(super) fn make_account(&mut self, email: &str, password: &str, role: RoleId) -> Check {
        let model = self.model;
        let role = &model.roles[role.0];
        let (signup, role) = (role.signup, role.name.as_str());
        if signup {
            let r = self.register(email, password, Some(role))?;
            expect(
                &r,
                self.register_status(),
                &format!("registering a `{role}` account"),
            )
        } else {
            match self.opts.create_user {
                Some(create) => create(email, password, role),
                None => Err(format!(
                    "no way to create a `{role}` user (it is not a signup role)"
                )),
            }
        }
    }

    /// What a successful registration answers: 202 with email (the answer
    /// never tells whether the email was taken), else 201.
    pub(super) fn register_status(&self) -> u16 {
        if self.model.email.is_some() {
            202
        } else {
            201
        }
    }

    /// With email, a registration's answer is 202 with an empty object,
    /// whatever the email: nothing in it may tell a new email from a taken
    /// one.
    fn expect_accepted(r: &Resp, what: &str) -> Check {
        expect(r, 202, what)?;
        if r.json() != json!({}) {
            return Err(format!("{what}: 202 with `{{}}` expected, got {}", r.body));
        }
        Ok(())
    }

    /// The role an account got, read back by signing in.
    fn role_after_login(&mut self, email: &str, password: &str) -> Result<Value, String> {
        let (_, r) = self.login(email, password)?;
        expect(&r, 200, "signing in right after registering")?;
        Ok(r.json()["role"].clone())
    }

    pub(super) fn auth(&mut self) {
        let model = self.model;
        let signup: Vec<String> = model.signup_roles().map(|r| r.name.clone()).collect();
        let non_signup: Vec<String> = model
            .roles
            .iter()
            .filter(|r| !r.signup)
            .map(|r| r.name.clone())
            .collect();

        // Register with the default role.
        let email = self.email("visitor");
        let password = self.password("visitor");
        let email_configured = model.email.is_some();
        let r = self.register(&email, &password, None).and_then(|r| {
            if let (Some(first), true) = (signup.first(), email_configured) {
                Self::expect_accepted(&r, "POST /auth/register")?;
                let role = self.role_after_login(&email, &password)?;
                if role != json!(first) {
                    return Err(format!(
                        "the default role is the first signup role `{first}`, got {role}"
                    ));
                }
                Ok(())
            } else if let Some(first) = signup.first() {
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
            let r = self.make_account(&email, &password, role);
            if let Err(e) = r {
                self.record("auth.account", Err(e));
                return;
            }
        } else {
            self.signup_checks(&email, &password, &signup, &non_signup);
        }
        self.session_checks(&email, &password);
    }

    pub(super) fn signup_checks(
        &mut self,
        email: &str,
        password: &str,
        signup: &[String],
        non_signup: &[String],
    ) {
        if self.model.email.is_some() {
            // The same answer for a taken email as for a new one.
            let r = self.register(email, password, None).and_then(|r| {
                Self::expect_accepted(&r, "registering a taken email (no enumeration)")
            });
            self.record("auth.register_duplicate_email", r);
            self.password_reset_checks(email);
        } else {
            let r = self
                .register(email, password, None)
                .and_then(|r| expect(&r, 409, "registering a taken email"));
            self.record("auth.register_duplicate_email", r);
        }

        let weak = self.email("weak");
        let short = self.weak_password();
        let what = format!("a password of {} characters", short.chars().count());
        let r = self
            .register(&weak, &short, None)
            .and_then(|r| expect(&r, 422, &what));
        self.record("auth.register_weak_password", r);

        let r = (|| {
            for role in signup {
                let e = self.email("signup");
                let r = self.register(&e, password, Some(role))?;
                let what = format!("registering with the signup role `{role}`");
                let got = if self.model.email.is_some() {
                    Self::expect_accepted(&r, &what)?;
                    self.role_after_login(&e, password)?
                } else {
                    expect(&r, 201, &what)?;
                    r.json()["role"].clone()
                };
                if got != json!(role) {
                    return Err(format!("registered as `{role}`, got {got}"));
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

    /// With email: a reset request answers 202 `{}` for a registered email
    /// and for an unknown one alike, and a made-up reset or verification
    /// token is refused.
    fn password_reset_checks(&mut self, registered: &str) {
        let unknown = self.email("unknown");
        let r = (|| {
            for (email, what) in [
                (registered, "a registered"),
                (unknown.as_str(), "an unknown"),
            ] {
                let mut session = Session::default();
                let r = self.client.send(
                    &mut session,
                    "POST",
                    &self.api("/auth/password-reset"),
                    Some(&json!({ "email": email })),
                    false,
                    &[],
                )?;
                Self::expect_accepted(&r, &format!("POST /auth/password-reset for {what} email"))?;
            }
            Ok(())
        })();
        self.record("auth.password_reset_no_enumeration", r);
        let r = (|| {
            let token = format!("made-up-{}", self.nonce);
            let password = self.password("reset");
            for (path, body) in [
                ("/auth/verify-email", json!({ "token": token })),
                (
                    "/auth/password-reset/confirm",
                    json!({ "token": token, "password": password }),
                ),
            ] {
                let mut session = Session::default();
                let r = self.client.send(
                    &mut session,
                    "POST",
                    &self.api(path),
                    Some(&body),
                    false,
                    &[],
                )?;
                expect(&r, 422, &format!("POST {path} with a made-up token"))?;
            }
            Ok(())
        })();
        self.record("auth.email_tokens_refused", r);
        self.mailed_link_checks();
    }

    /// With email, the links the app mails work once: the verification
    /// link marks the address verified, and the reset link sets a new
    /// password and signs the account out everywhere (read from the outbox,
    /// as the worker would send them).
    fn mailed_link_checks(&mut self) {
        let email = self.email("mailed");
        let password = self.password("mailed");
        let renewed = self.password("renewed");
        let reader = self.opts.read_mail;
        let r = (|| {
            let read = reader.ok_or("the suite was given no way to read the app's mail outbox")?;
            let r = self.register(&email, &password, None)?;
            Self::expect_accepted(&r, "registering a new email")?;
            let token = mailed_token(read, &email, "registering")?;
            let (mut session, r) = self.login(&email, &password)?;
            expect(&r, 200, "signing in before verifying")?;
            let verified = |suite: &mut Self, session: &mut Session| -> Result<Value, String> {
                let r =
                    suite
                        .client
                        .send(session, "GET", &suite.api("/auth/me"), None, false, &[])?;
                expect(&r, 200, "GET /auth/me")?;
                Ok(r.json()["email_verified"].clone())
            };
            if verified(self, &mut session)? != json!(false) {
                return Err("`email_verified` is not false before the link is followed".into());
            }
            for (attempt, status) in [("following", 204), ("following again", 422)] {
                let r = self.client.send(
                    &mut Session::default(),
                    "POST",
                    &self.api("/auth/verify-email"),
                    Some(&json!({ "token": token })),
                    false,
                    &[],
                )?;
                expect(
                    &r,
                    status,
                    &format!("{attempt} the mailed verification link"),
                )?;
            }
            if verified(self, &mut session)? != json!(true) {
                return Err("`email_verified` is not true after the link was followed".into());
            }
            Ok(())
        })();
        self.record("auth.email_verification_link", r);
        let r = (|| {
            let read = reader.ok_or("the suite was given no way to read the app's mail outbox")?;
            let (mut session, r) = self.login(&email, &password)?;
            expect(&r, 200, "signing in before the reset")?;
            let r = self.client.send(
                &mut Session::default(),
                "POST",
                &self.api("/auth/password-reset"),
                Some(&json!({ "email": email })),
                false,
                &[],
            )?;
            Self::expect_accepted(&r, "asking for a reset")?;
            let token = mailed_token(read, &email, "asking for a reset")?;
            for (attempt, status) in [("using", 204), ("using again", 422)] {
                let r = self.client.send(
                    &mut Session::default(),
                    "POST",
                    &self.api("/auth/password-reset/confirm"),
                    Some(&json!({ "token": token, "password": renewed })),
                    false,
                    &[],
                )?;
                expect(&r, status, &format!("{attempt} the mailed reset link"))?;
            }
            let r =
                self.client
                    .send(&mut session, "GET", &self.api("/auth/me"), None, false, &[])?;
            expect(&r, 401, "the session from before the reset, afterwards")?;
            let (_, r) = self.login(&email, &password)?;
            expect(
                &r,
                401,
                "signing in with the password from before the reset",
            )?;
            let (_, r) = self.login(&email, &renewed)?;
            expect(&r, 200, "signing in with the new password")
        })();
        self.record("auth.password_reset_revokes_sessions", r);
    }

    /// Login, cookies, me, CSRF, logout and lockout, for an account that
    /// exists.
    pub(super) fn session_checks(&mut self, email: &str, password: &str) {
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

        // Lockout after the control's number of failures, the right
        // password included.
        let failures = self.model.params.lockout_max_failures;
        let r = (|| {
            let victim = self.email("lockout");
            let role = self.plain_role().ok_or("the spec has no role")?;
            self.make_account(&victim, password, role)?;
            for i in 1..=failures {
                let (_, r) = self.login(&victim, "a wrong passphrase entirely")?;
                expect(&r, 401, &format!("failed login {i}"))?;
            }
            let (_, r) = self.login(&victim, password)?;
            expect(
                &r,
                429,
                &format!(
                    "login {} (right password) after {failures} failures",
                    failures + 1
                ),
            )?;
            match r.header("retry-after").map(|v| v.trim().parse::<u64>()) {
                Some(Ok(secs)) if secs > 0 => Ok(()),
                other => Err(format!("429 without a positive Retry-After: {other:?}")),
            }
        })();
        self.record("auth.lockout", r);

        // A client cannot escape the lockout by naming another address in
        // `X-Forwarded-For`: the gate's requests come straight from its
        // peer, which is no trusted proxy.
        let r = (|| {
            let victim = self.email("lockout-forwarded");
            let role = self.plain_role().ok_or("the spec has no role")?;
            self.make_account(&victim, password, role)?;
            for i in 1..=failures {
                let spoofed = format!("198.51.100.{i}");
                let (_, r) = self.login_with(
                    &victim,
                    "a wrong passphrase entirely",
                    &[("X-Forwarded-For", &spoofed)],
                )?;
                expect(
                    &r,
                    401,
                    &format!("failed login {i} with X-Forwarded-For {spoofed}"),
                )?;
            }
            let (_, r) =
                self.login_with(&victim, password, &[("X-Forwarded-For", "203.0.113.9")])?;
            expect(
                &r,
                429,
                &format!(
                    "login {} (right password, yet another X-Forwarded-For) after {failures} failures",
                    failures + 1
                ),
            )
        })();
        self.record("auth.lockout_ignores_forwarded_for", r);
    }

    /// One signed-in user per role: signup roles register, the others are
    /// created through the project's user command.
    pub(super) fn sign_in_roles(&mut self) {
        let model = self.model;
        for r in &model.roles {
            let role = r.name.as_str();
            let email = self.email(&role.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
            let password = self.password(role);
            let made = self.make_account(&email, &password, r.id);
            let mut user = User {
                role: r.id,
                role_name: role.to_string(),
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
}

/// The token of the latest link mailed to `email` (`…?token=…` in the
/// mail's text).
fn mailed_token(read: &MailReader<'_>, email: &str, after: &str) -> Result<String, String> {
    let text = read(email)?.ok_or_else(|| format!("no mail to {email} after {after}"))?;
    let token: String = text
        .split("token=")
        .nth(1)
        .ok_or_else(|| format!("the mail to {email} after {after} carries no `token=` link"))?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%'))
        .collect();
    if token.is_empty() {
        return Err(format!(
            "the link mailed to {email} after {after} has an empty token"
        ));
    }
    Ok(token)
}

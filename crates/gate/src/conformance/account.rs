//! The caller's own data (GDPR export and erasure) and the admin endpoints (users, audit events).

use super::*;

impl<'a> Suite<'a> {
    pub(super) fn account(&mut self) {
        let Some(role) = self.plain_role() else {
            return;
        };
        let r = (|| -> Result<usize, String> {
            let email = self.email("gdpr");
            let password = self.password(&self.model.roles[role.0].name);
            self.make_account(&email, &password, role)?;
            let (session, r) = self.login(&email, &password)?;
            expect(&r, 200, "login of the GDPR account")?;
            let user_id = r.json()["user_id"].clone();
            self.users.push(User {
                role,
                role_name: self.model.roles[role.0].name.clone(),
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
        let model = self.model;
        let owned: Option<(&str, String)> = model
            .owned()
            .find(|e| self.scope(Some(who), Action::Create, e.id) == Scope::All)
            .and_then(|e| {
                self.create_row(e.id, who, 0)
                    .ok()
                    .map(|id| (e.name.as_str(), id))
            });
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
                let has = body["data"][*entity]
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

    pub(super) fn admin(&mut self) {
        let Some(admin) = self.admin_index() else {
            return;
        };
        let others: Vec<usize> = (0..self.users.len())
            .filter(|&i| self.users[i].broken.is_none() && !self.is_admin(self.users[i].role))
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
                    let role = self.users[i].role_name.clone();
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

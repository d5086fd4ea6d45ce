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
        // A row of each owned entity the account's role may create, its
        // parents made as the account where the role may (so the erasure
        // meets links between the account's own rows); the export must
        // hold the first. Making room for a later one (a unique field with
        // few values) must not delete an earlier one.
        let model = self.model;
        let mut made: Vec<(EntityId, String)> = Vec::new();
        for e in model.owned() {
            if self.scope(Some(who), Action::Create, e.id) == Scope::All {
                if let Ok(id) = self.create_row(e.id, who, 0) {
                    self.held.insert(id.clone());
                    made.push((e.id, id));
                }
            }
        }
        let owned: Option<(&str, String)> = made
            .first()
            .map(|(e, id)| (model.get(*e).name.as_str(), id.clone()));
        let owned_rows = self.rows_owned_by(who, &made);
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
        self.held.clear();
        let me = self.api("/me");
        let r = (|| {
            let r = self.send(Some(who), "DELETE", &me, None)?;
            expect(&r, 204, "DELETE /me")?;
            let (email, password) = (
                self.users[who].email.clone(),
                self.users[who].password.clone(),
            );
            let (_, r) = self.login(&email, &password)?;
            expect(&r, 401, "login after erasure")?;
            self.rows_are_gone(&owned_rows)
        })();
        self.record("gdpr.erasure", r);
        // The account is gone (or should be): later checks must not use it,
        // nor the rows made as it.
        self.users.remove(who);
        self.shared.retain(|(_, creator), _| *creator != who);
    }

    /// The rows of `made` and the shared rows made as `who` (parents) that
    /// `who` owns, as their `owner_id` says when `who` reads them.
    fn rows_owned_by(
        &mut self,
        who: usize,
        made: &[(EntityId, String)],
    ) -> Vec<(EntityId, String)> {
        let mut rows: Vec<(EntityId, String)> = made.to_vec();
        let mut parents: Vec<(EntityId, String)> = self
            .shared
            .iter()
            .filter(|((_, creator), _)| *creator == who)
            .map(|((entity, _), id)| (*entity, id.clone()))
            .collect();
        parents.sort();
        rows.extend(parents);
        let user = json!(self.users[who].id);
        rows.into_iter()
            .filter(|(entity, id)| {
                let one = format!("{}/{id}", self.collection_path(*entity));
                self.model.get(*entity).is_owned()
                    && self
                        .send(Some(who), "GET", &one, None)
                        .is_ok_and(|r| r.status == 200 && r.json()["owner_id"] == user)
            })
            .collect()
    }

    /// After an erasure: each of `rows` answers 404 to an admin who may
    /// read every row of its entity (the others cannot be asked).
    fn rows_are_gone(&mut self, rows: &[(EntityId, String)]) -> Check {
        let Some(admin) = self.admin_index() else {
            return Ok(());
        };
        for (entity, id) in rows {
            if self.scope(Some(admin), Action::Read, *entity) != Scope::All {
                continue;
            }
            let one = format!("{}/{id}", self.collection_path(*entity));
            let r = self.send(Some(admin), "GET", &one, None)?;
            let name = &self.model.get(*entity).name;
            expect(
                &r,
                404,
                &format!("the erased account's {name} {id}, read by an admin"),
            )?;
        }
        Ok(())
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

//! Every role × action × entity of the spec's access rules: 401, 403 and 404 where the rules say.

use super::*;

impl<'a> Suite<'a> {
    pub(super) fn access(&mut self) {
        let Some(admin) = self.admin_index() else {
            return;
        };
        for entity in self.entities() {
            let name = self.model.get(entity).name.as_str();
            for action in Action::ALL {
                if self.cancelled() {
                    return;
                }
                let r = self.access_case(entity, action, None, admin);
                self.record(format!("access.{name}.{action}.anonymous"), r);
                for who in 0..self.users.len() {
                    let role = self.users[who].role_name.clone();
                    let r = match self.users[who].broken.clone() {
                        Some(why) => Err(why),
                        None => self.access_case(entity, action, Some(who), admin),
                    };
                    self.record(format!("access.{name}.{action}.{role}"), r);
                }
            }
        }
    }

    /// The status the access table demands of user `who` (None: a visitor)
    /// doing `action` on `entity`, on a row of `row` (the row is ignored
    /// for creates and for entities whose rows are not owned). Visitors
    /// may do what is public: the table lists only what they are refused
    /// and public reads.
    pub(super) fn expected(
        &self,
        entity: EntityId,
        action: Action,
        who: Option<usize>,
        row: RowOwner,
    ) -> u16 {
        let role = who.map(|i| self.users[i].role);
        let owned = self.model.get(entity).is_owned();
        let row = (owned && action != Action::Create).then_some(row);
        self.model
            .access_cases_of(entity)
            .into_iter()
            .find(|c| c.action == action && c.role == role && c.row == row)
            .map(|c| c.status)
            .unwrap_or(match action {
                Action::Create => 201,
                Action::Read | Action::Update => 200,
                Action::Delete => 204,
            })
    }

    /// The body of a create by `who` (None: a visitor): the caller's own
    /// payload when it may create; else (when it may not read what the row
    /// must point at, or may update no parent to put a row owned through a
    /// relation under) the admin's, whose links it cannot make, so a 201
    /// `expected` becomes 422.
    fn create_body(
        &mut self,
        entity: EntityId,
        who: Option<usize>,
        admin: usize,
        expected: &mut u16,
    ) -> Result<Value, String> {
        let own = match who {
            Some(i)
                if *expected == 201 && self.model.may_create(entity, Some(self.users[i].role)) =>
            {
                self.payload(entity, i, 0).ok()
            }
            _ => None,
        };
        match own {
            Some(b) => Ok(b),
            None => {
                if *expected == 201 && who.is_some() {
                    *expected = 422;
                }
                self.payload(entity, admin, 0)
            }
        }
    }

    /// Checks one role (or a visitor) against one action on one entity, on
    /// a row someone else (an admin) owns and, for `own` scopes, on its
    /// own row.
    pub(super) fn access_case(
        &mut self,
        entity: EntityId,
        action: Action,
        who: Option<usize>,
        admin: usize,
    ) -> Check {
        let label = match who {
            Some(i) => self.users[i].role_name.clone(),
            None => "a visitor".to_string(),
        };
        let c = &self.model.get(entity).collection;
        let path = self.collection_path(entity);
        let scope = self.scope(who, action, entity);
        let mut expected = self.expected(entity, action, who, RowOwner::Other);

        // A row the caller does not own (fresh for deletes).
        let foreign = if action == Action::Delete {
            self.create_row(entity, admin, 0)?
        } else {
            self.shared_row(entity, admin, 0)?
        };
        let one = format!("{path}/{foreign}");
        let (method, url, body) = match action {
            Action::Create => {
                let body = self.create_body(entity, who, admin, &mut expected)?;
                ("POST", path.clone(), Some(body))
            }
            Action::Read => ("GET", one.clone(), None),
            Action::Update => ("PATCH", one.clone(), Some(self.update_body(entity))),
            Action::Delete => ("DELETE", one.clone(), None),
        };
        let mut r = match (method, &body) {
            ("POST", Some(body)) => self.post_new(who, entity, body)?,
            _ => self.send(who, method, &url, body.as_ref())?,
        };
        // A unique field's sample may come round again (a short text keeps
        // only the counter's last digits): a 409 there is the suite's
        // collision, not the rule's answer, so a fresh body is sent, as
        // `create_row` does.
        let unique = self.model.get(entity).fields.iter().any(|f| f.rules.unique);
        let mut attempt = 0;
        while method == "POST" && unique && r.status == 409 && attempt < 5 {
            attempt += 1;
            for _ in 0..attempt {
                self.next();
            }
            let body = self.create_body(entity, who, admin, &mut expected)?;
            r = self.post_new(who, entity, &body)?;
        }
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
            let role = self.users[i].role;
            if self.model.may_own(entity, Some(role)) {
                let mine = self.create_row(entity, i, 0)?;
                let own = format!("{path}/{mine}");
                let (method, body) = match action {
                    Action::Read => ("GET", None),
                    Action::Update => ("PATCH", Some(self.update_body(entity))),
                    _ => ("DELETE", None),
                };
                let status = self.expected(entity, action, who, RowOwner::Mine);
                let r = self.send(who, method, &own, body.as_ref())?;
                expect(&r, status, &format!("{label}: {method} its own row"))?;
            }
        }
        Ok(())
    }
}

//! Every role × action × entity of the spec's access rules: 401, 403 and 404 where the rules say.

use super::*;

impl<'a> Suite<'a> {
    pub(super) fn access(&mut self) {
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
    pub(super) fn access_case(
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
}

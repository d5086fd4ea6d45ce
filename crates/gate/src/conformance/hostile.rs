//! Hostile input: text PostgreSQL cannot hold (a NUL character) in a body,
//! a filter and a login, a row id that is no UUID, and a method a path
//! does not serve. Each gets the answer the OpenAPI document lists for it
//! (422 naming the field, 405 with `Allow`), never a 500.

use super::*;

/// A UUID no row has.
const NO_ROW: &str = "00000000-0000-4000-8000-000000000000";

/// Whether a 422 names `field` in its `errors`.
fn names_field(r: &Resp, field: &str, what: &str) -> Check {
    expect(r, 422, what)?;
    if r.json()["errors"].get(field).is_some() {
        Ok(())
    } else {
        Err(format!(
            "{what}: the 422's `errors` do not name `{field}`: {}",
            r.body
        ))
    }
}

impl<'a> Suite<'a> {
    pub(super) fn hostile_checks(&mut self) {
        let r = self
            .send(
                None,
                "POST",
                &self.api("/auth/login"),
                Some(&json!({ "email": "nul\u{0}@example.com", "password": "a password with no NUL" })),
            )
            .and_then(|r| names_field(&r, "email", "POST /auth/login with a NUL in `email`"));
        self.record("hostile.login_nul", r);
        let Some(admin) = self.admin_index() else {
            return;
        };
        let model = self.model;
        for entity in &model.entities {
            if self.cancelled() {
                return;
            }
            let id = entity.id;
            let name = entity.name.as_str();
            let path = self.collection_path(id);
            // A NUL in a text field of a body that is otherwise valid.
            let text = entity.fields.iter().find(|f| {
                matches!(f.ty(), FieldType::String | FieldType::Text)
                    && f.rules.pattern.is_none()
                    && f.workflow.is_none()
                    && f.write.is_none()
            });
            if let Some(field) = text {
                let r = (|| {
                    let mut body = self.payload(id, admin, 0)?;
                    body[field.name.as_str()] = json!("a\u{0}b");
                    let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                    names_field(
                        &r,
                        &field.name,
                        &format!("POST {path} with a NUL in `{}`", field.name),
                    )
                })();
                self.record(format!("hostile.{name}.body_nul"), r);
            }
            // A NUL in a text filter.
            let filter = entity.filters.iter().find_map(|f| match *f {
                model::FilterOn::Field(i)
                    if matches!(entity.fields[i].ty(), FieldType::String | FieldType::Text)
                        && entity.fields[i].read.is_none() =>
                {
                    Some(entity.fields[i].name.clone())
                }
                _ => None,
            });
            if let Some(key) = filter {
                let query = format!("{path}?{key}=a%00b");
                let r = self
                    .send(Some(admin), "GET", &query, None)
                    .and_then(|r| names_field(&r, &key, &format!("GET {query}")));
                self.record(format!("hostile.{name}.filter_nul"), r);
            }
            // A row id that is no UUID: the 422 the document lists.
            let row = format!("{path}/not-a-uuid");
            let r = self
                .send(Some(admin), "GET", &row, None)
                .and_then(|r| expect(&r, 422, &format!("GET {row}")));
            self.record(format!("hostile.{name}.malformed_id"), r);
            // A method the path does not serve: 405 naming those it does.
            let row = format!("{path}/{NO_ROW}");
            let served: BTreeSet<&str> = model
                .routes
                .iter()
                .filter(|route| route.path == format!("{}/{{id}}", self.collection_path(id)))
                .map(|route| route.method.as_str())
                .collect();
            let r = self
                .send(Some(admin), "PUT", &row, Some(&json!({})))
                .and_then(|r| {
                    expect(&r, 405, &format!("PUT {row}"))?;
                    let allow: BTreeSet<String> = r
                        .header("allow")
                        .unwrap_or("")
                        .split(',')
                        .map(|m| m.trim().to_ascii_uppercase())
                        .filter(|m| !m.is_empty() && m != "HEAD" && m != "OPTIONS")
                        .collect();
                    let want: BTreeSet<String> = served.iter().map(|m| m.to_string()).collect();
                    if allow == want {
                        Ok(())
                    } else {
                        Err(format!(
                            "PUT {row}: `Allow` names {allow:?}, the path serves {want:?}"
                        ))
                    }
                });
            self.record(format!("hostile.{name}.method_not_allowed"), r);
        }
    }
}

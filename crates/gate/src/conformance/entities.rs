//! CRUD of every entity: payloads built from the field rules, validation, relations, pagination, filters and sorting, owner rules and restrict deletes.

use super::*;

impl<'a> Suite<'a> {
    /// A valid body for creating `entity` as user `who`; required relations
    /// point at rows `who` may read (created as needed).
    pub(super) fn payload(
        &mut self,
        entity: EntityId,
        who: usize,
        depth: usize,
    ) -> Result<Value, String> {
        let e = self.model.get(entity);
        if depth > 8 {
            return Err(format!("the required relations of {} do not end", e.name));
        }
        let mut body = Map::new();
        let role_id = self.users[who].role;
        for field in &e.fields {
            // Workflow fields start at their initial value; a field the
            // creator may not write is left to its default (a required one
            // is writable by every creator, else `check` fails).
            if let Some(w) = &field.workflow {
                body.insert(field.name.clone(), json!(w.initial));
                continue;
            }
            if field
                .write
                .as_ref()
                .is_some_and(|rule| rule.scope(Some(role_id)) == Scope::None)
            {
                continue;
            }
            let n = self.next();
            body.insert(field.name.clone(), field.sample.value(n, &self.nonce));
        }
        let owner_relation = e.owner_relation().map(|r| r.name.clone());
        for rel in e.relations.iter().filter(|r| r.required) {
            let role = self.users[who].role_name.clone();
            let to = rel.target_name.as_str();
            // A row owned through a relation goes under a parent the
            // creator may update: its own, when it may create one.
            let under_own = owner_relation.as_deref() == Some(rel.name.as_str())
                && !self.is_admin(role_id)
                && self.scope(Some(who), Action::Create, rel.target) == Scope::All;
            let read_scope = if under_own {
                Scope::Own
            } else {
                self.scope(Some(who), Action::Read, rel.target)
            };
            let target_id = match read_scope {
                Scope::All => {
                    let admin = self.admin_index().unwrap_or(who);
                    if rel.kind == RelationKind::OneToOne {
                        self.create_row(rel.target, admin, depth + 1)?
                    } else {
                        self.shared_row(rel.target, admin, depth + 1)?
                    }
                }
                Scope::Own => {
                    if self.scope(Some(who), Action::Create, rel.target) != Scope::All {
                        return Err(format!(
                            "`{role}` can neither read others' {to} rows nor create its own"
                        ));
                    }
                    if rel.kind == RelationKind::OneToOne {
                        self.create_row(rel.target, who, depth + 1)?
                    } else {
                        self.shared_row(rel.target, who, depth + 1)?
                    }
                }
                Scope::None => {
                    return Err(format!("`{role}` may not read {to} rows"));
                }
            };
            let value = if rel.is_to_one() {
                json!(target_id)
            } else {
                json!([target_id])
            };
            body.insert(rel.key.clone(), value);
        }
        Ok(Value::Object(body))
    }

    pub(super) fn create_row(
        &mut self,
        entity: EntityId,
        who: usize,
        depth: usize,
    ) -> Result<String, String> {
        let path = self.collection_path(entity);
        let e = self.model.get(entity);
        let limit = e.row_limit().map(|(rows, _)| rows);
        // A unique field with few values (`row_limit`): a value may be
        // taken, so try the next ones, and when every one is, delete the
        // rows made for earlier checks to make room. Any unique field's
        // sample may come round again (a short text keeps only its last
        // digits), so a few more tries are made on a 409 there too.
        let unique = e.fields.iter().any(|f| f.rules.unique);
        let tries = match limit {
            Some(rows) => 2 * rows + 1,
            None if unique => 6,
            None => 1,
        };
        let mut attempt = 0;
        let (body, r) = loop {
            let body = self.payload(entity, who, depth)?;
            let r = self.send(Some(who), "POST", &path, Some(&body))?;
            attempt += 1;
            if r.status != 409 || attempt >= tries {
                break (body, r);
            }
            if limit.is_some_and(|rows| attempt == rows) {
                self.make_room(entity)?;
            }
            // Shift the counter by a growing step, so a payload that takes
            // several numbers does not land on the same value again.
            for _ in 0..attempt {
                self.next();
            }
        };
        let name = &self.model.get(entity).name;
        if r.status != 201 {
            return Err(format!(
                "creating a {name} as `{}` ({body}): {}",
                self.users[who].role_name,
                r.brief()
            ));
        }
        r.json()["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the created {name} has no id: {}", r.body))
    }

    /// Deletes, as an admin, the rows of an entity that earlier checks
    /// made: first those no later check shares, then, when that is not
    /// enough, the shared ones too (made again when next needed). A row
    /// something still refers to stays.
    fn make_room(&mut self, entity: EntityId) -> Result<(), String> {
        self.free_rows(entity, false)
    }

    /// Posts a new row of `entity` as `who` (`None`: anonymously). When
    /// the entity's unique fields allow only a few rows (`row_limit`) and
    /// the answer is 409, the rows of earlier checks make way and the same
    /// body is sent again: first after the unshared rows are deleted, then
    /// after the shared ones too. Any other answer is returned as it is.
    pub(super) fn post_new(
        &mut self,
        who: Option<usize>,
        entity: EntityId,
        body: &Value,
    ) -> Result<Resp, String> {
        let path = self.collection_path(entity);
        let mut r = self.send(who, "POST", &path, Some(body))?;
        if self.model.get(entity).row_limit().is_none() {
            return Ok(r);
        }
        for include_shared in [false, true] {
            if r.status != 409 {
                break;
            }
            self.free_rows(entity, include_shared)?;
            r = self.send(who, "POST", &path, Some(body))?;
        }
        Ok(r)
    }

    /// [`Self::make_room`]; `include_shared` deletes the shared rows even
    /// when unshared ones could be deleted. No rows at all is no error:
    /// there is nothing to free.
    fn free_rows(&mut self, entity: EntityId, include_shared: bool) -> Result<(), String> {
        let admin = self.admin_index().ok_or("no admin user to delete rows")?;
        let path = self.collection_path(entity);
        let listed = self.send(Some(admin), "GET", &format!("{path}?limit=500"), None)?;
        expect(&listed, 200, &format!("GET {path}?limit=500, to make room"))?;
        let ids: Vec<String> = listed.json()["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["id"].as_str().map(str::to_string))
            .filter(|id| !self.held.contains(id))
            .collect();
        let shared: Vec<String> = self
            .shared
            .iter()
            .filter(|((e, _), _)| *e == entity)
            .map(|(_, id)| id.clone())
            .collect();
        let mut freed = 0;
        let mut refused = Vec::new();
        for id in ids.iter().filter(|id| !shared.contains(id)) {
            let r = self.delete_row(admin, entity, id, 0)?;
            if r.status == 204 {
                freed += 1;
            } else {
                refused.push(r.brief());
            }
        }
        if freed == 0 || include_shared {
            for id in ids.iter().filter(|id| shared.contains(id)) {
                let r = self.delete_row(admin, entity, id, 0)?;
                if r.status == 204 {
                    freed += 1;
                    self.shared.retain(|_, s| s != id);
                } else {
                    refused.push(r.brief());
                }
            }
        }
        if freed == 0 && !ids.is_empty() {
            return Err(format!(
                "no row of {} could be deleted to make room ({} rows: {})",
                self.model.get(entity).name,
                ids.len(),
                refused.join("; ")
            ));
        }
        Ok(())
    }

    /// Deletes a row as `admin`; when rows of other entities still refer
    /// to it (409), those are deleted first, to a bounded depth, and the
    /// row again. Returns the last answer.
    fn delete_row(
        &mut self,
        admin: usize,
        entity: EntityId,
        id: &str,
        depth: usize,
    ) -> Result<Resp, String> {
        let one = format!("{}/{id}", self.collection_path(entity));
        let r = self.send(Some(admin), "DELETE", &one, None)?;
        if r.status != 409 || depth >= 3 {
            return Ok(r);
        }
        let referrers: Vec<(EntityId, String)> = self
            .model
            .entities
            .iter()
            .flat_map(|e| {
                e.to_one()
                    .filter(|rel| rel.target == entity)
                    .map(move |rel| (e.id, rel.key.clone()))
            })
            .collect();
        for (other, key) in referrers {
            let path = self.collection_path(other);
            let listed = self.send(Some(admin), "GET", &format!("{path}?limit=500"), None)?;
            if listed.status != 200 {
                continue;
            }
            let holding: Vec<String> = listed.json()["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|item| item[key.as_str()] == json!(id))
                .filter_map(|item| item["id"].as_str().map(str::to_string))
                .filter(|row| !self.held.contains(row))
                .collect();
            for row in holding {
                if self.delete_row(admin, other, &row, depth + 1)?.status == 204 {
                    self.shared.retain(|_, s| *s != row);
                }
            }
        }
        self.send(Some(admin), "DELETE", &one, None)
    }

    pub(super) fn shared_row(
        &mut self,
        entity: EntityId,
        who: usize,
        depth: usize,
    ) -> Result<String, String> {
        if let Some(id) = self.shared.get(&(entity, who)) {
            return Ok(id.clone());
        }
        let id = self.create_row(entity, who, depth)?;
        self.shared.insert((entity, who), id.clone());
        Ok(id)
    }

    pub(super) fn entities_checks(&mut self) {
        let Some(admin) = self.admin_index() else {
            self.record(
                "entities.admin_user",
                Err("no admin user could sign in, so no entity checks ran".to_string()),
            );
            return;
        };
        let model = self.model;
        for entity in &model.entities {
            if self.cancelled() {
                return;
            }
            let id = entity.id;
            let name = entity.name.as_str();
            let c = entity.collection.as_str();
            let path = self.collection_path(id);
            // Create, read, update, delete.
            let r = (|| {
                let body = self.payload(id, admin, 0)?;
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 201, &format!("POST /{c}"))?;
                let item = r.json();
                for key in ["id", "created_at", "updated_at"] {
                    if !item[key].is_string() {
                        return Err(format!("the created item lacks `{key}`: {}", r.body));
                    }
                }
                for key in ["created_at", "updated_at"] {
                    let stamp = item[key].as_str().unwrap_or_default();
                    if !values::is_utc_z(stamp) {
                        return Err(format!("`{key}` is `{stamp}`, not UTC with `Z` (RFC 3339)"));
                    }
                }
                let id = item["id"].as_str().unwrap_or_default().to_string();
                let one = format!("{path}/{id}");
                let r = self.send(Some(admin), "GET", &one, None)?;
                expect(&r, 200, &format!("GET /{c}/{{id}}"))?;
                if r.json()["id"] != item["id"] {
                    return Err(format!("GET answered another row: {}", r.body));
                }
                let patch = self.update_body(entity.id);
                let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
                expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
                let r = self.send(Some(admin), "DELETE", &one, None)?;
                expect(&r, 204, &format!("DELETE /{c}/{{id}}"))?;
                let r = self.send(Some(admin), "GET", &one, None)?;
                expect(&r, 404, "GET after DELETE")
            })();
            self.record(format!("crud.{name}"), r);
            if model
                .routes
                .iter()
                .any(|route| route.idempotency_key && route.operation == Operation::Create(id))
            {
                let r = self.idempotency_check(id, admin);
                self.record(format!("idempotency.{name}"), r);
            }
            if let Some(field) = entity.fields.iter().find(|f| f.ty() == FieldType::Datetime) {
                let field_name = field.name.clone();
                let r = self.datetime_check(id, &field_name, admin);
                self.record(format!("datetimes.{name}.{field_name}.utc"), r);
            }
            let json_field = entity
                .fields
                .iter()
                .find(|f| f.ty() == FieldType::Json && f.write.is_none());
            if let Some(field) = json_field {
                let field_name = field.name.clone();
                let r = self.json_null_check(id, &field_name, admin);
                self.record(format!("json.{name}.{field_name}.null"), r);
            }
            let links = entity
                .relations
                .iter()
                .find(|r| !r.is_to_one())
                .map(|r| r.key.clone());
            let may_update = self.scope(Some(admin), Action::Update, id) == Scope::All;
            if let Some(key) = links.filter(|_| may_update) {
                let r = self.links_null_check(id, &key, admin);
                self.record(format!("links.{name}.{key}.null"), r);
            }

            // Validation, per field rule.
            let base = match self.payload(id, admin, 0) {
                Ok(b) => b,
                Err(e) => {
                    self.record(format!("validation.{name}"), Err(e));
                    continue;
                }
            };
            for field in &entity.fields {
                let field_name = field.name.as_str();
                let key = field.name.clone();
                let mut cases: Vec<(&'static str, Option<Value>)> = Vec::new();
                if field.required_on_create() {
                    cases.push(("required", None));
                }
                for (rule, v) in model::sample::invalid_values(&field.rules) {
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
                if field.rules.unique {
                    let r = (|| {
                        let body = self.payload(id, admin, 0)?;
                        let r = self.post_new(Some(admin), id, &body)?;
                        expect(&r, 201, &format!("POST /{c}"))?;
                        let mut again = self.payload(id, admin, 0)?;
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
            for rel in &entity.relations {
                let (rel_name, key) = (&rel.name, &rel.key);
                let mut body = base.clone();
                let ghost = "00000000-0000-4000-8000-0000000000ff";
                body[key] = if rel.is_to_one() {
                    json!(ghost)
                } else {
                    json!([ghost])
                };
                let r = self
                    .send(Some(admin), "POST", &path, Some(&body))
                    .and_then(|r| expect(&r, 422, &format!("POST /{c} with a dangling `{key}`")));
                self.record(format!("relations.{name}.{rel_name}.dangling"), r);
            }

            self.restrict_checks(entity, admin);
            self.listing_checks(entity, admin);
            // Rows owned through a relation have a derived owner_id: the
            // rule checks cover them (`rules.derived_owner_id`).
            // An entity whose unique fields allow only a few rows: the
            // rows of earlier checks make way for these.
            let limit = entity.row_limit().map(|(rows, _)| rows);
            if limit.is_some() {
                if let Err(e) = self.make_room(id) {
                    self.record(format!("pagination.{name}.room"), Err(e));
                }
            }
            if entity.owner_settable() {
                self.owner_checks(id, admin);
            }

            // Pagination: three rows, or as many as the unique fields allow.
            let r = (|| {
                if limit.is_some() {
                    self.make_room(id)?;
                }
                let shared = self.shared.keys().filter(|(e, _)| *e == id).count() as u64;
                let rows = limit.map_or(3, |l| l.saturating_sub(shared).min(3));
                let mut made = BTreeSet::new();
                for _ in 0..rows {
                    made.insert(self.create_row(id, admin, 0)?);
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
    pub(super) fn restrict_checks(&mut self, entity: &Entity, admin: usize) {
        let name = &entity.name;
        // Every restrict to-one relation, optional ones too (the model's
        // blockers list the required ones only).
        for rel in entity.to_one() {
            if rel.on_delete != OnDelete::Restrict {
                continue;
            }
            let r = (|| {
                let target = self.create_row(rel.target, admin, 0)?;
                let mut body = self.payload(entity.id, admin, 0)?;
                body[&rel.key] = json!(target);
                let path = self.collection_path(entity.id);
                let r = self.post_new(Some(admin), entity.id, &body)?;
                expect(&r, 201, &format!("POST {path}"))?;
                let target_path = format!("{}/{target}", self.collection_path(rel.target));
                let r = self.send(Some(admin), "DELETE", &target_path, None)?;
                expect(
                    &r,
                    409,
                    &format!("DELETE {target_path} while a {name} refers to it"),
                )
            })();
            self.record(format!("relations.{name}.{}.restrict", rel.name), r);
        }
    }

    /// Filters and sorting: equality filters work, unknown and sensitive
    /// fields are 422.
    pub(super) fn listing_checks(&mut self, entity: &Entity, admin: usize) {
        let name = &entity.name;
        let path = self.collection_path(entity.id);
        let r = (|| {
            for query in ["sort=no_such_field_x", "no_such_field_x=1"] {
                let r = self.send(Some(admin), "GET", &format!("{path}?{query}"), None)?;
                expect(&r, 422, &format!("GET {path}?{query}"))?;
            }
            Ok(())
        })();
        self.record(format!("listing.{name}.unknown_field"), r);
        // A filter value the column cannot hold is 422 naming the field,
        // never a database error: a big integer, and a relation key that is
        // no UUID.
        let mut misfits: Vec<(String, &str)> = Vec::new();
        for filter in &entity.filters {
            match *filter {
                model::FilterOn::Field(i) => {
                    let field = &entity.fields[i];
                    if matches!(field.ty(), FieldType::Integer | FieldType::Bigint) {
                        misfits.push((field.name.clone(), "99999999999999999999"));
                    }
                }
                model::FilterOn::Relation(i) => {
                    misfits.push((entity.relations[i].key.clone(), "not-a-uuid"));
                }
            }
        }
        for (key, value) in misfits {
            let r = self
                .send(Some(admin), "GET", &format!("{path}?{key}={value}"), None)
                .and_then(|r| {
                    expect(&r, 422, &format!("GET {path}?{key}={value}"))?;
                    if r.json()["errors"].get(&key).is_some() {
                        Ok(())
                    } else {
                        Err(format!(
                            "the 422's `errors` do not name `{key}`: {}",
                            r.body
                        ))
                    }
                });
            self.record(format!("listing.{name}.{key}.misfit"), r);
        }
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
        let sensitive = entity.fields.iter().find(|f| f.pii == PiiClass::Sensitive);
        if let Some(field) = sensitive.map(|f| &f.name) {
            let r = (|| {
                for query in [format!("sort={field}"), format!("{field}=x")] {
                    let r = self.send(Some(admin), "GET", &format!("{path}?{query}"), None)?;
                    expect(&r, 422, &format!("GET {path}?{query} (a sensitive field)"))?;
                }
                Ok(())
            })();
            self.record(format!("listing.{name}.sensitive_field"), r);
        }
        let filterable = entity
            .fields
            .iter()
            .find(|f| f.filterable && matches!(f.ty(), FieldType::String | FieldType::Email));
        if let Some(field) = filterable.map(|f| f.name.as_str()) {
            let r = (|| {
                let body = self.payload(entity.id, admin, 0)?;
                let r = self.post_new(Some(admin), entity.id, &body)?;
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
    pub(super) fn owner_checks(&mut self, entity: EntityId, admin: usize) {
        let name = &self.model.get(entity).name;
        let path = self.collection_path(entity);
        let other = self
            .users
            .iter()
            .position(|u| u.broken.is_none() && u.id.is_some() && !self.is_admin(u.role));
        let r = (|| {
            let body = self.payload(entity, admin, 0)?;
            let r = self.post_new(Some(admin), entity, &body)?;
            expect(&r, 201, &format!("POST {path}"))?;
            if r.json()["owner_id"] != json!(self.users[admin].id) {
                return Err(format!(
                    "the row an admin created is not owned by it: {}",
                    r.body
                ));
            }
            // The document lets `owner_id` be null: the same as absent.
            let mut body = self.payload(entity, admin, 0)?;
            body["owner_id"] = Value::Null;
            let r = self.post_new(Some(admin), entity, &body)?;
            expect(
                &r,
                201,
                &format!("POST {path} with owner_id null, as an admin"),
            )?;
            if r.json()["owner_id"] != json!(self.users[admin].id) {
                return Err(format!(
                    "the row an admin created with owner_id null is not owned by it: {}",
                    r.body
                ));
            }
            if let Some(o) = other {
                let mut body = self.payload(entity, admin, 0)?;
                body["owner_id"] = json!(self.users[o].id);
                let r = self.post_new(Some(admin), entity, &body)?;
                expect(&r, 201, &format!("POST {path} with owner_id, as an admin"))?;
                if r.json()["owner_id"] != json!(self.users[o].id) {
                    return Err(format!("an admin's owner_id was not kept: {}", r.body));
                }
                let role = self.users[o].role_name.clone();
                if self.scope(Some(o), Action::Create, entity) == Scope::All {
                    if let Ok(mut body) = self.payload(entity, o, 0) {
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

    /// A create sent twice with one `Idempotency-Key` answers the same
    /// item twice and makes one row; the key with another body is 422.
    fn idempotency_check(&mut self, entity: EntityId, admin: usize) -> Check {
        let path = self.collection_path(entity);
        let n = self.next();
        let key = format!("conformance-{}-{n}", self.nonce);
        let header = [("Idempotency-Key", key.as_str())];
        let body = self.payload(entity, admin, 0)?;
        let send = |suite: &mut Self, body: &Value| {
            suite.client.send(
                &mut suite.users[admin].session,
                "POST",
                &path,
                Some(body),
                true,
                &header,
            )
        };
        let first = send(self, &body)?;
        expect(&first, 201, "POST with an Idempotency-Key")?;
        let again = send(self, &body)?;
        expect(
            &again,
            201,
            "the same POST again with the same Idempotency-Key",
        )?;
        if again.json() != first.json() {
            return Err(format!(
                "the retry answered another item: first {}, then {}",
                first.brief(),
                again.brief()
            ));
        }
        // Another valid body: fields whose samples are fixed (a date, a
        // decimal) would make the same one, so one field takes a value
        // that differs.
        let mut other = self.payload(entity, admin, 0)?;
        if other == body {
            let e = self.model.get(entity);
            let fields: Vec<model::Field> = e
                .fields
                .iter()
                .filter(|f| f.workflow.is_none() && f.write.is_none())
                .cloned()
                .collect();
            'vary: for f in fields {
                let sample = super::rules::varying_sample(&f);
                for _ in 0..4 {
                    let value = sample.value(self.next(), &self.nonce);
                    if body.get(&f.name) != Some(&value) {
                        other[f.name.as_str()] = value;
                        break 'vary;
                    }
                }
            }
        }
        if other == body {
            // No field to vary (an entity of relations only): another row
            // to link to makes the body differ.
            let relations = self.model.get(entity).relations.clone();
            for relation in relations {
                let target = self.create_row(relation.target, admin, 0)?;
                other[relation.key.as_str()] = if relation.is_to_one() {
                    json!(target)
                } else {
                    json!([target])
                };
                if other != body {
                    break;
                }
            }
        }
        // An entity with neither fields nor relations has one body only
        // (`{}`): there is no other to send.
        if other != body {
            let r = send(self, &other)?;
            expect(&r, 422, "another body with a used Idempotency-Key")?;
        }
        let id = first.json()["id"].as_str().unwrap_or_default().to_string();
        let r = self.send(Some(admin), "DELETE", &format!("{path}/{id}"), None)?;
        expect(&r, 204, "DELETE of the idempotent create")?;
        let again = send(self, &body)?;
        if again.status == 201 && again.json()["id"].as_str() != Some(id.as_str()) {
            return Err(format!(
                "a retry after the row was deleted created another one: {}",
                again.brief()
            ));
        }
        Ok(())
    }

    /// A datetime sent with an offset comes back in UTC with `Z` from
    /// create, read, list and update, to the microsecond; an offset past
    /// PostgreSQL's own ±15:59 (RFC 3339 allows up to a day) is read too,
    /// in a body and in a filter.
    fn datetime_check(&mut self, entity: EntityId, key: &str, admin: usize) -> Check {
        let c = self.model.get(entity).collection.clone();
        let path = self.api(&format!("/{c}"));
        let answered = |r: &Resp, item: &Value, want: &str, what: &str| -> Check {
            match item[key].as_str() {
                Some(got) if got == want => Ok(()),
                got => Err(format!(
                    "{what} answered `{key}` as {got:?}, expected {want:?} (UTC with `Z`): {}",
                    r.brief()
                )),
            }
        };
        let mut body = self.payload(entity, admin, 0)?;
        body[key] = json!("2030-01-15T11:30:00+02:00");
        let want = "2030-01-15T09:30:00Z";
        let r = self.post_new(Some(admin), entity, &body)?;
        expect(&r, 201, &format!("POST /{c} with `{key}` at +02:00"))?;
        let item = r.json();
        answered(&r, &item, want, "POST")?;
        let id = item["id"].as_str().unwrap_or_default().to_string();
        let one = format!("{path}/{id}");
        let r = self.send(Some(admin), "GET", &one, None)?;
        expect(&r, 200, &format!("GET /{c}/{{id}}"))?;
        answered(&r, &r.json(), want, "GET")?;
        let r = self.send(
            Some(admin),
            "GET",
            &format!("{path}?limit=500&sort=-created_at"),
            None,
        )?;
        expect(&r, 200, &format!("GET /{c}?sort=-created_at"))?;
        let listed = r.json()["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["id"] == item["id"]).cloned())
            .ok_or_else(|| format!("the list lacks the new row: {}", r.brief()))?;
        answered(&r, &listed, want, "the list")?;
        let patch = json!({ key: "2030-06-01T08:00:00-05:00" });
        let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
        expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
        answered(&r, &r.json(), "2030-06-01T13:00:00Z", "PATCH")?;
        let far = "2030-06-01T08:00:00.123456-19:56";
        let want = "2030-06-02T03:56:00.123456Z";
        let patch = json!({ key: far });
        let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
        expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
        answered(&r, &r.json(), want, "PATCH")?;
        let role = self.users[admin].role;
        let e = self.model.get(entity);
        let filterable = e
            .fields
            .iter()
            .find(|f| f.name == key)
            .is_some_and(|f| e.may_filter(f, Some(role)));
        if !filterable {
            return Ok(());
        }
        let r = self.send(Some(admin), "GET", &format!("{path}?{key}={far}"), None)?;
        expect(&r, 200, &format!("GET /{c}?{key}={far}"))?;
        let found = r.json()["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["id"] == item["id"]));
        if found {
            Ok(())
        } else {
            Err(format!(
                "a filter on `{key}` at {far} lacks the row that holds it: {}",
                r.brief()
            ))
        }
    }

    /// A change that sends null for a list of links leaves the links as
    /// they are (the document lets it, as it lets them be left out).
    fn links_null_check(&mut self, entity: EntityId, key: &str, admin: usize) -> Check {
        let c = self.model.get(entity).collection.clone();
        let path = self.api(&format!("/{c}"));
        let body = self.payload(entity, admin, 0)?;
        let r = self.post_new(Some(admin), entity, &body)?;
        expect(&r, 201, &format!("POST /{c}"))?;
        let item = r.json();
        let one = format!("{path}/{}", item["id"].as_str().unwrap_or_default());
        let patch = json!({ key: null });
        let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
        expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
        let r = self.send(Some(admin), "GET", &one, None)?;
        expect(&r, 200, &format!("GET /{c}/{{id}}"))?;
        if r.json()[key] == item[key] {
            Ok(())
        } else {
            Err(format!(
                "`{key}`: null changed the links from {} to {}",
                item[key],
                r.json()[key]
            ))
        }
    }

    /// JSON's own `null` is a value of a json field, required or not: a
    /// create and an update with it succeed and answer it.
    fn json_null_check(&mut self, entity: EntityId, key: &str, admin: usize) -> Check {
        let c = self.model.get(entity).collection.clone();
        let path = self.api(&format!("/{c}"));
        let mut body = self.payload(entity, admin, 0)?;
        body[key] = Value::Null;
        let r = self.post_new(Some(admin), entity, &body)?;
        expect(&r, 201, &format!("POST /{c} with `{key}`: null"))?;
        let item = r.json();
        if !item[key].is_null() {
            return Err(format!(
                "POST answered `{key}` as {}, expected null",
                item[key]
            ));
        }
        let one = format!("{path}/{}", item["id"].as_str().unwrap_or_default());
        let patch = json!({ key: [1, "two"] });
        let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
        expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
        let patch = json!({ key: null });
        let r = self.send(Some(admin), "PATCH", &one, Some(&patch))?;
        expect(&r, 200, &format!("PATCH /{c}/{{id}} {patch}"))?;
        let r = self.send(Some(admin), "GET", &one, None)?;
        expect(&r, 200, &format!("GET /{c}/{{id}}"))?;
        if r.json()[key].is_null() {
            Ok(())
        } else {
            Err(format!(
                "GET answered `{key}` as {}, expected null",
                r.json()[key]
            ))
        }
    }

    /// A PATCH body changing one field (the first one not unique, without
    /// a write rule and not a workflow), or an empty one.
    pub(super) fn update_body(&mut self, entity: EntityId) -> Value {
        let e = self.model.get(entity);
        let n = self.next();
        match rules::plain_field(e).map(|i| &e.fields[i]) {
            Some(field) => json!({ field.name.clone(): field.sample.value(n, &self.nonce) }),
            None => json!({}),
        }
    }
}

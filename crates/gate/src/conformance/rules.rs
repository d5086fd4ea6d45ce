//! Ownership through relations, field rules and workflows: the cases are
//! chosen from the model ([`rule_cases`]), one check each; a kind of check
//! the spec gives no case for passes as "not applicable".

use super::*;
use model::{Field, Ownership, Workflow};

/// The kinds of rule checks, in the order they run and are reported.
pub(super) const KINDS: [Kind; 12] = [
    Kind::ChildCrossRead,
    Kind::DerivedOwnerId,
    Kind::ForeignParent,
    Kind::HiddenField,
    Kind::UnwritableField,
    Kind::UnreadableFilter,
    Kind::NotInitial,
    Kind::UnlistedMove,
    Kind::ForbiddenMove,
    Kind::FrozenChange,
    Kind::FrozenLinks,
    Kind::AdminUnlistedMove,
];

/// What a rule check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A row owned through a relation is 404 for another user whose read
    /// scope is `own`.
    ChildCrossRead,
    /// `owner_id` sent on create of a row owned through a relation: 422,
    /// admins included.
    DerivedOwnerId,
    /// Creating a row owned through a relation under another user's parent
    /// row: 422.
    ForeignParent,
    /// A field outside the caller's `read` rule is absent from items.
    HiddenField,
    /// Sending a field outside the caller's `write` rule: 403 naming it.
    UnwritableField,
    /// Filtering or sorting on a field the caller may not read on every
    /// row it lists: 422.
    UnreadableFilter,
    /// Creating a row whose workflow field is not at its initial value: 422.
    NotInitial,
    /// A move the workflow does not list, by a caller who may update: 409.
    UnlistedMove,
    /// A listed move by a caller outside its subjects (self-approval): 403.
    ForbiddenMove,
    /// A change to another field of a row in a frozen state: 409.
    FrozenChange,
    /// A change to the many-to-many links of a row in a frozen state: 409.
    FrozenLinks,
    /// A move the workflow does not list, by an admin: 409.
    AdminUnlistedMove,
}

impl Kind {
    /// The kind's part of check names.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kind::ChildCrossRead => "child_cross_read",
            Kind::DerivedOwnerId => "derived_owner_id",
            Kind::ForeignParent => "foreign_parent",
            Kind::HiddenField => "hidden_field",
            Kind::UnwritableField => "unwritable_field",
            Kind::UnreadableFilter => "unreadable_filter",
            Kind::NotInitial => "not_initial",
            Kind::UnlistedMove => "unlisted_move",
            Kind::ForbiddenMove => "forbidden_move",
            Kind::FrozenChange => "frozen_change",
            Kind::FrozenLinks => "frozen_links",
            Kind::AdminUnlistedMove => "admin_unlisted_move",
        }
    }

    /// What the spec lacks when the kind has no case.
    fn lacking(self) -> &'static str {
        match self {
            Kind::ChildCrossRead | Kind::DerivedOwnerId | Kind::ForeignParent => {
                "no entity owned through a relation (with a role it applies to)"
            }
            Kind::HiddenField | Kind::UnreadableFilter => {
                "no field `read` rule that leaves out a role which reads the rows"
            }
            Kind::UnwritableField => {
                "no field `write` rule that leaves out a role which creates the rows"
            }
            Kind::NotInitial | Kind::AdminUnlistedMove => "no workflow",
            Kind::UnlistedMove => "no workflow with an unlisted move a non-admin role may try",
            Kind::ForbiddenMove => {
                "no workflow move that leaves out a role which may update the rows"
            }
            Kind::FrozenChange => "no workflow with a frozen state and another field to change",
            Kind::FrozenLinks => {
                "no workflow with a frozen state on an entity with many-to-many links"
            }
        }
    }
}

/// One rule check, chosen from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RuleCase {
    pub(super) kind: Kind,
    pub(super) entity: EntityId,
    /// The field, by index in the entity's fields.
    pub(super) field: Option<usize>,
    /// The caller's role (`None`: an admin role).
    pub(super) role: Option<RoleId>,
    /// The row is the caller's own (else someone else's).
    pub(super) own_row: bool,
    /// The workflow value the row is in first.
    pub(super) from: Option<String>,
    /// The workflow value sent.
    pub(super) to: Option<String>,
}

impl RuleCase {
    fn new(kind: Kind, entity: EntityId) -> RuleCase {
        RuleCase {
            kind,
            entity,
            field: None,
            role: None,
            own_row: false,
            from: None,
            to: None,
        }
    }

    /// The check's stable name: `rules.<kind>.<Entity>[.<field>][.<role>]`
    /// plus the move, when there is one.
    pub(super) fn name(&self, model: &AppModel) -> String {
        let e = model.get(self.entity);
        let mut name = format!("rules.{}.{}", self.kind.as_str(), e.name);
        if let Some(f) = self.field {
            name.push('.');
            name.push_str(&e.fields[f].name);
        }
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            name.push_str(&format!(".{from}-{to}"));
        } else if let Some(value) = self.to.as_ref().or(self.from.as_ref()) {
            name.push_str(&format!(".{value}"));
        }
        match self.role {
            Some(r) => {
                name.push('.');
                name.push_str(&model.roles[r.0].name);
            }
            None if !matches!(self.kind, Kind::NotInitial | Kind::DerivedOwnerId) => {
                name.push_str(".admin")
            }
            None => {}
        }
        name
    }
}

/// The roles that are not admin roles.
fn plain_roles(model: &AppModel) -> impl Iterator<Item = RoleId> + '_ {
    model.roles.iter().filter(|r| !r.admin).map(|r| r.id)
}

/// The values of a workflow in the order moves reach them, then the rest.
fn values_of(field: &Field, w: &Workflow) -> Vec<String> {
    let mut out: Vec<String> = w.reachable().into_iter().map(str::to_string).collect();
    for v in field.rules.values.iter() {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// A field another change can be made to on a frozen row: no workflow, no
/// write rule, not unique, and a sample that gives another value (a fixed
/// sample only when it is a boolean, which the check flips).
pub(super) fn plain_field(e: &Entity) -> Option<usize> {
    e.fields.iter().position(|f| {
        f.workflow.is_none()
            && f.write.is_none()
            && !f.rules.unique
            && varying_sample(f).distinct().is_none_or(|n| n >= 2)
    })
}

/// A sample of the field whose values differ with `n`: its own, or the
/// one a unique field of its type gets (a fixed date, decimal, boolean or
/// enum value would not change a row).
pub(super) fn varying_sample(f: &Field) -> model::sample::Sample {
    if matches!(f.sample, model::sample::Sample::Fixed { .. }) {
        let mut rules = f.rules.clone();
        rules.unique = true;
        model::sample::sample_of(&rules, &f.name)
    } else {
        f.sample.clone()
    }
}

/// Every rule check the model calls for, in [`KINDS`] order per entity.
pub(super) fn rule_cases(model: &AppModel) -> Vec<RuleCase> {
    let mut out = Vec::new();
    for e in &model.entities {
        let read = |r: RoleId| e.access(Action::Read).scope(Some(r));
        let create = |r: RoleId| e.access(Action::Create).scope(Some(r));
        let update = |r: RoleId| e.access(Action::Update).scope(Some(r));
        // Whether a role's "own row" can be made: it creates the row under
        // parents of its own.
        let owns = |r: RoleId| model.may_own(e.id, Some(r));

        if let Ownership::Through { parent, .. } = e.ownership {
            let parent = model.get(parent);
            for r in plain_roles(model).filter(|r| read(*r) == Scope::Own) {
                let mut c = RuleCase::new(Kind::ChildCrossRead, e.id);
                c.role = Some(r);
                out.push(c);
            }
            out.push(RuleCase::new(Kind::DerivedOwnerId, e.id));
            for r in plain_roles(model)
                .filter(|r| create(*r) == Scope::All)
                .filter(|r| parent.access(Action::Update).scope(Some(*r)) != Scope::All)
            {
                let mut c = RuleCase::new(Kind::ForeignParent, e.id);
                c.role = Some(r);
                out.push(c);
            }
        }

        for (i, f) in e.fields.iter().enumerate() {
            if let Some(rule) = &f.read {
                for r in plain_roles(model) {
                    let own_row = match (rule.scope(Some(r)), read(r)) {
                        (_, Scope::None) => continue,
                        (Scope::None, Scope::Own) => true,
                        (Scope::None, Scope::All) | (Scope::Own, Scope::All) => false,
                        _ => continue,
                    };
                    // An own row needs the role to create it.
                    if own_row && !owns(r) {
                        continue;
                    }
                    let mut c = RuleCase::new(Kind::HiddenField, e.id);
                    c.field = Some(i);
                    c.role = Some(r);
                    c.own_row = own_row;
                    out.push(c);
                }
                for r in plain_roles(model) {
                    if (f.filterable || f.sortable)
                        && read(r) != Scope::None
                        && !e.may_query(f, Some(r))
                    {
                        let mut c = RuleCase::new(Kind::UnreadableFilter, e.id);
                        c.field = Some(i);
                        c.role = Some(r);
                        out.push(c);
                    }
                }
            }
            if let Some(rule) = &f.write {
                for r in plain_roles(model)
                    .filter(|r| rule.scope(Some(*r)) == Scope::None && create(*r) == Scope::All)
                {
                    let mut c = RuleCase::new(Kind::UnwritableField, e.id);
                    c.field = Some(i);
                    c.role = Some(r);
                    out.push(c);
                }
            }
        }

        for (i, f) in e.fields.iter().enumerate() {
            let Some(w) = &f.workflow else { continue };
            let values = values_of(f, w);
            let field_case = |kind: Kind| {
                let mut c = RuleCase::new(kind, e.id);
                c.field = Some(i);
                c
            };
            if let Some(other) = values.iter().find(|v| **v != w.initial) {
                let mut c = field_case(Kind::NotInitial);
                c.to = Some(other.clone());
                out.push(c);
            }
            // An unlisted move out of the initial value.
            let unlisted = values
                .iter()
                .find(|v| **v != w.initial && w.find(&w.initial, v).is_none());
            if let Some(to) = unlisted {
                for r in plain_roles(model) {
                    let own_row = match update(r) {
                        Scope::All => false,
                        Scope::Own if owns(r) => true,
                        _ => continue,
                    };
                    let mut c = field_case(Kind::UnlistedMove);
                    c.role = Some(r);
                    c.own_row = own_row;
                    c.from = Some(w.initial.clone());
                    c.to = Some(to.clone());
                    out.push(c);
                }
                let mut c = field_case(Kind::AdminUnlistedMove);
                c.from = Some(w.initial.clone());
                c.to = Some(to.clone());
                out.push(c);
            }
            // Listed moves a role that may update the row may not make
            // (on its own row when it may create one: self-approval).
            for m in &w.moves {
                for r in plain_roles(model) {
                    let own_row = match update(r) {
                        Scope::Own if owns(r) => true,
                        Scope::All if owns(r) => true,
                        Scope::All => false,
                        _ => continue,
                    };
                    let allowed = m.roles.get(r.0).copied().unwrap_or(Scope::None);
                    if allowed == Scope::All || (allowed == Scope::Own && own_row) {
                        continue;
                    }
                    let mut c = field_case(Kind::ForbiddenMove);
                    c.role = Some(r);
                    c.own_row = own_row;
                    c.from = Some(m.from.clone());
                    c.to = Some(m.to.clone());
                    out.push(c);
                }
            }
            if let Some(state) = w.frozen.iter().find(|s| values.contains(s)) {
                if plain_field(e).is_some() {
                    let mut c = field_case(Kind::FrozenChange);
                    c.from = Some(state.clone());
                    out.push(c);
                }
                if e.relations.iter().any(|r| !r.is_to_one()) {
                    let mut c = field_case(Kind::FrozenLinks);
                    c.from = Some(state.clone());
                    out.push(c);
                }
            }
        }
    }
    out
}

impl<'a> Suite<'a> {
    /// The signed-in user of a role, when it could be made.
    fn user_of(&self, role: RoleId) -> Result<usize, String> {
        let i = self
            .users
            .iter()
            .position(|u| u.role == role)
            .ok_or_else(|| format!("no user of role {}", self.model.roles[role.0].name))?;
        match &self.users[i].broken {
            Some(why) => Err(why.clone()),
            None => Ok(i),
        }
    }

    /// Moves a row from the workflow's initial value to `state` along
    /// listed moves, as an admin (admin roles may make any listed move).
    fn walk_to(
        &mut self,
        entity: EntityId,
        field: usize,
        id: &str,
        state: &str,
        admin: usize,
    ) -> Check {
        let e = self.model.get(entity);
        let f = &e.fields[field];
        let Some(w) = f.workflow.clone() else {
            return Ok(());
        };
        let key = f.name.clone();
        // Breadth-first: the shortest chain of listed moves.
        let mut back: HashMap<String, String> = HashMap::new();
        let mut queue = vec![w.initial.clone()];
        let mut i = 0;
        while i < queue.len() {
            let from = queue[i].clone();
            for m in w.moves.iter().filter(|m| m.from == from) {
                if m.to != w.initial && !back.contains_key(&m.to) {
                    back.insert(m.to.clone(), from.clone());
                    queue.push(m.to.clone());
                }
            }
            i += 1;
        }
        let mut chain = vec![state.to_string()];
        while let Some(prev) = back.get(chain.last().map(String::as_str).unwrap_or_default()) {
            chain.push(prev.clone());
        }
        chain.reverse();
        if chain.first().map(String::as_str) != Some(w.initial.as_str()) {
            return Err(format!(
                "no listed moves reach `{state}` from `{}`",
                w.initial
            ));
        }
        let url = format!("{}/{id}", self.collection_path(entity));
        for to in chain.iter().skip(1) {
            let body = json!({ key.clone(): to });
            let r = self.send(Some(admin), "PATCH", &url, Some(&body))?;
            expect(&r, 200, &format!("an admin's PATCH {url} {body}"))?;
        }
        Ok(())
    }

    /// A row for a case: the caller's own (created by it) or an admin's,
    /// in the workflow value `from` when there is one.
    fn case_row(&mut self, case: &RuleCase, who: usize, admin: usize) -> Result<String, String> {
        let creator = if case.own_row { who } else { admin };
        let id = self.create_row(case.entity, creator, 0)?;
        if let (Some(field), Some(from)) = (case.field, &case.from) {
            self.walk_to(case.entity, field, &id, from, admin)?;
        }
        Ok(id)
    }

    pub(super) fn rule_checks(&mut self) {
        let cases = rule_cases(self.model);
        for kind in KINDS {
            if !cases.iter().any(|c| c.kind == kind) {
                self.results.push(crate::report::CheckResult {
                    name: format!("rules.{}", kind.as_str()),
                    passed: true,
                    detail: format!("not applicable: the spec has {}", kind.lacking()),
                });
            }
        }
        let Some(admin) = self.admin_index() else {
            return;
        };
        for kind in KINDS {
            for case in cases.iter().filter(|c| c.kind == kind) {
                if self.cancelled() {
                    return;
                }
                let r = self.rule_case(case, admin);
                self.record(case.name(self.model), r);
            }
        }
    }

    fn rule_case(&mut self, case: &RuleCase, admin: usize) -> Check {
        let who = match case.role {
            Some(r) => self.user_of(r)?,
            None => admin,
        };
        let role = self.users[who].role_name.clone();
        let e = self.model.get(case.entity);
        let path = self.collection_path(case.entity);
        let field = case.field.map(|i| e.fields[i].clone());
        let key = field.as_ref().map(|f| f.name.clone()).unwrap_or_default();
        match case.kind {
            Kind::ChildCrossRead => {
                // Someone else's row: another plain user's when one may
                // create it, else an admin's.
                let other = (0..self.users.len())
                    .filter(|i| *i != who && self.users[*i].broken.is_none())
                    .find(|i| {
                        let role = self.users[*i].role;
                        !self.is_admin(role) && self.model.may_create(case.entity, Some(role))
                    })
                    .unwrap_or(admin);
                let id = self.create_row(case.entity, other, 0)?;
                let r = self.send(Some(who), "GET", &format!("{path}/{id}"), None)?;
                expect(&r, 404, &format!("`{role}`: GET someone else's {}", e.name))
            }
            Kind::DerivedOwnerId => {
                for creator in [Some(admin), self.plain_creator(case.entity)]
                    .into_iter()
                    .flatten()
                {
                    let mut body = self.payload(case.entity, creator, 0)?;
                    body["owner_id"] = json!(self.users[creator].id);
                    let r = self.send(Some(creator), "POST", &path, Some(&body))?;
                    let as_role = self.users[creator].role_name.clone();
                    expect(&r, 422, &format!("`{as_role}`: POST {path} with owner_id"))?;
                }
                Ok(())
            }
            Kind::ForeignParent => {
                let rel = e
                    .owner_relation()
                    .ok_or("the entity is not owned through a relation")?
                    .clone();
                let mut body = self.payload(case.entity, who, 0)?;
                let parent = self.create_row(rel.target, admin, 0)?;
                body[rel.key.as_str()] = json!(parent);
                let r = self.send(Some(who), "POST", &path, Some(&body))?;
                expect(
                    &r,
                    422,
                    &format!("`{role}`: POST {path} under an admin's {}", rel.target_name),
                )
            }
            Kind::HiddenField => {
                let id = self.case_row(case, who, admin)?;
                let r = self.send(Some(who), "GET", &format!("{path}/{id}"), None)?;
                expect(&r, 200, &format!("`{role}`: GET {path}/{{id}}"))?;
                if r.json().get(&key).is_some() {
                    return Err(format!(
                        "`{role}` got `{key}`, which its `read` rule leaves out: {}",
                        r.brief()
                    ));
                }
                Ok(())
            }
            Kind::UnwritableField => {
                let mut body = self.payload(case.entity, who, 0)?;
                let n = self.next();
                let f = field.ok_or("no field")?;
                body[key.as_str()] = f.sample.value(n, &self.nonce);
                let r = self.send(Some(who), "POST", &path, Some(&body))?;
                expect(&r, 403, &format!("`{role}`: POST {path} with `{key}`"))?;
                if !r.body.contains(&key) {
                    return Err(format!("the 403 does not name `{key}`: {}", r.brief()));
                }
                Ok(())
            }
            Kind::UnreadableFilter => {
                let f = field.ok_or("no field")?;
                if f.filterable {
                    let n = self.next();
                    let v = f.sample.value(n, &self.nonce);
                    let v = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    let url = format!("{path}?{key}={}", encode(&v));
                    let r = self.send(Some(who), "GET", &url, None)?;
                    expect(&r, 422, &format!("`{role}`: GET {url}"))?;
                }
                if f.sortable {
                    let url = format!("{path}?sort={key}");
                    let r = self.send(Some(who), "GET", &url, None)?;
                    expect(&r, 422, &format!("`{role}`: GET {url}"))?;
                }
                Ok(())
            }
            Kind::NotInitial => {
                let mut body = self.payload(case.entity, admin, 0)?;
                let to = case.to.clone().unwrap_or_default();
                body[key.as_str()] = json!(to);
                let r = self.send(Some(admin), "POST", &path, Some(&body))?;
                expect(&r, 422, &format!("POST {path} with `{key}` = `{to}`"))
            }
            Kind::UnlistedMove | Kind::ForbiddenMove | Kind::AdminUnlistedMove => {
                let id = self.case_row(case, who, admin)?;
                let from = case.from.clone().unwrap_or_default();
                let to = case.to.clone().unwrap_or_default();
                let body = json!({ key.clone(): to });
                let url = format!("{path}/{id}");
                let r = self.send(Some(who), "PATCH", &url, Some(&body))?;
                let status = if case.kind == Kind::ForbiddenMove {
                    403
                } else {
                    409
                };
                let whose = if case.own_row { "its own" } else { "a" };
                expect(
                    &r,
                    status,
                    &format!("`{role}`: PATCH {whose} row from `{from}` to `{to}`"),
                )
            }
            Kind::FrozenLinks => {
                let id = self.case_row(case, who, admin)?;
                let url = format!("{path}/{id}");
                let rel = e
                    .relations
                    .iter()
                    .find(|r| !r.is_to_one())
                    .ok_or("the entity has no many-to-many relation")?
                    .clone();
                let target = self.create_row(rel.target, admin, 0)?;
                let body = json!({ rel.key.clone(): [target] });
                let r = self.send(Some(admin), "PATCH", &url, Some(&body))?;
                let state = case.from.clone().unwrap_or_default();
                expect(
                    &r,
                    409,
                    &format!("an admin's PATCH {url} {body} on a row in `{state}` (frozen)"),
                )
            }
            Kind::FrozenChange => {
                let id = self.case_row(case, who, admin)?;
                let url = format!("{path}/{id}");
                // A value that really differs from the row's: sending the
                // current value is not a change.
                let current = self.send(Some(admin), "GET", &url, None)?.json();
                let f = plain_field(e)
                    .map(|i| e.fields[i].clone())
                    .ok_or("no field whose value can change")?;
                let sample = varying_sample(&f);
                let mut body = None;
                for _ in 0..4 {
                    let n = self.next();
                    let value = sample.value(n, &self.nonce);
                    if current.get(&f.name) != Some(&value) {
                        body = Some(json!({ f.name.clone(): value }));
                        break;
                    }
                }
                let body = body.ok_or("no field whose value can change")?;
                let r = self.send(Some(admin), "PATCH", &url, Some(&body))?;
                let state = case.from.clone().unwrap_or_default();
                expect(
                    &r,
                    409,
                    &format!("an admin's PATCH {url} {body} on a row in `{state}` (frozen)"),
                )
            }
        }
    }

    /// A plain (not admin) user who may create rows of the entity.
    fn plain_creator(&self, entity: EntityId) -> Option<usize> {
        (0..self.users.len()).find(|i| {
            let role = self.users[*i].role;
            self.users[*i].broken.is_none()
                && !self.is_admin(role)
                && self.model.may_create(entity, Some(role))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lending() -> AppModel {
        let spec = blueprint_core::spec::parse_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/specs/good/loan-desk.yaml"),
        )
        .unwrap()
        .spec;
        let mut bp = blueprint_core::lower::lower(&spec);
        compliance::complete(&mut bp).unwrap();
        AppModel::from_blueprint(&bp)
    }

    fn names(model: &AppModel, kind: Kind) -> Vec<String> {
        rule_cases(model)
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.name(model))
            .collect()
    }

    #[test]
    fn lending_gets_a_case_of_every_kind() {
        let model = lending();
        let cases = rule_cases(&model);
        for kind in KINDS {
            assert!(
                cases.iter().any(|c| c.kind == kind),
                "no {} case",
                kind.as_str()
            );
        }
    }

    #[test]
    fn ownership_through_relations() {
        let model = lending();
        // Borrowers read only their own loans and repayments; underwriters
        // read every row.
        assert_eq!(
            names(&model, Kind::ChildCrossRead),
            [
                "rules.child_cross_read.Loan.borrower",
                "rules.child_cross_read.Repayment.borrower"
            ]
        );
        assert_eq!(
            names(&model, Kind::DerivedOwnerId),
            [
                "rules.derived_owner_id.Loan",
                "rules.derived_owner_id.Repayment"
            ]
        );
        // A borrower may update only its own Borrower row (and no loan it
        // does not own): creating under another's parent is 422.
        assert_eq!(
            names(&model, Kind::ForeignParent),
            [
                "rules.foreign_parent.Loan.borrower",
                "rules.foreign_parent.Repayment.borrower"
            ]
        );
    }

    #[test]
    fn field_rules() {
        let model = lending();
        // `tax_id`, `credit_score` and `rate` are read by owner and
        // underwriter: a borrower reads only its own rows, so they are
        // visible to it. `risk_grade` is for underwriters: absent from the
        // borrower's own loans.
        assert_eq!(
            names(&model, Kind::HiddenField),
            ["rules.hidden_field.Loan.risk_grade.borrower"]
        );
        assert!(rule_cases(&model)
            .iter()
            .any(|c| c.kind == Kind::HiddenField && c.own_row));
        // A borrower creates loans but may not write `rate`, nor its
        // Borrower row's `credit_score`.
        assert_eq!(
            names(&model, Kind::UnwritableField),
            [
                "rules.unwritable_field.Borrower.credit_score.borrower",
                "rules.unwritable_field.Loan.rate.borrower",
                "rules.unwritable_field.Loan.risk_grade.borrower"
            ]
        );
        // Filtering on `rate` is fine for a borrower (it lists only its
        // own rows and `owner` reads it); on `risk_grade` it is 422.
        assert_eq!(
            names(&model, Kind::UnreadableFilter),
            ["rules.unreadable_filter.Loan.risk_grade.borrower"]
        );
    }

    #[test]
    fn workflows() {
        let model = lending();
        assert_eq!(
            names(&model, Kind::NotInitial),
            ["rules.not_initial.Loan.status.submitted"]
        );
        assert_eq!(
            names(&model, Kind::UnlistedMove),
            [
                "rules.unlisted_move.Loan.status.draft-approved.borrower",
                "rules.unlisted_move.Loan.status.draft-approved.underwriter"
            ]
        );
        assert_eq!(
            names(&model, Kind::AdminUnlistedMove),
            ["rules.admin_unlisted_move.Loan.status.draft-approved.admin"]
        );
        let forbidden = rule_cases(&model)
            .into_iter()
            .filter(|c| c.kind == Kind::ForbiddenMove)
            .collect::<Vec<_>>();
        // Self-approval: the borrower approving its own loan.
        let borrower = model.role("borrower").unwrap();
        assert!(forbidden.iter().any(|c| c.role == Some(borrower)
            && c.own_row
            && c.from.as_deref() == Some("submitted")
            && c.to.as_deref() == Some("approved")));
        // The underwriter submitting someone's draft.
        let underwriter = model.role("underwriter").unwrap();
        assert!(forbidden.iter().any(|c| c.role == Some(underwriter)
            && !c.own_row
            && c.to.as_deref() == Some("submitted")));
        // No case lets a subject of the move be refused.
        assert!(!forbidden
            .iter()
            .any(|c| c.role == Some(underwriter) && c.to.as_deref() == Some("approved")));
        assert_eq!(
            names(&model, Kind::FrozenChange),
            ["rules.frozen_change.Loan.status.approved.admin"]
        );
    }

    #[test]
    fn a_spec_without_rules_has_no_case() {
        let spec = blueprint_core::spec::parse_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/specs/tasks.yaml"),
        )
        .unwrap()
        .spec;
        let mut bp = blueprint_core::lower::lower(&spec);
        compliance::complete(&mut bp).unwrap();
        let model = AppModel::from_blueprint(&bp);
        assert!(rule_cases(&model).is_empty());
        for kind in KINDS {
            assert!(!kind.lacking().is_empty());
        }
    }
}

//! Demo data for `archgen preview`: rows of every entity that fit the
//! model's rules, made from a seed, so the same spec always gets the same
//! rows.
//!
//! [`demo_rows`] decides every value without a server: per field type and
//! its bounds (lengths, `min`/`max`, decimal places and digits, enum
//! values, patterns, workflow starts), which account creates each row (one
//! batch per role that may create rows of an owned entity, one batch by an
//! administrator otherwise), and which earlier row each relation points at
//! ([`Link`]: the `row`-th demo row of the target). The preview creates
//! the rows in order through the API, so the app's own rules (ownership,
//! encryption, audit) apply to them as to any row.

use blueprint_core::spec::{Action, FieldType, RelationKind};
use model::{AppModel, EntityId, Field, RoleId, Scope};
use serde_json::{json, Map, Value};

/// How many rows each author makes of an entity.
pub const ROWS_PER_AUTHOR: usize = 3;

/// One row to create.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRow {
    /// Its entity.
    pub entity: EntityId,
    /// The role whose preview account creates it (and so owns it, for an
    /// owned entity).
    pub author: RoleId,
    /// The field values, by JSON name.
    pub fields: Map<String, Value>,
    /// The relations it points along, to rows made before it.
    pub links: Vec<Link>,
}

/// A relation of a demo row pointing at an earlier demo row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The relation's key in the request body (`project_id`, `label_ids`).
    pub key: String,
    /// The target entity.
    pub target: EntityId,
    /// The index of the target row in the list [`demo_rows`] returns.
    pub row: usize,
    /// Whether the key holds one id (else a list of ids).
    pub to_one: bool,
}

/// The demo rows of a model for a seed, in an order in which each row's
/// links point at rows before it.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::FieldType;
/// let bp = SpecBuilder::new("shop")
///     .with_entity("Order", |e| e.owned().with_field("total", FieldType::Integer, |f| f.required().min(1).max(9)))
///     .build();
/// let model = model::AppModel::from_blueprint(&bp);
/// let rows = gate::preview::demo::demo_rows(&model, 7);
/// assert!(!rows.is_empty());
/// assert!(rows.iter().all(|r| (1..=9).contains(&r.fields["total"].as_i64().unwrap())));
/// assert_eq!(rows, gate::preview::demo::demo_rows(&model, 7));
/// ```
pub fn demo_rows(model: &AppModel, seed: u64) -> Vec<DemoRow> {
    let mut rows: Vec<DemoRow> = Vec::new();
    // Per entity, the demo rows made so far: (index in `rows`, author).
    let mut made: Vec<Vec<(usize, RoleId)>> = vec![Vec::new(); model.entities.len()];
    // One-to-one targets already taken, per relation target entity.
    let mut taken: Vec<Vec<usize>> = vec![Vec::new(); model.entities.len()];
    for id in creation_order(model) {
        let entity = model.get(id);
        let mut rng = Rng::new(seed ^ fnv(&entity.name));
        let authors = authors(model, id);
        let limit = entity.row_limit().map_or(usize::MAX, |(n, _)| n as usize);
        let mut n: u64 = 0;
        'batch: for author in authors {
            for _ in 0..ROWS_PER_AUTHOR {
                if made[id.0].len() >= limit {
                    break 'batch;
                }
                let mut links = Vec::new();
                let mut complete = true;
                for rel in &entity.relations {
                    let read = entity_scope(model, rel.target, Action::Read, author);
                    let through_owner = entity
                        .owner_relation()
                        .is_some_and(|owner| owner.name == rel.name);
                    let mut candidates: Vec<usize> = made[rel.target.0]
                        .iter()
                        .filter(|(_, who)| read == Scope::All && !through_owner || *who == author)
                        .filter(|_| read != Scope::None)
                        .map(|(row, _)| *row)
                        .collect();
                    if rel.kind == RelationKind::OneToOne {
                        candidates.retain(|row| !taken[rel.target.0].contains(row));
                    }
                    if candidates.is_empty() {
                        if rel.required {
                            complete = false;
                            break;
                        }
                        continue;
                    }
                    if !rel.required && rng.below(3) == 0 {
                        continue;
                    }
                    let row = candidates[rng.below(candidates.len() as u64) as usize];
                    if rel.kind == RelationKind::OneToOne {
                        taken[rel.target.0].push(row);
                    }
                    links.push(Link {
                        key: rel.key.clone(),
                        target: rel.target,
                        row,
                        to_one: rel.is_to_one(),
                    });
                }
                if !complete {
                    continue;
                }
                let mut fields = Map::new();
                for field in &entity.fields {
                    if let Some(workflow) = &field.workflow {
                        fields.insert(field.name.clone(), json!(workflow.initial));
                        continue;
                    }
                    if field
                        .write
                        .as_ref()
                        .is_some_and(|rule| rule.scope(Some(author)) == Scope::None)
                    {
                        continue;
                    }
                    if !field.required_on_create() && rng.below(5) == 0 {
                        continue;
                    }
                    fields.insert(field.name.clone(), value(field, n, &mut rng));
                }
                n += 1;
                made[id.0].push((rows.len(), author));
                rows.push(DemoRow {
                    entity: id,
                    author,
                    fields,
                    links,
                });
            }
        }
    }
    rows
}

/// The scope a role has for an action on an entity.
fn entity_scope(model: &AppModel, entity: EntityId, action: Action, role: RoleId) -> Scope {
    model.get(entity).access(action).scope(Some(role))
}

/// Who makes an entity's demo rows: every role that may create rows of an
/// owned entity (so each account sees rows of its own), else the first
/// admin role that may create them, else the first role that may.
fn authors(model: &AppModel, entity: EntityId) -> Vec<RoleId> {
    let may: Vec<RoleId> = model
        .roles
        .iter()
        .map(|r| r.id)
        .filter(|r| entity_scope(model, entity, Action::Create, *r) != Scope::None)
        .collect();
    if model.get(entity).ownership != model::Ownership::None {
        return may;
    }
    may.iter()
        .copied()
        .find(|r| model.roles[r.0].admin)
        .or_else(|| may.first().copied())
        .into_iter()
        .collect()
}

/// The entities in an order where every required relation's target comes
/// first (spec order otherwise; an entity in a cycle of required relations
/// comes where the cycle is, and its rows are left out).
fn creation_order(model: &AppModel) -> Vec<EntityId> {
    let mut order: Vec<EntityId> = Vec::new();
    let mut placed = vec![false; model.entities.len()];
    loop {
        let next = model.entities.iter().find(|e| {
            !placed[e.id.0]
                && e.relations
                    .iter()
                    .filter(|r| r.required && r.target != e.id)
                    .all(|r| placed[r.target.0])
        });
        let next = match next {
            Some(e) => e.id,
            None => match model.entities.iter().find(|e| !placed[e.id.0]) {
                Some(e) => e.id,
                None => return order,
            },
        };
        placed[next.0] = true;
        order.push(next);
    }
}

/// A value of a field for the `n`-th demo row of its entity.
fn value(field: &Field, n: u64, rng: &mut Rng) -> Value {
    let rules = &field.rules;
    if rules.pattern.is_some() && rules.ty.is_textual() {
        // The model's sample matches the pattern, varying with `n`.
        return field.sample.value(n, "");
    }
    match rules.ty {
        FieldType::String | FieldType::Text => json!(text(field, n, rng)),
        FieldType::Email => {
            let (first, last) = person(rng);
            json!(format!(
                "{}.{}{n}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ))
        }
        FieldType::Url => json!(format!(
            "https://example.com/{}/{n}",
            pick(rng, WORDS).to_lowercase()
        )),
        FieldType::Phone => {
            let digits = if rules.unique {
                n % 10_000_000
            } else {
                rng.below(10_000_000)
            };
            json!(format!("+4930{digits:07}"))
        }
        FieldType::Integer | FieldType::Bigint => {
            let (lo, hi) = int_range(field);
            let span = hi.saturating_sub(lo).saturating_add(1).max(1) as u64;
            let offset = if rules.unique {
                n % span
            } else {
                rng.below(span)
            };
            json!(lo.saturating_add(offset as i64))
        }
        FieldType::Decimal => {
            let scale = rules.scale.unwrap_or(2).min(12);
            let precision = rules.precision.unwrap_or(12).clamp(scale.max(1), 30);
            let unit = 10f64.powi(scale as i32);
            // The widest value the column holds, in units of the last place.
            let widest = 10f64.powi((precision.min(17)) as i32) - 1.0;
            let lo = rules.min.map_or(0.0, |m| (m.as_f64() * unit).ceil());
            let hi = rules
                .max
                .map_or(lo.max(0.0) + 1000.0 * unit, |m| (m.as_f64() * unit).floor());
            let (lo, hi) = (lo.max(-widest), hi.min(widest));
            let span = (hi - lo).max(0.0) as u64 + 1;
            let offset = if rules.unique {
                n % span
            } else {
                rng.below(span)
            };
            model::sample::Sample::Decimal {
                lo: lo as i64 + offset as i64,
                span: 1,
                scale,
            }
            .value(0, "")
        }
        FieldType::Boolean => {
            if rules.unique {
                json!(n.is_multiple_of(2))
            } else {
                json!(rng.below(2) == 0)
            }
        }
        FieldType::Date => json!(date(day_offset(rules.unique, n, rng))),
        FieldType::Datetime => {
            let day = day_offset(rules.unique, n, rng);
            let minutes = if rules.unique { 0 } else { rng.below(10 * 60) };
            json!(format!(
                "{}T{:02}:{:02}:00Z",
                date(day),
                8 + minutes / 60,
                minutes % 60
            ))
        }
        FieldType::Uuid => {
            let (a, b) = (rng.next(), rng.next());
            json!(format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                b >> 52,
                b & 0xffff_ffff_ffff
            ))
        }
        FieldType::Json => json!({ "note": pick(rng, WORDS), "n": n }),
        FieldType::Enum => {
            if rules.values.is_empty() {
                Value::Null
            } else if rules.unique {
                json!(rules.values[(n % rules.values.len() as u64) as usize])
            } else {
                json!(rules.values[rng.below(rules.values.len() as u64) as usize])
            }
        }
    }
}

/// The bounds of an integer field, defaulting to a readable range.
fn int_range(field: &Field) -> (i64, i64) {
    let limit = if field.rules.ty == FieldType::Integer {
        i64::from(i32::MAX)
    } else {
        i64::MAX / 2
    };
    let lo = field
        .rules
        .min
        .map(|m| m.as_f64().ceil().max(-(limit as f64)) as i64);
    let hi = field
        .rules
        .max
        .map(|m| m.as_f64().floor().min(limit as f64) as i64);
    match (lo, hi) {
        (Some(lo), Some(hi)) => (lo, hi.max(lo)),
        (Some(lo), None) => (lo, lo.saturating_add(100)),
        (None, Some(hi)) => (hi.saturating_sub(100).max(0).min(hi), hi),
        (None, None) => (1, 100),
    }
}

/// Days after 2025-01-01.
fn day_offset(unique: bool, n: u64, rng: &mut Rng) -> u64 {
    if unique {
        n
    } else {
        rng.below(730)
    }
}

fn leap_year(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// The date `days` after 2025-01-01, as `YYYY-MM-DD`.
fn date(days: u64) -> String {
    let mut year = 2025u64;
    let mut left = days;
    loop {
        let len = if leap_year(year) { 366 } else { 365 };
        if left < len {
            break;
        }
        left -= len;
        year += 1;
    }
    let leap = leap_year(year);
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while left >= months[month] {
        left -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, left + 1)
}

/// Text for a string field, readable from its name, within its length
/// bounds (a unique field's ends with its row number).
fn text(field: &Field, n: u64, rng: &mut Rng) -> String {
    let name = field.name.to_lowercase();
    let mut s = if name.contains("email") {
        let (first, last) = person(rng);
        format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        )
    } else if name.contains("first") || name == "given_name" {
        pick(rng, FIRST_NAMES).to_string()
    } else if name.contains("last") || name.contains("surname") || name == "family_name" {
        pick(rng, LAST_NAMES).to_string()
    } else if name.contains("name") {
        let (first, last) = person(rng);
        format!("{first} {last}")
    } else if field.rules.ty == FieldType::Text
        || [
            "description",
            "notes",
            "note",
            "body",
            "summary",
            "details",
            "comment",
        ]
        .iter()
        .any(|w| name.contains(w))
    {
        let words = 8 + rng.below(10) as usize;
        sentence(rng, words)
    } else if ["code", "sku", "ref", "number"]
        .iter()
        .any(|w| name.contains(w))
    {
        format!(
            "{}-{:04}",
            pick(rng, WORDS).to_uppercase(),
            rng.below(10_000)
        )
    } else {
        let words = 2 + rng.below(3) as usize;
        sentence(rng, words)
    };
    if field.rules.unique {
        s = format!("{s} {n}");
    }
    let min = field.rules.min.map_or(0, |m| m.as_f64().max(0.0) as usize);
    let max = field
        .max_length
        .or_else(|| field.rules.max.map(|m| m.as_f64().max(0.0) as u64))
        .unwrap_or(if field.rules.ty == FieldType::Text {
            10_000
        } else {
            255
        }) as usize;
    while s.chars().count() < min {
        s.push(' ');
        s.push_str(pick(rng, WORDS));
    }
    if s.chars().count() > max {
        // Keep the end, which holds a unique field's number.
        let skip = s.chars().count() - max;
        s = s.chars().skip(skip).collect();
    }
    // Surrounding blanks read as a mistake (and a field may refuse them).
    let trimmed = s.trim();
    if trimmed.chars().count() >= min && !trimmed.is_empty() {
        s = trimmed.to_string();
    } else {
        s = s.replace(' ', "x");
    }
    s
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words.max(1) {
        if i > 0 {
            s.push(' ');
        }
        let word = pick(rng, WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(c) = chars.next() {
                s.extend(c.to_uppercase());
                s.push_str(chars.as_str());
            }
        } else {
            s.push_str(word);
        }
    }
    s
}

fn person(rng: &mut Rng) -> (&'static str, &'static str) {
    (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

fn pick<'w>(rng: &mut Rng, list: &[&'w str]) -> &'w str {
    list[rng.below(list.len() as u64) as usize]
}

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Edsger",
    "Barbara",
    "Ken",
    "Frances",
    "Dennis",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Dijkstra", "Liskov", "Thompson",
    "Allen", "Ritchie", "Perlman", "Berners", "Lamarr", "Backus", "Johnson", "Knuth",
];
const WORDS: &[&str] = &[
    "quarterly",
    "review",
    "planning",
    "launch",
    "customer",
    "onboarding",
    "budget",
    "roadmap",
    "release",
    "design",
    "feedback",
    "migration",
    "report",
    "meeting",
    "invoice",
    "support",
    "training",
    "security",
    "audit",
    "follow",
    "up",
    "draft",
    "final",
    "weekly",
    "team",
    "project",
    "update",
    "backlog",
    "sprint",
    "notes",
    "proposal",
    "contract",
];

/// FNV-1a of a text: a stable per-entity seed.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::graph::Blueprint;

    fn model_of(yaml: &str) -> AppModel {
        let spec =
            blueprint_core::spec::parse_str("t.yaml", yaml, blueprint_core::spec::Format::Yaml)
                .expect("a valid spec")
                .spec;
        let mut bp = Blueprint::from_spec(&spec);
        compliance::complete(&mut bp).expect("completes");
        AppModel::from_blueprint(&bp)
    }

    const SPEC: &str = r#"
spec_version: 1
product: { name: demo }
roles:
  member: { signup: true }
  admin: { admin: true }
entities:
  Project:
    fields:
      name: { type: string, required: true, min: 3, max: 12, unique: true }
      budget: { type: decimal, precision: 6, scale: 2, min: 10, max: 500 }
      code: { type: string, pattern: "^[A-Z]{3}-[0-9]{3}$" }
  Task:
    owned: true
    fields:
      title: { type: string, required: true, max: 20 }
      notes: { type: text, min: 40 }
      priority: { type: enum, values: [low, normal, high], required: true }
      effort: { type: integer, min: -5, max: 5 }
      due: date
      done: boolean
      contact: email
    relations:
      project: { to: Project, required: true }
"#;

    #[test]
    fn values_respect_bounds_enums_and_lengths() {
        let model = model_of(SPEC);
        let rows = demo_rows(&model, 1);
        let project = model.entity("Project").unwrap().id;
        let task = model.entity("Task").unwrap().id;
        let projects: Vec<_> = rows.iter().filter(|r| r.entity == project).collect();
        let tasks: Vec<_> = rows.iter().filter(|r| r.entity == task).collect();
        assert!(!projects.is_empty() && !tasks.is_empty());
        let mut names = std::collections::BTreeSet::new();
        for p in &projects {
            let name = p.fields["name"].as_str().unwrap();
            assert!((3..=12).contains(&name.chars().count()), "{name:?}");
            assert!(
                names.insert(name.to_string()),
                "unique name repeated: {name}"
            );
            if let Some(budget) = p.fields.get("budget") {
                let b: f64 = budget.as_str().unwrap().parse().unwrap();
                assert!((10.0..=500.0).contains(&b), "{b}");
                assert_eq!(budget.as_str().unwrap().split('.').nth(1).unwrap().len(), 2);
            }
            if let Some(code) = p.fields.get("code") {
                let code = code.as_str().unwrap();
                assert_eq!(code.len(), 7, "{code}");
                assert!(code[..3].chars().all(|c| c.is_ascii_uppercase()), "{code}");
                assert!(code[4..].chars().all(|c| c.is_ascii_digit()), "{code}");
            }
        }
        for t in &tasks {
            assert!(t.fields["title"].as_str().unwrap().chars().count() <= 20);
            if let Some(notes) = t.fields.get("notes") {
                assert!(notes.as_str().unwrap().chars().count() >= 40);
            }
            let priority = t.fields["priority"].as_str().unwrap();
            assert!(["low", "normal", "high"].contains(&priority));
            if let Some(effort) = t.fields.get("effort") {
                assert!((-5..=5).contains(&effort.as_i64().unwrap()));
            }
            if let Some(due) = t.fields.get("due") {
                assert_eq!(due.as_str().unwrap().len(), 10);
            }
            if let Some(contact) = t.fields.get("contact") {
                assert!(contact.as_str().unwrap().ends_with("@example.com"));
            }
        }
    }

    #[test]
    fn required_relations_point_at_earlier_rows_of_their_target() {
        let model = model_of(SPEC);
        let rows = demo_rows(&model, 3);
        let project = model.entity("Project").unwrap().id;
        let task = model.entity("Task").unwrap().id;
        for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.entity == task) {
            let link = row
                .links
                .iter()
                .find(|l| l.key == "project_id")
                .expect("the required relation is filled");
            assert!(link.row < i);
            assert_eq!(rows[link.row].entity, project);
            assert_eq!(link.target, project);
            assert!(link.to_one);
        }
        // The owned entity gets rows from every role that may create them.
        let authors: std::collections::BTreeSet<_> = rows
            .iter()
            .filter(|r| r.entity == task)
            .map(|r| r.author.0)
            .collect();
        assert_eq!(authors.len(), 2);
    }

    #[test]
    fn the_same_seed_makes_the_same_rows() {
        let model = model_of(SPEC);
        assert_eq!(demo_rows(&model, 42), demo_rows(&model, 42));
        assert_ne!(demo_rows(&model, 42), demo_rows(&model, 43));
    }

    #[test]
    fn every_example_spec_gets_rows_of_each_entity_that_can_have_them() {
        for name in ["tasks", "clinic", "lending"] {
            let path = format!(
                "{}/../../examples/specs/{name}.yaml",
                env!("CARGO_MANIFEST_DIR")
            );
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let model = model_of(&text);
            let rows = demo_rows(&model, 1);
            assert!(!rows.is_empty(), "{name}");
            for row in &rows {
                for link in &row.links {
                    assert_eq!(rows[link.row].entity, link.target, "{name}");
                }
            }
        }
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(date(0), "2025-01-01");
        assert_eq!(date(31 + 28), "2025-03-01");
        assert_eq!(date(365 + 31 + 28), "2026-03-01");
    }
}

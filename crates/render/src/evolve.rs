//! Schema evolution across generations: the schema a project was last
//! generated from, the migration revisions archgen emitted for it, and the
//! next revision for a changed spec.
//!
//! A generation of a stack with migration revisions
//! ([`Stack::initial_revision`]) records a [`Snapshot`] in
//! [`.archgen/schema.json`](SNAPSHOT_PATH): the relational schema of the
//! model ([`model::schema::Schema`]) and the revisions, in order. The next
//! generation, given that [`History`] ([`Options::with_history`];
//! [`crate::write::read_history`] reads it from the output directory),
//! keeps every recorded revision file exactly as it is on disk (an applied
//! migration never changes), diffs the two schemas, and asks the stack for
//! one new revision with the steps. Destructive steps are refused unless
//! allowed ([`Options::with_allow_destructive`]).

mod api;

pub use api::{api_breaks, ApiBreak};

use crate::{FileTree, Options, RenderError};
use blueprint_core::spec::Spec;
use model::schema::{diff, Hints, Safety, Schema, Step};
use serde::{Deserialize, Serialize};
use stacks::{RevisionRequest, Stack};
use std::collections::BTreeMap;

/// Where the snapshot lives, relative to the output directory.
pub const SNAPSHOT_PATH: &str = ".archgen/schema.json";

/// The version of the snapshot's own format.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// One migration revision archgen emitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRecord {
    /// The revision's id (`0002`).
    pub id: String,
    /// Its file, relative to the output directory.
    pub path: String,
}

/// What `.archgen/schema.json` holds: the stack, the schema of the last
/// generation, and the revisions that build it, oldest first.
///
/// ```
/// use render::evolve::{RevisionRecord, Snapshot};
/// let schema = model::schema::Schema { format: model::schema::SCHEMA_FORMAT, tables: vec![] };
/// let snapshot = Snapshot::new("python-fastapi", schema, vec![RevisionRecord {
///     id: "0001".into(),
///     path: "migrations/versions/0001_initial.py".into(),
/// }]);
/// assert_eq!(Snapshot::from_json(&snapshot.to_json()).unwrap(), snapshot);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_FORMAT`].
    pub format: u32,
    /// The stack the revisions are written for.
    pub stack: String,
    /// The schema of the model the project was last generated from.
    pub schema: Schema,
    /// The revisions, oldest first.
    pub revisions: Vec<RevisionRecord>,
}

impl Snapshot {
    /// A snapshot of the current format.
    pub fn new(
        stack: impl Into<String>,
        schema: Schema,
        revisions: Vec<RevisionRecord>,
    ) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            stack: stack.into(),
            schema,
            revisions,
        }
    }

    /// The snapshot as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a snapshot, refusing another format and revision paths that
    /// would leave the output directory.
    ///
    /// # Errors
    ///
    /// A message saying what is wrong.
    pub fn from_json(text: &str) -> Result<Snapshot, String> {
        let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(format!(
                "its format is {}, this archgen reads format {SNAPSHOT_FORMAT}",
                snapshot.format
            ));
        }
        if snapshot.schema.format != model::schema::SCHEMA_FORMAT {
            return Err(format!(
                "its schema format is {}, this archgen reads format {}",
                snapshot.schema.format,
                model::schema::SCHEMA_FORMAT
            ));
        }
        for r in &snapshot.revisions {
            crate::check_path(&r.path).map_err(|e| e.to_string())?;
        }
        Ok(snapshot)
    }
}

/// What the last generation left in the output directory: its snapshot
/// and the bytes of each recorded revision file as they are on disk
/// (missing files are absent).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// The revision files on disk, by path.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What a generation decided about the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Evolution {
    /// The steps from the last generation's schema (empty on a first
    /// generation and when nothing changed).
    pub steps: Vec<Step>,
    /// The revision emitted for them, if any.
    pub revision: Option<RevisionRecord>,
    /// The snapshot to keep for the next generation.
    pub snapshot: Snapshot,
}

impl Evolution {
    /// The steps that are destructive.
    pub fn destructive(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|s| s.safety == Safety::Destructive)
    }
}

/// A short snake_case name of what the steps do, for the revision's file.
///
/// ```
/// assert_eq!(render::evolve::slug(&[]), "evolve");
/// ```
pub fn slug(steps: &[Step]) -> String {
    use model::schema::Change as C;
    let one = |s: &Step| -> String {
        match &s.change {
            C::CreateTable { table } => format!("create_{}", table.name),
            C::DropTable { table } => format!("drop_{}", table.name),
            C::RenameTable { from, to, .. } => format!("rename_{from}_to_{to}"),
            C::AddColumn { table, column } => format!("add_{table}_{}", column.name),
            C::DropColumn { table, column } => format!("drop_{table}_{}", column.name),
            C::RenameColumn {
                table, from, to, ..
            } => format!("rename_{table}_{from}_to_{to}"),
            C::AlterColumn { table, new, .. } => format!("alter_{table}_{}", new.name),
            C::Encrypt { table, new, .. } => format!("encrypt_{table}_{}", new.name),
            C::Decrypt { table, new, .. } => format!("decrypt_{table}_{}", new.name),
            C::AddIndex { index, .. } => format!("add_{}", index.name),
            C::DropIndex { index, .. } => format!("drop_{}", index.name),
            C::RenameIndex { to, .. } => format!("rename_{to}"),
        }
    };
    let mut out = match steps {
        [] => "evolve".to_string(),
        [s] => one(s),
        [s, rest @ ..] => format!("{}_and_{}_more", one(s), rest.len()),
    };
    out = out
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.len() > 60 {
        out.truncate(60);
    }
    out.trim_end_matches('_').to_string()
}

/// Decides the schema's evolution for a rendered tree: keeps the recorded
/// revisions as on disk, adds the new revision, and says what to record.
/// `None` when the stack keeps no revisions.
/// A stack without migration revisions: the schema is still recorded, so
/// that the next generation sees a change, which its one initial migration
/// cannot apply to a database made before ([`RenderError::NoMigrations`],
/// unless destructive changes are allowed: then the initial migration is
/// written again for a new database).
fn without_revisions(
    stack: &dyn Stack,
    spec: &Spec,
    schema: Schema,
    options: &Options,
) -> Result<Evolution, RenderError> {
    let history = options.history().filter(|h| h.snapshot.stack == stack.id());
    let steps = match history {
        Some(history) => diff(&history.snapshot.schema, &schema, &Hints::of(spec))?,
        None => Vec::new(),
    };
    if !steps.is_empty() && !options.allow_destructive() {
        return Err(RenderError::NoMigrations {
            stack: stack.id().to_string(),
            steps: steps.iter().map(|s| s.summary.clone()).collect(),
        });
    }
    Ok(Evolution {
        steps,
        revision: None,
        snapshot: Snapshot::new(stack.id(), schema, Vec::new()),
    })
}

pub(crate) fn evolve(
    stack: &dyn Stack,
    spec: &Spec,
    model: &model::AppModel,
    options: &Options,
    tree: &mut FileTree,
) -> Result<Option<Evolution>, RenderError> {
    let schema = Schema::of(model);
    let Some(initial) = stack.initial_revision() else {
        return without_revisions(stack, spec, schema, options).map(Some);
    };
    let history = options.history().filter(|h| h.snapshot.stack == stack.id());
    let Some(history) = history else {
        let first = RevisionRecord {
            id: initial.id,
            path: initial.path,
        };
        return Ok(Some(Evolution {
            steps: Vec::new(),
            revision: None,
            snapshot: Snapshot::new(stack.id(), schema, vec![first]),
        }));
    };
    let steps = diff(&history.snapshot.schema, &schema, &Hints::of(spec))?;
    let destructive: Vec<String> = steps
        .iter()
        .filter(|s| s.safety == Safety::Destructive)
        .map(|s| s.summary.clone())
        .collect();
    if !destructive.is_empty() && !options.allow_destructive() {
        return Err(RenderError::Destructive { steps: destructive });
    }
    // Applied migrations never change: each recorded one stays as it is.
    for r in &history.snapshot.revisions {
        match history.files.get(&r.path) {
            Some(bytes) => tree.replace(r.path.clone(), bytes.clone())?,
            None => {
                return Err(RenderError::MissingRevision {
                    path: r.path.clone(),
                })
            }
        }
    }
    let mut revisions = history.snapshot.revisions.clone();
    let mut revision = None;
    let mut recorded = schema;
    if !steps.is_empty() {
        let previous = revisions
            .last()
            .map(|r| r.id.clone())
            .unwrap_or_else(|| initial.id.clone());
        let slug = slug(&steps);
        let request = RevisionRequest {
            number: u32::try_from(revisions.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            previous: &previous,
            slug: &slug,
            steps: &steps,
        };
        match stack.revision(model, request)? {
            Some(planned) => {
                let bytes = match planned.file.content {
                    stacks::Content::Text(text) => text.into_bytes(),
                    stacks::Content::Bytes(bytes) => bytes,
                    stacks::Content::Template { name, .. }
                    | stacks::Content::Derived { name, .. } => {
                        return Err(RenderError::Template {
                            template: name,
                            message: "a migration revision is literal content; render it in the stack's `revision`".to_string(),
                        })
                    }
                };
                if tree.contains(&planned.file.path) {
                    return Err(RenderError::DuplicatePath {
                        path: planned.file.path,
                    });
                }
                tree.insert(planned.file.path.clone(), bytes)?;
                let record = RevisionRecord {
                    id: planned.id,
                    path: planned.file.path,
                };
                revisions.push(record.clone());
                revision = Some(record);
            }
            // The stack migrates nothing: the schema on record stays.
            None => recorded = history.snapshot.schema.clone(),
        }
    }
    Ok(Some(Evolution {
        steps,
        revision,
        snapshot: Snapshot::new(stack.id(), recorded, revisions),
    }))
}

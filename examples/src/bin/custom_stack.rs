//! Registers a stack of one's own with the render engine and generates a
//! product with it.
//!
//! Acme's platform team runs small Node.js services behind a gateway that
//! signs users in and passes their id and role in headers. Their
//! `acme-node` stack emits such a service from archgen's application model
//! (`model::AppModel`): a PostgreSQL migration with the tables, constraint
//! and index names every archgen stack uses, and list, read and create
//! routes per entity that apply the model's access decisions (all rows, the
//! caller's own rows, or none). The stack decides nothing about the spec's
//! meaning; it only spells the model in JavaScript and SQL.
//!
//! Its templates are not compiled in: they live in
//! `examples/templates/acme-node/` and are read when the stack is built
//! (`stacks::templates_from_dir`), so the team edits them without
//! rebuilding. The engine renders them strictly (a field missing from a
//! view model is an error), adds the documents and vendor files, and writes
//! the tree safely. Here the write is a dry run in a temporary directory,
//! so the program leaves nothing behind.
//!
//! A spec may name the stack (`stack: acme-node`) once it is registered:
//! specs checked with the engine (`Engine::parse_file`) accept it.
//!
//! Run with `cargo run -p archgen-examples --bin custom_stack`.

use blueprint_core::spec::{Action, FieldType, OnDelete};
use model::{AppModel, Entity};
use render::write::{write_tree, WriteOptions};
use render::{Engine, Generated, Options};
use serde_json::json;
use stacks::{PlannedFile, Stack, StackError, Stage, Template, VerificationPlan};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The stack's id, as specs and `Options::with_stack` name it.
const ID: &str = "acme-node";

/// Acme's Node.js stack, with the templates read from its folder.
struct AcmeNode {
    templates: Vec<Template>,
}

impl AcmeNode {
    /// Reads the stack's templates from `dir`, naming them `acme-node/…`.
    fn load(dir: &Path) -> Result<AcmeNode, stacks::TemplateDirError> {
        Ok(AcmeNode {
            templates: stacks::templates_from_dir(dir, ID)?,
        })
    }
}

impl Stack for AcmeNode {
    fn id(&self) -> &'static str {
        ID
    }

    fn description(&self) -> &'static str {
        "Node.js behind Acme's gateway: a migration and list, read and create routes"
    }

    fn templates(&self) -> Vec<Template> {
        self.templates.clone()
    }

    fn plan(&self, model: &AppModel) -> Result<Vec<PlannedFile>, StackError> {
        Ok(plan(model))
    }

    fn verification(&self) -> VerificationPlan {
        VerificationPlan {
            stages: vec![Stage {
                name: "install".to_string(),
                make_target: "install".to_string(),
                timeout_secs: 300,
            }],
            create_user: Vec::new(),
            production_target: None,
            caches: vec![stacks::Cache {
                variable: "npm_config_cache".to_string(),
                folder: "npm".to_string(),
                keyed_by: Vec::new(),
            }],
            // The project's tests read its sources, not what npm installs.
            test_inputs: stacks::TestInputs {
                outputs_at_top: vec!["node_modules".to_string()],
                outputs_anywhere: Vec::new(),
                toolchain: Vec::new(),
            },
        }
    }
}

/// The SQL type of a field.
fn sql_type(field: &model::Field) -> String {
    if field.encrypted {
        // Sensitive values would be encrypted by the service; Acme's
        // gateway does that for this stack, so the column holds ciphertext.
        return "text".to_string();
    }
    match field.ty() {
        FieldType::String | FieldType::Email | FieldType::Url | FieldType::Phone => {
            format!("varchar({})", field.max_length.unwrap_or(255))
        }
        FieldType::Text | FieldType::Enum => "text".to_string(),
        FieldType::Integer => "integer".to_string(),
        FieldType::Bigint => "bigint".to_string(),
        FieldType::Decimal => {
            let (p, s) = field.rules.decimal_digits();
            format!("numeric({p}, {s})")
        }
        FieldType::Boolean => "boolean".to_string(),
        FieldType::Date => "date".to_string(),
        FieldType::Datetime => "timestamptz".to_string(),
        FieldType::Uuid => "uuid".to_string(),
        FieldType::Json => "jsonb".to_string(),
    }
}

/// A SQL string literal.
fn sql_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The lines of an entity's `CREATE TABLE`, and its indexes and foreign
/// keys (added once every table exists, so cycles work).
fn table(model: &AppModel, e: &Entity, alters: &mut Vec<String>) -> serde_json::Value {
    let mut lines = vec!["id uuid PRIMARY KEY DEFAULT gen_random_uuid()".to_string()];
    if e.is_owned() {
        lines.push("owner_id uuid NOT NULL".to_string());
    }
    for f in &e.fields {
        let mut line = format!("{} {}", f.name, sql_type(f));
        if !f.nullable {
            line.push_str(" NOT NULL");
        }
        lines.push(line);
        if f.ty() == FieldType::Enum && !f.encrypted {
            let values: Vec<String> = f.rules.values.iter().map(|v| sql_str(v)).collect();
            lines.push(format!(
                "CONSTRAINT {} CHECK ({} IN ({}))",
                model::names::pg_identifier(&format!("ck_{}_{}", e.table, f.name)),
                f.name,
                values.join(", ")
            ));
        }
        if let Some(unique) = &f.unique_constraint {
            lines.push(format!("CONSTRAINT {unique} UNIQUE ({})", f.name));
        }
        if let Some(index) = &f.index {
            alters.push(format!("CREATE INDEX {index} ON {} ({});", e.table, f.name));
        }
    }
    for rel in e.to_one() {
        let target = model.get(rel.target);
        let mut line = format!("{} uuid", rel.key);
        if rel.required {
            line.push_str(" NOT NULL");
        }
        lines.push(line);
        let on_delete = match rel.on_delete {
            OnDelete::Restrict => "RESTRICT",
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
        };
        if let Some(fk) = &rel.foreign_key {
            alters.push(format!(
                "ALTER TABLE {} ADD CONSTRAINT {fk} FOREIGN KEY ({}) REFERENCES {} (id) ON DELETE {on_delete};",
                e.table, rel.key, target.table
            ));
        }
        if let Some(index) = &rel.index {
            alters.push(format!(
                "CREATE INDEX {index} ON {} ({});",
                e.table, rel.key
            ));
        }
        if let Some(unique) = &rel.unique_constraint {
            lines.push(format!("CONSTRAINT {unique} UNIQUE ({})", rel.key));
        }
    }
    if let Some(index) = &e.owner_index {
        alters.push(format!("CREATE INDEX {index} ON {} (owner_id);", e.table));
    }
    lines.push("created_at timestamptz NOT NULL DEFAULT now()".to_string());
    lines.push("updated_at timestamptz NOT NULL DEFAULT now()".to_string());
    let last = lines.len() - 1;
    let lines: Vec<String> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i < last { format!("{l},") } else { l })
        .collect();
    json!({ "name": e.table, "lines": lines })
}

/// The module name of an entity's routes (a JavaScript identifier).
fn module(e: &Entity) -> String {
    format!("{}_routes", e.collection)
}

/// The planning itself, apart from the trait: what each file holds.
fn plan(model: &AppModel) -> Vec<PlannedFile> {
    let mut alters = Vec::new();
    let tables: Vec<serde_json::Value> = model
        .entities
        .iter()
        .map(|e| table(model, e, &mut alters))
        .collect();
    let entities: Vec<serde_json::Value> = model
        .entities
        .iter()
        .map(|e| json!({ "module": module(e), "collection": e.collection }))
        .collect();
    let project = json!({
        "name": model.product.name,
        "title": model.product.title,
        "base": model.api.base_path,
        "base_path": serde_json::to_string(&model.api.base_path).unwrap_or_default(),
        "entities": entities,
        "tables": tables,
        "alters": alters,
    });
    let mut files = vec![
        PlannedFile::template("package.json", "acme-node/package.json", project.clone()),
        PlannedFile::template("README.md", "acme-node/README.md", project.clone()),
        PlannedFile::template(
            "migrations/001_init.sql",
            "acme-node/migrations/001_init.sql",
            project.clone(),
        ),
        PlannedFile::template("src/server.mjs", "acme-node/src/server.mjs", project),
    ];
    for e in &model.entities {
        let mut access = serde_json::Map::new();
        for action in Action::ALL {
            let rule = e.access(action);
            let roles: serde_json::Map<String, serde_json::Value> = model
                .roles
                .iter()
                .map(|r| (r.name.clone(), json!(rule.scope(Some(r.id)).as_str())))
                .collect();
            access.insert(
                action.as_str().to_string(),
                serde_json::Value::Object(roles),
            );
        }
        let mut columns: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
        columns.extend(e.to_one().map(|r| r.key.as_str()));
        files.push(PlannedFile::template(
            format!("src/routes/{}.mjs", module(e)),
            "acme-node/src/routes/entity.mjs",
            json!({
                "name": e.name,
                "table": e.table,
                "owned": e.is_owned(),
                "page_size": model.api.page_size,
                "access": serde_json::to_string(&access).unwrap_or_default(),
                "columns": serde_json::to_string(&columns).unwrap_or_default(),
            }),
        ));
    }
    files
}

/// The example's own folder.
fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An engine with the built-ins and Acme's stack.
fn engine() -> Result<Engine, String> {
    let stack = AcmeNode::load(&here().join("templates/acme-node")).map_err(|e| e.to_string())?;
    let mut engine = Engine::with_builtins();
    engine.register_stack(Box::new(stack));
    Ok(engine)
}

/// Checks the clinic spec with the engine and generates it with Acme's
/// stack. The clinic names `sentry`, whose built-in vendor has files for
/// python-fastapi only, and generating with a stack a registered vendor
/// does not support is refused; so the integrations whose vendor has no
/// files for Acme's stack are dropped first (those no vendor generates stay,
/// reported as not generated).
fn run(engine: &Engine) -> Result<Generated, String> {
    let path = here().join("specs/clinic.yaml");
    let mut spec = engine
        .parse_file(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .spec;
    spec.integrations
        .retain(|id, _| engine.vendors().get(id).is_none_or(|v| v.supports(ID)));
    render::generate(&spec, engine, &Options::new().with_stack(ID)).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let engine = match engine() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let generated = match run(&engine) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(readme) = generated.tree.get_str("README.md") {
        print!("{readme}");
    }
    let out = std::env::temp_dir().join("acme-node-example");
    let write = WriteOptions::for_render(&Options::new().with_stack(ID)).with_dry_run(true);
    match write_tree(&generated.tree, &out, &generated.spec_hash, &write) {
        Ok(report) => {
            print!("{report}");
            println!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_core::spec::Format;

    #[test]
    fn the_templates_come_from_the_folder() {
        let engine = engine().unwrap();
        let names: Vec<String> = engine
            .stack(ID)
            .unwrap()
            .templates()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "acme-node/README.md",
                "acme-node/migrations/001_init.sql",
                "acme-node/package.json",
                "acme-node/src/routes/entity.mjs",
                "acme-node/src/server.mjs",
            ]
        );
    }

    #[test]
    fn the_clinic_generates_a_service_from_the_model() {
        let generated = run(&engine().unwrap()).unwrap();
        let tree = &generated.tree;
        let sql = tree.get_str("migrations/001_init.sql").unwrap();
        // The names every archgen stack uses, from the model.
        assert!(
            sql.contains("CONSTRAINT uq_patients_email UNIQUE (email)"),
            "{sql}"
        );
        assert!(sql.contains("ADD CONSTRAINT fk_appointments_patient_id_patients FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE;"), "{sql}");
        assert!(
            sql.contains("CREATE INDEX ix_patients_owner_id ON patients (owner_id);"),
            "{sql}"
        );
        assert!(sql.contains("status text NOT NULL"), "{sql}");
        // The access decisions, per role: patients read their own rows.
        let patients = tree.get_str("src/routes/patients_routes.mjs").unwrap();
        assert!(
            patients.contains(r#""read":{"patient":"own","clinician":"all","admin":"all"}"#),
            "{patients}"
        );
        assert!(patients.contains(r#"names.push("owner_id");"#));
        let server = tree.get_str("src/server.mjs").unwrap();
        assert!(
            server.contains(r#"[BASE + "/visit_notes", visit_notes_routes],"#),
            "{server}"
        );
        // The documents come for free.
        assert!(tree.get_str("docs/compliance.md").is_some());
    }

    /// The JavaScript parses (Node's own checker, when Node is installed).
    #[test]
    fn the_javascript_parses() {
        let generated = run(&engine().unwrap()).unwrap();
        let dir = std::env::temp_dir().join(format!("acme-node-check-{}", std::process::id()));
        for path in ["src/server.mjs", "src/routes/appointments_routes.mjs"] {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, generated.tree.get_str(path).unwrap()).unwrap();
            match std::process::Command::new("node")
                .arg("--check")
                .arg(&file)
                .output()
            {
                Ok(out) => assert!(
                    out.status.success(),
                    "{path}: {}",
                    String::from_utf8_lossy(&out.stderr)
                ),
                Err(_) => eprintln!("node is not installed; {path} was not checked"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_spec_naming_the_stack_checks_with_the_engine() {
        let text = "spec_version: 1\nproduct: { name: shop }\nstack: acme-node\nentities: { Order: { fields: { total: integer } } }\n";
        let engine = engine().unwrap();
        let spec = engine
            .parse_str("shop.yaml", text, Format::Yaml)
            .unwrap()
            .spec;
        let generated = render::generate(&spec, &engine, &Options::new()).unwrap();
        assert!(generated
            .tree
            .get_str("src/routes/orders_routes.mjs")
            .is_some());
        // Without the engine, archgen's own stacks only.
        let err = blueprint_core::spec::parse_str("shop.yaml", text, Format::Yaml).unwrap_err();
        assert_eq!(err.diagnostics[0].code.as_str(), "E631");
    }

    #[test]
    fn a_missing_template_folder_is_named() {
        let err = AcmeNode::load(&here().join("templates/nowhere"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("templates/nowhere"), "{err}");
    }
}

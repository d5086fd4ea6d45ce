//! `docs/traceability.md`: every spec item followed to the blueprint
//! elements it became and the files that implement them, so a reviewer can
//! follow any requirement to code.

use blueprint_core::archimate::RelationshipKind;
use blueprint_core::naming;
use blueprint_core::spec::Action;

use crate::docs::code_map::{capability_paths, entity_paths};
use crate::docs::facts::cell;
use crate::{DocInput, DocumentEmitter, FileTree, RenderError};

/// The path of the document in a generated project.
pub const TRACEABILITY_PATH: &str = "docs/traceability.md";

/// Emits `docs/traceability.md`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceabilityEmitter;

impl DocumentEmitter for TraceabilityEmitter {
    fn id(&self) -> &'static str {
        "traceability"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        out.insert(TRACEABILITY_PATH, traceability_markdown(input))
    }
}

fn code(items: &[String]) -> String {
    if items.is_empty() {
        "–".to_string()
    } else {
        items
            .iter()
            .map(|i| format!("`{}`", cell(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The whole document.
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// let mut bp = SpecBuilder::new("tasks").with_entity("Task", |e| e).build();
/// let analysis = compliance::complete(&mut bp).unwrap();
/// let model = model::AppModel::from_blueprint(&bp);
/// let input = render::DocInput { blueprint: &bp, analysis: &analysis, model: &model, stack: None, generated_integrations: &[], backend: false };
/// let md = render::docs::traceability::traceability_markdown(&input);
/// assert!(md.contains("`bo.task`"));
/// assert!(md.contains("`req.csrf-protection`"));
/// ```
pub fn traceability_markdown(input: &DocInput<'_>) -> String {
    let (bp, analysis, model) = (input.blueprint, input.analysis, input.model);
    let stack = input.stack.as_ref();
    let generated = input.generated_integrations;
    let spec = bp.spec();
    let mut s = format!("# Traceability: {}\n\n", model.product.title);
    s.push_str("Each item of the product spec, the blueprint elements it became (ids as in `docs/archimate/model.xml` and `archgen plan --json`), and the generated files that implement it. Read a row left to right to go from a requirement to code, or right to left to find why a file exists.\n\n");

    s.push_str("## Entities\n\n");
    s.push_str("| Spec entity | Business object | Data object | Services | API | Files |\n|---|---|---|---|---|---|\n");
    for entity in &model.entities {
        let name = entity.name.as_str();
        let snake = naming::snake(name);
        let bo = bp
            .business_object_of(name)
            .map(|e| e.id.to_string())
            .unwrap_or_else(|| format!("bo.{snake}"));
        let dobj = bp
            .data_object_of(name)
            .map(|e| e.id.to_string())
            .unwrap_or_else(|| format!("do.{snake}"));
        let services: Vec<String> = Action::ALL
            .iter()
            .filter_map(|a| bp.service_of(name, *a).map(|e| e.id.to_string()))
            .collect();
        let mut files = entity_paths(stack, name);
        files.push(crate::docs::openapi::OPENAPI_PATH.to_string());
        let mut api: Vec<String> = Vec::new();
        for r in model.routes_of(entity.id) {
            if !api.contains(&r.path) {
                api.push(r.path.clone());
            }
        }
        s.push_str(&format!(
            "| {name} | `{bo}` | `{dobj}` | {} | {} | {} |\n",
            code(&services),
            code(&api),
            code(&files)
        ));
    }

    s.push_str("\n## Fields\n\n");
    s.push_str("| Spec field | Data object property | PII class | Blueprint parameter |\n|---|---|---|---|\n");
    for f in &analysis.fields {
        let dobj = bp
            .data_object_of(&f.entity)
            .map(|e| e.id.to_string())
            .unwrap_or_else(|| format!("do.{}", naming::snake(&f.entity)));
        s.push_str(&format!(
            "| {}.{} | `{dobj}` `field.{}` | {} | `pii.{}.{}` |\n",
            f.entity,
            f.field,
            f.field,
            f.pii.as_str(),
            f.entity,
            f.field
        ));
    }

    s.push_str("\n## Roles\n\n");
    s.push_str("| Spec role | Business role | Signup | Admin | Served by (services) |\n|---|---|---|---|---|\n");
    for role in &model.roles {
        let name = &role.name;
        let id = bp
            .elements_of_kind(blueprint_core::archimate::ElementKind::BusinessRole)
            .find(|e| e.property("role") == Some(name.as_str()))
            .map(|e| e.id.to_string())
            .unwrap_or_else(|| format!("role.{name}"));
        // Each service once, in the order the blueprint holds them.
        let served: Vec<String> = bp
            .relationships()
            .filter(|r| r.kind == RelationshipKind::Serving && r.target.as_str() == id)
            .map(|r| r.source.to_string())
            .collect::<indexmap::IndexSet<String>>()
            .into_iter()
            .collect();
        s.push_str(&format!(
            "| {name} | `{id}` | {} | {} | {} |\n",
            if role.signup { "yes" } else { "no" },
            if role.admin { "yes" } else { "no" },
            code(&served)
        ));
    }

    s.push_str("\n## Access rules\n\n");
    s.push_str("| Spec rule | Service | Serving relationships (role: via) | Enforced in |\n|---|---|---|---|\n");
    let access_files = capability_paths(stack, compliance::Capability::Rbac);
    for (name, entity) in &spec.entities {
        for action in Action::ALL {
            let rule: Vec<&str> = entity
                .access
                .get(action)
                .iter()
                .map(|s| s.as_str())
                .collect();
            let Some(svc) = bp.service_of(name, action) else {
                continue;
            };
            let serving: Vec<String> = bp
                .relationships_from(&svc.id)
                .filter(|r| r.kind == RelationshipKind::Serving)
                .map(|r| {
                    let who = bp
                        .element_by_str(r.target.as_str())
                        .map(|e| e.name.clone())
                        .unwrap_or_else(|| r.target.to_string());
                    format!("{who}: {}", r.property("via").unwrap_or("?"))
                })
                .collect();
            s.push_str(&format!(
                "| {name}.{action}: [{}] | `{}` | {} | {} |\n",
                cell(&rule.join(", ")),
                svc.id,
                cell(&serving.join("; ")),
                code(&access_files)
            ));
        }
    }

    if !model.integrations.is_empty() {
        s.push_str("\n## Integrations\n\n");
        s.push_str("| Spec integration | Element | In this project | Controls it takes part in | Decision |\n|---|---|---|---|---|\n");
        let records = crate::docs::adr::adrs(input);
        for vendor in model.integrations.iter().map(|i| &i.id) {
            let id = format!("ext.{vendor}");
            let wanted = crate::docs::adr::slug(&format!("integrate {vendor}"));
            let decision = records
                .iter()
                .find(|r| r.slug == wanted)
                .map(|r| format!("[`{}`]({})", r.path(), r.path().trim_start_matches("docs/")))
                .unwrap_or_else(|| "–".to_string());
            let controls: Vec<String> = analysis
                .controls
                .iter()
                .filter(|c| c.realized_by.contains(&id))
                .map(|c| c.id.clone())
                .collect();
            let here = if generated.contains(vendor) {
                "generated"
            } else {
                crate::docs::integrations::NOT_GENERATED
            };
            s.push_str(&format!(
                "| {vendor} | `{id}` | {here} | {} | {decision} |\n",
                code(&controls)
            ));
        }
    }

    s.push_str("\n## Controls\n\n");
    s.push_str("| Control | Element | Driven by | Realized by | Files |\n|---|---|---|---|---|\n");
    for c in &analysis.controls {
        let element = c.element_id();
        let kind = bp
            .element_by_str(&element)
            .map(|e| e.kind.xsi_type())
            .unwrap_or("Requirement");
        let drivers: Vec<String> = bp
            .relationships()
            .filter(|r| r.target.as_str() == element && r.kind != RelationshipKind::Realization)
            .map(|r| r.source.to_string())
            .collect();
        let files = capability_paths(stack, c.capability);
        s.push_str(&format!(
            "| `{}` {} | `{element}` ({kind}) | {} | {} | {} |\n",
            c.id,
            cell(&c.title),
            code(&drivers),
            code(&c.realized_by),
            code(&files)
        ));
    }
    s
}

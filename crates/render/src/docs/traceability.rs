//! `docs/traceability.md`: every spec item followed to the blueprint
//! elements it became and the files that implement them, so a reviewer can
//! follow any requirement to code.

use blueprint_core::archimate::RelationshipKind;
use blueprint_core::graph::Blueprint;
use blueprint_core::naming;
use blueprint_core::spec::Action;
use compliance::Analysis;

use crate::docs::code_map::{capability_paths, entity_paths};
use crate::docs::facts::{base_path, cell, collection, package};
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
        out.insert(
            TRACEABILITY_PATH,
            traceability_markdown(
                input.blueprint,
                input.analysis,
                input.stack.map(|s| s.id),
                input.generated_integrations,
            ),
        )
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
/// let spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// let (bp, analysis, _) = render::docs::render_docs(&spec).unwrap();
/// let md = render::docs::traceability::traceability_markdown(&bp, &analysis, None, &[]);
/// assert!(md.contains("`bo.task`"));
/// assert!(md.contains("`req.csrf-protection`"));
/// ```
/// `generated` are the spec's integrations the project contains
/// ([`DocInput::generated_integrations`]); the others are marked not
/// generated.
pub fn traceability_markdown(
    bp: &Blueprint,
    analysis: &Analysis,
    stack: Option<&str>,
    generated: &[String],
) -> String {
    let spec = bp.spec();
    let pkg = package(spec);
    let base = base_path(spec);
    let mut s = format!("# Traceability: {}\n\n", spec.product.display_name());
    s.push_str("Each item of the product spec, the blueprint elements it became (ids as in `docs/archimate/model.xml` and `archgen plan --json`), and the generated files that implement it. Read a row left to right to go from a requirement to code, or right to left to find why a file exists.\n\n");

    s.push_str("## Entities\n\n");
    s.push_str("| Spec entity | Business object | Data object | Services | API | Files |\n|---|---|---|---|---|---|\n");
    for (name, entity) in &spec.entities {
        let snake = naming::snake(name);
        let c = collection(name, entity);
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
        let mut files = entity_paths(&c, stack, &pkg);
        files.push("docs/openapi.json".to_string());
        s.push_str(&format!(
            "| {name} | `{bo}` | `{dobj}` | {} | `{base}/{c}`, `{base}/{c}/{{id}}` | {} |\n",
            code(&services),
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
    for (name, role) in &spec.roles {
        let id = bp
            .elements_of_kind(blueprint_core::archimate::ElementKind::BusinessRole)
            .find(|e| e.property("role") == Some(name.as_str()))
            .map(|e| e.id.to_string())
            .unwrap_or_else(|| format!("role.{name}"));
        let served: Vec<String> = bp
            .relationships()
            .filter(|r| r.kind == RelationshipKind::Serving && r.target.as_str() == id)
            .map(|r| r.source.to_string())
            .fold(Vec::new(), |mut acc: Vec<String>, id| {
                if !acc.contains(&id) {
                    acc.push(id);
                }
                acc
            });
        s.push_str(&format!(
            "| {name} | `{id}` | {} | {} | {} |\n",
            if role.signup { "yes" } else { "no" },
            if role.admin { "yes" } else { "no" },
            code(&served)
        ));
    }

    s.push_str("\n## Access rules\n\n");
    s.push_str("| Spec rule | Service | Serving relationships (role: via) | Enforced in |\n|---|---|---|---|\n");
    let access_files = capability_paths(compliance::Capability::Rbac, stack, &pkg);
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

    if !spec.integrations.is_empty() {
        s.push_str("\n## Integrations\n\n");
        s.push_str("| Spec integration | Element | In this project | Controls it takes part in | Decision |\n|---|---|---|---|---|\n");
        let records = crate::docs::adr::adrs(bp, analysis, stack, generated);
        for vendor in spec.integrations.keys() {
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
        let files = capability_paths(c.capability, stack, &pkg);
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

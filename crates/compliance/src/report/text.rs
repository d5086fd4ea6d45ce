use std::fmt::Write;

use blueprint_core::spec::Pii;

use crate::Analysis;

pub(super) fn render(a: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Compliance of {} ({})", a.product_title, a.product);
    let _ = writeln!(s);
    if a.frameworks.is_empty() {
        let _ = writeln!(s, "Frameworks: none; the security baseline applies.");
    } else {
        let _ = writeln!(s, "Frameworks (the security baseline always applies):");
        for f in &a.frameworks {
            let how = if f.declared { "declared" } else { "inferred" };
            let _ = writeln!(s, "  {:<9} {how}", f.framework.id());
            for r in &f.reasons {
                let _ = writeln!(s, "            - {r}");
            }
        }
    }
    if let Some(scope) = &a.pci_scope {
        let _ = writeln!(s, "PCI DSS scope: {}", scope.describe());
    }
    let _ = writeln!(s);
    let count = |p: Pii| a.fields.iter().filter(|f| f.pii == p).count();
    let special = a
        .fields
        .iter()
        .filter(|f| f.special_category.is_some())
        .count();
    let _ = writeln!(
        s,
        "Fields: {} total, {} personal, {} sensitive ({} special category)",
        a.fields.len(),
        count(Pii::Personal),
        count(Pii::Sensitive),
        special
    );
    let width = a
        .fields
        .iter()
        .map(|f| f.entity.len() + f.field.len() + 1)
        .max()
        .unwrap_or(0);
    for f in a.fields.iter().filter(|f| f.pii != Pii::None) {
        let name = format!("{}.{}", f.entity, f.field);
        let mark = if f.special_category.is_some() {
            " *"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  {name:<width$}  {:<9}{mark}  {}",
            f.pii.as_str(),
            f.reason
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Controls: {}", a.controls.len());
    let width = a.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &a.controls {
        let cited: Vec<String> = c
            .frameworks
            .iter()
            .map(|(k, v)| format!("{k} {}", v.join(", ")))
            .collect();
        let _ = writeln!(s, "  {:<width$}  {}", c.id, c.title);
        if !cited.is_empty() {
            let _ = writeln!(s, "  {:<width$}  [{}]", "", cited.join("; "));
        }
        if !c.parameters.is_empty() {
            let params: Vec<String> = c
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(s, "  {:<width$}  parameters: {}", "", params.join(", "));
        }
    }
    if !a.warnings.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Warnings:");
        for w in &a.warnings {
            let _ = writeln!(s, "  - {w}");
        }
    }
    s
}

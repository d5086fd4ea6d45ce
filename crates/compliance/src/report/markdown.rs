use std::fmt::Write;

use blueprint_core::spec::Pii;

use crate::Analysis;

/// Makes text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn code_list(items: &[String]) -> String {
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

pub(super) fn render(a: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Compliance matrix: {}", cell(&a.product_title));
    let _ = writeln!(s);
    let names: Vec<&str> = a.frameworks.iter().map(|f| f.framework.name()).collect();
    let in_force = if names.is_empty() {
        "no framework beyond the security baseline".to_string()
    } else {
        names.join(", ")
    };
    let _ = writeln!(
        s,
        "Frameworks in force: {in_force}. Every control is also mapped to OWASP ASVS 4.0.3. \
         Clause ids are identifiers only; read each standard for its wording."
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "## Frameworks");
    let _ = writeln!(s);
    let _ = writeln!(s, "| Framework | Declared | Why |");
    let _ = writeln!(s, "|---|---|---|");
    for f in &a.frameworks {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            f.framework.name(),
            if f.declared { "yes" } else { "no (inferred)" },
            cell(&f.reasons.join("; "))
        );
    }
    if a.frameworks.is_empty() {
        let _ = writeln!(
            s,
            "| (none) | | the security baseline applies to every product |"
        );
    }
    if let Some(scope) = &a.pci_scope {
        let _ = writeln!(s);
        let _ = writeln!(s, "PCI DSS scope: {}.", cell(&scope.describe()));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## Controls");
    let _ = writeln!(s);
    let columns: Vec<(String, &str)> = a
        .frameworks
        .iter()
        .map(|f| (f.framework.id().to_string(), f.framework.name()))
        .chain(std::iter::once(("asvs".to_string(), "OWASP ASVS")))
        .collect();
    let _ = write!(s, "| Control | Requirement |");
    for (_, name) in &columns {
        let _ = write!(s, " {name} |");
    }
    let _ = writeln!(s, " Realized by |");
    let _ = write!(s, "|---|---|");
    for _ in &columns {
        let _ = write!(s, "---|");
    }
    let _ = writeln!(s, "---|");
    for c in &a.controls {
        let _ = write!(
            s,
            "| `{}` {} | {} |",
            cell(&c.id),
            cell(&c.title),
            cell(&c.requires)
        );
        for (key, _) in &columns {
            let ids = c
                .frameworks
                .get(key)
                .map(|v| v.join(", "))
                .unwrap_or_default();
            let _ = write!(
                s,
                " {} |",
                if ids.is_empty() {
                    "–".to_string()
                } else {
                    cell(&ids)
                }
            );
        }
        let _ = writeln!(s, " {} |", code_list(&c.realized_by));
    }
    let params: Vec<_> = a
        .controls
        .iter()
        .flat_map(|c| c.parameters.iter().map(move |(k, v)| (k, v, &c.id)))
        .collect();
    if !params.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "## Parameters");
        let _ = writeln!(s);
        let _ = writeln!(s, "| Parameter | Value | Control |");
        let _ = writeln!(s, "|---|---|---|");
        for (k, v, id) in params {
            let _ = writeln!(
                s,
                "| `{}` | {} | `{}` |",
                cell(k),
                cell(&v.to_string()),
                cell(id)
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## Why each control applies");
    let _ = writeln!(s);
    for c in &a.controls {
        let _ = writeln!(s, "- `{}`: {}", c.id, cell(&c.reasons.join("; ")));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## PII inventory");
    let _ = writeln!(s);
    let _ = writeln!(s, "| Entity | Field | Class | GDPR Art. 9 | Reason |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for f in &a.fields {
        let special = match f.special_category {
            Some(c) => c.label().to_string(),
            None => "–".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} | {} |",
            cell(&f.entity),
            cell(&f.field),
            f.pii.as_str(),
            special,
            cell(&f.reason)
        );
    }
    let sensitive = a.fields.iter().filter(|f| f.pii == Pii::Sensitive).count();
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} of {} fields hold personal data; {} are sensitive and encrypted at rest.",
        a.fields.iter().filter(|f| f.pii != Pii::None).count(),
        a.fields.len(),
        sensitive
    );
    s
}

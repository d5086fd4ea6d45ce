//! The document emitters: determinism, the stable numbering of the
//! decision records, and documents for a stack without a layout of its
//! own. The documents' bytes are pinned by the golden trees
//! (`tests/golden/<name>/docs/`, `tests/tests/golden.rs`).

mod common;

use render::docs::adr::adrs;

#[test]
fn rendering_is_deterministic() {
    for example in common::EXAMPLES {
        let (bp1, a1, t1) = common::render(example);
        let (bp2, a2, t2) = common::render(example);
        assert_eq!(bp1, bp2);
        assert_eq!(a1, a2);
        assert_eq!(t1, t2, "{example}: two renders differ");
    }
}

#[test]
fn decision_records_are_numbered_in_the_fixed_order() {
    let (bp, analysis, tree) = common::render("clinic");
    let model = model::AppModel::from_blueprint(&bp);
    let stack = stacks::builtin()
        .into_iter()
        .find(|s| s.id() == bp.spec().stack)
        .expect("the example's stack is built in");
    let realizations = stack.realizations(&model);
    let decision = stack.decision();
    let input = render::DocInput {
        blueprint: &bp,
        analysis: &analysis,
        model: &model,
        stack: Some(render::StackDocs {
            id: stack.id(),
            realizations: &realizations,
            decision: decision.as_ref(),
        }),
        generated_integrations: &[],
        backend: false,
    };
    let records = adrs(&input);
    // The stack's own decision is named after it.
    let first = if decision.is_some() {
        format!("docs/adr/0001-{}.md", stack.id())
    } else {
        format!("docs/adr/0001-stack-{}.md", stack.id())
    };
    let paths: Vec<String> = records.iter().map(|r| r.path()).collect();
    assert_eq!(
        paths,
        [
            first.as_str(),
            "docs/adr/0002-postgresql.md",
            "docs/adr/0003-cookie-sessions.md",
            "docs/adr/0004-pii-encryption.md",
            "docs/adr/0005-append-only-audit-log.md",
            "docs/adr/0006-rate-limit-store.md",
            "docs/adr/0007-rate-limits-in-one-statement.md",
            "docs/adr/0008-database-faults-and-idempotent-creates.md",
            // The appointment workflow is a segregation of duties.
            "docs/adr/0009-segregation-of-duties.md",
            "docs/adr/0010-comply-with-gdpr.md",
            "docs/adr/0011-comply-with-hipaa.md",
            "docs/adr/0012-comply-with-pci-dss.md",
            "docs/adr/0013-integrate-stripe.md",
            "docs/adr/0014-integrate-sendgrid.md",
            "docs/adr/0015-integrate-sentry.md",
        ]
    );
    for p in &paths {
        assert!(tree.contains(p), "{p} is emitted");
    }
    let index = tree.get_str("docs/adr/README.md").expect("the index");
    for r in &records {
        let file = r.path();
        let file = file.rsplit('/').next().unwrap_or_default().to_string();
        assert!(
            index.contains(&format!("({file})")),
            "the index links {file}"
        );
    }
    // The fixed records keep their numbers whatever the frameworks and
    // integrations are.
    let (bp, analysis, _) = common::render("tasks");
    let model = model::AppModel::from_blueprint(&bp);
    let tasks = adrs(&render::DocInput {
        blueprint: &bp,
        analysis: &analysis,
        model: &model,
        stack: None,
        generated_integrations: &[],
        backend: false,
    });
    for (a, b) in records.iter().zip(&tasks).skip(1).take(7) {
        assert_eq!(a.path(), b.path());
    }
    assert_eq!(tasks[8].path(), "docs/adr/0009-comply-with-soc2.md");
    assert_eq!(
        tasks.last().map(|r| r.path()).as_deref(),
        Some("docs/adr/0010-integrate-smtp.md")
    );
}

#[test]
fn a_stack_without_realizations_or_decision_still_renders() {
    let (bp, analysis, _) = common::render("tasks");
    let model = model::AppModel::from_blueprint(&bp);
    let realizations = stacks::Realizations::default();
    let input = render::DocInput {
        blueprint: &bp,
        analysis: &analysis,
        model: &model,
        stack: Some(render::StackDocs {
            id: "custom-stack",
            realizations: &realizations,
            decision: None,
        }),
        generated_integrations: &[],
        backend: false,
    };
    let tree = render::docs::emit_all(&input).expect("renders");
    let compliance = tree.get_str("docs/compliance.md").expect("compliance");
    assert!(!compliance.contains("src/team_tasks/"));
    assert!(compliance.contains("`INCIDENT-RESPONSE`"));
    assert!(compliance.contains("| `docs/compliance.md` |"));
    let adr = tree
        .get_str("docs/adr/0001-stack-custom-stack.md")
        .expect("the stack record");
    assert!(adr.contains("custom-stack"));
}

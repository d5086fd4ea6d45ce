//! The rule registry: built-in rules, custom rules and custom controls.

use blueprint_core::spec::Framework;
use compliance::catalog::{AppliesUnder, Condition};
use compliance::testing::{clinic, tasks};
use compliance::{
    analyze, Analyzer, Capability, ComplianceRule, Control, Proposal, RuleContext, RuleRegistry,
};
use indexmap::IndexMap;

struct PaymentsRule;

impl ComplianceRule for PaymentsRule {
    fn id(&self) -> &str {
        "acme.payments"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        if !cx.in_force(Framework::PciDss) {
            return Vec::new();
        }
        let mut clauses = IndexMap::new();
        clauses.insert(
            "pci-dss".to_string(),
            vec!["6.4.1".to_string(), "99.9".to_string()],
        );
        clauses.insert("asvs".to_string(), vec!["V11.1.4".to_string()]);
        let control = Control {
            id: "ACME-WEBHOOK-SIGNATURES".into(),
            title: "Payment webhooks verified".into(),
            requires:
                "Webhook calls from the payments vendor are accepted only with a valid signature."
                    .into(),
            capability: Capability::Custom,
            applies: vec![AppliesUnder::Framework(Framework::PciDss)],
            when: Condition::Always,
            clauses,
            parameters: IndexMap::new(),
        };
        vec![
            Proposal::custom(control, "the product takes payments through a vendor")
                .realized_by(format!("app.{}.api", cx.spec.product.name)),
            Proposal::catalog(
                "RATE-LIMITING",
                "Acme policy: tighter limits on payment products",
            )
            .with_parameter("rate_limit.client_per_minute", 60),
            Proposal::catalog("NO-SUCH-CONTROL", "typo"),
        ]
    }
}

#[test]
fn builtin_registry_lists_its_rules() {
    let registry = RuleRegistry::builtin();
    let ids: Vec<&str> = registry.ids().collect();
    assert_eq!(
        ids,
        [
            "builtin.baseline",
            "builtin.frameworks",
            "builtin.data",
            "builtin.integrations"
        ]
    );
    assert_eq!(format!("{:?}", RuleRegistry::empty()), "[]");
}

#[test]
fn custom_rules_add_controls_reasons_and_parameters() {
    let a = Analyzer::new().with_rule(PaymentsRule).analyze(&clinic());
    let c = a
        .control("ACME-WEBHOOK-SIGNATURES")
        .expect("custom control");
    assert_eq!(c.frameworks["pci-dss"], ["6.4.1"]);
    assert_eq!(c.realized_by, ["app.clinic-flow.api"]);
    assert_eq!(a.controls.last().unwrap().id, "ACME-WEBHOOK-SIGNATURES");
    let r = a.control("RATE-LIMITING").unwrap();
    assert_eq!(r.parameters["rate_limit.client_per_minute"], 60);
    assert!(r.reasons.iter().any(|x| x.contains("Acme policy")));
    assert!(a.warnings.iter().any(|w| w.contains("99.9")));
    assert!(a.warnings.iter().any(|w| w.contains("NO-SUCH-CONTROL")));
    // Not in force: the rule proposes nothing.
    let t = Analyzer::new().with_rule(PaymentsRule).analyze(&tasks());
    assert!(t.control("ACME-WEBHOOK-SIGNATURES").is_none());
    assert!(t.warnings.is_empty());
}

#[test]
fn an_empty_registry_proposes_nothing() {
    let a = Analyzer::new()
        .with_rules(RuleRegistry::empty())
        .analyze(&clinic());
    assert!(a.controls.is_empty());
    assert_eq!(a.frameworks.len(), 3);
}

#[test]
fn every_control_has_reasons_and_realizers() {
    for spec in [clinic(), tasks()] {
        let a = analyze(&spec);
        assert!(a.controls.len() >= 30);
        for c in &a.controls {
            assert!(!c.reasons.is_empty(), "{}", c.id);
            assert!(!c.realized_by.is_empty(), "{}", c.id);
            assert!(c.realized_by.iter().all(|id| !id.is_empty()));
        }
    }
}

#[test]
fn realizers_follow_the_data() {
    let a = analyze(&clinic());
    let enc = a.control("PII-ENCRYPTION-AT-REST").unwrap();
    assert_eq!(
        enc.realized_by,
        ["app.clinic-flow", "do.patient", "do.visit_note"]
    );
    assert!(enc
        .reasons
        .iter()
        .any(|r| r.contains("Patient.insurance_number")));
    let purge = a.control("RETENTION-PURGE").unwrap();
    assert_eq!(
        purge.realized_by,
        ["app.clinic-flow", "do.appointment", "do.visit_note"]
    );
    let own = a.control("ACCESS-ROW-OWNERSHIP").unwrap();
    assert!(own.realized_by.contains(&"svc.patient.read".to_string()));
    let params = a.blueprint_parameters();
    assert_eq!(params["pii.VisitNote.diagnosis_code"], "sensitive");
    assert_eq!(params["lockout.max_failures"], 5);
    assert_eq!(params["session.absolute_hours"], 12);
}

struct LaxRule;

impl ComplianceRule for LaxRule {
    fn id(&self) -> &str {
        "lax"
    }

    fn propose(&self, _: &RuleContext<'_>) -> Vec<Proposal> {
        vec![
            Proposal::catalog("AUTH-PASSWORD-POLICY", "shorter passwords please")
                .with_parameter("password.min_length", 6),
            Proposal::catalog("SESSION-MANAGEMENT", "longer sessions please")
                .with_parameter("session.idle_minutes", 120),
        ]
    }
}

#[test]
fn rules_cannot_weaken_parameters() {
    let a = Analyzer::new().with_rule(LaxRule).analyze(&clinic());
    assert_eq!(
        a.control("AUTH-PASSWORD-POLICY").unwrap().parameters["password.min_length"],
        12
    );
    assert_eq!(
        a.control("SESSION-MANAGEMENT").unwrap().parameters["session.idle_minutes"],
        15
    );
    assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
    assert!(a.warnings[0].contains("weaker"));
}

struct BlueprintAware;

impl ComplianceRule for BlueprintAware {
    fn id(&self) -> &str {
        "acme.blueprint-aware"
    }

    fn propose(&self, cx: &RuleContext<'_>) -> Vec<Proposal> {
        let Some(bp) = cx.blueprint else {
            return Vec::new();
        };
        bp.elements_of_kind(blueprint_core::archimate::ElementKind::Node)
            .map(|n| {
                Proposal::catalog(
                    "BACKUP-RESTORE",
                    format!("the blueprint runs on node `{}`", n.id),
                )
                .realized_by(n.id.to_string())
            })
            .collect()
    }
}

#[test]
fn rules_see_the_blueprint_when_completing_one() {
    let spec = tasks();
    let plain = Analyzer::new().with_rule(BlueprintAware).analyze(&spec);
    assert!(!plain
        .control("BACKUP-RESTORE")
        .unwrap()
        .reasons
        .iter()
        .any(|r| r.contains("node")));
    let mut bp = blueprint_core::graph::Blueprint::from_spec(&spec);
    let woven = Analyzer::new()
        .with_rule(BlueprintAware)
        .complete(&mut bp)
        .unwrap();
    let backups = woven.control("BACKUP-RESTORE").unwrap();
    assert!(
        backups.reasons.iter().any(|r| r.contains("node.runtime")),
        "{:?}",
        backups.reasons
    );
    assert!(
        backups.realized_by.contains(&"node.runtime".to_string()),
        "{:?}",
        backups.realized_by
    );
}

//! Field rules and workflows in the documents: an ADR about segregation of
//! duties, the compliance control that asks for it, and the workflow's
//! process in the ArchiMate model, only for specs that have them.

mod common;

#[test]
fn a_spec_with_rules_gets_the_record_the_control_and_the_process() {
    let (_, analysis, tree) = common::render("loan-desk");
    let adr = tree
        .paths()
        .find(|p| p.ends_with("-segregation-of-duties.md"))
        .expect("the segregation-of-duties ADR");
    let text = tree.get_str(adr).unwrap();
    assert!(text.contains("`Loan.rate`"), "{text}");
    assert!(
        text.contains("submitted → approved (underwriter)"),
        "{text}"
    );
    // It comes right after the fixed records, before the frameworks.
    assert!(adr.ends_with("0009-segregation-of-duties.md"), "{adr}");

    assert!(analysis.control("ACCESS-SEGREGATION-OF-DUTIES").is_some());
    assert!(tree
        .get_str("docs/compliance.md")
        .unwrap()
        .contains("ACCESS-SEGREGATION-OF-DUTIES"));

    let model = tree.get_str("docs/archimate/model.xml").unwrap();
    assert!(model.contains(r#"identifier="proc.loan.status" xsi:type="ApplicationProcess""#));
}

#[test]
fn a_spec_without_rules_gets_none_of_them() {
    let (_, analysis, tree) = common::render("tasks");
    assert!(!tree.paths().any(|p| p.contains("segregation-of-duties")));
    assert!(analysis.control("ACCESS-SEGREGATION-OF-DUTIES").is_none());
    assert!(!tree
        .get_str("docs/archimate/model.xml")
        .unwrap()
        .contains("ApplicationProcess"));
}

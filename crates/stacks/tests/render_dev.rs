//! Renders the example specs into target/stack-out for inspection.
mod support;

#[test]
fn render_examples() {
    let stack = stacks::python_fastapi::PythonFastapi;
    for name in ["clinic", "tasks"] {
        let bp = support::blueprint(&support::workspace().join(format!("examples/specs/{name}.yaml")));
        let files = stacks::Stack::plan(&stack, &bp).unwrap();
        let rendered = support::render(&stack, &files);
        support::write(&support::workspace().join("target/stack-out").join(name), &rendered);
    }
}

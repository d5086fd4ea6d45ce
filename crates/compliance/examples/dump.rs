fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let spec = if which == "tasks" { compliance::testing::tasks() } else { compliance::testing::clinic() };
    let a = compliance::analyze(&spec);
    println!("{}", a.to_text());
}

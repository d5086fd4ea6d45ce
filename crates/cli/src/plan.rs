//! `archgen plan`, `archgen graph` and `archgen compliance`: the complete
//! blueprint of a spec, shown three ways.

use crate::check::load;
use crate::cmd::{CheckFormat, ComplianceFormat, GraphFormat, PlanFormat};
use crate::exit::Exit;
use blueprint_core::export::{plan_json, plan_text, to_dot, to_mermaid};
use blueprint_core::graph::Blueprint;
use compliance::Analysis;
use render::Engine;
use std::path::Path;

/// Loads a spec and completes its blueprint (lowering, then the engine's
/// compliance rules).
fn complete(engine: &Engine, path: &Path) -> Result<(Blueprint, Analysis), Exit> {
    let checked = load(engine, path, CheckFormat::Text)?;
    match engine.complete(&checked.spec) {
        Ok(done) => Ok(done),
        Err(e) => {
            eprintln!("error: {e}");
            Err(Exit::Usage)
        }
    }
}

pub fn run_plan(engine: &Engine, path: &Path, format: PlanFormat) -> Exit {
    match complete(engine, path) {
        Ok((bp, _)) => {
            match format {
                PlanFormat::Text => print!("{}", plan_text(&bp)),
                PlanFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&plan_json(&bp)).unwrap_or_default()
                ),
            }
            Exit::Ok
        }
        Err(code) => code,
    }
}

pub fn run_graph(engine: &Engine, path: &Path, format: GraphFormat) -> Exit {
    match complete(engine, path) {
        Ok((bp, _)) => {
            match format {
                GraphFormat::Dot => print!("{}", to_dot(&bp)),
                GraphFormat::Mermaid => print!("{}", to_mermaid(&bp)),
            }
            Exit::Ok
        }
        Err(code) => code,
    }
}

pub fn run_compliance(engine: &Engine, path: &Path, format: ComplianceFormat) -> Exit {
    match complete(engine, path) {
        Ok((_, analysis)) => {
            match format {
                ComplianceFormat::Text => print!("{}", analysis.to_text()),
                ComplianceFormat::Json => println!("{}", analysis.to_json()),
                ComplianceFormat::Markdown => print!("{}", analysis.to_markdown()),
            }
            Exit::Ok
        }
        Err(code) => code,
    }
}

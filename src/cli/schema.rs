//! `folio schema`: JSON Schema of each record kind, from the same types the
//! loader deserializes, so the two can never disagree.

use super::{CmdResult, Failure};
use crate::model::{Account, Config, Invoice, Page, Project};
use schemars::schema_for;
use std::path::Path;
use std::process::ExitCode;

/// (file name, schema) for every record kind.
pub fn schemas() -> Vec<(&'static str, String)> {
    let pretty = |s: schemars::Schema| serde_json::to_string_pretty(&s).unwrap_or_default() + "\n";
    vec![
        ("folio.schema.json", pretty(schema_for!(Config))),
        ("account.schema.json", pretty(schema_for!(Account))),
        ("project.schema.json", pretty(schema_for!(Project))),
        ("invoice.schema.json", pretty(schema_for!(Invoice))),
        ("handbook.schema.json", pretty(schema_for!(Page))),
    ]
}

pub fn run(out: Option<&Path>) -> CmdResult {
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            for (name, text) in schemas() {
                std::fs::write(dir.join(name), text)?;
            }
        }
        None => {
            let all: serde_json::Map<String, serde_json::Value> = schemas()
                .into_iter()
                .map(|(name, text)| {
                    let kind = name.trim_end_matches(".schema.json").to_string();
                    (kind, serde_json::from_str(&text).unwrap_or_default())
                })
                .collect();
            let text =
                serde_json::to_string_pretty(&all).map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

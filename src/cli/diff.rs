//! `folio diff BASE [HEAD]` — records and stages that change between two revisions.

use super::{Cli, CmdResult, Failure};
use crate::app::diff::{self, Evaluated};
use crate::history::tree::{self, Records};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The base revision (e.g. `origin/main`).
    pub base: String,
    /// The head revision; default: the working tree.
    pub head: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

pub fn run(cli: &Cli, args: &DiffArgs) -> CmdResult {
    if !cli.dir.is_dir() {
        return Err(Failure::Usage(format!(
            "`{}` is not a folder",
            cli.dir.display()
        )));
    }
    let records = Records::open(&cli.dir)
        .map_err(|why| Failure::Usage(format!("folio diff reads git history, but {why}")))?;
    let base = side(&records, &args.base)?;
    let head = match &args.head {
        Some(revision) => side(&records, revision)?,
        None => Evaluated::new("working tree".into(), tree::load_work_tree(&cli.dir)),
    };
    let as_of = cli.as_of().resolve(&head.settings);
    let t = std::time::Instant::now();
    let doc = diff::compare(&base, &head, as_of);
    crate::timing("diff: compare", t);
    let out = match args.format {
        DiffFormat::Markdown => diff::markdown(&doc),
        DiffFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Usage(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The records at a revision, read from git objects.
fn side(records: &Records, revision: &str) -> Result<Evaluated, Failure> {
    let t = std::time::Instant::now();
    let tree = records.tree_at(revision).map_err(Failure::Usage)?;
    let snapshot = records.load_tree(tree, revision).map_err(Failure::Usage)?;
    crate::timing(&format!("diff: load {revision}"), t);
    Ok(Evaluated::new(revision.to_string(), snapshot))
}

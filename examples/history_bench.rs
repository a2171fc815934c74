//! Times the history pass alone: `cargo run --release --example
//! history_bench -- DIR [RUNS]` reads the git history of the records at DIR
//! (default `.`) RUNS times (default 1) and prints, per run, the time taken,
//! the commits that changed records and the record files with history.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| ".".into());
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    for _ in 0..runs {
        let t = Instant::now();
        let history = folio::history::read(std::path::Path::new(&dir));
        let elapsed = t.elapsed();
        let mut commits = std::collections::HashSet::new();
        for list in history.files.values() {
            commits.extend(list.iter().map(|c| c.id.as_str()));
        }
        let changes: usize = history.files.values().map(Vec::len).sum();
        println!(
            "history: {:.1} ms, {} commits changed records, {} files, {} file changes, coverage {:?}",
            elapsed.as_secs_f64() * 1e3,
            commits.len(),
            history.files.len(),
            changes,
            history.coverage
        );
        if let Some(note) = &history.note {
            println!("note: {note}");
        }
    }
}

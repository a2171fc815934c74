//! Message drafts written by the team render for every invoice that shows
//! one. A template from the records repository (a file under
//! `templates/messages/`, or a stage's inline `template:` in folio.yaml) can
//! fail on data (a `next` that is null, a loop over a huge range), and the
//! invoice page of every such invoice would then fail the build: so `check`
//! renders each of those drafts first. Built-in templates are folio's own and
//! tested; they are not rendered here, which keeps `check` fast.

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::ladder::message::{self, draft_stage};
use crate::ladder::{Entry, Ledger};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Where a draft's template comes from, when the repository wrote it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Written {
    /// A file under `templates/`, by its name there.
    File(String),
    /// Inline in folio.yaml: the policy and the stage.
    Inline(String, String),
}

pub fn check(ledger: &Ledger, tera: &tera::Tera, root: Option<&Path>, out: &mut Vec<Diagnostic>) {
    let failures: Vec<(Written, &Entry, String, message::DraftError)> = ledger
        .entries
        .par_iter()
        .filter_map(|e| {
            let stage = draft_stage(e)?;
            let written = written_by_repository(tera, root, e, &stage.id)?;
            let err = message::render(tera, ledger, e, stage).err()?;
            Some((written, e, stage.id.clone(), err))
        })
        .collect();
    // One diagnostic per template, naming its first failing invoice.
    let mut by_template: BTreeMap<Written, Vec<(&Entry, String, message::DraftError)>> =
        BTreeMap::new();
    for (w, e, stage, err) in failures {
        by_template.entry(w).or_default().push((e, stage, err));
    }
    for (written, mut fails) in by_template {
        fails.sort_by(|a, b| a.0.number().cmp(b.0.number()));
        let (e, stage, err) = &fails[0];
        let more = match fails.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more invoice(s))"),
        };
        let message = format!(
            "the message draft for {} (stage `{stage}`) does not render: {err}{more}",
            e.number()
        );
        let (file, pos) = match &written {
            // Where Tera says it failed, when that is in this template.
            Written::File(name) => {
                let pos = err
                    .at
                    .as_ref()
                    .filter(|(template, _)| template == name)
                    .map_or(Pos::START, |(_, pos)| *pos);
                (format!("templates/{name}"), pos)
            }
            Written::Inline(policy, stage) => inline_position(ledger, policy, stage),
        };
        out.push(Diagnostic::new(
            Code::InvalidTemplate,
            file,
            pos,
            message,
            format!(
                "fix the template so it renders for every invoice (`folio remind {}` shows the draft); `next` is null on the last stage",
                e.number()
            ),
        ));
    }
}

/// The repository's template for `stage` of `e`'s policy, if it wrote one.
fn written_by_repository(
    tera: &tera::Tera,
    root: Option<&Path>,
    e: &Entry,
    stage: &str,
) -> Option<Written> {
    if e.policy.stage(stage).is_some_and(|s| s.template.is_some()) {
        // One that does not parse is reported with folio.yaml's rules.
        let parsed = tera.contains_template(&message::inline_name(&e.policy.name, stage));
        return parsed.then(|| Written::Inline(e.policy.name.clone(), stage.to_string()));
    }
    let name = message::template_name(tera, &e.policy.name, stage);
    root?
        .join("templates")
        .join(&name)
        .is_file()
        .then_some(Written::File(name))
}

fn inline_position(ledger: &Ledger, policy: &str, stage: &str) -> (String, Pos) {
    let config = ledger.repo.config.as_ref();
    let pos = config
        .and_then(|c| c.data.policies.get(policy))
        .and_then(|p| p.stages.iter().find(|s| s.id.value == stage))
        .and_then(|s| s.template.as_ref())
        .map_or(Pos::START, |t| t.pos);
    (
        config.map_or("folio.yaml", |c| c.file.as_str()).to_string(),
        pos,
    )
}

//! `folio remind NUMBER`: the message draft for the invoice's current stage.

use super::{Cli, CmdResult, Failure, open, require_valid};
use crate::ladder::Ledger;
use crate::ladder::message;
use crate::ladder::stage::State;
use std::io::Write;
use std::process::ExitCode;

pub fn run(cli: &Cli, number: &str, stage: Option<&str>) -> CmdResult {
    let s = open(cli)?;
    let ledger = Ledger::new(&s.repo, &s.settings, s.as_of);
    require_valid(cli, &ledger)?;
    let Some(entry) = ledger.find(number) else {
        let known = ledger.entries.iter().map(|e| e.number());
        let hint = crate::diagnostic::closest(number, known)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        return Err(Failure::Usage(format!(
            "no invoice numbered `{number}`{hint}"
        )));
    };
    let target = match stage {
        Some(id) => entry
            .eval
            .stages
            .iter()
            .find(|x| x.id == id)
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "policy `{}` has no stage `{id}`",
                    entry.policy.name
                ))
            })?,
        None => match entry.eval.current() {
            Some(c) => c,
            None => {
                let why = match entry.eval.next_stage() {
                    _ if !entry.eval.state.is_unpaid() => {
                        format!("it is {}", entry.eval.state.as_str().replace('_', " "))
                    }
                    Some(n) => format!(
                        "no stage is reached yet; the next is `{}` on {}",
                        n.id,
                        n.date
                            .map_or("a date not yet set".into(), |d| d.to_string())
                    ),
                    None => "no stage is reached".into(),
                };
                eprintln!("invoice {number}: nothing to send as of {}: {why}", s.as_of);
                return Ok(ExitCode::from(1));
            }
        },
    };
    let templates = crate::ladder::templates::Templates::read(Some(&cli.dir), ledger.settings);
    let (tera, problems) = (templates.tera, templates.problems);
    if !problems.is_empty() {
        eprint!(
            "{}",
            crate::diagnostic::render::text(&problems, &cli.dir, cli.stderr_color())
        );
        return Err(Failure::Records);
    }
    let text = message::render(&tera, &ledger, entry, target).map_err(|e| {
        eprintln!(
            "error: the message template for `{}` failed: {e}",
            target.id
        );
        Failure::Records
    })?;
    let ctx = message::context(&ledger, entry, target);
    let mut out = std::io::stdout().lock();
    if !cli.quiet {
        if stage.is_none() && matches!(entry.eval.state, State::OnHold | State::Promised) {
            eprintln!(
                "note: invoice {number} is {}: no new step is taken until that ends; this is the draft of the last step reached",
                entry.eval.state.as_str().replace('_', " ")
            );
        }
        writeln!(
            out,
            "Invoice: {}\nStage: {} ({}), {}\nOwner: {}\nChannel: {}\nTo: {}\n",
            number,
            text_at(&ctx, "stage", "title"),
            target.id,
            text_at(&ctx, "stage", "date"),
            text_at(&ctx, "owner", "name"),
            text_at(&ctx, "stage", "channel"),
            recipient(entry, &ctx),
        )?;
    }
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// A text field of one of the draft's variables (`stage.title`), or "".
fn text_at<'c>(ctx: &'c tera::Context, variable: &str, field: &'c str) -> &'c str {
    ctx.get(variable)
        .and_then(|v| v.get_from_path(field))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

/// The header's `To:` line: the contact the draft addresses, with an email
/// when one is known, or what to add when the account names nobody.
fn recipient(entry: &crate::ladder::Entry, ctx: &tera::Context) -> String {
    let name = text_at(ctx, "contact", "name");
    let email = text_at(ctx, "contact", "email");
    let has_contact = entry
        .account
        .account
        .as_ref()
        .is_some_and(|a| !a.data.contacts.is_empty());
    match (has_contact, email.is_empty()) {
        (true, false) => format!("{name} <{email}>"),
        (true, true) => name.to_string(),
        (false, false) => format!("<{email}>"),
        (false, true) => format!(
            "nobody yet: add a contact under `contacts:` in accounts/{}/account.md",
            entry.account.id
        ),
    }
}

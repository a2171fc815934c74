//! `folio statement ACCOUNT [--format text|json|html]`.

use super::{Cli, CmdResult, Failure, open, require_valid};
use crate::app::statement::{self, Format};
use crate::ladder::Ledger;
use std::io::Write;
use std::process::ExitCode;

pub fn run(cli: &Cli, account: &str, format: Format) -> CmdResult {
    let s = open(cli)?;
    if s.repo.account(account).is_none() {
        let known = s.repo.accounts.iter().map(|a| a.id.as_str());
        let hint = crate::diagnostic::closest(account, known)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        return Err(Failure::Usage(format!(
            "no account `{account}` in this repository{hint}"
        )));
    }
    let ledger = Ledger::new(&s.repo, &s.settings, s.as_of);
    require_valid(cli, &ledger)?;
    let st = crate::ladder::statement::build(&ledger, account)
        .expect("the account exists: checked above");
    let text =
        statement::render(&st, format, &s.settings.company, &cli.dir).map_err(Failure::Usage)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

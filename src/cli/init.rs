//! `folio init` and `folio new`: scaffolding that never overwrites a file.

use super::{Cli, CmdResult, Failure, open};
use crate::ci_recipe::Host;
use crate::embedded;
use crate::model::{Date, is_slug, number_slug};
use chrono::Datelike;
use clap::Subcommand;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The bundled account `folio init` copies as a sample.
pub const SAMPLE_ACCOUNT: &str = "accounts/clinicas-oceano/";

#[derive(Subcommand, Debug)]
pub enum NewCommand {
    /// A new account: accounts/SLUG/account.md.
    Account { slug: String },
    /// A new project: accounts/ACCOUNT/projects/SLUG.md.
    Project { account: String, slug: String },
    /// A new invoice with the next free number.
    Invoice {
        account: String,
        #[arg(long)]
        project: Option<String>,
        /// Amount in the account's currency, e.g. 12000 or 12000.50.
        #[arg(long)]
        amount: String,
        /// Issue date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        issued: Option<String>,
    },
}

/// Creates `path` with `text`, failing if it exists (O_EXCL): nothing a user
/// wrote is ever overwritten.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

const GITIGNORE: &str = "# folio build output and caches\n/public/\n/.folio-cache/\n";

pub fn init(cli: &Cli, dir: &Path, ci: Host) -> CmdResult {
    if dir.join("folio.yaml").exists() {
        return Err(Failure::Usage(format!(
            "`{}` already has a folio.yaml; init never overwrites a repository",
            dir.display()
        )));
    }
    let mut files: Vec<(String, &str)> = embedded::EXAMPLE
        .iter()
        .filter(|(p, _)| {
            *p == "folio.yaml"
                || p.starts_with("handbook/")
                || p.starts_with("templates/")
                || p.starts_with(SAMPLE_ACCOUNT)
        })
        .map(|(p, t)| (p.to_string(), *t))
        .collect();
    files.push((".gitignore".into(), GITIGNORE));
    let recipe = ci.recipe();
    files.extend(recipe.map(|(rel, text)| (rel.to_string(), text)));
    let mut created = 0;
    let mut recipe_kept = false;
    for (rel, text) in &files {
        let path = dir.join(rel);
        match create_new(&path, text) {
            Ok(()) => created += 1,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                eprintln!("kept existing {rel}");
                recipe_kept |= recipe.is_some_and(|(r, _)| r == rel);
            }
            Err(e) => {
                return Err(Failure::Usage(format!(
                    "cannot write {}: {e}",
                    path.display()
                )));
            }
        }
    }
    if !cli.quiet {
        println!("created {created} files in {}", dir.display());
        match recipe {
            Some((rel, _)) if recipe_kept => println!(
                "publishing: your own {rel} was kept; where it publishes the site is up to it"
            ),
            _ => println!("{}", ci.publishing()),
        }
        println!(
            "next: edit folio.yaml, then `folio -C {} check`",
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn new(cli: &Cli, cmd: &NewCommand) -> CmdResult {
    let root = &cli.dir;
    let s = open(cli)?;
    let slug_ok = |what: &str, s: &str| {
        if is_slug(s) {
            Ok(())
        } else {
            Err(Failure::Usage(format!(
                "{what} `{s}` is not a slug: use lowercase letters, digits and `-` (at most 64), e.g. `{}`",
                number_slug(s)
            )))
        }
    };
    let account_exists = |a: &str| {
        if s.repo.account(a).is_some_and(|d| d.account.is_some()) {
            Ok(())
        } else {
            Err(Failure::Usage(format!(
                "no account `{a}`; create it with `folio new account {a}`"
            )))
        }
    };
    let today = s.as_of;
    let (rel, text) = match cmd {
        NewCommand::Account { slug } => {
            slug_ok("account", slug)?;
            (
                format!("accounts/{slug}/account.md"),
                account_template(slug, &today.to_string()),
            )
        }
        NewCommand::Project { account, slug } => {
            account_exists(account)?;
            slug_ok("project", slug)?;
            (
                format!("accounts/{account}/projects/{slug}.md"),
                format!(
                    "---\nname: {}\nstatus: proposed\nstart: {today}\nmilestones:\n  - {{ name: Kickoff, share: 30%, due: {today} }}\n  - {{ name: Delivery, share: 70% }}\n---\nScope, goals and constraints.\n",
                    title_case(slug)
                ),
            )
        }
        NewCommand::Invoice {
            account,
            project,
            amount,
            issued,
        } => {
            account_exists(account)?;
            let dir = s.repo.account(account).expect("checked above");
            if let Some(p) = project
                && !dir.projects.iter().any(|x| &x.id == p)
            {
                return Err(Failure::Usage(format!(
                    "account `{account}` has no project `{p}`"
                )));
            }
            let value: rust_decimal::Decimal = amount
                .parse()
                .ok()
                .filter(|v: &rust_decimal::Decimal| *v > rust_decimal::Decimal::ZERO)
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "amount `{amount}` is not a positive decimal such as 12000.50"
                    ))
                })?;
            refuse_extra_decimals(&value, &account_currency(&s, dir))?;
            let issued = match issued {
                Some(d) => Date::parse(d).map_err(Failure::Usage)?.0,
                None => today,
            };
            let pattern = s
                .repo
                .config
                .as_ref()
                .and_then(|c| c.data.invoice_pattern.as_ref())
                .map_or(DEFAULT_PATTERN.to_string(), |p| p.value.clone());
            let existing: Vec<&str> = s
                .repo
                .invoices()
                .map(|(_, i)| i.data.number.as_str())
                .collect();
            let number = next_number(&pattern, issued.year(), &existing).ok_or_else(|| {
                Failure::Usage(format!("the numbers of pattern `{pattern}` are used up"))
            })?;
            let project_line = project
                .as_ref()
                .map(|p| format!("project: {p}\n"))
                .unwrap_or_default();
            (
                format!("accounts/{account}/invoices/{}.md", number_slug(&number)),
                format!(
                    "---\nnumber: {number}\n{project_line}issued: {issued}\namount: {value}\n---\nWhat this invoice covers.\n"
                ),
            )
        }
    };
    let path = root.join(&rel);
    match create_new(&path, &text) {
        Ok(()) => {
            if !cli.quiet {
                println!("created {rel}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Failure::Usage(format!(
            "{rel} already exists; folio never overwrites a record"
        ))),
        Err(e) => Err(Failure::Usage(format!("cannot write {rel}: {e}"))),
    }
}

pub const DEFAULT_PATTERN: &str = "INV-{year}-{seq:4}";

fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn account_template(slug: &str, today: &str) -> String {
    format!(
        "---\nname: {}\nstatus: prospect\nsince: {today}\nroles: {{}}\ncontacts: []\ncadence:\n  internal_sync: fortnightly\n  client_sync: monthly\n---\nRelationship notes.\n",
        title_case(slug)
    )
}

/// The next free number by `pattern` (`{year}`, `{seq}` or `{seq:N}` for N
/// zero-padded digits): one more than the highest sequence already used in
/// that year's numbers. None when the sequence is used up.
pub fn next_number(pattern: &str, year: i32, existing: &[&str]) -> Option<String> {
    let with_year = pattern.replace("{year}", &year.to_string());
    let (prefix, rest) = with_year
        .split_once("{seq")
        .unwrap_or((with_year.as_str(), "}"));
    let (spec, suffix) = rest.split_once('}').unwrap_or(("", ""));
    // No sequence needs more digits than a u64 has (and a width of four
    // billion would be a four-gigabyte number).
    let width: usize = spec
        .strip_prefix(':')
        .and_then(|w| w.parse().ok())
        .unwrap_or(1)
        .min(MAX_SEQ_DIGITS);
    let highest = existing
        .iter()
        .filter_map(|n| n.strip_prefix(prefix)?.strip_suffix(suffix))
        .filter(|mid| !mid.is_empty() && mid.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|mid| mid.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    // Past u64::MAX the sequence cannot go on.
    let next = highest.checked_add(1)?;
    Some(format!("{prefix}{next:0width$}{suffix}"))
}

/// Digits of the largest sequence number (u64::MAX has 20).
const MAX_SEQ_DIGITS: usize = 20;

/// The currency a new invoice of the account is in: the account's billing
/// currency, else the company's.
fn account_currency(s: &super::Session, dir: &crate::model::AccountDir) -> String {
    dir.account
        .as_ref()
        .and_then(|a| a.data.billing.currency.as_ref())
        .map_or_else(|| s.settings.currency.clone(), |c| c.value.clone())
}

/// A scaffold must pass `check`, which refuses amounts finer than the
/// currency's minor unit (0.001 EUR, 10.5 JPY).
fn refuse_extra_decimals(value: &rust_decimal::Decimal, currency: &str) -> Result<(), Failure> {
    match crate::model::currency::minor_digits(currency) {
        Some(digits) if value.normalize().scale() > digits => Err(Failure::Usage(format!(
            "amount `{value}` has more decimals than {currency} allows ({digits})"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_numbers() {
        let existing = [
            "INV-2026-0041",
            "INV-2026-0007",
            "INV-2025-0099",
            "INV-2026-draft",
        ];
        let next =
            |pattern: &str, year: i32, existing: &[&str]| next_number(pattern, year, existing);
        assert_eq!(
            next("INV-{year}-{seq:4}", 2026, &existing).as_deref(),
            Some("INV-2026-0042")
        );
        assert_eq!(
            next("INV-{year}-{seq:4}", 2027, &existing).as_deref(),
            Some("INV-2027-0001")
        );
        assert_eq!(next("{seq}", 2026, &["7", "12"]).as_deref(), Some("13"));
        assert_eq!(
            next("F{year}/{seq:3}", 2026, &[]).as_deref(),
            Some("F2026/001")
        );
        // A width of four billion is capped at the 20 digits of a u64.
        let padded = format!("{:020}", 1);
        assert_eq!(
            next("{seq:4000000000}", 2026, &[]).as_deref(),
            Some(padded.as_str())
        );
        // After u64::MAX there is no next number.
        assert_eq!(next("{seq}", 2026, &[u64::MAX.to_string().as_str()]), None);
    }
}

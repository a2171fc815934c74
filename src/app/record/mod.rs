//! The recording commands (`pay`, `log`, `promise`, `hold`, `extend`): one
//! entry added to one record, checked with `check`'s rules, shown as a diff,
//! written atomically and optionally committed. `reconcile` applies its
//! payments through the same [`Edits`].

pub mod git;

use crate::app::session::AsOf;
use crate::check;
use crate::diagnostic::{Diagnostic, Severity, render};
use crate::edit::{self, Change, EditError, Field, yaml};
use crate::ladder::{Ledger, ledger::resolve_owner, report};
use crate::model::{
    AccountDir, AccountEvent, Amount, Date, Extension, Hold, InvoiceEvent, Payment, Promise, Sp,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How a recording command runs.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    pub root: &'a Path,
    /// The day recorded when the command names none.
    pub as_of: AsOf,
    pub color: bool,
    /// Print the diff, write nothing.
    pub dry_run: bool,
    /// Commit the edited file (and only it) with git.
    pub commit: bool,
}

/// What to record.
#[derive(Clone, Debug)]
pub enum What {
    Pay {
        amount: Decimal,
        date: Option<NaiveDate>,
        reference: Option<String>,
    },
    /// A log entry: a stage of an invoice, or a kind of event of an account.
    Log {
        what: String,
        date: Option<NaiveDate>,
        channel: Option<String>,
        by: Option<String>,
        note: Option<String>,
    },
    Promise {
        pay_by: NaiveDate,
        made: Option<NaiveDate>,
        note: Option<String>,
    },
    Hold {
        reason: String,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
    Release {
        on: Option<NaiveDate>,
    },
    Extend {
        days: u32,
        by: String,
        reason: String,
        granted: Option<NaiveDate>,
    },
}

/// What a command printed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
}

/// Why a command did not record anything.
#[derive(Debug)]
pub enum Fail {
    /// A usage error, an unknown invoice or account, an unreadable file: exit 2.
    Usage(String),
    /// The records refuse the change (diagnostics, or a file that changed
    /// meanwhile): exit 1. The text is for stderr.
    Refused(String),
}

/// One file being edited: the bytes read, and the bytes after the edits so far.
#[derive(Clone, Debug)]
pub struct FileEdit {
    pub account: String,
    pub original: Vec<u8>,
    pub current: Vec<u8>,
}

/// Edits to one or more record files, each verified as it is made.
#[derive(Debug, Default)]
pub struct Edits {
    pub files: BTreeMap<String, FileEdit>,
}

/// One change to a record's front matter.
#[derive(Clone, Debug)]
pub enum Op {
    Append {
        key: &'static str,
        fields: Vec<Field>,
        entry: Value,
    },
    SetField {
        key: &'static str,
        index: usize,
        field: Field,
        value: Value,
    },
}

impl Edits {
    /// Applies `op` to `rel` (read from `root` the first time), verifying
    /// that the result reads back as the record before plus exactly the change.
    pub fn apply(&mut self, root: &Path, rel: &str, account: &str, op: &Op) -> Result<(), Fail> {
        if !self.files.contains_key(rel) {
            let bytes = std::fs::read(root.join(rel))
                .map_err(|e| Fail::Usage(format!("cannot read {rel}: {e}")))?;
            self.files.insert(
                rel.to_string(),
                FileEdit {
                    account: account.to_string(),
                    original: bytes.clone(),
                    current: bytes,
                },
            );
        }
        let file = self.files.get_mut(rel).expect("inserted above");
        let (insertion, change) = match op {
            Op::Append { key, fields, entry } => (
                yaml::append_entry(&file.current, key, fields),
                Change::Append {
                    key,
                    entry: entry.clone(),
                },
            ),
            Op::SetField {
                key,
                index,
                field,
                value,
            } => (
                yaml::add_field(&file.current, key, *index, field),
                Change::SetField {
                    key,
                    index: *index,
                    field: field.key,
                    value: value.clone(),
                },
            ),
        };
        let refused = |e: EditError| {
            Fail::Refused(format!(
                "error: cannot edit {rel} safely: {}; nothing was written\n",
                e.0
            ))
        };
        let new = insertion.map_err(refused)?.apply(&file.current);
        edit::verify(rel, &file.current, &new, &change).map_err(refused)?;
        file.current = new;
        Ok(())
    }

    /// The edited files' new bytes, by path.
    pub fn unwritten(&self) -> BTreeMap<String, Vec<u8>> {
        self.files
            .iter()
            .map(|(rel, f)| (rel.clone(), f.current.clone()))
            .collect()
    }

    pub fn diff(&self) -> String {
        self.files
            .iter()
            .map(|(rel, f)| edit::unified_diff(rel, &f.original, &f.current))
            .collect()
    }

    /// Writes every edited file; none when any of them changed since it was read.
    pub fn write(&self, root: &Path) -> Result<(), Fail> {
        for (rel, f) in &self.files {
            let now = std::fs::read(root.join(rel))
                .map_err(|e| Fail::Usage(format!("cannot read {rel}: {e}")))?;
            if now != f.original {
                return Err(changed(rel));
            }
        }
        for (rel, f) in &self.files {
            match edit::write_atomically(&root.join(rel), &f.original, &f.current) {
                Ok(()) => {}
                Err(edit::WriteError::Changed) => return Err(changed(rel)),
                Err(edit::WriteError::Io(e)) => {
                    return Err(Fail::Usage(format!("cannot write {rel}: {e}")));
                }
            }
        }
        Ok(())
    }
}

fn changed(rel: &str) -> Fail {
    Fail::Refused(format!(
        "error: {rel} changed while folio was editing it; nothing was written: run the command again\n"
    ))
}

/// A loaded repository, its settings and the day to record.
pub use crate::app::session::Session;

/// The repository at `root`, opened for an edit.
pub fn open(root: &Path, as_of: AsOf) -> Result<Session, Fail> {
    crate::app::session::open(root, as_of).map_err(|e| Fail::Usage(e.to_string()))
}

/// The files an edit depends on: errors there refuse it.
fn guarded(rel: &str, account: &str, file: &str) -> bool {
    file == rel || file == "folio.yaml" || file == format!("accounts/{account}/account.md")
}

/// Refuses to edit records that already have errors, with those errors.
pub fn refuse_broken(
    s: &Session,
    targets: &[(String, String)],
    color: bool,
) -> Result<Vec<Diagnostic>, Fail> {
    let diags = check::check(&s.repo, &s.settings, s.as_of);
    let errors: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| {
            d.severity() == Severity::Error
                && targets.iter().any(|(rel, acc)| guarded(rel, acc, &d.file))
        })
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(Fail::Refused(format!(
            "{}error: the record has errors; fix them first (`folio check`); nothing was written\n",
            render::text(&errors, &s.repo.root, color)
        )));
    }
    Ok(diags)
}

/// Checks the records as they would be after `edits`: errors in an edited
/// file refuse them (exit 1, nothing written); warnings that the edits
/// bring into an edited file are returned. `s.repo` then holds the edited
/// records.
pub fn validate(
    s: &mut Session,
    before: &[Diagnostic],
    edits: &Edits,
    color: bool,
) -> Result<Vec<Diagnostic>, Fail> {
    let unwritten = edits.unwritten();
    let accounts: BTreeSet<&str> = edits.files.values().map(|f| f.account.as_str()).collect();
    for account in accounts {
        s.repo.reload_account_with(account, &unwritten);
    }
    let after = check::check(&s.repo, &s.settings, s.as_of);
    let in_edited = |d: &&Diagnostic| edits.files.contains_key(&d.file);
    let errors: Vec<Diagnostic> = after
        .iter()
        .filter(in_edited)
        .filter(|d| d.severity() == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(Fail::Refused(format!(
            "{}error: the new entry breaks a rule; nothing was written\n",
            render::text_with(&errors, &s.repo.root, &unwritten, color)
        )));
    }
    let known: BTreeSet<(crate::diagnostic::Code, &str)> = before
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    Ok(after
        .iter()
        .filter(in_edited)
        .filter(|d| !known.contains(&(d.code, d.message.as_str())))
        .cloned()
        .collect())
}

/// Runs one recording command on the invoice or account `target`.
pub fn record(opts: &Options, target: &str, what: What) -> Result<Outcome, Fail> {
    let mut s = open(opts.root, opts.as_of)?;
    let plan = plan(&s, target, &what)?;
    let targets = [(plan.rel.clone(), plan.account.clone())];
    let before = refuse_broken(&s, &targets, opts.color)?;
    let mut edits = Edits::default();
    edits.apply(opts.root, &plan.rel, &plan.account, &plan.op)?;
    let warnings = validate(&mut s, &before, &edits, opts.color)?;
    let mut out = Outcome::default();
    if !warnings.is_empty() {
        out.stderr = render::text_with(&warnings, opts.root, &edits.unwritten(), opts.color);
    }
    let state = match &plan.number {
        Some(number) => {
            let ledger = Ledger::new(&s.repo, &s.settings, s.as_of);
            ledger
                .find(number)
                .map(report::one_line)
                .unwrap_or_default()
        }
        None => plan.message.clone(),
    };
    out.stdout = edits.diff();
    if opts.dry_run {
        out.stdout
            .push_str(&format!("{state}\n(dry run: nothing was written)\n"));
        return Ok(out);
    }
    let committer = match opts.commit {
        true => Some(git::Committer::prepare(
            opts.root,
            &plan.rel,
            &edits.files[&plan.rel].original,
        )?),
        false => None,
    };
    edits.write(opts.root)?;
    out.stdout.push_str(&state);
    out.stdout.push('\n');
    if let Some(c) = committer {
        let id = c.commit(&plan.message)?;
        out.stdout.push_str(&format!(
            "committed {}: {}\n",
            &id[..id.len().min(10)],
            plan.message
        ));
    }
    Ok(out)
}

/// One edit worked out from a command: which file, what change, the
/// commit message, and the invoice whose state to print.
struct Plan {
    rel: String,
    account: String,
    op: Op,
    message: String,
    number: Option<String>,
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("records serialize to JSON")
}

fn sp<T>(value: T) -> Sp<T> {
    Sp::new(value, crate::diagnostic::Pos::START)
}

fn date_field(key: &'static str, d: NaiveDate) -> Field {
    Field::new(key, d.to_string())
}

fn text_field(key: &'static str, t: &Option<String>) -> Option<Field> {
    t.as_ref().map(|t| Field::new(key, yaml::quoted(t)))
}

fn plan(s: &Session, target: &str, what: &What) -> Result<Plan, Fail> {
    let invoice = s
        .repo
        .invoices()
        .find(|(_, i)| i.data.number.value == target);
    let (dir, inv) = match (invoice, what) {
        (Some(found), _) => found,
        (None, What::Log { .. }) => match s.repo.account(target) {
            Some(dir) => return plan_account_log(s, dir, what),
            None => return Err(unknown_target(s, target, true)),
        },
        (None, _) => return Err(unknown_target(s, target, false)),
    };
    let number = inv.data.number.value.clone();
    let today = s.as_of;
    let plan = |op: Op, message: String| Plan {
        rel: inv.file.clone(),
        account: dir.id.clone(),
        op,
        message,
        number: Some(number.clone()),
    };
    Ok(match what {
        What::Pay {
            amount,
            date,
            reference,
        } => {
            let date = date.unwrap_or(today);
            let currency = s.settings.currency_for(dir, &inv.data);
            let entry = Payment {
                date: sp(Date(date)),
                amount: sp(Amount(amount.normalize())),
                reference: reference.clone(),
            };
            let mut fields = vec![
                date_field("date", date),
                Field::new("amount", amount.to_string()),
            ];
            fields.extend(text_field("ref", reference));
            let refs = reference
                .as_ref()
                .map(|r| format!(", ref {r}"))
                .unwrap_or_default();
            plan(
                Op::Append {
                    key: "payments",
                    fields,
                    entry: json(&entry),
                },
                format!(
                    "{number}: payment of {} recorded ({date}{refs})",
                    crate::model::money::human(*amount, &currency)
                ),
            )
        }
        What::Log {
            what: stage,
            date,
            channel,
            by,
            note,
        } => {
            let date = date.unwrap_or(today);
            let policy = s.settings.policy_for(dir, &inv.data);
            let stage_def = policy.stage(stage);
            let channel = channel.clone().or_else(|| {
                stage_def
                    .map(|st| st.channel.clone())
                    .filter(|c| !c.is_empty())
            });
            let config = s.repo.config.as_ref().map(|c| &c.data);
            let by = by.clone().or_else(|| {
                let owner = stage_def.map(|st| st.owner.as_str())?;
                let handle = resolve_owner(config, dir, owner);
                config
                    .is_some_and(|c| c.people.contains_key(&handle))
                    .then_some(handle)
            });
            let entry = InvoiceEvent {
                date: sp(Date(date)),
                stage: Some(sp(stage.clone())),
                channel: channel.clone(),
                by: by.clone().map(sp),
                note: note.clone(),
            };
            let mut fields = vec![
                date_field("date", date),
                Field::new("stage", yaml::name(stage)),
            ];
            fields.extend(
                channel
                    .as_ref()
                    .map(|c| Field::new("channel", yaml::name(c))),
            );
            fields.extend(by.as_ref().map(|b| Field::new("by", yaml::name(b))));
            fields.extend(text_field("note", note));
            let how: Vec<String> = channel
                .iter()
                .cloned()
                .chain(by.iter().map(|b| format!("by {b}")))
                .collect();
            let how = if how.is_empty() {
                String::new()
            } else {
                format!(" ({})", how.join(", "))
            };
            plan(
                Op::Append {
                    key: "log",
                    fields,
                    entry: json(&entry),
                },
                format!("{number}: {stage} logged{how}"),
            )
        }
        What::Promise { pay_by, made, note } => {
            let made = made.unwrap_or(today);
            let entry = Promise {
                made: sp(Date(made)),
                pay_by: sp(Date(*pay_by)),
                note: note.clone(),
            };
            let mut fields = vec![date_field("made", made), date_field("pay_by", *pay_by)];
            fields.extend(text_field("note", note));
            plan(
                Op::Append {
                    key: "promises",
                    fields,
                    entry: json(&entry),
                },
                format!("{number}: promise to pay by {pay_by} recorded (made {made})"),
            )
        }
        What::Hold {
            reason,
            from,
            until,
        } => {
            let from = from.unwrap_or(today);
            let entry = Hold {
                from: sp(Date(from)),
                until: until.map(|u| sp(Date(u))),
                reason: Some(reason.clone()),
            };
            let mut fields = vec![date_field("from", from)];
            fields.extend(until.map(|u| date_field("until", u)));
            fields.push(Field::new("reason", yaml::quoted(reason)));
            let span = until.map(|u| format!(" until {u}")).unwrap_or_default();
            plan(
                Op::Append {
                    key: "holds",
                    fields,
                    entry: json(&entry),
                },
                format!("{number}: on hold from {from}{span} ({reason})"),
            )
        }
        What::Release { on } => {
            let on = on.unwrap_or(today);
            let Some(index) = inv.data.holds.iter().rposition(|h| h.until.is_none()) else {
                return Err(Fail::Refused(format!(
                    "error: invoice {number} has no open hold (every hold has an `until`); nothing was written\n"
                )));
            };
            plan(
                Op::SetField {
                    key: "holds",
                    index,
                    field: date_field("until", on),
                    value: json(&on.to_string()),
                },
                format!(
                    "{number}: hold from {} released on {on}",
                    inv.data.holds[index].from.value
                ),
            )
        }
        What::Extend {
            days,
            by,
            reason,
            granted,
        } => {
            let granted = granted.unwrap_or(today);
            let entry = Extension {
                granted: sp(Date(granted)),
                by: Some(sp(by.clone())),
                days: sp(*days),
                reason: Some(reason.clone()),
            };
            let fields = vec![
                date_field("granted", granted),
                Field::new("by", yaml::name(by)),
                Field::new("days", days.to_string()),
                Field::new("reason", yaml::quoted(reason)),
            ];
            plan(
                Op::Append {
                    key: "extensions",
                    fields,
                    entry: json(&entry),
                },
                format!("{number}: escalation extended by {days} days (by {by})"),
            )
        }
    })
}

fn plan_account_log(s: &Session, dir: &AccountDir, what: &What) -> Result<Plan, Fail> {
    let What::Log {
        what: kind,
        date,
        channel,
        by,
        note,
    } = what
    else {
        unreachable!("only log entries go to accounts");
    };
    if channel.is_some() {
        return Err(Fail::Usage(
            "--channel is for an invoice's stages; an account's log has no channel".into(),
        ));
    }
    let Some(account) = &dir.account else {
        return Err(Fail::Usage(format!(
            "account `{}` has no account.md to log into",
            dir.id
        )));
    };
    let date = date.unwrap_or(s.as_of);
    let entry = AccountEvent {
        date: sp(Date(date)),
        kind: sp(kind.clone()),
        by: by.clone().map(sp),
        note: note.clone(),
    };
    let mut fields = vec![
        date_field("date", date),
        Field::new("kind", yaml::name(kind)),
    ];
    fields.extend(by.as_ref().map(|b| Field::new("by", yaml::name(b))));
    fields.extend(text_field("note", note));
    let who = by
        .as_ref()
        .map(|b| format!(" (by {b})"))
        .unwrap_or_default();
    Ok(Plan {
        rel: account.file.clone(),
        account: dir.id.clone(),
        op: Op::Append {
            key: "log",
            fields,
            entry: json(&entry),
        },
        message: format!("{}: {kind} logged on {date}{who}", dir.id),
        number: None,
    })
}

fn unknown_target(s: &Session, target: &str, or_account: bool) -> Fail {
    let numbers = s.repo.invoices().map(|(_, i)| i.data.number.value.as_str());
    let accounts = s.repo.accounts.iter().map(|a| a.id.as_str());
    let known: Vec<&str> = if or_account {
        numbers.chain(accounts).collect()
    } else {
        numbers.collect()
    };
    let hint = crate::diagnostic::closest(target, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    let what = if or_account {
        "no invoice or account"
    } else {
        "no invoice"
    };
    Fail::Usage(format!("{what} named `{target}`{hint}"))
}

//! `calendar.ics` and `calendar/<owner>.ics` (RFC 5545): one all-day event
//! per scheduled escalation step of every unpaid invoice (of one owner's,
//! in an owner's feed), from [`RECENT_DAYS`] days back to the end of each
//! ladder. The agency's feed leaves out the rungs an invoice has passed
//! (a reached step followed by a later reached one): it shows where each
//! invoice stands and what comes next, and stays small enough to subscribe
//! to with a backlog; each owner's feed keeps every step. Lines end in CRLF and are folded at 75 octets; UIDs depend only
//! on the invoice and the stage (so an event is the same in both feeds),
//! and DTSTAMP is the evaluation date, so a feed is the same on every build.

use crate::ladder::report::RECENT_DAYS;
use crate::ladder::stage::Step;
use crate::ladder::{Entry, Ledger};
use crate::model::{money, number_slug};
use chrono::NaiveDate;
use std::fmt::Write as _;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted, without the characters it cannot hold.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control() && *c != '"').collect();
    format!("\"{clean}\"")
}

/// Appends one content line, folded so no line exceeds 75 octets, never
/// splitting a UTF-8 character.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A calendar feed: the agency's, or `owner`'s (a handle). `base_url`,
/// when set, gives each event a URL. An owner's feed says everything about
/// each step (amount outstanding, channel, whether it was missed, the owner
/// as organizer); the agency's is the overview, each event only its date
/// and a title naming the step, invoice, account and owner, so a feed of
/// every step of a large agency stays small enough to subscribe to.
pub fn calendar(
    ledger: &Ledger,
    title: &str,
    base_url: Option<&str>,
    owner: Option<&str>,
) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//folio//escalation steps//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(title)));
    let stamp = format!("{}T000000Z", date(ledger.as_of));
    let config = ledger.config();
    let since = ledger.as_of - chrono::Days::new(RECENT_DAYS);
    let detailed = owner.is_some();
    for (e, s, day) in ledger.scheduled_steps() {
        if day < since
            || (owner.is_none() && current_rung(e, ledger.as_of).is_some_and(|c| day < c))
        {
            continue;
        }
        let handle = e.owner_of(config, &s.id);
        if owner.is_some_and(|o| o != handle) {
            continue;
        }
        let slug = number_slug(e.number());
        let account = e
            .account
            .account
            .as_ref()
            .map_or(e.account.id.as_str(), |a| a.data.name.as_str());
        let stage = e.policy.stage(&s.id);
        let title = stage.map_or(s.id.as_str(), |st| st.title.as_str());
        let channel = stage.map_or("", |st| st.channel.as_str());
        let person = config.and_then(|c| c.people.get(&handle));
        let owner_name = person.map_or(handle.as_str(), |p| p.name.as_str());
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{slug}.{}@folio", text(&s.id)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        // Moved by an extension, a hold or a promise: a new revision of
        // the same event (same UID), which calendar applications apply.
        // (0, the default, is left out.)
        if s.shifts > 0 {
            line(&mut out, &format!("SEQUENCE:{}", s.shifts));
        }
        // An all-day event with no end lasts the day (RFC 5545 §3.6.1).
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(day)));
        line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                text(&format!(
                    "{title}: {} ({account}) — {owner_name}",
                    e.number()
                ))
            ),
        );
        if detailed {
            let mut description = format!(
                "{title} for invoice {} ({account}), {} outstanding.\nOwner: {owner_name}.",
                e.number(),
                money::human(
                    e.eval.outstanding.max(rust_decimal::Decimal::ZERO),
                    &e.currency
                )
            );
            if !channel.is_empty() {
                let _ = write!(description, "\nChannel: {channel}.");
            }
            if s.missed {
                description.push_str("\nReached and not logged: this step was missed.");
            }
            line(&mut out, &format!("DESCRIPTION:{}", text(&description)));
            line(&mut out, &format!("CATEGORIES:{}", text(&s.id)));
        }
        if let Some(email) = person
            .and_then(|p| p.email.as_deref())
            .filter(|m| detailed && !m.contains(['\r', '\n', '"']))
        {
            line(
                &mut out,
                &format!("ORGANIZER;CN={}:mailto:{email}", param(owner_name)),
            );
        }
        if let Some(base) = base_url {
            line(
                &mut out,
                &format!(
                    "URL:{}/invoices/{slug}/index.html",
                    base.trim_end_matches('/')
                ),
            );
        }
        if detailed {
            line(&mut out, "TRANSP:TRANSPARENT");
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// The date of the last step `e` has reached by `as_of` (its current rung
/// on the ladder), if any.
fn current_rung(e: &Entry, as_of: NaiveDate) -> Option<NaiveDate> {
    e.eval
        .stages
        .iter()
        .filter(|s| s.step != Step::Skipped)
        .filter_map(|s| s.date)
        .filter(|d| *d <= as_of)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(80));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}

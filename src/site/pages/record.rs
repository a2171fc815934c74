//! An invoice's written record: one chronology of its dates and of every
//! dated entry of its file, each with the commit that recorded it, shown
//! on the invoice page (`record` there) for an unpaid invoice and one paid
//! late. Not in a `--handbook-only` site.
//!
//! It is a section of the invoice page, not a page of its own: a backlog
//! has tens of thousands of such invoices, and on a real disk each file a
//! build creates costs more than the bytes in it.

use super::Site;
use crate::history::Origin;
use crate::ladder::Entry;
use crate::ladder::stage::PromiseState;
use crate::model::{Date, Sp, money};
use crate::plumbing::value::{Value, obj};
use chrono::NaiveDate;

/// One dated event of the written record.
struct Event {
    date: NaiveDate,
    /// Orders events of one day: issue, due, then what the file records.
    order: u8,
    kind: &'static str,
    text: String,
    detail: Option<String>,
    /// Where in the file the event is written (None for derived dates).
    at: Option<Sp<Date>>,
}

/// The written record of an invoice: one chronology of its dates and of
/// everything its file records, oldest first, each with the commit that
/// recorded it.
pub fn chronology(site: &Site, e: &Entry) -> Vec<Value> {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let mut events = vec![
        Event {
            date: inv.issued.value.0,
            order: 0,
            kind: "issued",
            text: format!(
                "Invoice issued for {}",
                money::human(inv.amount.value.0, cur)
            ),
            detail: None,
            at: Some(inv.issued.clone()),
        },
        Event {
            date: e.due,
            order: 1,
            kind: "due",
            text: "Payment due".into(),
            detail: None,
            at: inv.due.clone(),
        },
    ];
    for l in &inv.log {
        let stage = l.stage.as_ref().map(|s| {
            e.policy
                .stage(s)
                .map_or_else(|| s.value.clone(), |st| st.title.clone())
        });
        let mut text = stage.unwrap_or_else(|| "Note".into());
        if let Some(c) = &l.channel {
            text.push_str(&format!(" by {c}"));
        }
        if let Some(b) = &l.by {
            text.push_str(&format!(", {}", site.person_name(b)));
        }
        events.push(Event {
            date: l.date.value.0,
            order: 2,
            kind: "log",
            text,
            detail: l.note.clone(),
            at: Some(l.date.clone()),
        });
    }
    for (p, state) in inv.promises.iter().zip(&e.eval.promises) {
        let state = match state {
            PromiseState::Open => "open",
            PromiseState::Kept => "kept",
            PromiseState::Broken => "broken",
        };
        events.push(Event {
            date: p.made.value.0,
            order: 2,
            kind: "promise",
            text: format!("Promise to pay by {} ({state})", site.day(p.pay_by.value.0)),
            detail: p.note.clone(),
            at: Some(p.made.clone()),
        });
    }
    for h in &inv.holds {
        let until = h.until.as_ref().map_or("still open".to_string(), |u| {
            format!("until {}", site.day(u.value.0))
        });
        events.push(Event {
            date: h.from.value.0,
            order: 2,
            kind: "hold",
            text: format!("Hold, {until}"),
            detail: h.reason.clone(),
            at: Some(h.from.clone()),
        });
    }
    for x in &inv.extensions {
        let by =
            x.by.as_ref()
                .map_or(String::new(), |b| format!(" by {}", site.person_name(b)));
        events.push(Event {
            date: x.granted.value.0,
            order: 2,
            kind: "extension",
            text: format!("Extension of {} days granted{by}", x.days.value),
            detail: x.reason.clone(),
            at: Some(x.granted.clone()),
        });
    }
    for p in &inv.payments {
        events.push(Event {
            date: p.date.value.0,
            order: 3,
            kind: "payment",
            text: format!("Payment of {}", money::human(p.amount.value.0, cur)),
            detail: p.reference.clone(),
            at: Some(p.date.clone()),
        });
    }
    events.sort_by_key(|ev| (ev.date, ev.order));
    events
        .iter()
        .map(|ev| {
            let late = ev
                .at
                .as_ref()
                .and_then(|d| site.late_record(&e.invoice.file, d));
            let origin = ev
                .at
                .as_ref()
                .and_then(|d| site.origins.get(&(e.invoice.file.clone(), d.pos)));
            let (recorded, how) = match origin {
                Some(Origin::Added(c)) => (Some(site.commit(c)), "added"),
                Some(Origin::WithFile(c)) => (Some(site.commit(c)), "with the file"),
                Some(Origin::Uncommitted) => (None, "not committed yet"),
                _ if ev.at.is_none() => (None, "computed from the terms"),
                _ => (None, "unknown"),
            };
            obj!({
                "date": site.day(ev.date),
                "kind": ev.kind,
                "text": &ev.text,
                "detail": &ev.detail,
                "recorded": recorded,
                "how": how,
                "late": late.map(|(text, c)| obj!({"text": text, "commit": site.commit(c)})),
            })
        })
        .collect()
}

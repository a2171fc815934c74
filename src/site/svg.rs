//! The dashboard's receivables chart: one inline SVG per currency with a bar
//! per aging bucket, drawn at build time (no JavaScript). Colours come from
//! the stylesheet's bucket classes; every bar also carries its amount as
//! text, so the chart reads without colour.

use crate::model::money;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write as _;

pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "90+"];

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn bucket_label(b: &str) -> String {
    match b {
        "current" => "Not yet due".into(),
        "90+" => "90+ days".into(),
        other => format!("{other} days"),
    }
}

/// A chart of one currency's outstanding amounts by aging bucket
/// (`amounts` in [`BUCKETS`] order).
pub fn aging_chart(currency: &str, amounts: &[Decimal; 5]) -> String {
    const ROW: u32 = 34;
    const LABEL: u32 = 104;
    const BAR: f64 = 250.0;
    const WIDTH: u32 = 480;
    let max = amounts.iter().copied().max().unwrap_or_default();
    let total: Decimal = amounts.iter().copied().sum();
    let height = ROW * BUCKETS.len() as u32 + 8;
    let cur = escape(currency);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="aging-chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-{cur}-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-{cur}-title">Receivables in {cur} by days overdue, {} in total</title>"#,
        escape(&money::human(total, currency))
    );
    for (i, (bucket, amount)) in BUCKETS.iter().zip(amounts).enumerate() {
        let y = i as u32 * ROW + 4;
        let share = if max > Decimal::ZERO {
            (*amount / max).to_f64().unwrap_or(0.0)
        } else {
            0.0
        };
        // A visible sliver for small non-zero amounts, nothing for zero.
        let width = if *amount > Decimal::ZERO {
            (share * BAR).max(3.0)
        } else {
            0.0
        };
        let text_x = LABEL as f64 + width + 8.0;
        let _ = write!(
            svg,
            r#"<g class="bucket bucket-{bucket}"><text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text><rect class="bar" x="{LABEL}" y="{y}" width="{width:.1}" height="{}" rx="3"></rect><text class="chart-value" x="{text_x:.1}" y="{}">{}</text></g>"#,
            LABEL - 10,
            y + ROW / 2 + 1,
            escape(&bucket_label(bucket)),
            ROW - 10,
            y + ROW / 2 + 1,
            escape(&money::human(*amount, currency)),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_bucket() {
        let d = |n: i64| Decimal::from(n);
        let svg = aging_chart("EUR", &[d(100), d(50), d(0), d(0), d(0)]);
        assert!(svg.contains(r#"width="250.0""#), "{svg}");
        assert!(svg.contains(r#"width="125.0""#), "{svg}");
        assert!(svg.contains(r#"width="0.0""#), "{svg}");
        assert!(svg.contains("150.00 EUR in total"), "{svg}");
        assert!(svg.contains("50.00 EUR"));
    }
}

//! The dashboard's receivables chart: one inline SVG per currency with a bar
//! per aging bucket, drawn at build time (no JavaScript). Colours come from
//! the stylesheet's bucket classes; every bar also carries its amount as
//! text, so the chart reads without colour.

use crate::model::money;
use crate::plumbing::html::escape;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write as _;

pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "90+"];

fn bucket_label(b: &str) -> String {
    match b {
        "current" => "Not yet due".into(),
        "90+" => "90+ days".into(),
        other => format!("{other} days"),
    }
}

/// A chart of one currency's outstanding amounts by aging bucket
/// (`amounts` in [`BUCKETS`] order): a row per bucket, its label and amount
/// on a line over its bar. The SVG has no viewBox: its width is the page's
/// (positions across are percentages), so the text keeps the page's size on
/// a phone as on a desktop instead of shrinking with the drawing.
pub fn aging_chart(currency: &str, amounts: &[Decimal; 5]) -> String {
    /// A row's height, the baseline of its text and the top of its bar.
    const ROW: u32 = 44;
    const BASELINE: u32 = 15;
    const BAR_TOP: u32 = 22;
    const BAR_HEIGHT: u32 = 12;
    let max = amounts.iter().copied().max().unwrap_or_default();
    let total: Decimal = amounts.iter().copied().sum();
    let height = ROW * BUCKETS.len() as u32 - (ROW - BAR_TOP - BAR_HEIGHT);
    let cur = escape(currency);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="aging-chart" width="100%" height="{height}" role="img" aria-labelledby="chart-{cur}-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-{cur}-title">Receivables in {cur} by days overdue, {} in total</title>"#,
        escape(&money::human(total, currency))
    );
    for (i, (bucket, amount)) in BUCKETS.iter().zip(amounts).enumerate() {
        let y = i as u32 * ROW;
        let share = if max > Decimal::ZERO {
            (*amount / max).to_f64().unwrap_or(0.0)
        } else {
            0.0
        };
        // A visible sliver for small non-zero amounts, nothing for zero.
        let width = if *amount > Decimal::ZERO {
            (share * 100.0).max(1.0)
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<g class="bucket bucket-{bucket}"><text class="chart-label" x="0" y="{text}">{}</text><text class="chart-value" x="100%" y="{text}" text-anchor="end">{}</text><rect class="track" x="0" y="{bar}" width="100%" height="{BAR_HEIGHT}" rx="3"></rect><rect class="bar" x="0" y="{bar}" width="{width:.1}%" height="{BAR_HEIGHT}" rx="3"></rect></g>"#,
            escape(&bucket_label(bucket)),
            escape(&money::human(*amount, currency)),
            text = y + BASELINE,
            bar = y + BAR_TOP,
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
        assert!(svg.contains(r#"width="100.0%""#), "{svg}");
        assert!(svg.contains(r#"width="50.0%""#), "{svg}");
        assert!(svg.contains(r#"width="0.0%""#), "{svg}");
        assert!(!svg.contains("viewBox"), "the text is not scaled: {svg}");
        assert!(svg.contains("150.00 EUR in total"), "{svg}");
        assert!(svg.contains("50.00 EUR"));
    }
}

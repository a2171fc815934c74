//! Escaping text for HTML and SVG, content and attributes alike: the one
//! escaping the site's templates, its Markdown links, its charts and the
//! error page use.

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(s: &str) -> String {
    // Most values (dates, amounts, ids) need no escaping: copied whole.
    if !s.bytes().any(|b| SPECIAL[b as usize]) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    escape_runs(s, |part| out.push_str(part));
    out
}

/// [`escape`], written into `w`: what the templates use for `{{ value }}`,
/// so that the hundreds of thousands of values a site prints need no
/// string each.
pub fn escape_into(s: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    escape_runs(s, |part| {
        if result.is_ok() {
            result = w.write_all(part.as_bytes());
        }
    });
    result
}

/// The bytes special in HTML text and attributes, by one table lookup each.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// Gives `s` escaped to `emit`, as runs of plain text and entities.
fn escape_runs(s: &str, mut emit: impl FnMut(&str)) {
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !SPECIAL[b as usize] {
            continue;
        }
        if run < i {
            emit(&s[run..i]);
        }
        emit(match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        run = i + 1;
    }
    if run < s.len() {
        emit(&s[run..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character_and_keeps_the_rest() {
        let cases = [
            ("", ""),
            ("plain 2026-11-23", "plain 2026-11-23"),
            ("<script>", "&lt;script&gt;"),
            ("a&b\"c'd", "a&amp;b&quot;c&#39;d"),
            ("Café <b>é</b>", "Café &lt;b&gt;é&lt;/b&gt;"),
            ("&&", "&amp;&amp;"),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want, "{raw}");
            let mut into = vec![];
            escape_into(raw, &mut into).unwrap();
            assert_eq!(String::from_utf8(into).unwrap(), want, "{raw} (into)");
        }
    }
}

//! Splitting a record file into its YAML front matter and Markdown body.
//!
//! Everything that can be wrong with the raw bytes is found here, before any
//! YAML parser sees them: size, emptiness, NUL bytes, invalid UTF-8, a missing
//! or unclosed `---` fence, tabs in the indentation.

use crate::diagnostic::{Code, Pos};

/// Records larger than this (4 MiB) are refused after reading at most one
/// byte more (a record is a page of text; a bigger file is a mistake or an
/// attack).
pub use crate::diagnostic::MAX_FILE_BYTES;

/// A problem found while splitting: code, position, message, hint.
#[derive(Debug, PartialEq, Eq)]
pub struct SplitError {
    pub code: Code,
    pub pos: Pos,
    pub message: String,
    pub hint: String,
}

fn fail<T>(
    code: Code,
    pos: Pos,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Result<T, SplitError> {
    Err(SplitError {
        code,
        pos,
        message: message.into(),
        hint: hint.into(),
    })
}

/// A record file, decoded and normalised (BOM removed, CRLF turned into LF).
#[derive(Debug)]
pub struct Document {
    text: String,
    /// Byte range of the YAML, starting with the newline that ends the
    /// opening `---`, so YAML line N is file line N.
    yaml: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
    /// File line on which the body starts.
    pub body_line: u32,
}

impl Document {
    /// The YAML text, prefixed by one newline so that its line numbers are
    /// the file's line numbers.
    pub fn yaml(&self) -> &str {
        &self.text[self.yaml.clone()]
    }
    pub fn body(&self) -> &str {
        &self.text[self.body.clone()]
    }
    pub fn into_body(mut self) -> String {
        self.text.truncate(self.body.end);
        self.text.split_off(self.body.start)
    }
}

/// Decodes bytes to text: refuses oversized files, NUL bytes and invalid
/// UTF-8 with the position of the first offending byte; strips a BOM and
/// normalises CRLF.
pub fn decode(bytes: &[u8]) -> Result<String, SplitError> {
    if bytes.len() > MAX_FILE_BYTES {
        return fail(
            Code::FileTooLarge,
            Pos::START,
            format!(
                "file is larger than {MAX_FILE_BYTES} bytes ({} MiB), the limit for one record",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            "split the file, or move large attachments out of the records repository",
        );
    }
    if let Some(i) = bytes.iter().position(|b| *b == 0) {
        return fail(
            Code::NotUtf8,
            pos_of_byte(bytes, i),
            "file contains a NUL byte: it is binary, not text",
            "save the file as UTF-8 text, or move it out of the records folders",
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                Code::NotUtf8,
                pos_of_byte(bytes, e.valid_up_to()),
                "file is not valid UTF-8",
                "re-save the file with UTF-8 encoding",
            );
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    })
}

/// Line and column (in characters) of byte offset `i`, counting only the
/// valid prefix, so this works on invalid UTF-8.
fn pos_of_byte(bytes: &[u8], i: usize) -> Pos {
    let before = &bytes[..i];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    Pos::new(line, column)
}

/// Splits `---\n<YAML>\n---\n<Markdown>`.
pub fn split(text: String) -> Result<Document, SplitError> {
    if text.trim().is_empty() {
        return fail(
            Code::EmptyFile,
            Pos::START,
            "file is empty",
            "start the file with a `---` line, the record's YAML keys, and a closing `---` line",
        );
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return fail(
            Code::FrontMatter,
            Pos::START,
            "file does not start with a `---` front matter line",
            "put `---` on the first line, then the YAML keys, then `---` to close",
        );
    }
    let mut offset = first_end;
    let mut line = 1u32;
    let closing = loop {
        if offset >= text.len() {
            break None;
        }
        let start = offset + 1;
        let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
        line += 1;
        let l = text[start..end].trim_end();
        if l == "---" || l == "..." {
            break Some((start, end));
        }
        offset = end;
    };
    let Some((close_start, close_end)) = closing else {
        return fail(
            Code::FrontMatter,
            Pos::START,
            "front matter is never closed: no `---` line after the opening one",
            "add a line with `---` after the last YAML key, before the Markdown body",
        );
    };
    let yaml = first_end..close_start;
    check_tabs(&text[yaml.clone()])?;
    let body_start = (close_end + 1).min(text.len());
    Ok(Document {
        body: body_start..text.len(),
        yaml,
        body_line: line + 1,
        text,
    })
}

/// Parses a whole-file YAML (folio.yaml): it only needs the tab check.
pub fn check_yaml_file(text: &str) -> Result<(), SplitError> {
    if text.trim().is_empty() {
        return fail(
            Code::EmptyFile,
            Pos::START,
            "file is empty",
            "run `folio init` to create a folio.yaml",
        );
    }
    check_tabs(&format!("\n{text}"))
}

/// YAML forbids tabs in indentation; say so precisely instead of leaving it
/// to a parser message about scalars. `yaml` starts with the newline of line 1.
fn check_tabs(yaml: &str) -> Result<(), SplitError> {
    for (i, l) in yaml.split('\n').enumerate().skip(1) {
        let indent: &str = &l[..l.len() - l.trim_start().len()];
        if let Some(col) = indent.find('\t') {
            return fail(
                Code::TabIndentation,
                Pos::new(i as u32 + 1, col as u32 + 1),
                "tab character in indentation",
                "YAML indentation must use spaces: replace the tab with spaces",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_str(s: &str) -> Result<Document, SplitError> {
        split(decode(s.as_bytes())?)
    }

    #[test]
    fn splits_yaml_and_body_keeping_line_numbers() {
        let d = split_str("---\nname: Acme\n---\n# Notes\n").unwrap();
        assert_eq!(d.yaml(), "\nname: Acme\n");
        assert_eq!(d.body(), "# Notes\n");
        assert_eq!(d.body_line, 4);
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let d = split_str("\u{feff}---\r\nname: Acme\r\n---\r\nbody\r\n").unwrap();
        assert_eq!(d.yaml(), "\nname: Acme\n");
        assert_eq!(d.body(), "body\n");
    }

    #[test]
    fn empty_front_matter_and_no_body() {
        let d = split_str("---\n---").unwrap();
        assert_eq!(d.yaml(), "\n");
        assert_eq!(d.body(), "");
    }

    #[test]
    fn problems_have_codes_and_positions() {
        let cases: [(&[u8], Code, Pos); 7] = [
            (b"", Code::EmptyFile, Pos::START),
            (b"  \n\n", Code::EmptyFile, Pos::START),
            (b"name: x\n", Code::FrontMatter, Pos::START),
            (b"---\nname: x\nbody", Code::FrontMatter, Pos::START),
            (
                b"---\nroles:\n\tproducer: ana\n---\n",
                Code::TabIndentation,
                Pos { line: 3, column: 1 },
            ),
            (
                b"---\nname: a\0b\n---\n",
                Code::NotUtf8,
                Pos { line: 2, column: 8 },
            ),
            (
                b"---\nname: \xc3\x28\n---\n",
                Code::NotUtf8,
                Pos { line: 2, column: 7 },
            ),
        ];
        for (input, code, pos) in cases {
            let err = decode(input).and_then(split).unwrap_err();
            assert_eq!(
                (err.code, err.pos),
                (code, pos),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn oversized_files_are_refused_unread() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(decode(&big).unwrap_err().code, Code::FileTooLarge);
    }
}

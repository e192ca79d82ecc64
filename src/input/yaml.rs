//! Reading YAML input files: encoding checks, parsing with serde_yaml, and a span index that maps
//! every value's path (`questions[3].answer`) to its line and column for diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::diag::{Diagnostic, Pos, pos_of_byte};

/// Where a node sits in the file: the key that introduces it (for map entries) and the value itself.
#[derive(Debug, Clone)]
struct NodeSpan {
    key: Option<Pos>,
    value: Pos,
    /// Characters to underline: a one-line scalar's length, else 1.
    width: usize,
    /// The source text of a plain scalar (`0.50` stays `0.50`, where serde would see the float 0.5).
    plain: Option<String>,
}

/// A parsed YAML file that can say where each of its values came from.
#[derive(Debug)]
pub struct YamlDoc {
    pub file: PathBuf,
    pub text: String,
    pub value: Value,
    /// Built on first use: a clean file never needs positions, and indexing costs as much as parsing.
    spans: std::sync::OnceLock<HashMap<String, NodeSpan>>,
}

/// Reads `path` as UTF-8 text, turning the usual mistakes (GBK from Excel, an empty file) into diagnostics.
pub fn read_text(path: &Path, shown_as: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(shown_as, Pos::START, format!("cannot read the file: {e}"))
    })?;
    decode_text(&bytes, shown_as)
}

/// Decodes file bytes as UTF-8 (a BOM is allowed); `shown_as` names the file in diagnostics.
pub fn decode_text(bytes: &[u8], shown_as: &Path) -> Result<String, Diagnostic> {
    // Notepad's 「Unicode」 is UTF-16: decoded, so it is neither called GBK nor parsed with NUL bytes.
    let utf16 = crate::util::utf16::decode_utf16(bytes);
    let bytes = match &utf16 {
        Some(text) => text.as_bytes(),
        None => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let pos = pos_of_byte(std::str::from_utf8(valid).unwrap_or(""), valid.len());
            let bad = &bytes[err.valid_up_to()..bytes.len().min(err.valid_up_to() + 2)];
            let hex: Vec<String> = bad.iter().map(|b| format!("{b:02X}")).collect();
            return Err(Diagnostic::error(
                shown_as,
                pos,
                format!("the file is not UTF-8 text (bytes {} cannot be decoded)", hex.join(" ")),
            )
            .with_source(&String::from_utf8_lossy(bytes))
            .with_help(
                "re-save the file as UTF-8; Excel and Notepad on Chinese Windows save GBK by default \
                 (Notepad: 另存为 → 编码 UTF-8)",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(Diagnostic::error(shown_as, Pos::START, "the file is empty")
            .with_help("write the section header and questions, or delete the file"));
    }
    Ok(text.to_string())
}

impl YamlDoc {
    /// Parses `text`; a syntax error comes back as one located diagnostic.
    pub fn parse(file: &Path, text: String) -> Result<YamlDoc, Diagnostic> {
        let value: Value = match serde_yaml::from_str(&text) {
            Ok(v) => v,
            Err(err) => {
                let pos = err
                    .location()
                    .map_or(Pos::START, |l| Pos::new(l.line(), l.column()));
                let message = strip_location(&err.to_string());
                return Err(Diagnostic::error(file, pos, format!("YAML syntax error: {message}"))
                    .with_help(
                        "check indentation (spaces, not tabs) and quote text that contains `: ` or starts with a special character",
                    )
                    .with_source(&text));
            }
        };
        Ok(YamlDoc {
            file: file.to_path_buf(),
            text,
            value,
            spans: std::sync::OnceLock::new(),
        })
    }

    /// A document whose values are not needed (the bank cache has them): its text, for positions only.
    pub fn unparsed(file: &Path, text: String) -> YamlDoc {
        YamlDoc {
            file: file.to_path_buf(),
            text,
            value: Value::Null,
            spans: std::sync::OnceLock::new(),
        }
    }

    fn spans(&self) -> &HashMap<String, NodeSpan> {
        self.spans.get_or_init(|| index_spans(&self.text))
    }

    /// The position of the value at `path`, or of its nearest located ancestor.
    pub fn pos(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(span) = self.spans().get(p) {
                return span.value;
            }
            match parent_path(p) {
                Some(parent) => p = parent,
                None => return Pos::START,
            }
        }
    }

    /// The position of the key that introduces `path` (falls back to the value's position).
    pub fn key_pos(&self, path: &str) -> Pos {
        self.spans()
            .get(path)
            .and_then(|s| s.key)
            .unwrap_or_else(|| self.pos(path))
    }

    /// The source text of a plain scalar at `path`, if it is one.
    pub fn plain_scalar(&self, path: &str) -> Option<&str> {
        self.spans().get(path).and_then(|s| s.plain.as_deref())
    }

    /// An error located at the value `path`, underlining it, with the source line attached.
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let width = self.spans().get(path).map_or(1, |s| s.width);
        Diagnostic::error(&self.file, self.pos(path), message)
            .with_width(width)
            .with_source(&self.text)
    }

    /// An error located at the key of `path`, underlining the key.
    pub fn error_at_key(&self, path: &str, key: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.file, self.key_pos(path), message)
            .with_width(key.chars().count())
            .with_source(&self.text)
    }

    pub fn warning_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(&self.file, self.pos(path), message).with_source(&self.text)
    }

    /// Deserializes the value at `path` into `T`; a type error is located at the exact field.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        value: &Value,
        path: &str,
    ) -> Result<T, Diagnostic> {
        serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
            let inner = err.path().to_string();
            let full = join_path(path, if inner == "." { "" } else { &inner });
            let message = strip_location(&err.into_inner().to_string());
            self.error_at(&full, format!("`{}`: {message}", display_path(&full)))
        })
    }

    /// Checks that the mapping at `path` has only `allowed` keys; each stray key is one diagnostic with a suggestion.
    pub fn check_keys(
        &self,
        value: &Value,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Vec<Diagnostic> {
        let Some(map) = value.as_mapping() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for key in map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let key_path = join_path(path, &name);
            let mut d =
                self.error_at_key(&key_path, &name, format!("unknown key `{name}` in {what}"));
            d = match closest(&name, allowed) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!("allowed keys are: {}", allowed.join(", "))),
            };
            out.push(d);
        }
        out
    }
}

/// `questions[3].answer` → `questions[3]`; `questions[3]` → `questions`.
fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

pub fn join_path(base: &str, child: &str) -> String {
    match (base.is_empty(), child.is_empty()) {
        (_, true) => base.to_string(),
        (true, false) => child.to_string(),
        (false, false) if child.starts_with('[') => format!("{base}{child}"),
        _ => format!("{base}.{child}"),
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(top level)" } else { path }
}

/// serde_yaml appends " at line L column C"; we print the location ourselves.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The allowed name nearest to a misspelt one, if it is near enough to be a typo.
pub fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(name, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min()
        .map(|(_, a)| a)
}

/// Walks the event stream once and records the position of every node by path. A second parser is used
/// because serde_yaml's values carry no positions; if it disagrees with serde_yaml (it should not), the
/// index is simply incomplete and diagnostics fall back to the nearest located ancestor.
fn index_spans(text: &str) -> HashMap<String, NodeSpan> {
    let mut spans = HashMap::new();
    let mut parser = Parser::new_from_str(text);
    let mut walker = Walker {
        parser: &mut parser,
        spans: &mut spans,
        last_width: 1,
    };
    // Skip to the first document's root node.
    while let Some(Ok((event, span))) = walker.parser.next() {
        match event {
            Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::StreamEnd | Event::DocumentEnd => break,
            other => {
                walker.node(other, to_pos(span.start), String::new(), None);
                break;
            }
        }
    }
    spans
}

fn to_pos(marker: saphyr_parser::Marker) -> Pos {
    Pos::new(marker.line(), marker.col() + 1)
}

struct Walker<'p, 'i> {
    parser: &'p mut Parser<'i, saphyr_parser::StrInput<'i>>,
    spans: &'p mut HashMap<String, NodeSpan>,
    /// Width of the event last read, for underlining scalars.
    last_width: usize,
}

impl<'i> Walker<'_, 'i> {
    fn next(&mut self) -> Option<(Event<'i>, Pos)> {
        match self.parser.next() {
            Some(Ok((event, span))) => {
                self.last_width = if span.end.line() == span.start.line() {
                    span.end.col().saturating_sub(span.start.col()).max(1)
                } else {
                    1
                };
                Some((event, to_pos(span.start)))
            }
            _ => None,
        }
    }

    /// Records `event` (already read) at `path`, consuming the rest of its node. Returns false on a parse failure.
    fn node(&mut self, event: Event<'i>, pos: Pos, path: String, key: Option<Pos>) -> bool {
        match event {
            Event::Scalar(value, style, _, _) => {
                let plain = (style == ScalarStyle::Plain).then(|| value.to_string());
                self.spans.insert(
                    path,
                    NodeSpan {
                        key,
                        value: pos,
                        width: self.last_width,
                        plain,
                    },
                );
                true
            }
            Event::Alias(_) => {
                self.spans.insert(
                    path,
                    NodeSpan {
                        key,
                        value: pos,
                        width: 1,
                        plain: None,
                    },
                );
                true
            }
            Event::SequenceStart(..) => {
                self.spans.insert(
                    path.clone(),
                    NodeSpan {
                        key,
                        value: pos,
                        width: 1,
                        plain: None,
                    },
                );
                let mut index = 0;
                loop {
                    let Some((event, pos)) = self.next() else {
                        return false;
                    };
                    if matches!(event, Event::SequenceEnd) {
                        return true;
                    }
                    if !self.node(event, pos, format!("{path}[{index}]"), None) {
                        return false;
                    }
                    index += 1;
                }
            }
            Event::MappingStart(..) => {
                self.spans.insert(
                    path.clone(),
                    NodeSpan {
                        key,
                        value: pos,
                        width: 1,
                        plain: None,
                    },
                );
                loop {
                    let Some((event, key_pos)) = self.next() else {
                        return false;
                    };
                    let name = match event {
                        Event::MappingEnd => return true,
                        Event::Scalar(name, ..) => name.to_string(),
                        // Complex keys never occur in our formats; index their value under a placeholder.
                        other => {
                            if !self.node(other, key_pos, format!("{path}.?"), None) {
                                return false;
                            }
                            "?".to_string()
                        }
                    };
                    let Some((value, value_pos)) = self.next() else {
                        return false;
                    };
                    if !self.node(value, value_pos, join_path(&path, &name), Some(key_pos)) {
                        return false;
                    }
                }
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> YamlDoc {
        YamlDoc::parse(Path::new("t.yaml"), text.to_string()).unwrap()
    }

    #[test]
    fn indexes_nested_paths_with_keys_and_values() {
        let d = doc(
            "section:\n  id: cw\nquestions:\n  - id: q1\n    answer: C\n  - id: q2\n    options: [a, 0.50]\n",
        );
        assert_eq!(d.pos("section.id"), Pos::new(2, 7));
        assert_eq!(d.key_pos("section.id"), Pos::new(2, 3));
        assert_eq!(d.pos("questions[0].answer"), Pos::new(5, 13));
        assert_eq!(d.pos("questions[1].options[1]"), Pos::new(7, 18));
        assert_eq!(d.plain_scalar("questions[1].options[1]"), Some("0.50"));
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(d.pos("questions[1].nothing"), Pos::new(6, 5));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = YamlDoc::parse(Path::new("t.yaml"), "a: [1, 2\nb: 3\n".to_string()).unwrap_err();
        assert!(
            err.message.starts_with("YAML syntax error"),
            "{}",
            err.message
        );
        assert!(err.pos.line >= 1);
    }

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(
            closest("anwser", &["answer", "options", "stem"]),
            Some("answer")
        );
        assert_eq!(closest("zzzzzz", &["answer", "options"]), None);
    }
}

//! Diagnostics: problems found in user input, located by file, line and column and printed like rustc.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How serious a diagnostic is: errors stop the run, warnings are only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a text file, both 1-based; `column` counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub pos: Pos,
    /// How many characters to underline at `pos` (at least one).
    pub width: usize,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The offending source line, shown under the message.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            pos,
            width: 1,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn warning(file: &Path, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_width(mut self, width: usize) -> Diagnostic {
        self.width = width.max(1);
        self
    }

    /// Attaches the line at `self.pos` from `text`, so the reader sees what is wrong without opening the file.
    pub fn with_source(mut self, text: &str) -> Diagnostic {
        if self.pos.line >= 1 {
            self.source_line = text
                .lines()
                .nth(self.pos.line - 1)
                .map(|l| l.trim_end().to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            f,
            "{}:{}:{}: {label}: {}",
            self.file.display(),
            self.pos.line,
            self.pos.column,
            self.message
        )?;
        let gutter = self.pos.line.to_string().len();
        if let Some(line) = &self.source_line {
            writeln!(f, "{:>gutter$} |", "")?;
            writeln!(f, "{} | {}", self.pos.line, line)?;
            // Wide (CJK) characters take two terminal cells; pad and underline by display width.
            let prefix: String = line
                .chars()
                .take(self.pos.column.saturating_sub(1))
                .collect();
            let marked: String = line
                .chars()
                .skip(self.pos.column.saturating_sub(1))
                .take(self.width)
                .collect();
            let pad = unicode_width::UnicodeWidthStr::width(prefix.as_str());
            let carets = unicode_width::UnicodeWidthStr::width(marked.as_str()).max(1);
            writeln!(
                f,
                "{:>gutter$} | {}{}",
                "",
                " ".repeat(pad),
                "^".repeat(carets)
            )?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{:>gutter$} = help: {help}", "")?;
        }
        Ok(())
    }
}

/// Computes the 1-based line and character column of a byte offset in `text`.
pub fn pos_of_byte(text: &str, byte: usize) -> Pos {
    let byte = byte.min(text.len());
    let before = &text.as_bytes()[..byte];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos { line, column }
}

/// Renders all diagnostics, errors first within each file, in a stable order.
pub fn render_all(diags: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.pos, a.severity).cmp(&(&b.file, b.pos, b.severity)));
    sorted
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_source_and_caret_under_wide_text() {
        let text = "a: 1\n  题干: x\n";
        let d = Diagnostic::error(Path::new("b.yaml"), Pos::new(2, 3), "bad key")
            .with_width(2)
            .with_source(text);
        let shown = d.to_string();
        assert!(shown.starts_with("b.yaml:2:3: error: bad key\n"), "{shown}");
        assert!(shown.contains("2 |   题干: x\n"), "{shown}");
        assert!(shown.contains("  |   ^^^^\n"), "{shown}");
    }

    #[test]
    fn byte_offsets_map_to_character_columns() {
        let text = "一二\n三四五";
        assert_eq!(pos_of_byte(text, 0), Pos::new(1, 1));
        assert_eq!(pos_of_byte(text, 3), Pos::new(1, 2));
        assert_eq!(pos_of_byte(text, 7), Pos::new(2, 1));
        assert_eq!(pos_of_byte(text, 10), Pos::new(2, 2));
    }
}

//! Formulas in bank text checked at load: an unknown command, unbalanced braces or a `$` that never
//! closes is an error at its file:line:column with the formula shown, so nothing prints as raw LaTeX.

use crate::diag::{Diagnostic, pos_of_byte};
use crate::input::yaml::YamlDoc;
use crate::math;

/// Adds an error for each bad formula in `text`, the value at `path` of `doc`.
pub(super) fn check(doc: &YamlDoc, path: &str, text: &str, diags: &mut Vec<Diagnostic>) {
    for problem in math::problems(text) {
        let snippet = text
            .get(problem.offset..problem.offset + problem.len)
            .unwrap_or("");
        let (pos, width) = locate(doc, path, text, problem.offset, snippet);
        let shown = formula_around(text, problem.offset);
        diags.push(
            Diagnostic::error(&doc.file, pos, format!("formula: {}", problem.message))
                .with_width(width)
                .with_source(&doc.text)
                .with_help(format!(
                    "in {shown}; formulas are LaTeX between $…$ (see docs/formulas.md), a dollar sign is \\$"
                )),
        );
    }
}

/// Where the problem is in the file: the snippet's first occurrence from the value's start (YAML may
/// have folded or unescaped the value, so offsets in the value are not offsets in the file), else the
/// value itself.
fn locate(
    doc: &YamlDoc,
    path: &str,
    text: &str,
    offset: usize,
    snippet: &str,
) -> (crate::diag::Pos, usize) {
    let start = doc.pos(path);
    let from = doc.value_byte(path);
    // The text before the problem narrows the search when the snippet (a `$`, a `}`) occurs earlier too.
    let before = text[..offset]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>();
    let rest = doc.text.get(from..).unwrap_or("");
    let found = if snippet.is_empty() {
        None
    } else {
        rest.find(&format!("{before}{snippet}"))
            .map(|i| i + before.len())
            .or_else(|| rest.find(snippet))
    };
    match found {
        Some(i) => (
            pos_of_byte(&doc.text, from + i),
            snippet.chars().count().max(1),
        ),
        None => (start, 1),
    }
}

/// The formula (or the text after a lone `$`) around byte `offset`, shortened for the message.
fn formula_around(text: &str, offset: usize) -> String {
    let start = text[..offset].rfind('$').map_or(0, |i| i);
    let end = text[offset..]
        .find('$')
        .map_or(text.len(), |i| offset + i + 1)
        .min(text.len());
    let shown: String = text[start..end].chars().take(60).collect();
    format!("`{}`", shown.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_command_is_reported_at_its_line_and_column() {
        let src = "questions:\n  - stem: |-\n      已知 $\\fracc{1}{2}$ 的值\n";
        let doc = YamlDoc::parse(std::path::Path::new("q.yaml"), src.to_string()).unwrap();
        let mut diags = Vec::new();
        check(
            &doc,
            "questions[0].stem",
            "已知 $\\fracc{1}{2}$ 的值",
            &mut diags,
        );
        assert_eq!(diags.len(), 1);
        let d = &diags[0];
        assert_eq!((d.pos.line, d.pos.column), (3, 11), "{d:?}");
        assert!(
            d.message.contains("unknown command \\fracc"),
            "{}",
            d.message
        );
        assert!(d.help.as_deref().unwrap().contains("`$\\fracc{1}{2}$`"));
    }
}

//! Formulas in Word: a run's `$…$` formulas travel through docx-rs marked in its text, and the finished
//! document part gets each one as a native equation (`m:oMath`, `m:oMathPara` for `$$…$$`) between runs that
//! keep the text's run properties — docx-rs has no equations, so they are written into its XML afterwards.

use crate::math::{self, Piece};
use crate::render::fonts::FontRole;
use crate::render::layout::Metrics;

/// Marks around a formula in a run's text: private-use characters no bank text holds.
const OPEN: char = '\u{F0E0}';
const CLOSE: char = '\u{F0E1}';

/// `text` with each formula as OPEN, `I` (inline) or `D` (display), its LaTeX, CLOSE; `\$` as `$`. Text
/// without formulas, or whose formulas do not parse (`check` reports those), is returned as it is.
pub fn mark_formulas(text: &str) -> String {
    let Some(pieces) = pieces(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 8);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Math { tex, display, .. } => {
                out.push(OPEN);
                out.push(if display { 'D' } else { 'I' });
                out.push_str(&tex);
                out.push(CLOSE);
            }
        }
    }
    out
}

fn pieces(text: &str) -> Option<Vec<Piece>> {
    if !math::has_math(text) {
        return None;
    }
    math::split(text).ok()
}

/// The width of `text` in em as the PDF sets it, formulas at their laid-out width.
pub fn text_width(metrics: &dyn Metrics, text: &str, role: FontRole) -> f32 {
    let chars = |t: &str| t.chars().map(|c| metrics.advance(role, c)).sum::<f32>();
    let Some(pieces) = pieces(text) else {
        return chars(text);
    };
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => chars(t),
            Piece::Math { tex, display, .. } => math::parse(tex).map_or(0.0, |nodes| {
                math::layout::layout(&nodes, *display, math::font::builtin(), &|t: &str| {
                    t.chars().map(|c| metrics.advance(role.regular(), c)).sum()
                })
                .width
            }),
        })
        .sum()
}

/// The document part with every marked run split at its formulas, each formula an OMML equation, and the
/// math namespace declared on the root. A part without formulas comes back unchanged.
pub fn expand_formulas(part: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(part).map_err(|e| e.to_string())?;
    if !text.contains(OPEN) {
        return Ok(part.to_vec());
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for r in doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "r")))
        .filter(|n| {
            n.children()
                .any(|t| t.has_tag_name((W, "t")) && t.text().is_some_and(|t| t.contains(OPEN)))
        })
    {
        let rpr = r.children().find(|c| c.has_tag_name((W, "rPr")));
        let props = rpr.map_or("", |p| &text[p.range()]);
        // What a formula takes from its run: the size and the colour, not the text fonts (Word would
        // leave its math font for them).
        let kept: String = rpr
            .into_iter()
            .flat_map(|p| p.children())
            .filter(|c| {
                ["sz", "szCs", "color"]
                    .iter()
                    .any(|n| c.has_tag_name((W, *n)))
            })
            .map(|c| &text[c.range()])
            .collect();
        let math_props = if kept.is_empty() {
            String::new()
        } else {
            format!("<w:rPr>{kept}</w:rPr>")
        };
        let content: String = r
            .children()
            .filter(|t| t.has_tag_name((W, "t")))
            .filter_map(|t| t.text())
            .collect();
        let mut out = String::new();
        let mut rest = content.as_str();
        while let Some(open) = rest.find(OPEN) {
            text_run(&rest[..open], props, &mut out);
            let after = &rest[open + OPEN.len_utf8()..];
            let close = after.find(CLOSE).unwrap_or(after.len());
            let marked = &after[..close];
            let display = marked.starts_with('D');
            let tex = marked.get(1..).unwrap_or("");
            match math::parse(tex) {
                // Each math run takes the text run's properties (size, the teacher's red), which OMML
                // allows after its own (m:rPr, then w:rPr).
                Ok(nodes) => out.push_str(
                    &math::omml::omml(&nodes, display)
                        .replace("<m:t xml:space", &format!("{math_props}<m:t xml:space")),
                ),
                Err(_) => text_run(tex, props, &mut out),
            }
            rest = after.get(close + CLOSE.len_utf8()..).unwrap_or("");
        }
        text_run(rest, props, &mut out);
        edits.push((r.range(), out));
    }
    let mut result = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for (range, replacement) in edits {
        result.push_str(&text[at..range.start]);
        result.push_str(&replacement);
        at = range.end;
    }
    result.push_str(&text[at..]);
    let root = "<w:document ";
    let declared = format!("{root}xmlns:m=\"{}\" ", math::omml::NAMESPACE);
    if !result.contains("xmlns:m=") {
        result = result.replacen(root, &declared, 1);
    }
    Ok(result.into_bytes())
}

/// A plain text run with the run properties of the run it came from; nothing for empty text.
fn text_run(t: &str, props: &str, out: &mut String) {
    if t.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    out.push_str(props);
    out.push_str("<w:t xml:space=\"preserve\">");
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out.push_str("</w:t></w:r>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_run_becomes_text_runs_around_an_equation() {
        let marked = mark_formulas(r"已知 $x^2$，价 \$5");
        assert_eq!(marked, format!("已知 {OPEN}Ix^2{CLOSE}，价 $5"));
        let part = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">{marked}</w:t></w:r></w:p></w:body></w:document>"#
        );
        let out = String::from_utf8(expand_formulas(part.as_bytes()).unwrap()).unwrap();
        assert!(out.starts_with(
            "<w:document xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\" "
        ));
        assert!(out.contains(r#"<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">已知 </w:t></w:r><m:oMath><m:sSup>"#), "{out}");
        assert!(
            out.contains(
                r#"<m:r><w:rPr><w:sz w:val="21"/></w:rPr><m:t xml:space="preserve">x</m:t></m:r>"#
            ),
            "{out}"
        );
        assert!(out.contains(r#"</m:oMath><w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">，价 $5</w:t></w:r>"#), "{out}");
        assert!(!out.contains(OPEN));
        roxmltree::Document::parse(&out).unwrap();
    }

    #[test]
    fn text_without_formulas_is_untouched() {
        assert_eq!(mark_formulas("没有公式"), "没有公式");
        let part = b"<w:document><w:body/></w:document>";
        assert_eq!(expand_formulas(part).unwrap(), part.to_vec());
    }
}

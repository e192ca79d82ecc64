//! Figures in Moodle XML: text with images or tables becomes HTML whose `<img>` point at
//! `@@PLUGINFILE@@/name`, followed by the files themselves as `<file name=… path="/" encoding="base64">`,
//! the way Moodle's own XML exporter writes embedded files.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use crate::input::bank::{Block, Inline, Rich, Run, resolve_image};
use crate::input::images::Images;

fn escape(text: &str) -> String {
    crate::render::template::escape_markup(text)
}

/// The inside of a Moodle text element for a field with figures: `format` attribute value, the `<text>`
/// element and the `<file>` elements. None for a field without figures (it stays plain text). The i-th
/// blank of the field prints as `blank_codes[i]` where there is one (a Cloze question's embedded answers).
pub fn rich_text(
    field: &Rich,
    blank_codes: &[String],
    section_file: &Path,
    images: &Images,
) -> Option<(String, String)> {
    if !field.has_figures() {
        return None;
    }
    let mut blanks = 0;
    let mut html = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for block in field.blocks() {
        match block {
            Block::Para(runs) => {
                html.push_str("<p>");
                let mut piece = String::new();
                for run in runs {
                    let Inline::Image(image) = &run.inline else {
                        typed_with_codes(run, blank_codes, &mut blanks, &mut piece);
                        continue;
                    };
                    push_piece(&mut piece, &mut html);
                    let path = resolve_image(section_file, &image.path);
                    let Ok(picture) = images.get(&path) else {
                        continue;
                    };
                    // A phone photo goes in turned upright, as it prints.
                    let Ok(bytes) = picture.upright_bytes() else {
                        continue;
                    };
                    let mut name = picture.file_name();
                    // Two different files of one name in one question: number the second.
                    if files.iter().any(|(n, b)| *n == name && **b != *bytes) {
                        name = format!("{}-{name}", files.len() + 1);
                    }
                    if !files.iter().any(|(n, _)| *n == name) {
                        files.push((name.clone(), bytes.into_owned()));
                    }
                    let _ = write!(
                        html,
                        "<img src=\"@@PLUGINFILE@@/{}\" alt=\"{}\">",
                        escape(&name),
                        escape(&image.alt)
                    );
                }
                push_piece(&mut piece, &mut html);
                html.push_str("</p>");
            }
            Block::Table(table) => {
                html.push_str("<table border=\"1\">");
                for (r, row) in table.rows.iter().enumerate() {
                    let cell = if r == 0 { "th" } else { "td" };
                    html.push_str("<tr>");
                    for c in row {
                        let mut text = String::new();
                        for run in c.runs() {
                            typed_with_codes(run, blank_codes, &mut blanks, &mut text);
                        }
                        if c.source().contains("![") {
                            text = text.trim().to_string();
                        }
                        let _ = write!(html, "<{cell}>{}</{cell}>", escape(&text));
                    }
                    html.push_str("</tr>");
                }
                html.push_str("</table>");
            }
        }
    }
    let mut inner = format!("<text>{}</text>", escape(&html));
    for (name, bytes) in files {
        let _ = write!(
            inner,
            "\n      <file name=\"{}\" path=\"/\" encoding=\"base64\">{}</file>",
            escape(&name),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
    }
    Some(("html".into(), inner))
}

/// A run as typed (an image as nothing), the field's blanks replaced by their codes in order.
fn typed_with_codes(run: &Run, codes: &[String], blanks: &mut usize, out: &mut String) {
    let mut code = |typed: &str, out: &mut String| {
        out.push_str(codes.get(*blanks).map_or(typed, String::as_str));
        *blanks += 1;
    };
    match &run.inline {
        Inline::Blank(typed) => code(typed, out),
        Inline::Slot {
            typed,
            blanks: inner,
        } => {
            let mut last = 0;
            for b in inner {
                out.push_str(&typed[last..b.start]);
                code(&typed[b.clone()], out);
                last = b.end;
            }
            out.push_str(&typed[last..]);
        }
        _ => out.push_str(run.typed()),
    }
}

/// A paragraph's text between two images, its line breaks as `<br>`.
fn push_piece(piece: &mut String, html: &mut String) {
    if !piece.is_empty() {
        // Formulas in MathJax's delimiters, which Moodle's MathJax filter typesets.
        let shown = crate::math::to_mathjax(piece.trim_matches('\n'));
        html.push_str(&escape(&shown).replace('\n', "<br>"));
        piece.clear();
    }
}

/// A field as plain text, the i-th blank replaced by `codes[i]` where there is one.
pub fn plain_with_codes(field: &Rich, codes: &[String]) -> String {
    if codes.is_empty() {
        return field.source().to_string();
    }
    let mut out = String::new();
    let mut last = 0;
    for (span, code) in field.blank_spans().into_iter().zip(codes) {
        out.push_str(&field.source()[last..span.start]);
        out.push_str(code);
        last = span.end;
    }
    out.push_str(&field.source()[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_become_pluginfile_links_with_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
        std::fs::create_dir_all(dir.path().join("img")).unwrap();
        std::fs::write(dir.path().join("img/a.svg"), svg).unwrap();
        let images = Images::new();
        let (format, inner) = rich_text(
            &Rich::parse(
                "看图：\n![标志](img/a.svg){width=20mm}\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |",
            ),
            &[],
            &dir.path().join("s.yaml"),
            &images,
        )
        .unwrap();
        assert_eq!(format, "html");
        assert!(
            inner.contains("&lt;img src=&quot;@@PLUGINFILE@@/a.svg&quot;"),
            "{inner}"
        );
        assert!(inner.contains("&lt;th&gt;甲&lt;/th&gt;"));
        let b64 = base64::engine::general_purpose::STANDARD.encode(svg);
        assert!(inner.contains(&format!(
            "<file name=\"a.svg\" path=\"/\" encoding=\"base64\">{b64}</file>"
        )));
        assert!(rich_text(&Rich::parse("纯文本"), &[], Path::new("s.yaml"), &images).is_none());
    }
}

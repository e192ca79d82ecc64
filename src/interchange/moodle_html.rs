//! Figures in Moodle XML: text with images or tables becomes HTML whose `<img>` point at
//! `@@PLUGINFILE@@/name`, followed by the files themselves as `<file name=… path="/" encoding="base64">`,
//! the way Moodle's own XML exporter writes embedded files.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use crate::input::bank::resolve_image;
use crate::input::figures::{self, FigureBlock, Piece};
use crate::input::images::Images;

fn escape(text: &str) -> String {
    crate::render::template::escape_markup(text)
}

/// The inside of a Moodle text element for `text` with figures: `format` attribute value, the `<text>`
/// element and the `<file>` elements. None for text without figures (it stays plain text).
pub fn rich_text(text: &str, section_file: &Path, images: &Images) -> Option<(String, String)> {
    if !figures::has_figures(text) {
        return None;
    }
    let (blocks, _) = figures::parse(text);
    let mut html = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for block in blocks {
        match block {
            FigureBlock::Para(pieces) => {
                html.push_str("<p>");
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => html.push_str(
                            &escape(&crate::math::to_mathjax(t.trim_matches('\n')))
                                .replace('\n', "<br>"),
                        ),
                        Piece::Image(image) => {
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
                    }
                }
                html.push_str("</p>");
            }
            FigureBlock::Table { rows, .. } => {
                html.push_str("<table border=\"1\">");
                for (r, row) in rows.iter().enumerate() {
                    let cell = if r == 0 { "th" } else { "td" };
                    html.push_str("<tr>");
                    for c in row {
                        let _ = write!(
                            html,
                            "<{cell}>{}</{cell}>",
                            escape(&figures::strip_images(c))
                        );
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
            "看图：\n![标志](img/a.svg){width=20mm}\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |",
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
        assert!(rich_text("纯文本", Path::new("s.yaml"), &images).is_none());
    }
}

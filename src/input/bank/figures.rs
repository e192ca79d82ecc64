//! `check` for figures: every image named in a stem, option, explanation, answer or note is read (once, into
//! the bank's image cache) and every table is checked, each problem reported at its own file:line:column.

use std::path::{Path, PathBuf};

use super::{Bank, Origin};
use crate::diag::{Diagnostic, Pos, pos_of_byte};
use crate::input::figures::{self, Width};
use crate::input::images::{Format, Images};
use crate::input::yaml::{YamlDoc, join_path};

/// The widest an image may be: the text width of an A4 page (210 mm less two 20 mm margins).
pub const MAX_WIDTH_MM: f32 = 170.0;

/// Where an image path typed in a section file points: relative to that file's folder. A path written
/// URL-style (`my%20photo.png`) names the file with the decoded name when only that one exists.
pub fn resolve(section_file: &Path, typed: &str) -> PathBuf {
    let at = |typed: &str| {
        let typed = Path::new(typed);
        if typed.is_absolute() {
            return typed.to_path_buf();
        }
        section_file
            .parent()
            .map_or_else(|| typed.to_path_buf(), |dir| dir.join(typed))
    };
    let literal = at(typed);
    if typed.contains('%')
        && !literal.exists()
        && let Some(decoded) = percent_decoded(typed)
        && at(&decoded).exists()
    {
        return at(&decoded);
    }
    literal
}

/// `%20`-style escapes decoded, when there are any and they make UTF-8 text.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|d| d != text)
}

/// The tallest an image prints: four fifths of an A4 page's text height (297 mm less 42 mm of margins).
const MAX_HEIGHT_MM: f32 = 0.8 * 255.0;

/// Below this many pixels per inch at its printed size a bitmap looks blurred on paper: twice the size
/// of its pixels at the 300 dpi photos print at.
pub const BLURRED_DPI: f32 = 150.0;

/// Checks the figures of every item, loading their images into `images`.
pub(super) fn check(bank: &Bank, docs: &[YamlDoc], images: &Images, diags: &mut Vec<Diagnostic>) {
    // A short question's reference answer is an answer, not a parsed field; it is read here, once.
    let answers: Vec<(usize, super::Rich)> = bank
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| match &q.answer {
            super::Answer::Short(text) if figures::has_figures(text) => {
                Some((i, super::Rich::parse(text)))
            }
            _ => None,
        })
        .collect();
    let mut fields: Vec<(&Origin, String, &super::Rich)> = Vec::new();
    for (qi, q) in bank.questions.iter().enumerate() {
        fields.push((&q.origin, join_path(&q.origin.path, "stem"), &q.stem));
        for (i, o) in q.options.iter().enumerate() {
            fields.push((&q.origin, format!("{}.options[{i}]", q.origin.path), o));
        }
        if let Some(e) = &q.explanation {
            fields.push((&q.origin, join_path(&q.origin.path, "explanation"), e));
        }
        if let Some((_, text)) = answers.iter().find(|(i, _)| *i == qi) {
            fields.push((&q.origin, join_path(&q.origin.path, "answer"), text));
        }
    }
    for n in &bank.notes {
        fields.push((&n.origin, join_path(&n.origin.path, "text"), &n.text));
    }
    for (origin, path, text) in fields {
        if !text.has_figures() {
            continue;
        }
        let Some(doc) = docs.iter().find(|d| d.file == origin.file) else {
            continue;
        };
        check_field(doc, &path, text, images, diags);
    }
}

fn check_field(
    doc: &YamlDoc,
    path: &str,
    field: &super::Rich,
    images: &Images,
    diags: &mut Vec<Diagnostic>,
) {
    let text = field.source();
    let locate = |span: &std::ops::Range<usize>| -> (Pos, usize) {
        let snippet = text[span.clone()].lines().next().unwrap_or("");
        let width = snippet.chars().count().max(1);
        (find_in_source(doc, path, snippet), width)
    };
    let error = |span: &std::ops::Range<usize>, message: String, help: &str| {
        let (pos, width) = locate(span);
        Diagnostic::error(&doc.file, pos, message)
            .with_width(width)
            .with_source(&doc.text)
            .with_help(help.to_string())
    };
    for p in field.problems() {
        diags.push(error(&p.span, p.message.clone(), &p.help));
    }
    for image in field.images() {
        if let Width::Mm(mm) = image.width
            && mm > MAX_WIDTH_MM
        {
            diags.push(error(
                &image.span,
                format!(
                    "the image is {mm} mm wide but a page's text is at most {MAX_WIDTH_MM} mm wide"
                ),
                "give a smaller width, e.g. {width=100%} for the whole text width",
            ));
        }
        let file = resolve(&doc.file, &image.path);
        let warning = |message: String, help: String| {
            let (pos, width) = locate(&image.span);
            Diagnostic::warning(&doc.file, pos, message)
                .with_width(width)
                .with_source(&doc.text)
                .with_help(help)
        };
        if image.backslashes {
            diags.push(warning(
                format!(
                    "the image path uses `\\` between folders; it was read as {}",
                    image.path
                ),
                format!(
                    "write `/` between folders (![…]({})): it works on every computer",
                    image.path
                ),
            ));
        }
        let picture = images.get(&file);
        if let Ok(found) = &picture
            && found.path != file
        {
            let folder = doc.file.parent().unwrap_or(Path::new(""));
            let named = found.path.strip_prefix(folder).unwrap_or(&found.path);
            diags.push(warning(
                format!(
                    "the image is written `{}` but the file is named `{}`: used, as Windows and macOS find it, but a computer that tells capitals apart would not",
                    image.path,
                    named.display()
                ),
                "write the name exactly as the file has it".into(),
            ));
        }
        match picture {
            Err(message) => diags.push(error(
                &image.span,
                message,
                "image paths are relative to the section file's folder; PNG, JPEG, SVG, WebP and BMP files print",
            )),

            Ok(picture) if picture.format == Format::Svg => {
                for linked in svg_bitmaps(&picture.bytes) {
                    diags.push(warning(
                        format!(
                            "the SVG {} shows {linked}, which will not print: examgen prints an SVG's shapes and text",
                            image.path
                        ),
                        "draw the picture into the SVG as shapes, or show the bitmap as its own ![…](…) image".into(),
                    ));
                }
            }
            Ok(picture) => {
                if let Some((message, help)) = blurred(image, &picture) {
                    diags.push(warning(message, help));
                }
            }
        }
    }
}

/// The warning (message, help) for a bitmap that prints below [`BLURRED_DPI`] at its printed size.
fn blurred(
    image: &crate::input::figures::ImageRef,
    picture: &crate::input::images::Picture,
) -> Option<(String, String)> {
    let printed_mm = match image.width {
        Width::Auto => None,
        Width::Share(share) => Some(share * MAX_WIDTH_MM),
        Width::Mm(mm) => Some(mm.min(MAX_WIDTH_MM)),
    };
    // A tall picture is scaled down to fit the page's height, and so prints narrower.
    let mm = printed_mm.map(|mm| mm.min(MAX_HEIGHT_MM * picture.width / picture.height))?;
    let dpi = picture.width / (mm / 25.4);
    if dpi >= BLURRED_DPI {
        return None;
    }
    let sharp_mm = picture.width / BLURRED_DPI * 25.4;
    Some((
        format!(
            "{} is {}×{} pixels and prints {} mm wide ({} dpi): it will print blurred",
            image.path,
            picture.width,
            picture.height,
            mm.round(),
            dpi.round()
        ),
        format!(
            "use a larger image (at least {} pixels wide for this size), or print it at most {{width={}mm}}",
            (mm / 25.4 * BLURRED_DPI).ceil(),
            (sharp_mm.max(1.0)).floor()
        ),
    ))
}

/// The bitmaps an SVG links or embeds with `<image>`, described for a message: "a data: bitmap",
/// "the web address …", "the file …".
fn svg_bitmaps(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        },
    ) else {
        return Vec::new();
    };
    doc.descendants()
        .filter(|n| n.tag_name().name() == "image")
        .filter_map(|n| {
            let href = n
                .attributes()
                .find(|a| a.name() == "href")
                .map(|a| a.value().trim())?;
            let lower = href.to_ascii_lowercase();
            Some(if lower.starts_with("data:") {
                "a bitmap embedded as a data: URI".to_string()
            } else if lower.contains("://") {
                format!("the web image {href}")
            } else {
                format!("the linked file {href}")
            })
        })
        .collect()
}

/// The position of `snippet` in the YAML source, searching from the value at `path`; the value's own
/// position when the snippet is written differently there (escapes in a quoted string).
fn find_in_source(doc: &YamlDoc, path: &str, snippet: &str) -> Pos {
    let start = doc.pos(path);
    let from = byte_of(&doc.text, start);
    match doc.text[from..].find(snippet) {
        Some(at) if !snippet.is_empty() => pos_of_byte(&doc.text, from + at),
        _ => start,
    }
}

fn byte_of(text: &str, pos: Pos) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(pos.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &text[line_start.min(text.len())..];
    line_start
        + line
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_paths_are_relative_to_the_section_file() {
        assert_eq!(
            resolve(Path::new("bank/cw.yaml"), "img/chart.png"),
            PathBuf::from("bank/img/chart.png")
        );
        assert_eq!(byte_of("ab\n社区x", Pos::new(2, 3)), "ab\n社区".len());
    }
}

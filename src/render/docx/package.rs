//! Packs docx-rs's XML parts into a .docx (zip) with fixed timestamps, and adds what docx-rs cannot
//! express: the East Asian fonts in the font table, a distinct id and the alt text on every picture, and
//! JPEG pictures stored as .jpeg (docx-rs names all media .png).

use std::io::{Cursor, Write};

use docx_rs::{Docx, XMLDocx};
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

use super::style::{BODY_CJK, BODY_LATIN, HEADING_CJK, HEADING_LATIN};

/// The font table. docx-rs always writes the same three Latin fonts and has no way to add a font or an
/// `altName`, so this one part is written here: the Noto CJK fonts with 宋体/黑体 as their alternative
/// names and the GB2312 charset (86), so that Word and WPS fall back to a Chinese face of the same kind on a
/// machine without Noto, and 宋体/黑体 themselves under their Windows names.
fn font_table() -> Vec<u8> {
    let font = |name: &str, alt: &str, panose: &str, charset: &str, family: &str, pitch: &str| {
        let alt = if alt.is_empty() {
            String::new()
        } else {
            format!(r#"<w:altName w:val="{alt}"/>"#)
        };
        let panose = if panose.is_empty() {
            String::new()
        } else {
            format!(r#"<w:panose1 w:val="{panose}"/>"#)
        };
        format!(
            r#"<w:font w:name="{name}">{alt}{panose}<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>"#
        )
    };
    let fonts = [
        font(
            BODY_LATIN,
            "",
            "02020603050405020304",
            "00",
            "roman",
            "variable",
        ),
        font(
            HEADING_LATIN,
            "",
            "020B0604020202020204",
            "00",
            "swiss",
            "variable",
        ),
        font(
            BODY_CJK,
            "宋体",
            "02020400000000000000",
            "86",
            "roman",
            "variable",
        ),
        font(
            HEADING_CJK,
            "黑体",
            "020B0500000000000000",
            "86",
            "swiss",
            "variable",
        ),
        font(
            "宋体",
            "SimSun",
            "02010600030101010101",
            "86",
            "auto",
            "variable",
        ),
        font(
            "黑体",
            "SimHei",
            "02010609060101010101",
            "86",
            "modern",
            "fixed",
        ),
    ];
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{}</w:fonts>"#,
        fonts.concat()
    )
    .into_bytes()
}

/// The .docx bytes of a document: same document, same bytes (no clock, no random ids). `alts`: each
/// picture's relationship id and alt text.
pub fn pack(docx: Docx, alts: &[(String, String)]) -> Result<Vec<u8>> {
    let mut xml = docx.build();
    xml.font_table = font_table();
    name_drawings(&mut xml.document, alts);
    for (name, bytes) in &xml.media {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            let from = format!("Target=\"media/{name}.png\"");
            let to = format!("Target=\"media/{name}.jpeg\"");
            for rels in std::iter::once(&mut xml.document_rels)
                .chain(xml.header_rels.iter_mut())
                .chain(xml.footer_rels.iter_mut())
            {
                *rels = String::from_utf8_lossy(rels)
                    .replace(&from, &to)
                    .into_bytes();
            }
        }
    }
    let mut next = 1;
    renumber_para_ids(&mut xml.document, &mut next);
    for part in xml.headers.iter_mut().chain(xml.footers.iter_mut()) {
        renumber_para_ids(part, &mut next);
    }
    zip_parts(xml).map_err(|e| Error::internal("cannot pack the Word document").because(e))
}

/// docx-rs numbers paragraphs (`w14:paraId`) from a per-thread counter that runs on from one document to
/// the next and cannot be reset from outside: renumbered here per document, so the same paper gives the
/// same bytes whatever was built before it.
fn renumber_para_ids(part: &mut Vec<u8>, next: &mut u32) {
    const KEY: &[u8] = b"w14:paraId=\"";
    let mut out = Vec::with_capacity(part.len());
    let mut rest = &part[..];
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        let value = at + KEY.len();
        let Some(len) = rest[value..].iter().position(|&b| b == b'"') else {
            break;
        };
        out.extend_from_slice(&rest[..value]);
        out.extend_from_slice(format!("{:08X}", *next).as_bytes());
        *next += 1;
        rest = &rest[value + len..];
    }
    out.extend_from_slice(rest);
    *part = out;
}

/// docx-rs gives every drawing `id="1" name="Figure"`; Word wants the ids distinct, and a screen reader
/// wants the alt text: each drawing gets its number and the alt text of the picture it shows.
fn name_drawings(part: &mut Vec<u8>, alts: &[(String, String)]) {
    const DOC_PR: &str = r#"<wp:docPr id="1" name="Figure" />"#;
    let text = String::from_utf8_lossy(part).to_string();
    if !text.contains(DOC_PR) {
        return;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut n = 0;
    while let Some(at) = rest.find(DOC_PR) {
        n += 1;
        out.push_str(&rest[..at]);
        rest = &rest[at + DOC_PR.len()..];
        // The picture's relationship id follows in the same drawing.
        let alt = rest
            .find("r:embed=\"")
            .map(|i| &rest[i + 9..])
            .and_then(|s| s.find('"').map(|j| &s[..j]))
            .and_then(|id| alts.iter().find(|(rid, _)| rid == id))
            .map_or("", |(_, alt)| alt.as_str());
        out.push_str(&format!(
            r#"<wp:docPr id="{n}" name="图片 {n}" descr="{}" />"#,
            xml_escape(alt)
        ));
    }
    out.push_str(rest);
    *part = out.into_bytes();
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes the parts in docx-rs's own order and names, compressed, every entry dated 1980-01-01.
fn zip_parts(xml: XMLDocx) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut put = |name: &str, bytes: &[u8]| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put("[Content_Types].xml", &xml.content_type)?;
    put("_rels/.rels", &xml.rels)?;
    put("docProps/app.xml", &xml.doc_props.app)?;
    put("docProps/core.xml", &xml.doc_props.core)?;
    put("docProps/custom.xml", &xml.doc_props.custom)?;
    put("word/_rels/document.xml.rels", &xml.document_rels)?;
    put("word/document.xml", &xml.document)?;
    put("word/styles.xml", &xml.styles)?;
    put("word/settings.xml", &xml.settings)?;
    put("word/fontTable.xml", &xml.font_table)?;
    put("word/comments.xml", &xml.comments)?;
    put("word/numbering.xml", &xml.numberings)?;
    put("word/commentsExtended.xml", &xml.comments_extended)?;
    put("word/footnotes.xml", &xml.footnotes)?;
    for (i, h) in xml.headers.iter().enumerate() {
        put(&format!("word/header{}.xml", i + 1), h)?;
        if let Some(rels) = xml.header_rels.get(i) {
            put(&format!("word/_rels/header{}.xml.rels", i + 1), rels)?;
        }
    }
    for (i, f) in xml.footers.iter().enumerate() {
        put(&format!("word/footer{}.xml", i + 1), f)?;
        if let Some(rels) = xml.footer_rels.get(i) {
            put(&format!("word/_rels/footer{}.xml.rels", i + 1), rels)?;
        }
    }
    for (name, bytes) in &xml.media {
        let ext = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "jpeg"
        } else {
            "png"
        };
        put(&format!("word/media/{name}.{ext}"), bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawings_get_distinct_ids_and_their_pictures_alt_text() {
        let drawing = |rid: &str| {
            format!(
                r#"<w:drawing><wp:inline><wp:docPr id="1" name="Figure" /><a:blip r:embed="{rid}" /></wp:inline></w:drawing>"#
            )
        };
        let mut part = [
            drawing("rIdImage1"),
            drawing("rIdImage2"),
            drawing("rIdImage1"),
        ]
        .concat()
        .into_bytes();
        let alts = [
            ("rIdImage1".to_string(), "柱状图 \"A\" & <B>".to_string()),
            ("rIdImage2".to_string(), "流程".to_string()),
        ];
        name_drawings(&mut part, &alts);
        let xml = String::from_utf8(part).unwrap();
        assert_eq!(
            xml.matches("<wp:docPr").collect::<Vec<_>>().len(),
            3,
            "{xml}"
        );
        assert!(xml.contains(
            r#"<wp:docPr id="1" name="图片 1" descr="柱状图 &quot;A&quot; &amp; &lt;B&gt;" />"#
        ));
        assert!(xml.contains(r#"<wp:docPr id="2" name="图片 2" descr="流程" />"#));
        assert!(xml.contains(r#"<wp:docPr id="3" name="图片 3" descr="柱状图"#));
    }
}

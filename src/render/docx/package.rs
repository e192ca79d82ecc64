//! Packs docx-rs's XML parts into a .docx (zip) with fixed timestamps, and adds what docx-rs cannot
//! express: the East Asian fonts in the font table, a theme, a distinct id and the alt text on every
//! picture, and JPEG pictures stored as .jpeg (docx-rs names all media .png). Every WordprocessingML part
//! goes through [`canon`] into schema order; parts no relationship needs are left out.

use std::io::{Cursor, Write};

use docx_rs::{Docx, XMLDocx};
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

use super::canon;
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

/// The theme: Office's colours, and the documents' own fonts as the theme fonts (the schema's validators and
/// Word expect a theme part; the styles name their fonts directly, so it changes nothing on the page).
fn theme() -> Vec<u8> {
    include_str!("theme.xml")
        .replace("{HEADING_LATIN}", HEADING_LATIN)
        .replace("{HEADING_CJK}", HEADING_CJK)
        .replace("{BODY_LATIN}", BODY_LATIN)
        .replace("{BODY_CJK}", BODY_CJK)
        .into_bytes()
}

const THEME_PART: &str = "theme/theme1.xml";

/// The .docx bytes of a document: same document, same bytes (no clock, no random ids). `alts`: each
/// picture's relationship id and alt text.
pub fn pack(docx: Docx, alts: &[(String, String)]) -> Result<Vec<u8>> {
    let mut xml = docx.build();
    xml.font_table = font_table();
    xml.document = super::math::expand_formulas(&xml.document)
        .map_err(|e| Error::internal("cannot write the formulas as Word equations").because(e))?;
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
    let parts = schema_valid_parts(xml)
        .map_err(|e| Error::internal("cannot put the Word document in schema order").because(e))?;
    zip_parts(&parts).map_err(|e| Error::internal("cannot pack the Word document").because(e))
}

/// The package's parts by name, in docx-rs's order, as ECMA-376 wants them: every WordprocessingML part in
/// schema order ([`canon`]), and only parts something refers to — docx-rs always writes comments,
/// footnotes and numbering, which no paper has, and an empty comments extension that extends nothing; they
/// are left out with their relationships and content types.
fn schema_valid_parts(xml: XMLDocx) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
    let canon = |part: &[u8]| canon::canonical(part);
    let targets = relationship_targets(&xml.document_rels)?;
    let used = |target: &str| targets.iter().any(|t| t == target);
    let comments = used("comments.xml");
    let optional = [
        ("comments.xml", comments, &xml.comments),
        ("numbering.xml", used("numbering.xml"), &xml.numberings),
        // Comments' extension: meaningful only with comments.
        ("commentsExtended.xml", comments, &xml.comments_extended),
        ("footnotes.xml", used("footnotes.xml"), &xml.footnotes),
    ];
    let dropped: Vec<&str> = optional
        .iter()
        .filter(|(_, keep, _)| !keep)
        .map(|(name, _, _)| *name)
        .collect();
    let document_rels = with_child(
        &without_children(&xml.document_rels, |r| {
            r.attribute("Target").is_some_and(|t| dropped.contains(&t))
        })?,
        &format!(
            r#"<Relationship Id="rIdTheme1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="{THEME_PART}" />"#
        ),
    );
    let content_types = with_child(
        &without_children(&xml.content_type, |o| {
            o.attribute("PartName")
                .and_then(|p| p.strip_prefix("/word/"))
                .is_some_and(|p| dropped.contains(&p))
        })?,
        &format!(
            r#"<Override PartName="/word/{THEME_PART}" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" />"#
        ),
    );

    let mut parts = vec![
        ("[Content_Types].xml".to_string(), content_types),
        ("_rels/.rels".to_string(), xml.rels.clone()),
        ("docProps/app.xml".to_string(), xml.doc_props.app.clone()),
        ("docProps/core.xml".to_string(), xml.doc_props.core.clone()),
        (
            "docProps/custom.xml".to_string(),
            xml.doc_props.custom.clone(),
        ),
        ("word/_rels/document.xml.rels".to_string(), document_rels),
        ("word/document.xml".to_string(), canon(&xml.document)?),
        ("word/styles.xml".to_string(), canon(&xml.styles)?),
        ("word/settings.xml".to_string(), canon(&xml.settings)?),
        ("word/fontTable.xml".to_string(), xml.font_table.clone()),
        (format!("word/{THEME_PART}"), theme()),
    ];
    for (name, keep, part) in optional {
        if keep {
            parts.push((format!("word/{name}"), canon(part)?));
        }
    }
    for (i, h) in xml.headers.iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), canon(h)?));
        if let Some(rels) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (i, f) in xml.footers.iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), canon(f)?));
        if let Some(rels) = xml.footer_rels.get(i) {
            parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), rels.clone()));
        }
    }
    for (name, bytes) in xml.media {
        let ext = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "jpeg"
        } else {
            "png"
        };
        parts.push((format!("word/media/{name}.{ext}"), bytes));
    }
    Ok(parts)
}

/// The `Target` of every relationship in a .rels part.
fn relationship_targets(rels: &[u8]) -> std::result::Result<Vec<String>, String> {
    let text = std::str::from_utf8(rels).map_err(|e| e.to_string())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    Ok(doc
        .root_element()
        .children()
        .filter_map(|r| r.attribute("Target"))
        .map(str::to_string)
        .collect())
}

/// `xml` with `child` added as the last child of its root element.
fn with_child(xml: &[u8], child: &str) -> Vec<u8> {
    let end = xml.iter().rposition(|&b| b == b'<').unwrap_or(xml.len());
    [&xml[..end], child.as_bytes(), &xml[end..]].concat()
}

/// `xml` without the children of its root element that `drop` picks; the rest of its text as it was.
fn without_children(
    xml: &[u8],
    drop: impl Fn(roxmltree::Node) -> bool,
) -> std::result::Result<Vec<u8>, String> {
    let text = std::str::from_utf8(xml).map_err(|e| e.to_string())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for child in doc.root_element().children().filter(|c| drop(*c)) {
        out.push_str(&text[from..child.range().start]);
        from = child.range().end;
    }
    out.push_str(&text[from..]);
    Ok(out.into_bytes())
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

/// Writes the parts in this order, compressed, every entry dated 1980-01-01.
fn zip_parts(parts: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in parts {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
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

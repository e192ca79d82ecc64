//! Reading a .docx package into what the question rules work on: the body's paragraphs (text with tabs,
//! line breaks, blanks drawn as underlined spaces, pictures as markers) and tables, in document order.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use roxmltree::{Document, Node};

use crate::error::{Error, Result};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const M: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";

/// Starts and ends a picture marker inside paragraph text: `\u{E000}3\u{E001}` is picture 3 of the run.
pub const PIC_OPEN: char = '\u{E000}';
pub const PIC_CLOSE: char = '\u{E001}';
/// Stands where a Word equation (OMML) was: formulas are not converted yet.
pub const EQUATION: char = '\u{E002}';

/// A picture of the document: its bytes, file extension and printed width in millimetres.
#[derive(Debug, Clone)]
pub struct Picture {
    pub bytes: Vec<u8>,
    pub ext: String,
    pub width_mm: Option<u32>,
}

/// A body element, numbered from 1 in document order (the report's paragraph number).
#[derive(Debug, Clone)]
pub enum Block {
    Para {
        number: usize,
        text: String,
        /// Word's automatic list numbering is on (the number is not in the text).
        auto_numbered: bool,
    },
    Table {
        number: usize,
        /// Rows of cells, each cell's paragraphs joined by a space.
        rows: Vec<Vec<String>>,
    },
}

impl Block {
    pub fn number(&self) -> usize {
        match self {
            Block::Para { number, .. } | Block::Table { number, .. } => *number,
        }
    }
}

/// A read document: its blocks and the pictures its markers index.
#[derive(Debug, Default)]
pub struct Package {
    pub blocks: Vec<Block>,
    pub pictures: Vec<Picture>,
}

/// Reads `file` (a .docx) into blocks; an unreadable package is an error naming the file.
pub fn read(file: &Path) -> Result<Package> {
    let bad = |why: String| {
        Error::input(format!(
            "{} is not a readable Word document",
            file.display()
        ))
        .because(why)
        .because("save it from Word or WPS as .docx (Word 2007 or later), not .doc")
    };
    let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let mut part = |name: &str| -> Option<Vec<u8>> {
        let mut entry = zip.by_name(name).ok()?;
        let mut out = Vec::new();
        entry.read_to_end(&mut out).ok()?;
        Some(out)
    };
    let document = part("word/document.xml").ok_or_else(|| bad("no word/document.xml".into()))?;
    let rels = part("word/_rels/document.xml.rels").unwrap_or_default();
    let targets = relationships(&rels);
    let mut media: HashMap<String, Vec<u8>> = HashMap::new();
    for target in targets.values() {
        let name = format!(
            "word/{}",
            target.trim_start_matches('/').trim_start_matches("word/")
        );
        if let Some(b) = part(&name) {
            media.insert(target.clone(), b);
        }
    }
    let text = String::from_utf8_lossy(&document);
    let xml = Document::parse(&text).map_err(|e| bad(format!("word/document.xml: {e}")))?;
    let mut reader = Reader {
        targets: &targets,
        media: &media,
        package: Package::default(),
    };
    if let Some(body) = xml.root_element().children().find(|n| is(n, W, "body")) {
        reader.body(body);
    }
    Ok(reader.package)
}

fn is(node: &Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

fn relationships(xml: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(xml);
    let Ok(doc) = Document::parse(&text) else {
        return HashMap::new();
    };
    doc.descendants()
        .filter(|n| n.tag_name().name() == "Relationship")
        .filter_map(|n| {
            Some((
                n.attribute("Id")?.to_string(),
                n.attribute("Target")?.to_string(),
            ))
        })
        .collect()
}

struct Reader<'a> {
    targets: &'a HashMap<String, String>,
    media: &'a HashMap<String, Vec<u8>>,
    package: Package,
}

impl Reader<'_> {
    fn next_number(&self) -> usize {
        self.package.blocks.len() + 1
    }

    fn body(&mut self, node: Node) {
        for child in node.children() {
            if is(&child, W, "p") {
                let text = self.paragraph(child);
                let auto_numbered = child.descendants().any(|n| is(&n, W, "numPr"));
                let number = self.next_number();
                self.package.blocks.push(Block::Para {
                    number,
                    text,
                    auto_numbered,
                });
            } else if is(&child, W, "tbl") {
                let rows = child
                    .children()
                    .filter(|r| is(r, W, "tr"))
                    .map(|r| {
                        r.children()
                            .filter(|c| is(c, W, "tc"))
                            .map(|c| {
                                c.children()
                                    .filter(|p| is(p, W, "p"))
                                    .map(|p| self.paragraph(p).trim().to_string())
                                    .filter(|t| !t.is_empty())
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                            .collect()
                    })
                    .collect();
                let number = self.next_number();
                self.package.blocks.push(Block::Table { number, rows });
            } else if is(&child, W, "sdt") {
                // A content control (a template's title box): its content is ordinary body.
                if let Some(content) = child.children().find(|n| is(n, W, "sdtContent")) {
                    self.body(content);
                }
            }
        }
    }

    /// A paragraph's text: runs in order, `\t` for tabs, `\n` for line breaks, `____` for an underlined
    /// run of spaces (a blank), markers for pictures and equations.
    fn paragraph(&mut self, p: Node) -> String {
        let mut out = String::new();
        self.walk(p, &mut out);
        out
    }

    fn walk(&mut self, node: Node, out: &mut String) {
        for child in node.children().filter(Node::is_element) {
            let ns = child.tag_name().namespace();
            let name = child.tag_name().name();
            if ns == Some(M) && (name == "oMath" || name == "oMathPara") {
                out.push(EQUATION);
                continue;
            }
            if ns != Some(W) {
                // mc:AlternateContent and friends: read the fallback-free choice like any container.
                if name == "Fallback" {
                    continue;
                }
                self.walk(child, out);
                continue;
            }
            match name {
                "r" => self.run(child, out),
                "del" | "instrText" | "rPr" | "pPr" => {}
                _ => self.walk(child, out),
            }
        }
    }

    fn run(&mut self, r: Node, out: &mut String) {
        let underlined = r
            .children()
            .find(|n| is(n, W, "rPr"))
            .and_then(|rpr| rpr.children().find(|n| is(n, W, "u")))
            .is_some_and(|u| u.attribute((W, "val")).is_none_or(|v| v != "none"));
        for child in r.children().filter(Node::is_element) {
            let name = child.tag_name().name();
            match name {
                "t" => {
                    let t = child.text().unwrap_or("");
                    if underlined && !t.is_empty() && t.chars().all(|c| c.is_whitespace()) {
                        // Word papers draw a blank as underlined spaces.
                        if !out.ends_with('_') {
                            out.push_str("______");
                        }
                    } else {
                        out.push_str(t);
                    }
                }
                "tab" | "ptab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "drawing" | "pict" | "object" => self.picture(child, out),
                "AlternateContent" => {
                    // The drawing is in mc:Choice; mc:Fallback repeats it as VML.
                    if let Some(choice) = child.children().find(|n| n.tag_name().name() == "Choice")
                    {
                        self.picture(choice, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn picture(&mut self, node: Node, out: &mut String) {
        let rid = node.descendants().find_map(|n| {
            n.attribute((R, "embed")).or_else(|| {
                n.attribute((R, "id"))
                    .filter(|_| n.tag_name().name() == "imagedata")
            })
        });
        let Some(target) = rid.and_then(|id| self.targets.get(id)) else {
            return;
        };
        let Some(bytes) = self.media.get(target) else {
            return;
        };
        let width_mm = node
            .descendants()
            .find(|n| n.tag_name().name() == "extent")
            .and_then(|n| n.attribute("cx")?.parse::<u64>().ok())
            .map(|emu| (emu / 36_000).max(1) as u32);
        let ext = Path::new(target)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let index = self.package.pictures.len();
        self.package.pictures.push(Picture {
            bytes: bytes.clone(),
            ext,
            width_mm,
        });
        out.push(PIC_OPEN);
        out.push_str(&index.to_string());
        out.push(PIC_CLOSE);
    }
}

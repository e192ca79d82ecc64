//! The page-description vocabulary that templates produce: a small XML language read with a real parser
//! into a tree of blocks for layout. The contract is documented in docs/templates.md.

use roxmltree::{Node, NodeType};

use crate::error::{Error, Result};
use crate::render::fonts::FontRole;
use crate::util::chars::is_cjk;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Both edges flush; the last line of a paragraph stays left.
    Justify,
}

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text {
        text: String,
        role: FontRole,
    },
    /// An underlined gap to write in, `em` wide (at the paragraph's size).
    Blank {
        em: f32,
    },
    /// A line break inside the paragraph (`<br/>`): the lines of a reading passage or a list in a stem.
    Break,
    /// A picture (`<image src="…" width="50%"/>`), set like a large character; see [`Picture`].
    Image(Picture),
    /// A LaTeX formula from bank text (`$…$`, `$$…$$` when `display`), set like one wide character on the
    /// baseline; a display formula stands on its own line, centred.
    Math {
        tex: String,
        display: bool,
        role: FontRole,
    },
}

/// An image as layout needs it: its file, the width asked for, and (filled in by the renderer from the
/// file) its own printed width and its height over width.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub src: String,
    pub width: crate::input::figures::Width,
    /// The image's own width in points (pixels at 150 dpi; an SVG's declared size).
    pub natural: f32,
    /// Height over width.
    pub aspect: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub runs: Vec<Inline>,
    pub size: f32,
    pub align: Align,
    /// Left indent of the first line, in em.
    pub first_indent: f32,
    /// Left indent of the following lines, in em.
    pub rest_indent: f32,
    pub space_before: f32,
    pub space_after: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: String,
    pub em: f32,
    /// Printed on the line (a student's name in class batches); empty for a line to write on.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub runs: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Relative column widths.
    pub widths: Vec<f32>,
    pub rows: Vec<Vec<Cell>>,
    pub size: f32,
    /// Row height in em.
    pub row_em: f32,
    /// Rows are kept together in groups of this many (e.g. 2: 题号 row with its 答案 row).
    pub keep_rows: usize,
    /// Width of the table as a share of the text width.
    pub width_share: f32,
    /// The first rows are a header, printed again at the top of each page the table continues on.
    pub header_rows: usize,
}

/// Calls `f` on every picture of the document (to measure it from its file before layout).
pub fn for_each_picture(
    blocks: &mut [Block],
    f: &mut dyn FnMut(&mut Picture) -> Result<()>,
) -> Result<()> {
    fn runs(runs: &mut [Inline], f: &mut dyn FnMut(&mut Picture) -> Result<()>) -> Result<()> {
        for r in runs {
            if let Inline::Image(p) = r {
                f(p)?;
            }
        }
        Ok(())
    }
    for b in blocks {
        match b {
            Block::Para(p) | Block::Heading { para: p, .. } => runs(&mut p.runs, f)?,
            Block::Table(t) => {
                for cell in t.rows.iter_mut().flatten() {
                    runs(&mut cell.runs, f)?;
                }
            }
            Block::Boxed { blocks, .. } => for_each_picture(blocks, f)?,
            Block::Question(q) => {
                runs(&mut q.stem, f)?;
                for_each_picture(&mut q.body, f)?;
                for (_, r) in &mut q.options {
                    runs(r, f)?;
                }
                for_each_picture(&mut q.after, f)?;
            }
            Block::Entry { runs: r, .. } => runs(r, f)?,
            _ => {}
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionBlock {
    /// "1．"
    pub number: String,
    /// The bank id, so problems (a missing glyph) can name the question.
    pub id: Option<String>,
    pub stem: Vec<Inline>,
    /// Blocks of the stem after its first paragraph (figures, tables, more text), before the options.
    pub body: Vec<Block>,
    /// (label like "A．", runs)
    pub options: Vec<(String, Vec<Inline>)>,
    /// Ruled answer lines under the question.
    pub lines: u32,
    /// Blocks printed with the question and kept on its page (answers and explanations in a key).
    pub after: Vec<Block>,
    pub size: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    /// A part heading: kept with what follows, and an outline entry.
    Heading {
        para: Para,
        bookmark: Option<String>,
        /// The labels of a score box to the left of the heading (e.g. 得分, 评卷人); none: no box.
        scorebox: Vec<String>,
    },
    Fields {
        fields: Vec<Field>,
        size: f32,
    },
    Table(Table),
    /// A bordered box with a centred title.
    Boxed {
        title: Option<String>,
        blocks: Vec<Block>,
        size: f32,
    },
    Question(QuestionBlock),
    Lines {
        count: u32,
    },
    /// Answer-sheet bubbles: questions in blocks of five rows, blocks side by side across the page.
    Bubbles {
        /// (question number, choice labels)
        questions: Vec<(String, Vec<String>)>,
        size: f32,
    },
    /// An id grid to fill in: one column per digit, a box on top for the written digit, bubbles 0–9 below.
    Digits {
        count: usize,
        /// Printed in the boxes (a student's id); empty for a blank sheet.
        value: String,
        /// The text of a QR code printed to the grid's right (empty: none).
        qr: String,
        /// The letters of a 试卷类型 bubble row printed to the grid's left (empty: none).
        variants: Vec<String>,
        size: f32,
    },
    /// A bar chart: one bar per (label, value), scaled to the largest value (or `max`), values printed on top.
    Bars {
        bars: Vec<(String, f32)>,
        max: Option<f32>,
        /// Chart height in mm (bars only; labels add to it).
        height: f32,
        size: f32,
    },
    /// A table-of-contents line: title, dotted leader, page number at the right edge.
    Entry {
        runs: Vec<Inline>,
        page: String,
        size: f32,
    },
    Space(f32),
    PageBreak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Footer pattern with `{page}` and `{pages}`.
    pub footer: Option<String>,
    /// Pad to an even page count for double-sided printing.
    pub duplex: bool,
    pub blank_page_text: String,
    /// Solid squares in the four corners, for scanning answer sheets.
    pub corner_marks: bool,
    /// The words of the seal line (on page formats that have one): the warning along the line and the
    /// write-on fields beside it, from the bottom of the page up, each with its line length in mm.
    pub seal_warning: String,
    pub seal_fields: Vec<(String, f32)>,
    /// A quarter em between Han and Western letters or digits (`autospace="false"` turns it off).
    pub autospace: bool,
    pub blocks: Vec<Block>,
    /// `<continued>`: what heads every page after the first when the document runs over one page (an
    /// answer sheet's name, id grid and QR code), and the page footer it then prints on every page.
    pub continued: Option<Continued>,
}

/// The head of every later page of a document that runs over one page; nothing on a one-page document.
#[derive(Debug, Clone, PartialEq)]
pub struct Continued {
    pub blocks: Vec<Block>,
    /// Footer pattern with `{page}` and `{pages}`, on every page once there are two or more.
    pub footer: Option<String>,
}

pub const BODY_SIZE: f32 = 10.5;

/// Parses template output. Errors name the line and column of the template output and what is wrong.
pub fn parse(xml: &str, template: &str) -> Result<Document> {
    parse_with(xml, template, None)
}

/// Parses template output as [`parse`] does, taking each `<question>` element from `kept` when it has
/// parsed the same text before (under any number) and keeping there the new ones `accept` accepts; also
/// whether every question was taken from `kept` or accepted. A class's papers and keys print the same
/// questions in other orders and under other numbers, and their markup is mostly questions: the rest of
/// the document is parsed with each question element cut out. Markup this cannot cut exactly (comments,
/// CDATA, a question inside another, a question that does not parse alone) and every error go through
/// [`parse`], so the result and the messages are [`parse`]'s.
pub fn parse_reusing(
    xml: &str,
    template: &str,
    kept: &Questions,
    accept: &dyn Fn(&QuestionBlock) -> bool,
) -> Result<(Document, bool)> {
    if let Some((skeleton, cut)) = cut_questions(xml) {
        let source = QuestionSource {
            xml,
            cut,
            kept,
            accept,
            all_accepted: std::cell::Cell::new(true),
            failed: std::cell::Cell::new(false),
        };
        if let Ok(doc) = parse_with(&skeleton, template, Some(&source))
            && !source.failed.get()
        {
            return Ok((doc, source.all_accepted.get()));
        }
    }
    Ok((parse(xml, template)?, false))
}

fn parse_with(xml: &str, template: &str, questions: Option<&QuestionSource>) -> Result<Document> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        let pos = e.pos();
        let line = xml.lines().nth(pos.row as usize - 1).unwrap_or("");
        Error::input(format!(
            "template `{template}` produced malformed markup at line {}, column {}",
            pos.row, pos.col
        ))
        .because(e)
        .because(format!("the line reads: {}", line.trim()))
    })?;
    let root = doc.root_element();
    let ctx = Ctx {
        template,
        questions,
    };
    if root.tag_name().name() != "document" {
        return Err(ctx.err(
            root,
            format!(
                "the root element must be <document>, not <{}>",
                root.tag_name().name()
            ),
        ));
    }
    Ok(Document {
        title: root.attribute("title").unwrap_or("").to_string(),
        footer: root.attribute("footer").map(str::to_string),
        duplex: root.attribute("duplex") == Some("true"),
        blank_page_text: root
            .attribute("blank-page-text")
            .unwrap_or("（此页无试题）")
            .to_string(),
        corner_marks: root.attribute("corner-marks") == Some("true"),
        seal_warning: root.attribute("seal-warning").unwrap_or("").to_string(),
        seal_fields: ctx.seal_fields(root)?,
        autospace: match root.attribute("autospace") {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ctx.err(
                    root,
                    format!("autospace=\"{other}\" of <document> must be true or false"),
                ));
            }
        },
        blocks: ctx.blocks(root)?,
        continued: match root
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "continued")
        {
            Some(node) => Some(Continued {
                blocks: ctx.blocks(node)?,
                footer: node.attribute("footer").map(str::to_string),
            }),
            None => None,
        },
    })
}

/// `<question>` elements parsed so far in one run, by their text with the number left out, shared by its
/// threads: a question's block is what its text says, whatever document it stands in.
#[derive(Default)]
pub struct Questions {
    kept: std::sync::Mutex<KeptQuestions>,
}

#[derive(Default)]
struct KeptQuestions {
    by_text: crate::util::keymap::KeyMap<Vec<u8>, std::sync::Arc<QuestionBlock>>,
    bytes: usize,
}

/// How many bytes of question text [`Questions`] keeps before it starts again: a class's questions take a
/// few megabytes; a bank of thousands must not grow it without bound.
const KEPT_QUESTION_BYTES: usize = 32 << 20;

/// How a question's start tag begins when its number can be left out of its key: the number is then put
/// back into the kept block.
const NUMBERED: &str = "<question number=\"";

impl Questions {
    fn get(&self, key: &[u8]) -> Option<std::sync::Arc<QuestionBlock>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.by_text.get(key).cloned()
    }

    fn put(&self, key: Vec<u8>, q: QuestionBlock) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.bytes + key.len() > KEPT_QUESTION_BYTES {
            kept.by_text.clear();
            kept.bytes = 0;
        }
        kept.bytes += key.len();
        kept.by_text.insert(key, std::sync::Arc::new(q));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap().by_text.len()
    }
}

/// The question elements cut out of a document: each one's text in the whole markup, by where its
/// `<question/>` stands in the markup left.
struct QuestionSource<'a> {
    xml: &'a str,
    /// (offset of the `<question/>` left, the element's range in `xml`), in order.
    cut: Vec<(usize, std::ops::Range<usize>)>,
    kept: &'a Questions,
    accept: &'a dyn Fn(&QuestionBlock) -> bool,
    all_accepted: std::cell::Cell<bool>,
    /// A question that does not parse alone: the whole document is parsed again for [`parse`]'s error.
    failed: std::cell::Cell<bool>,
}

impl QuestionSource<'_> {
    /// The question cut out where `<question/>` stands at `at`.
    fn question(&self, at: usize, template: &str) -> Result<QuestionBlock> {
        let fail = || {
            self.failed.set(true);
            Error::internal("a question cut out of the markup does not parse alone")
        };
        let Ok(k) = self.cut.binary_search_by_key(&at, |(left, _)| *left) else {
            return Err(fail());
        };
        let text = &self.xml[self.cut[k].1.clone()];
        // The number's raw text, when it can be put back as it is: no reference or white space to
        // normalise.
        let number = text.strip_prefix(NUMBERED).and_then(|rest| {
            let value = &rest[..rest.find('"')?];
            (!value.contains(['&', '\t', '\n', '\r'])).then_some(value)
        });
        let key: Vec<u8> = match number {
            Some(value) => {
                let rest = &text[NUMBERED.len() + value.len()..];
                [NUMBERED.as_bytes(), rest.as_bytes()].concat()
            }
            None => text.as_bytes().to_vec(),
        };
        if let Some(q) = self.kept.get(&key) {
            let mut q = QuestionBlock::clone(&q);
            if let Some(value) = number {
                q.number = value.to_string();
            }
            return Ok(q);
        }
        let doc = roxmltree::Document::parse(text).map_err(|_| fail())?;
        let ctx = Ctx {
            template,
            questions: None,
        };
        let q = ctx.question_block(doc.root_element()).map_err(|_| fail())?;
        if (self.accept)(&q) {
            self.kept.put(key, q.clone());
        } else {
            self.all_accepted.set(false);
        }
        Ok(q)
    }
}

/// `xml` with every `<question>` element replaced by `<question/>`, and where each was; None when the
/// elements cannot be cut out exactly by their text: markup with comments, CDATA, processing
/// instructions or a document type (where `<` need not start a tag), or a question inside another.
/// Elsewhere every `<` starts a tag (attribute values cannot hold one), so the cut is the parser's.
fn cut_questions(xml: &str) -> Option<(String, Vec<(usize, std::ops::Range<usize>)>)> {
    const OPEN: &str = "<question";
    const CLOSE: &str = "</question";
    if xml.contains("<!") || xml.contains("<?") {
        return None;
    }
    let bytes = xml.as_bytes();
    let mut left = String::with_capacity(xml.len() / 4);
    let mut cut = Vec::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(k) = xml[from..].find(OPEN) {
        let start = from + k;
        let mut i = start + OPEN.len();
        from = i;
        if !matches!(
            bytes.get(i),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')
        ) {
            // Another element (<questions>).
            continue;
        }
        // The start tag ends at the first `>` outside quotes.
        let mut quote = None;
        loop {
            let b = *bytes.get(i)?;
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None => match b {
                    b'"' | b'\'' => quote = Some(b),
                    b'>' => break,
                    b'<' => return None,
                    _ => {}
                },
            }
            i += 1;
        }
        let end = if bytes[i - 1] == b'/' {
            i + 1
        } else {
            let close = i + xml[i..].find(CLOSE)?;
            if xml[i..close].contains(OPEN) {
                return None;
            }
            let mut j = close + CLOSE.len();
            while matches!(bytes.get(j), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                j += 1;
            }
            if bytes.get(j) != Some(&b'>') {
                return None;
            }
            j + 1
        };
        left.push_str(&xml[copied..start]);
        cut.push((left.len(), start..end));
        left.push_str("<question/>");
        copied = end;
        from = end;
    }
    left.push_str(&xml[copied..]);
    Some((left, cut))
}

struct Ctx<'t> {
    template: &'t str,
    /// Where each `<question/>` left in a document whose questions were cut out comes from.
    questions: Option<&'t QuestionSource<'t>>,
}

impl Ctx<'_> {
    fn err(&self, node: Node, message: String) -> Error {
        let pos = node.document().text_pos_at(node.range().start);
        Error::input(format!(
            "template `{}`, output line {}: {message}",
            self.template, pos.row
        ))
        .because("see docs/templates.md for the elements and attributes layout understands")
    }

    fn num(&self, node: Node, name: &str, default: f32) -> Result<f32> {
        match node.attribute(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| {
                    self.err(
                        node,
                        format!(
                            "attribute {name}=\"{v}\" of <{}> must be a non-negative number",
                            node.tag_name().name()
                        ),
                    )
                }),
        }
    }

    /// `seal-fields="考号:36 姓名:26"`: labels with their write-on line lengths in mm.
    fn seal_fields(&self, root: Node) -> Result<Vec<(String, f32)>> {
        let Some(spec) = root.attribute("seal-fields") else {
            return Ok(Vec::new());
        };
        spec.split_whitespace()
            .map(|field| {
                field
                    .split_once(':')
                    .and_then(|(label, mm)| {
                        let mm = mm.parse::<f32>().ok().filter(|m| m.is_finite() && *m > 0.0)?;
                        Some((label.to_string(), mm))
                    })
                    .ok_or_else(|| {
                        self.err(
                            root,
                            format!(
                                "seal-fields: `{field}` must be a label and a length in mm, like 姓名:26"
                            ),
                        )
                    })
            })
            .collect()
    }

    fn blocks(&self, parent: Node) -> Result<Vec<Block>> {
        let mut out = Vec::new();
        for child in parent.children() {
            match child.node_type() {
                // The document's later-page head, read apart from the flow (see `Continued`).
                NodeType::Element
                    if child.tag_name().name() == "continued"
                        && parent.tag_name().name() == "document" => {}
                NodeType::Element => out.push(self.block(child)?),
                NodeType::Text if child.text().unwrap_or("").trim().is_empty() => {}
                NodeType::Text => {
                    return Err(self.err(
                        child,
                        format!(
                            "text outside a paragraph: \"{}\" (wrap it in <p>)",
                            child
                                .text()
                                .unwrap_or("")
                                .trim()
                                .chars()
                                .take(30)
                                .collect::<String>()
                        ),
                    ));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn para(&self, node: Node, size: f32, role: FontRole, align: Align) -> Result<Para> {
        let size = self.num(node, "size", size)?;
        let role = match node.attribute("font") {
            Some("heading") => FontRole::Heading,
            Some("body") => FontRole::Body,
            None => role,
            Some(other) => {
                return Err(self.err(node, format!("font=\"{other}\" must be body or heading")));
            }
        };
        let align = match node.attribute("align") {
            None => align,
            Some("left") => Align::Left,
            Some("center") => Align::Center,
            Some("right") => Align::Right,
            Some("justify") => Align::Justify,
            Some(other) => {
                return Err(self.err(
                    node,
                    format!("align=\"{other}\" must be left, center, right or justify"),
                ));
            }
        };
        let indent = self.num(node, "indent", 0.0)?;
        Ok(Para {
            runs: self.inlines(node, role)?,
            size,
            align,
            first_indent: indent,
            rest_indent: self.num(node, "hang", 0.0)?,
            space_before: self.num(node, "space-before", 0.0)?,
            space_after: self.num(node, "space-after", 0.0)?,
        })
    }

    fn inlines(&self, node: Node, role: FontRole) -> Result<Vec<Inline>> {
        let mut runs = Vec::new();
        for child in node.children() {
            match child.node_type() {
                NodeType::Text => {
                    // Template indentation (newline + spaces) is not content; single spaces inside text are.
                    let text = collapse_whitespace(child.text().unwrap_or(""));
                    if !text.is_empty() {
                        push_text_with_math(&mut runs, text, role);
                    }
                }
                NodeType::Element => match child.tag_name().name() {
                    "b" => runs.extend(self.inlines(child, role.bold())?),
                    "r" => runs.extend(self.inlines(child, role.regular())?),
                    "accent" => runs.extend(self.inlines(child, role.accented())?),
                    "blank" => runs.push(Inline::Blank {
                        em: self.num(child, "em", 6.0)?.max(1.0),
                    }),
                    "br" => runs.push(Inline::Break),
                    "image" => runs.push(self.image(child)?),
                    other => {
                        return Err(self.err(
                            child,
                            format!(
                                "<{other}> cannot appear inside text; use <b>, <r>, <accent>, <blank/>, <br/> or <image/>"
                            ),
                        ));
                    }
                },
                _ => {}
            }
        }
        // Trim the edges of the paragraph, which come from template line breaks (in place: most runs
        // have none left to trim).
        if let Some(Inline::Text { text, .. }) = runs.first_mut() {
            let edge = text.len() - text.trim_start().len();
            text.drain(..edge);
        }
        if let Some(Inline::Text { text, .. }) = runs.last_mut() {
            text.truncate(text.trim_end().len());
        }
        runs.retain(|r| !matches!(r, Inline::Text { text, .. } if text.is_empty()));
        Ok(runs)
    }

    fn image(&self, node: Node) -> Result<Inline> {
        let src = node.attribute("src").unwrap_or("").trim();
        if src.is_empty() {
            return Err(self.err(node, "<image> needs src=\"file\"".into()));
        }
        let w = node.attribute("width").unwrap_or("");
        let width = crate::input::figures::Width::parse(w).ok_or_else(|| {
            self.err(
                node,
                format!("width=\"{w}\" of <image> must be like 50% or 40mm, or empty"),
            )
        })?;
        Ok(Inline::Image(Picture {
            src: src.to_string(),
            width,
            natural: 0.0,
            aspect: 1.0,
        }))
    }

    fn block(&self, node: Node) -> Result<Block> {
        let name = node.tag_name().name();
        Ok(match name {
            "p" => Block::Para(self.para(node, BODY_SIZE, FontRole::Body, Align::Justify)?),
            "heading" => Block::Heading {
                para: self.para(node, BODY_SIZE, FontRole::Heading, Align::Left)?,
                bookmark: node.attribute("bookmark").map(str::to_string),
                // The box is drawn when asked for; its labels are the template's words.
                scorebox: match node.attribute("scorebox") {
                    Some("true") => node
                        .attribute("scorebox-labels")
                        .unwrap_or("")
                        .split('|')
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                },
            },
            "fields" => self.fields_block(node)?,
            "table" => self.table_block(node)?,
            "box" => Block::Boxed {
                title: node.attribute("title").map(str::to_string),
                blocks: self.blocks(node)?,
                size: self.num(node, "size", BODY_SIZE)?,
            },
            "question" => Block::Question(match self.questions {
                Some(source) => source.question(node.range().start, self.template)?,
                None => self.question_block(node)?,
            }),
            "lines" => Block::Lines {
                count: self.num(node, "count", 5.0)? as u32,
            },
            "bubbles" => self.bubbles_block(node)?,
            "bars" => self.bars_block(node)?,
            "digits" => Block::Digits {
                count: self.num(node, "count", 10.0)?.clamp(1.0, 24.0) as usize,
                value: node.attribute("value").unwrap_or("").to_string(),
                qr: node.attribute("qr").unwrap_or("").to_string(),
                variants: node
                    .attribute("variants")
                    .unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                size: self.num(node, "size", 8.0)?,
            },
            "entry" => Block::Entry {
                runs: self.inlines(node, FontRole::Body)?,
                page: node.attribute("page").unwrap_or("").to_string(),
                size: self.num(node, "size", BODY_SIZE)?,
            },
            "space" => Block::Space(self.num(node, "pt", 6.0)?),
            "pagebreak" => Block::PageBreak,
            other => return Err(self.err(node, format!("unknown element <{other}>"))),
        })
    }

    /// `<fields>`: labelled lines to write on (学校, 班级, 姓名…).
    fn fields_block(&self, node: Node) -> Result<Block> {
        let mut fields = Vec::new();
        for f in node.children().filter(Node::is_element) {
            if f.tag_name().name() != "field" {
                return Err(self.err(
                    f,
                    format!(
                        "<fields> holds <field> elements, not <{}>",
                        f.tag_name().name()
                    ),
                ));
            }
            fields.push(Field {
                label: f.attribute("label").unwrap_or("").to_string(),
                em: self.num(f, "em", 8.0)?,
                value: f.attribute("value").unwrap_or("").to_string(),
            });
        }
        Ok(Block::Fields {
            fields,
            size: self.num(node, "size", BODY_SIZE)?,
        })
    }

    /// `<table>`: rows of cells, column widths as shares.
    fn table_block(&self, node: Node) -> Result<Block> {
        let mut rows = Vec::new();
        for row in node.children().filter(Node::is_element) {
            if row.tag_name().name() != "row" {
                return Err(self.err(
                    row,
                    format!(
                        "<table> holds <row> elements, not <{}>",
                        row.tag_name().name()
                    ),
                ));
            }
            let mut cells = Vec::new();
            for cell in row.children().filter(Node::is_element) {
                let role = if cell.attribute("font") == Some("heading") {
                    FontRole::Heading
                } else {
                    FontRole::Body
                };
                cells.push(Cell {
                    runs: self.inlines(cell, role)?,
                });
            }
            rows.push(cells);
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<f32> = match node.attribute("widths") {
            Some(w) => w
                .split_whitespace()
                .map(|x| x.parse::<f32>().unwrap_or(1.0).max(0.1))
                .collect(),
            None => vec![1.0; columns],
        };
        if widths.len() < columns {
            return Err(self.err(
                node,
                format!(
                    "widths has {} entries but a row has {columns} cells",
                    widths.len()
                ),
            ));
        }
        Ok(Block::Table(Table {
            widths,
            rows,
            size: self.num(node, "size", BODY_SIZE)?,
            row_em: self.num(node, "row-height", 2.0)?,
            keep_rows: self.num(node, "keep-rows", 1.0)?.max(1.0) as usize,
            width_share: self.num(node, "width", 1.0)?.clamp(0.1, 1.0),
            header_rows: self.num(node, "header-rows", 0.0)? as usize,
        }))
    }

    /// `<question>`: number, stem, the blocks under the stem, options, answer lines and what follows.
    fn question_block(&self, node: Node) -> Result<QuestionBlock> {
        let size = self.num(node, "size", BODY_SIZE)?;
        let mut q = QuestionBlock {
            number: node.attribute("number").unwrap_or("").to_string(),
            id: node.attribute("id").map(str::to_string),
            stem: Vec::new(),
            body: Vec::new(),
            options: Vec::new(),
            lines: 0,
            after: Vec::new(),
            size,
        };
        let mut stem_seen = false;
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "stem" => {
                    q.stem = self.inlines(child, FontRole::Body)?;
                    stem_seen = true;
                }
                "option" => q.options.push((
                    child.attribute("label").unwrap_or("").to_string(),
                    self.inlines(child, FontRole::Body)?,
                )),
                "lines" => q.lines = self.num(child, "count", 5.0)? as u32,
                // Blocks between the stem and the first option belong to the stem.
                _ if stem_seen && q.options.is_empty() && q.lines == 0 && q.after.is_empty() => {
                    q.body.push(self.block(child)?)
                }
                _ => q.after.push(self.block(child)?),
            }
        }
        Ok(q)
    }

    /// `<bubbles>`: an answer sheet's bubble rows.
    fn bubbles_block(&self, node: Node) -> Result<Block> {
        let mut questions = Vec::new();
        for q in node.children().filter(Node::is_element) {
            if q.tag_name().name() != "q" {
                return Err(self.err(
                    q,
                    format!(
                        "<bubbles> holds <q n=\"1\" choices=\"A B C D\"/> elements, not <{}>",
                        q.tag_name().name()
                    ),
                ));
            }
            let choices = q
                .attribute("choices")
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_string)
                .collect();
            questions.push((q.attribute("n").unwrap_or("").to_string(), choices));
        }
        Ok(Block::Bubbles {
            questions,
            size: self.num(node, "size", 8.0)?,
        })
    }

    /// `<bars>`: a bar chart of labelled values.
    fn bars_block(&self, node: Node) -> Result<Block> {
        let mut bars = Vec::new();
        for b in node.children().filter(Node::is_element) {
            if b.tag_name().name() != "bar" {
                return Err(self.err(
                    b,
                    format!(
                        "<bars> holds <bar label=\"…\" value=\"3\"/> elements, not <{}>",
                        b.tag_name().name()
                    ),
                ));
            }
            bars.push((
                b.attribute("label").unwrap_or("").to_string(),
                self.num(b, "value", 0.0)?,
            ));
        }
        Ok(Block::Bars {
            bars,
            max: node
                .attribute("max")
                .map(|_| self.num(node, "max", 1.0))
                .transpose()?,
            height: self.num(node, "height", 40.0)?,
            size: self.num(node, "size", 8.0)?,
        })
    }
}

/// `text` as runs, its `$…$` formulas as [`Inline::Math`] (a display formula between line breaks). Text whose
/// formulas do not parse stays as it is: `check` reports them before anything prints.
fn push_text_with_math(runs: &mut Vec<Inline>, text: String, role: FontRole) {
    let pieces = if crate::math::has_math(&text) {
        crate::math::split(&text).ok()
    } else {
        None
    };
    let Some(pieces) = pieces else {
        runs.push(Inline::Text { text, role });
        return;
    };
    let count = pieces.len();
    for (i, piece) in pieces.into_iter().enumerate() {
        match piece {
            crate::math::Piece::Text(text) => runs.push(Inline::Text { text, role }),
            crate::math::Piece::Math { tex, display, .. } => {
                let at_start = runs.is_empty() || matches!(runs.last(), Some(Inline::Break));
                if display && !at_start {
                    runs.push(Inline::Break);
                }
                runs.push(Inline::Math { tex, display, role });
                if display && i + 1 < count {
                    runs.push(Inline::Break);
                }
            }
        }
    }
}

fn collapse_whitespace(text: &str) -> String {
    // Text without white space to collapse (most of a paragraph's runs) stays as it is.
    if !text
        .bytes()
        .any(|b| matches!(b, b'\n' | b'\r' | b'\t' | b' '))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    // Pending white space: None, Some(false) for spaces only, Some(true) when it held a line break.
    let mut pending: Option<bool> = None;
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\t' | ' ') {
            let newline = c == '\n' || c == '\r';
            pending = Some(pending.unwrap_or(false) || newline);
            continue;
        }
        if let Some(had_newline) = pending.take()
            && !out.is_empty()
        {
            // A template's line break between two CJK characters is layout, not a space; a typed space is kept.
            let prev = out.chars().last().unwrap_or(' ');
            if !(had_newline && (is_cjk(prev) || is_cjk(c))) {
                out.push(' ');
            }
        }
        out.push(c);
    }
    if pending.is_some() && !out.is_empty() {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_inlines_and_attributes() {
        let doc = parse(
            r#"<document title="T" footer="第{page}页 共{pages}页">
                 <heading bookmark="一、单项选择题">一、单项选择题<r>（共2题）</r></heading>
                 <question number="1．"><stem>标准是 <blank em="4"/> 人</stem><option label="A．">12</option><option label="B．">18 &amp; 20</option></question>
                 <p align="center" size="16" font="heading">标题</p>
               </document>"#,
            "paper.hbs",
        )
        .unwrap();
        assert_eq!(doc.footer.as_deref(), Some("第{page}页 共{pages}页"));
        let Block::Heading { para, bookmark, .. } = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(bookmark.as_deref(), Some("一、单项选择题"));
        assert_eq!(
            para.runs[1],
            Inline::Text {
                text: "（共2题）".into(),
                role: FontRole::Body
            }
        );
        let Block::Question(q) = &doc.blocks[1] else {
            panic!()
        };
        assert_eq!(q.stem[1], Inline::Blank { em: 4.0 });
        assert_eq!(
            q.options[1].1,
            vec![Inline::Text {
                text: "18 & 20".into(),
                role: FontRole::Body
            }]
        );
        let Block::Para(p) = &doc.blocks[2] else {
            panic!()
        };
        assert_eq!((p.size, p.align), (16.0, Align::Center));
    }

    #[test]
    fn errors_name_the_template_and_line() {
        let err = parse("<document>\n<p>x</p>\n<wat/></document>", "key.hbs").unwrap_err();
        assert!(
            err.message
                .contains("template `key.hbs`, output line 3: unknown element <wat>"),
            "{}",
            err.message
        );
        let err = parse("<document><p>x</document>", "key.hbs").unwrap_err();
        assert!(
            err.message.contains("malformed markup at line 1"),
            "{}",
            err.message
        );
    }

    #[test]
    fn template_line_breaks_between_cjk_are_not_spaces() {
        assert_eq!(collapse_whitespace("社会\n      工作"), "社会工作");
        assert_eq!(collapse_whitespace("social\n  work"), "social work");
        assert_eq!(
            collapse_whitespace("校内模拟 仅供练习"),
            "校内模拟 仅供练习"
        );
    }

    #[test]
    fn runs_keep_their_text_and_lose_only_the_paragraphs_outer_white_space() {
        // Without white space a run is its text; tabs and runs of spaces fold into one space, and a run
        // never starts with one.
        assert_eq!(collapse_whitespace("社会工作（　）。"), "社会工作（　）。");
        assert_eq!(collapse_whitespace("a\t\tb  c "), "a b c ");
        assert_eq!(collapse_whitespace(""), "");
        let runs = |xml: &str| {
            let doc = parse(&format!("<document>{xml}</document>"), "t").unwrap();
            let Block::Para(p) = &doc.blocks[0] else {
                panic!()
            };
            p.runs
                .iter()
                .map(|r| match r {
                    Inline::Text { text, .. } => text.clone(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            runs("<p>\n    社会 <b>工作</b> 者\n  </p>"),
            ["社会 ", "工作", "者"]
        );
        // Unicode white space at the edges (an ideographic space) goes too, as it always did; inside it stays.
        assert_eq!(
            runs("<p>\u{3000}缩进\u{3000}文字\u{3000}</p>"),
            ["缩进\u{3000}文字"]
        );
        assert_eq!(runs("<p><b> 粗体 </b></p>"), ["粗体"]);
        assert_eq!(runs("<p>无空白</p>"), ["无空白"]);
        assert_eq!(
            runs("<p>甲<blank/>乙</p>"),
            ["甲", "Blank { em: 6.0 }", "乙"]
        );
    }

    /// A document of questions numbered `numbers`, with `extra` markup before its end.
    fn numbered(numbers: &[&str], extra: &str) -> String {
        let mut xml = String::from("<document title=\"t\">\n  <p>前言</p>\n");
        for (k, n) in numbers.iter().enumerate() {
            xml.push_str(&format!(
                "  <question number=\"{n}\" id=\"q{k}\"><stem>第{k}题 <blank em=\"3\"/>是（　）。</stem>\n    <option label=\"A．\">甲</option><option label=\"B．\">乙 &amp; 丙</option>\n    <p>【解析】说明{k}</p></question>\n"
            ));
        }
        xml.push_str(extra);
        xml.push_str("<box title=\"x\"><question number=\"9．\"/></box>\n</document>");
        xml
    }

    #[test]
    fn questions_taken_from_earlier_documents_parse_as_the_whole_document_does() {
        let kept = Questions::default();
        let accept = |q: &QuestionBlock| !format!("{:?}", q.stem).contains('拒');
        // (numbers, extra markup, every question kept or accepted, questions kept after)
        let cases: [(&[&str], &str, bool, usize); 6] = [
            (&["1．", "2．", "3．"], "", true, 4),
            // Under other numbers the same questions are taken from the cache; a number with a reference
            // in it keys its question by the whole text.
            (&["12．", "1&amp;2", "7．"], "", true, 5),
            // Comments: the document is parsed whole.
            (&["3．", "2．", "1．"], "<!-- 注释 -->", false, 5),
            // Questions in the later-page head are found where they stand.
            (
                &["5．", "6．", "8．"],
                "<continued><question number=\"4．\"><stem>续</stem></question></continued>",
                true,
                6,
            ),
            // A question the caller does not accept is parsed but never kept.
            (
                &["2．"],
                "<question number=\"3．\"><stem>拒</stem></question>",
                false,
                6,
            ),
            // `<questions>` is another element (and an error), reported as the whole parse reports it.
            (&["1．"], "<questions/>", false, 6),
        ];
        for (numbers, extra, all, count) in cases {
            let xml = numbered(numbers, extra);
            let whole = parse(&xml, "t");
            match parse_reusing(&xml, "t", &kept, &accept) {
                Ok((doc, accepted)) => {
                    assert_eq!(doc, whole.unwrap(), "{numbers:?} {extra}");
                    assert_eq!(accepted, all, "{numbers:?} {extra}");
                }
                Err(e) => assert_eq!(e.message, whole.unwrap_err().message),
            }
            assert_eq!(kept.len(), count, "{numbers:?} {extra}");
        }
        // Errors inside a question (kept or not) are the whole parse's, with its line.
        for bad in [
            "<question number=\"1．\"><stem>x</question>",
            "<question number=\"1．\">\n<wat/></question>",
            "<question number=\"1．\" number=\"2．\"><stem>x</stem></question>",
            "<p a=\"<question>\"/>",
        ] {
            let xml = numbered(&["1．"], bad);
            let err = parse_reusing(&xml, "t", &kept, &accept).unwrap_err();
            assert_eq!(err.message, parse(&xml, "t").unwrap_err().message, "{bad}");
        }
    }
}

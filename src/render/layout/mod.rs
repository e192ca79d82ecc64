//! Layout: turns a document (blocks of text, questions, tables) into pages of positioned boxes — text runs,
//! lines and rectangles in points from the page's top-left corner. No PDF types here: the PDF writer only
//! draws what layout placed, and tests inspect pages directly.

pub mod linebreak;

use serde::Serialize;

use crate::render::fonts::{FontRole, FontSet};
use crate::render::markup::{Align, Block, Document, Inline, Para, QuestionBlock, Table};
use linebreak::{LineSpan, Piece, break_lines};

/// Advance widths, in em, of characters in each face. FontSet is the real one; tests may use a fixed one.
pub trait Metrics {
    fn advance(&self, role: FontRole, c: char) -> f32;
}

impl Metrics for FontSet {
    fn advance(&self, role: FontRole, c: char) -> f32 {
        self.face(role).glyph(c).map_or(1.0, |g| g.advance)
    }
}

/// Page size and margins in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageSetup {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
    /// Line height as a multiple of the font size.
    pub leading: f32,
    /// Columns per page side (A3/B4 exam papers: 2).
    pub columns: usize,
    /// Space between columns.
    pub gutter: f32,
    /// A seal line (密封线) in the left margin of every odd side.
    pub seal: bool,
}

pub const MM: f32 = 72.0 / 25.4;

impl PageSetup {
    /// A4 portrait with 20 mm margins (a little more at the bottom for the footer).
    pub fn a4() -> PageSetup {
        PageSetup {
            width: 210.0 * MM,
            height: 297.0 * MM,
            top: 20.0 * MM,
            bottom: 22.0 * MM,
            left: 20.0 * MM,
            right: 20.0 * MM,
            leading: 1.5,
            columns: 1,
            gutter: 0.0,
            seal: false,
        }
    }

    /// A named page format: a4, b5, 16k (184×260 mm) portrait; a3-2col and b4-2col landscape in two columns.
    pub fn named(name: &str) -> Option<PageSetup> {
        let portrait = |w: f32, h: f32, margin: f32| PageSetup {
            width: w * MM,
            height: h * MM,
            top: margin * MM,
            bottom: (margin + 2.0) * MM,
            left: margin * MM,
            right: margin * MM,
            ..PageSetup::a4()
        };
        let two_columns = |w: f32, h: f32| PageSetup {
            width: w * MM,
            height: h * MM,
            top: 18.0 * MM,
            bottom: 20.0 * MM,
            // The binding margin holds the seal line on odd sides.
            left: 32.0 * MM,
            right: 18.0 * MM,
            columns: 2,
            gutter: 16.0 * MM,
            seal: true,
            ..PageSetup::a4()
        };
        Some(match name {
            "a4" => PageSetup::a4(),
            "b5" => portrait(176.0, 250.0, 18.0),
            "16k" => portrait(184.0, 260.0, 18.0),
            "a3-2col" | "a3" => two_columns(420.0, 297.0),
            "b4-2col" | "b4" | "8k-2col" => two_columns(364.0, 257.0),
            _ => return None,
        })
    }

    /// Every margin set to `mm` (the seal's binding margin stays wider).
    pub fn with_margin(mut self, mm: f32) -> PageSetup {
        self.top = mm * MM;
        self.bottom = (mm + 2.0) * MM;
        self.right = mm * MM;
        self.left = if self.seal { (mm + 14.0) * MM } else { mm * MM };
        self
    }

    pub fn text_width(&self) -> f32 {
        self.width - self.left - self.right
    }

    /// Width of one column of text.
    pub fn column_width(&self) -> f32 {
        (self.text_width() - self.gutter * (self.columns.max(1) - 1) as f32)
            / self.columns.max(1) as f32
    }

    /// Left edge of column `c`.
    pub fn column_x(&self, c: usize) -> f32 {
        self.left + c as f32 * (self.column_width() + self.gutter)
    }

    pub fn text_height(&self) -> f32 {
        self.height - self.top - self.bottom
    }
}

/// Something placed on a page. Coordinates in points, y downward from the top edge; text at its baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        font: FontRole,
        text: String,
        /// Extra space after each character (justification), in points.
        spacing: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        dashed: bool,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
    },
    /// A solid rectangle: corner marks (black) and chart bars (grey); `shade` 0 is black, 1 white.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        shade: f32,
    },
    /// Text turned 90° anticlockwise (reads bottom to top), starting at (x, y): the seal line's labels.
    Turned {
        x: f32,
        y: f32,
        size: f32,
        font: FontRole,
        text: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bookmark {
    pub title: String,
    /// 0-based page index.
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub title: String,
    pub setup: PageSetup,
    pub pages: Vec<Page>,
    pub bookmarks: Vec<Bookmark>,
}

impl Layout {
    /// A stable text form for snapshot tests: one line per item, coordinates rounded to 0.1 pt.
    pub fn to_snapshot(&self) -> String {
        let mut out = String::new();
        for (i, page) in self.pages.iter().enumerate() {
            out.push_str(&format!("page {}\n", i + 1));
            for item in &page.items {
                match item {
                    Item::Text {
                        x,
                        y,
                        size,
                        font,
                        text,
                        spacing,
                    } => out.push_str(&format!(
                        "  text {:.1} {:.1} {size} {:?} sp={spacing:.2} {text}\n",
                        x, y, font
                    )),
                    Item::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                        dashed,
                    } => out.push_str(&format!(
                        "  line {x1:.1} {y1:.1} {x2:.1} {y2:.1} w={width}{}\n",
                        if *dashed { " dashed" } else { "" }
                    )),
                    Item::Rect { x, y, w, h, width } => {
                        out.push_str(&format!("  rect {x:.1} {y:.1} {w:.1} {h:.1} w={width}\n"))
                    }
                    Item::Fill { x, y, w, h, shade } => out.push_str(&format!(
                        "  fill {x:.1} {y:.1} {w:.1} {h:.1} shade={shade}\n"
                    )),
                    Item::Turned {
                        x,
                        y,
                        size,
                        font,
                        text,
                    } => out.push_str(&format!("  turned {x:.1} {y:.1} {size} {font:?} {text}\n")),
                }
            }
        }
        for b in &self.bookmarks {
            out.push_str(&format!(
                "bookmark {} page {} y {:.1}\n",
                b.title,
                b.page + 1,
                b.y
            ));
        }
        out
    }

    /// All text of a page in reading order, for tests.
    pub fn page_text(&self, page: usize) -> String {
        self.pages[page]
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Text { text, .. } = i {
                    Some(text.as_str())
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Joins documents into one print file; each starts on an odd page when `duplex`. Bookmarks are one per
/// document, titled by `titles`.
pub fn concat(layouts: &[Layout], titles: &[String], duplex: bool) -> Layout {
    let setup = layouts.first().map_or_else(PageSetup::a4, |l| l.setup);
    let mut pages: Vec<Page> = Vec::new();
    let mut bookmarks = Vec::new();
    for (layout, title) in layouts.iter().zip(titles) {
        if duplex && pages.len() % 2 == 1 {
            pages.push(Page::default());
        }
        bookmarks.push(Bookmark {
            title: title.clone(),
            page: pages.len(),
            y: setup.top,
        });
        pages.extend(layout.pages.iter().cloned());
    }
    Layout {
        title: layouts
            .first()
            .map_or_else(String::new, |l| l.title.clone()),
        setup,
        pages,
        bookmarks,
    }
}

/// A horizontal slice of content: kept whole, placed at the next y on a page.
#[derive(Debug, Default)]
struct Chunk {
    height: f32,
    /// Items with y relative to the chunk's top.
    items: Vec<Item>,
    /// Space above, dropped at the top of a page.
    space_before: f32,
    /// Do not break the page between this chunk and the next.
    glue_next: bool,
    page_break: bool,
    bookmark: Option<String>,
}

/// Lays out a document on pages.
pub fn layout(doc: &Document, metrics: &dyn Metrics, setup: &PageSetup) -> Layout {
    let engine = Engine { metrics, setup };
    let mut chunks = Vec::new();
    let mut pending_space = 0.0;
    for block in &doc.blocks {
        let start = chunks.len();
        engine.block(block, setup.left, setup.column_width(), &mut chunks);
        if let Block::Space(pt) = block {
            pending_space += pt;
        } else if start < chunks.len() {
            chunks[start].space_before += pending_space;
            pending_space = 0.0;
        }
    }
    let (mut pages, bookmarks) = paginate(chunks, setup);
    if doc.duplex && pages.len() % 2 == 1 {
        let mut blank = Page::default();
        let size = 12.0;
        let w = engine.text_width(&doc.blank_page_text, FontRole::Body, size);
        blank.items.push(Item::Text {
            x: (setup.width - w) / 2.0,
            y: setup.height / 2.0,
            size,
            font: FontRole::Body,
            text: doc.blank_page_text.clone(),
            spacing: 0.0,
        });
        pages.push(blank);
    }
    if doc.corner_marks {
        let size = 5.0 * MM;
        let inset = 8.0 * MM;
        for page in &mut pages {
            for (x, y) in [
                (inset, inset),
                (setup.width - inset - size, inset),
                (inset, setup.height - inset - size),
                (setup.width - inset - size, setup.height - inset - size),
            ] {
                page.items.push(Item::Fill {
                    x,
                    y,
                    w: size,
                    h: size,
                    shade: 0.0,
                });
            }
        }
    }
    if setup.seal {
        for (i, page) in pages.iter_mut().enumerate() {
            // Odd sides (the fronts of the sheets) carry the seal line in the binding margin.
            if i % 2 == 0 {
                engine.seal_line(page);
            }
        }
    }
    if let Some(pattern) = &doc.footer {
        // With columns, each column counts as a page, as schools number A3 papers: 第1页 … 第4页 on one sheet.
        let columns = setup.columns.max(1);
        let total = pages.len() * columns;
        for (i, page) in pages.iter_mut().enumerate() {
            for c in 0..columns {
                let n = i * columns + c + 1;
                let text = pattern
                    .replace("{page}", &n.to_string())
                    .replace("{pages}", &total.to_string());
                let size = 9.0;
                let w = engine.text_width(&text, FontRole::Body, size);
                let x = if columns == 1 {
                    (setup.width - w) / 2.0
                } else {
                    setup.column_x(c) + (setup.column_width() - w) / 2.0
                };
                page.items.push(Item::Text {
                    x,
                    y: setup.height - setup.bottom + 12.0 * MM / 1.6,
                    size,
                    font: FontRole::Body,
                    text,
                    spacing: 0.0,
                });
            }
        }
    }
    Layout {
        title: doc.title.clone(),
        setup: *setup,
        pages,
        bookmarks,
    }
}

fn paginate(chunks: Vec<Chunk>, setup: &PageSetup) -> (Vec<Page>, Vec<Bookmark>) {
    let room = setup.text_height();
    let columns = setup.columns.max(1);
    let mut pages = vec![Page::default()];
    let mut bookmarks = Vec::new();
    // Text flows down column 0, then column 1, ..., then onto the next page.
    let mut slot = 0usize;
    let mut y = 0.0f32;
    let next_slot = |slot: &mut usize, y: &mut f32, pages: &mut Vec<Page>| {
        *slot += 1;
        *y = 0.0;
        if *slot / columns >= pages.len() {
            pages.push(Page::default());
        }
    };
    let next_page = |slot: &mut usize, y: &mut f32, pages: &mut Vec<Page>| {
        *slot = (*slot / columns + 1) * columns;
        *y = 0.0;
        pages.push(Page::default());
    };
    let mut i = 0;
    while i < chunks.len() {
        if chunks[i].page_break {
            if y > 0.0 || slot % columns != 0 {
                next_page(&mut slot, &mut y, &mut pages);
            }
            i += 1;
            continue;
        }
        // The unit: this chunk and every chunk glued after it.
        let mut j = i;
        while chunks[j].glue_next && j + 1 < chunks.len() && !chunks[j + 1].page_break {
            j += 1;
        }
        let unit_height = |from_top: bool| -> f32 {
            chunks[i..=j]
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    c.height
                        + if k == 0 && from_top {
                            0.0
                        } else {
                            c.space_before
                        }
                })
                .sum()
        };
        let fits_here = y + unit_height(y == 0.0) <= room + 0.01;
        let fits_a_column = unit_height(true) <= room + 0.01;
        let last = if fits_here || fits_a_column {
            if !fits_here {
                next_slot(&mut slot, &mut y, &mut pages);
            }
            j
        } else {
            // Taller than a column: place what fits, chunk by chunk.
            if y + chunks[i].height + chunks[i].space_before > room + 0.01 && y > 0.0 {
                next_slot(&mut slot, &mut y, &mut pages);
            }
            i
        };
        for chunk in &chunks[i..=last] {
            if y > 0.0 {
                y += chunk.space_before;
            }
            if y + chunk.height > room + 0.01 && y > 0.0 {
                next_slot(&mut slot, &mut y, &mut pages);
            }
            let top = setup.top + y;
            let page = slot / columns;
            let dx = setup.column_x(slot % columns) - setup.left;
            if let Some(title) = &chunk.bookmark {
                bookmarks.push(Bookmark {
                    title: title.clone(),
                    page,
                    y: top,
                });
            }
            pages[page]
                .items
                .extend(chunk.items.iter().map(|item| shift_xy(item, dx, top)));
            y += chunk.height;
        }
        i = last + 1;
    }
    (pages, bookmarks)
}

fn shift_xy(item: &Item, dx: f32, dy: f32) -> Item {
    let mut item = shift(item, dy);
    match &mut item {
        Item::Text { x, .. }
        | Item::Rect { x, .. }
        | Item::Fill { x, .. }
        | Item::Turned { x, .. } => *x += dx,
        Item::Line { x1, x2, .. } => {
            *x1 += dx;
            *x2 += dx;
        }
    }
    item
}

fn shift(item: &Item, dy: f32) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Text { y, .. } => *y += dy,
        Item::Line { y1, y2, .. } => {
            *y1 += dy;
            *y2 += dy;
        }
        Item::Rect { y, .. } | Item::Fill { y, .. } | Item::Turned { y, .. } => *y += dy,
    }
    item
}

/// A character (or blank) with its face and size, ready for line breaking.
#[derive(Debug, Clone, Copy)]
struct Styled {
    piece: Piece,
    role: FontRole,
    blank: bool,
}

struct Engine<'a> {
    metrics: &'a dyn Metrics,
    setup: &'a PageSetup,
}

impl Engine<'_> {
    fn text_width(&self, text: &str, role: FontRole, size: f32) -> f32 {
        text.chars()
            .map(|c| self.metrics.advance(role, c) * size)
            .sum()
    }

    fn line_height(&self, size: f32) -> f32 {
        size * self.setup.leading
    }

    fn styled(&self, runs: &[Inline], size: f32) -> Vec<Styled> {
        let mut out = Vec::new();
        for run in runs {
            match run {
                Inline::Text { text, role } => {
                    for c in text.chars() {
                        out.push(Styled {
                            piece: Piece {
                                c,
                                width: self.metrics.advance(*role, c) * size,
                            },
                            role: *role,
                            blank: false,
                        });
                    }
                }
                Inline::Blank { em } => out.push(Styled {
                    piece: Piece {
                        c: '\u{FFFC}',
                        width: em * size,
                    },
                    role: FontRole::Body,
                    blank: true,
                }),
            }
        }
        out
    }

    /// Items for one line of styled pieces, starting at `x` on baseline `y` (relative), `avail` wide.
    #[allow(clippy::too_many_arguments)]
    fn line_items(
        &self,
        styled: &[Styled],
        span: &LineSpan,
        x: f32,
        y: f32,
        avail: f32,
        align: Align,
        size: f32,
    ) -> Vec<Item> {
        let mut end = span.end;
        while end > span.start && styled[end - 1].piece.c == ' ' {
            end -= 1;
        }
        let pieces = &styled[span.start..end];
        let slack = (avail - span.width).max(0.0);
        // Slack goes into the gaps next to CJK characters, blanks and spaces; a Latin word or a number
        // keeps its letters together (no letter-spacing inside "2025").
        let stretchy = |k: usize| -> bool {
            k + 1 < pieces.len() && (loose(&pieces[k]) || loose(&pieces[k + 1]))
        };
        let gaps = (0..pieces.len()).filter(|k| stretchy(*k)).count() as f32;
        let (mut cursor, spacing) = match align {
            Align::Center => (x + slack / 2.0, 0.0),
            Align::Right => (x + slack, 0.0),
            // A short forced line would look gappy; justify only when the slack is modest.
            Align::Justify if !span.last && gaps > 0.0 && slack / gaps <= size * 0.5 => {
                (x, slack / gaps)
            }
            _ => (x, 0.0),
        };
        let extra = |k: usize| if stretchy(k) { spacing } else { 0.0 };
        let mut items = Vec::new();
        let mut k = 0;
        while k < pieces.len() {
            let p = pieces[k];
            if p.blank {
                items.push(Item::Line {
                    x1: cursor,
                    y1: y + size * 0.2,
                    x2: cursor + p.piece.width,
                    y2: y + size * 0.2,
                    width: 0.6,
                    dashed: false,
                });
                cursor += p.piece.width + extra(k);
                k += 1;
                continue;
            }
            // One text run per face and spacing; the PDF applies the spacing after every glyph of a run.
            let mut text = String::new();
            let start_x = cursor;
            let run_spacing = extra(k);
            // A glyph may join the run when the glyph before it was followed by the run's spacing.
            loop {
                text.push(pieces[k].piece.c);
                let after = extra(k);
                cursor += pieces[k].piece.width + after;
                k += 1;
                if k == pieces.len()
                    || pieces[k].blank
                    || pieces[k].role != p.role
                    || after != run_spacing
                {
                    break;
                }
            }
            items.push(Item::Text {
                x: start_x,
                y,
                size,
                font: p.role,
                text,
                spacing: run_spacing,
            });
        }
        items
    }

    /// Lays out a paragraph at `x`, `width` wide; one chunk per line.
    fn para_chunks(&self, para: &Para, x: f32, width: f32) -> Vec<Chunk> {
        let styled = self.styled(&para.runs, para.size);
        let lh = self.line_height(para.size);
        if styled.is_empty() {
            return vec![Chunk {
                height: lh,
                space_before: para.space_before,
                ..Chunk::default()
            }];
        }
        let first = para.first_indent * para.size;
        let rest = para.rest_indent * para.size;
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        let spans = break_lines(&pieces, width - first, width - rest);
        let baseline = lh / 2.0 + para.size * 0.35;
        let n = spans.len();
        let mut chunks: Vec<Chunk> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let indent = if i == 0 { first } else { rest };
                Chunk {
                    height: lh,
                    items: self.line_items(
                        &styled,
                        span,
                        x + indent,
                        baseline,
                        width - indent,
                        para.align,
                        para.size,
                    ),
                    // No orphan first line and no widow last line.
                    glue_next: n <= 3 || i == 0 || i + 2 == n,
                    ..Chunk::default()
                }
            })
            .collect();
        chunks[0].space_before = para.space_before;
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
            last.height += para.space_after;
        }
        chunks
    }

    fn block(&self, block: &Block, x: f32, width: f32, out: &mut Vec<Chunk>) {
        match block {
            Block::Para(p) => out.extend(self.para_chunks(p, x, width)),
            Block::Heading {
                para,
                bookmark,
                scorebox,
            } => {
                let mut chunks = if *scorebox {
                    vec![self.scorebox_heading(para, x, width)]
                } else {
                    self.para_chunks(para, x, width)
                };
                for c in &mut chunks {
                    c.glue_next = true;
                }
                chunks[0].bookmark = bookmark.clone();
                out.extend(chunks);
            }
            Block::Fields { fields, size } => out.push(self.fields(fields, x, width, *size)),
            Block::Table(t) => out.extend(self.table(t, x, width)),
            Block::Boxed {
                title,
                blocks,
                size,
            } => out.push(self.boxed(title.as_deref(), blocks, x, width, *size)),
            Block::Question(q) => out.extend(self.question(q, x, width)),
            Block::Lines { count } => {
                out.extend(self.ruled_lines(*count, x, width, crate::render::markup::BODY_SIZE))
            }
            Block::Bubbles { questions, size } => {
                out.extend(self.bubbles(questions, x, width, *size))
            }
            Block::Bars {
                bars,
                max,
                height,
                size,
            } => out.push(self.bars(bars, *max, *height, x, width, *size)),
            Block::Digits { count, value, size } => {
                out.push(self.digits(*count, value, x, width, *size))
            }
            Block::Entry { runs, page, size } => out.push(self.entry(runs, page, x, width, *size)),
            Block::Space(_) => {}
            Block::PageBreak => out.push(Chunk {
                page_break: true,
                ..Chunk::default()
            }),
        }
    }

    fn fields(
        &self,
        fields: &[crate::render::markup::Field],
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let lh = self.line_height(size) * 1.4;
        let gap = 2.0 * size;
        let label = |f: &crate::render::markup::Field| format!("{}：", f.label);
        let total: f32 = fields
            .iter()
            .map(|f| self.text_width(&label(f), FontRole::Body, size) + f.em * size)
            .sum::<f32>()
            + gap * fields.len().saturating_sub(1) as f32;
        let mut cursor = x + ((width - total) / 2.0).max(0.0);
        let baseline = lh / 2.0 + size * 0.35;
        let mut items = Vec::new();
        for f in fields {
            let text = label(f);
            let w = self.text_width(&text, FontRole::Body, size);
            items.push(Item::Text {
                x: cursor,
                y: baseline,
                size,
                font: FontRole::Body,
                text,
                spacing: 0.0,
            });
            cursor += w;
            if !f.value.is_empty() {
                let vw = self.text_width(&f.value, FontRole::Body, size);
                let vx = cursor + ((f.em * size - vw) / 2.0).max(0.0);
                items.push(Item::Text {
                    x: vx,
                    y: baseline,
                    size,
                    font: FontRole::Body,
                    text: f.value.clone(),
                    spacing: 0.0,
                });
            }
            items.push(Item::Line {
                x1: cursor,
                y1: baseline + 2.0,
                x2: cursor + f.em * size,
                y2: baseline + 2.0,
                width: 0.6,
                dashed: false,
            });
            cursor += f.em * size + gap;
        }
        Chunk {
            height: lh,
            items,
            ..Chunk::default()
        }
    }

    fn table(&self, t: &Table, x: f32, width: f32) -> Vec<Chunk> {
        let total_width = width * t.width_share;
        let x0 = x + (width - total_width) / 2.0;
        let sum: f32 = t.widths.iter().sum();
        let cols: Vec<f32> = t.widths.iter().map(|w| w / sum * total_width).collect();
        let h = t.row_em * t.size;
        let baseline = h / 2.0 + t.size * 0.35;
        let mut chunks = Vec::new();
        for (r, row) in t.rows.iter().enumerate() {
            let mut items = vec![Item::Rect {
                x: x0,
                y: 0.0,
                w: cols.iter().take(row.len().max(1)).sum(),
                h,
                width: 0.6,
            }];
            let mut cx = x0;
            for (c, cell) in row.iter().enumerate() {
                let w = cols[c];
                if c > 0 {
                    items.push(Item::Line {
                        x1: cx,
                        y1: 0.0,
                        x2: cx,
                        y2: h,
                        width: 0.6,
                        dashed: false,
                    });
                }
                let styled = self.styled(&cell.runs, t.size);
                if !styled.is_empty() {
                    let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
                    let natural: f32 = pieces.iter().map(|p| p.width).sum();
                    let span = LineSpan {
                        start: 0,
                        end: pieces.len(),
                        width: natural,
                        last: true,
                    };
                    items.extend(self.line_items(
                        &styled,
                        &span,
                        cx + 2.0,
                        baseline,
                        w - 4.0,
                        Align::Center,
                        t.size,
                    ));
                }
                cx += w;
            }
            chunks.push(Chunk {
                height: h,
                items,
                glue_next: (r + 1) % t.keep_rows != 0,
                ..Chunk::default()
            });
        }
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
        }
        chunks
    }

    fn boxed(&self, title: Option<&str>, blocks: &[Block], x: f32, width: f32, size: f32) -> Chunk {
        let pad = size;
        let mut inner = Vec::new();
        if let Some(title) = title {
            let para = Para {
                runs: vec![Inline::Text {
                    text: title.to_string(),
                    role: FontRole::Heading,
                }],
                size,
                align: Align::Center,
                first_indent: 0.0,
                rest_indent: 0.0,
                space_before: 0.0,
                space_after: 0.0,
            };
            inner.extend(self.para_chunks(&para, x + pad, width - 2.0 * pad));
        }
        for b in blocks {
            self.block(b, x + pad, width - 2.0 * pad, &mut inner);
        }
        let mut items = Vec::new();
        let mut y = pad * 0.6;
        for c in inner {
            y += c.space_before;
            items.extend(c.items.iter().map(|i| shift(i, y)));
            y += c.height;
        }
        let height = y + pad * 0.6;
        items.push(Item::Rect {
            x,
            y: 0.0,
            w: width,
            h: height,
            width: 0.8,
        });
        Chunk {
            height,
            items,
            ..Chunk::default()
        }
    }

    fn entry(&self, runs: &[Inline], page: &str, x: f32, width: f32, size: f32) -> Chunk {
        let lh = self.line_height(size);
        let baseline = lh / 2.0 + size * 0.35;
        let page_w = self.text_width(page, FontRole::Body, size);
        let styled = self.styled(runs, size);
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        // A title too long for the line is cut at the first line; contents lines stay one line each.
        let avail = width - page_w - 2.0 * size;
        let span = break_lines(&pieces, avail, avail)
            .first()
            .copied()
            .unwrap_or(LineSpan {
                start: 0,
                end: 0,
                width: 0.0,
                last: true,
            });
        let mut items = self.line_items(
            &styled,
            &LineSpan { last: true, ..span },
            x,
            baseline,
            avail,
            Align::Left,
            size,
        );
        let dots_from = x + span.width + size * 0.5;
        let dots_to = x + width - page_w - size * 0.5;
        if dots_to > dots_from {
            items.push(Item::Line {
                x1: dots_from,
                y1: baseline,
                x2: dots_to,
                y2: baseline,
                width: 0.6,
                dashed: true,
            });
        }
        items.push(Item::Text {
            x: x + width - page_w,
            y: baseline,
            size,
            font: FontRole::Body,
            text: page.to_string(),
            spacing: 0.0,
        });
        Chunk {
            height: lh,
            items,
            ..Chunk::default()
        }
    }

    /// One small bubble: a bracket-like box with its label centred, as on printed answer sheets.
    fn bubble(
        &self,
        label: &str,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        size: f32,
        items: &mut Vec<Item>,
    ) {
        items.push(Item::Rect {
            x,
            y,
            w,
            h,
            width: 0.5,
        });
        let lw = self.text_width(label, FontRole::Body, size);
        items.push(Item::Text {
            x: x + (w - lw) / 2.0,
            y: y + h / 2.0 + size * 0.35,
            size,
            font: FontRole::Body,
            text: label.to_string(),
            spacing: 0.0,
        });
    }

    /// Choice bubbles in blocks of five questions; blocks fill the width left to right, one chunk per row
    /// of blocks so a long sheet can break between rows.
    fn bubbles(
        &self,
        questions: &[(String, Vec<String>)],
        x: f32,
        width: f32,
        size: f32,
    ) -> Vec<Chunk> {
        let cell_w = 6.2 * MM;
        let bubble_w = 5.0 * MM;
        let row_h = 4.6 * MM;
        let bubble_h = 3.2 * MM;
        let number_w = 7.0 * MM;
        let gap = 4.0 * MM;
        let blocks: Vec<&[(String, Vec<String>)]> = questions.chunks(5).collect();
        let widest = questions
            .iter()
            .map(|(_, c)| c.len())
            .max()
            .unwrap_or(4)
            .max(1);
        let block_w = number_w + widest as f32 * cell_w;
        let per_row = (((width + gap) / (block_w + gap)).floor() as usize).max(1);
        let mut chunks = Vec::new();
        for row in blocks.chunks(per_row) {
            let mut items = Vec::new();
            let mut tallest = 0;
            for (b, block) in row.iter().enumerate() {
                let bx = x + b as f32 * (block_w + gap);
                // A thin frame around each block keeps the rows readable when scanned.
                items.push(Item::Rect {
                    x: bx - 1.0 * MM,
                    y: 0.6 * MM,
                    w: block_w + 1.0 * MM,
                    h: block.len() as f32 * row_h + 0.8 * MM,
                    width: 0.3,
                });
                for (r, (number, choices)) in block.iter().enumerate() {
                    let ry = 1.0 * MM + r as f32 * row_h;
                    let nw = self.text_width(number, FontRole::Body, size);
                    items.push(Item::Text {
                        x: bx + number_w - nw - 1.5 * MM,
                        y: ry + row_h / 2.0 + size * 0.35,
                        size,
                        font: FontRole::Body,
                        text: number.clone(),
                        spacing: 0.0,
                    });
                    for (k, choice) in choices.iter().enumerate() {
                        let cx = bx + number_w + k as f32 * cell_w;
                        self.bubble(
                            choice,
                            cx,
                            ry + (row_h - bubble_h) / 2.0,
                            bubble_w,
                            bubble_h,
                            size * 0.9,
                            &mut items,
                        );
                    }
                }
                tallest = tallest.max(block.len());
            }
            chunks.push(Chunk {
                height: tallest as f32 * row_h + 3.0 * MM,
                items,
                ..Chunk::default()
            });
        }
        chunks
    }

    /// A part heading with a 得分 | 评卷人 box at its left, as formal papers have for each part.
    fn scorebox_heading(&self, para: &Para, x: f32, width: f32) -> Chunk {
        let size = 9.0;
        let cell_w = 3.4 * size;
        let row_h = 1.9 * size;
        let box_w = 2.0 * cell_w;
        let mut items = Vec::new();
        for (r, labels) in [["得分", "评卷人"], ["", ""]].iter().enumerate() {
            let y = para.space_before + r as f32 * row_h;
            items.push(Item::Rect {
                x,
                y,
                w: box_w,
                h: row_h,
                width: 0.6,
            });
            items.push(Item::Line {
                x1: x + cell_w,
                y1: y,
                x2: x + cell_w,
                y2: y + row_h,
                width: 0.6,
                dashed: false,
            });
            for (c, label) in labels.iter().enumerate() {
                if !label.is_empty() {
                    let lw = self.text_width(label, FontRole::Body, size);
                    items.push(Item::Text {
                        x: x + c as f32 * cell_w + (cell_w - lw) / 2.0,
                        y: y + row_h / 2.0 + size * 0.35,
                        size,
                        font: FontRole::Body,
                        text: label.to_string(),
                        spacing: 0.0,
                    });
                }
            }
        }
        let text_x = x + box_w + para.size;
        let mut y = para.space_before + (2.0 * row_h - self.line_height(para.size)) / 2.0;
        let inner = Para {
            space_before: 0.0,
            ..para.clone()
        };
        for chunk in self.para_chunks(&inner, text_x, width - box_w - para.size) {
            items.extend(chunk.items.iter().map(|i| shift(i, y)));
            y += chunk.height;
        }
        let height = (para.space_before + 2.0 * row_h).max(y) + 0.3 * para.size;
        Chunk {
            height,
            items,
            ..Chunk::default()
        }
    }

    /// The seal line (密封线): a dashed line down the binding margin with 「密封线内不要答题」 along it, and the
    /// 学校/班级/姓名/考号 fields outside it, all turned to read from the bottom.
    fn seal_line(&self, page: &mut Page) {
        let s = self.setup;
        let line_x = s.left - 9.0 * MM;
        let (top, bottom) = (s.top, s.height - s.bottom);
        page.items.push(Item::Line {
            x1: line_x,
            y1: top,
            x2: line_x,
            y2: bottom,
            width: 0.6,
            dashed: true,
        });
        let size = 9.0;
        let warning = "密封线内不要答题";
        let spaced: String = warning
            .chars()
            .flat_map(|c| [c, '\u{3000}'])
            .collect::<String>()
            .trim_end()
            .to_string();
        let w = self.text_width(&spaced, FontRole::Body, size);
        // A white band behind the words keeps the dashes from running through them.
        let mid = (top + bottom) / 2.0;
        page.items.push(Item::Fill {
            x: line_x - size * 0.7,
            y: mid - w / 2.0 - 2.0,
            w: size * 1.4,
            h: w + 4.0,
            shade: 1.0,
        });
        page.items.push(Item::Turned {
            x: line_x + size * 0.35,
            y: mid + w / 2.0,
            size,
            font: FontRole::Body,
            text: spaced,
        });
        // Fields, bottom to top: 考号, 姓名, 班级, 学校.
        let fields_x = s.left - 20.0 * MM;
        let mut y = bottom - 10.0 * MM;
        for (label, length) in [
            ("考号", 36.0),
            ("姓名", 26.0),
            ("班级", 22.0),
            ("学校", 32.0),
        ] {
            let text = format!("{label}：");
            let tw = self.text_width(&text, FontRole::Body, size);
            page.items.push(Item::Turned {
                x: fields_x + size * 0.35,
                y,
                size,
                font: FontRole::Body,
                text,
            });
            let from = y - tw;
            let to = from - length * MM;
            page.items.push(Item::Line {
                x1: fields_x - size * 0.5,
                y1: from,
                x2: fields_x - size * 0.5,
                y2: to,
                width: 0.5,
                dashed: false,
            });
            y = to - 8.0 * MM;
            if y < top {
                break;
            }
        }
    }

    /// A vertical bar chart with a base line, values above the bars and labels below.
    fn bars(
        &self,
        bars: &[(String, f32)],
        max: Option<f32>,
        height_mm: f32,
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let top = size * 1.6;
        let chart_h = height_mm * MM;
        let base = top + chart_h;
        let largest = max
            .unwrap_or_else(|| bars.iter().map(|b| b.1).fold(0.0, f32::max))
            .max(f32::EPSILON);
        let slot = width / bars.len().max(1) as f32;
        let mut items = vec![Item::Line {
            x1: x,
            y1: base,
            x2: x + width,
            y2: base,
            width: 0.6,
            dashed: false,
        }];
        for (i, (label, value)) in bars.iter().enumerate() {
            let bar_w = slot * 0.6;
            let bx = x + i as f32 * slot + (slot - bar_w) / 2.0;
            let h = (value / largest).clamp(0.0, 1.0) * chart_h;
            if h > 0.0 {
                items.push(Item::Fill {
                    x: bx,
                    y: base - h,
                    w: bar_w,
                    h,
                    shade: 0.65,
                });
            }
            let shown = if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            };
            let vw = self.text_width(&shown, FontRole::Body, size);
            items.push(Item::Text {
                x: bx + (bar_w - vw) / 2.0,
                y: base - h - size * 0.4,
                size,
                font: FontRole::Body,
                text: shown,
                spacing: 0.0,
            });
            let lw = self.text_width(label, FontRole::Body, size);
            let lx = x + i as f32 * slot + ((slot - lw) / 2.0).max(0.0);
            items.push(Item::Text {
                x: lx,
                y: base + size * 1.3,
                size,
                font: FontRole::Body,
                text: label.clone(),
                spacing: 0.0,
            });
        }
        Chunk {
            height: base + size * 2.0,
            items,
            ..Chunk::default()
        }
    }

    /// The id grid: per digit a writing box, then bubbles 0–9 in a column.
    fn digits(&self, count: usize, value: &str, x: f32, width: f32, size: f32) -> Chunk {
        let col_w = 6.2 * MM;
        let bubble_w = 5.0 * MM;
        let bubble_h = 3.2 * MM;
        let row_h = 4.2 * MM;
        let box_h = 6.5 * MM;
        let total_w = count as f32 * col_w;
        let x0 = x + ((width - total_w) / 2.0).max(0.0);
        let mut items = vec![Item::Rect {
            x: x0 - 1.0 * MM,
            y: 0.0,
            w: total_w + 1.2 * MM,
            h: box_h + 10.0 * row_h + 2.0 * MM,
            width: 0.5,
        }];
        let written: Vec<char> = value.chars().collect();
        for d in 0..count {
            let cx = x0 + d as f32 * col_w;
            items.push(Item::Rect {
                x: cx,
                y: 1.0 * MM,
                w: bubble_w,
                h: box_h - 1.5 * MM,
                width: 0.5,
            });
            if let Some(c) = written.get(d) {
                let s = c.to_string();
                let lw = self.text_width(&s, FontRole::Body, size * 1.3);
                items.push(Item::Text {
                    x: cx + (bubble_w - lw) / 2.0,
                    y: 1.0 * MM + (box_h - 1.5 * MM) / 2.0 + size * 0.45,
                    size: size * 1.3,
                    font: FontRole::Body,
                    text: s,
                    spacing: 0.0,
                });
            }
            for n in 0..10 {
                let y = box_h + 1.0 * MM + n as f32 * row_h + (row_h - bubble_h) / 2.0;
                self.bubble(
                    &n.to_string(),
                    cx,
                    y,
                    bubble_w,
                    bubble_h,
                    size * 0.9,
                    &mut items,
                );
            }
        }
        Chunk {
            height: box_h + 10.0 * row_h + 3.0 * MM,
            items,
            ..Chunk::default()
        }
    }

    fn ruled_lines(&self, count: u32, x: f32, width: f32, size: f32) -> Vec<Chunk> {
        let h = self.line_height(size) * 1.6;
        (0..count)
            .map(|_| Chunk {
                height: h,
                items: vec![Item::Line {
                    x1: x,
                    y1: h - 3.0,
                    x2: x + width,
                    y2: h - 3.0,
                    width: 0.4,
                    dashed: false,
                }],
                glue_next: true,
                ..Chunk::default()
            })
            .collect()
    }

    /// A question: number and stem with a hanging indent, options in a grid by width, answer lines, and
    /// whatever follows (key entries) — all glued so the question stays on one page.
    fn question(&self, q: &QuestionBlock, x: f32, width: f32) -> Vec<Chunk> {
        let size = q.size;
        let number_w = self.text_width(&q.number, FontRole::Body, size);
        let mut runs = vec![Inline::Text {
            text: q.number.clone(),
            role: FontRole::Body,
        }];
        runs.extend(q.stem.iter().cloned());
        let stem = Para {
            runs,
            size,
            align: Align::Justify,
            first_indent: 0.0,
            rest_indent: number_w / size,
            space_before: 0.0,
            space_after: 0.0,
        };
        let mut chunks = self.para_chunks(&stem, x, width);
        chunks[0].space_before = self.line_height(size) * 0.35;
        if !q.options.is_empty() {
            chunks.extend(self.options(&q.options, x + number_w, width - number_w, size));
        }
        if q.lines > 0 {
            chunks.extend(self.ruled_lines(q.lines, x + number_w, width - number_w, size));
        }
        for b in &q.after {
            self.block(b, x + number_w, width - number_w, &mut chunks);
        }
        let n = chunks.len();
        for (i, c) in chunks.iter_mut().enumerate() {
            c.glue_next = i + 1 < n;
        }
        chunks
    }

    /// Options 4, 2 or 1 per line, whichever the widest option allows, aligned in columns.
    fn options(
        &self,
        options: &[(String, Vec<Inline>)],
        x: f32,
        width: f32,
        size: f32,
    ) -> Vec<Chunk> {
        let lh = self.line_height(size);
        let widths: Vec<f32> = options
            .iter()
            .map(|(label, runs)| {
                self.text_width(label, FontRole::Body, size)
                    + self
                        .styled(runs, size)
                        .iter()
                        .map(|s| s.piece.width)
                        .sum::<f32>()
            })
            .collect();
        let widest = widths.iter().cloned().fold(0.0, f32::max);
        let n = options.len();
        let gap = size;
        let per_line = options_per_line(n, widest + gap, width);
        let baseline = lh / 2.0 + size * 0.35;
        let mut chunks = Vec::new();
        if per_line == 1 {
            for (label, runs) in options {
                let label_w = self.text_width(label, FontRole::Body, size);
                let mut all = vec![Inline::Text {
                    text: label.clone(),
                    role: FontRole::Body,
                }];
                all.extend(runs.iter().cloned());
                let para = Para {
                    runs: all,
                    size,
                    align: Align::Justify,
                    first_indent: 0.0,
                    rest_indent: label_w / size,
                    space_before: 0.0,
                    space_after: 0.0,
                };
                chunks.extend(self.para_chunks(&para, x, width));
            }
            return chunks;
        }
        let cell = width / per_line as f32;
        for row in options.chunks(per_line) {
            let mut items = Vec::new();
            for (k, (label, runs)) in row.iter().enumerate() {
                let mut all = vec![Inline::Text {
                    text: label.clone(),
                    role: FontRole::Body,
                }];
                all.extend(runs.iter().cloned());
                let styled = self.styled(&all, size);
                let natural = styled.iter().map(|s| s.piece.width).sum();
                let span = LineSpan {
                    start: 0,
                    end: styled.len(),
                    width: natural,
                    last: true,
                };
                items.extend(self.line_items(
                    &styled,
                    &span,
                    x + k as f32 * cell,
                    baseline,
                    cell,
                    Align::Left,
                    size,
                ));
            }
            chunks.push(Chunk {
                height: lh,
                items,
                ..Chunk::default()
            });
        }
        chunks
    }
}

/// Whether justification may widen the gap beside this piece: CJK text, blanks and spaces, not Latin letters
/// or digits inside a word.
fn loose(p: &Styled) -> bool {
    p.blank || p.piece.c == ' ' || crate::util::chars::is_cjk(p.piece.c)
}

/// How many options share a line: all of them (up to 4, or 5–6 when they fit in that many cells), else 2,
/// else 1, judged by the widest option (label included) plus a gap.
pub fn options_per_line(count: usize, widest_with_gap: f32, width: f32) -> usize {
    if count <= 4 && widest_with_gap <= width / 4.0 {
        return count.max(1);
    }
    if (5..=6).contains(&count) && widest_with_gap <= width / count as f32 {
        return count;
    }
    if widest_with_gap <= width / 2.0 {
        return 2;
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_columns_follow_the_widest_option() {
        assert_eq!(options_per_line(4, 100.0, 480.0), 4);
        assert_eq!(options_per_line(4, 130.0, 480.0), 2);
        assert_eq!(options_per_line(4, 300.0, 480.0), 1);
        assert_eq!(options_per_line(5, 90.0, 480.0), 5);
        assert_eq!(options_per_line(5, 110.0, 480.0), 2);
        assert_eq!(options_per_line(2, 50.0, 480.0), 2);
    }
}

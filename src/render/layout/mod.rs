//! Layout: turns a document (blocks of text, questions, tables) into pages of positioned boxes — text runs,
//! lines and rectangles in points from the page's top-left corner. No PDF types here: the PDF writer only
//! draws what layout placed, and tests inspect pages directly.
//!
//! `page` (formats) and `frame` (what is placed) are the vocabulary; `paragraph` and `linebreak` set text;
//! `widgets` turn each markup block into chunks; `paginate` stacks chunks on pages.

mod frame;
pub mod linebreak;
mod page;
mod paginate;
mod paragraph;
mod reuse;
mod spacing;
pub mod stamp;
mod widgets;

use crate::render::fonts::{FontRole, FontSet};
use crate::render::markup::{Block, Document};
pub use frame::{Bookmark, Item, Layout, Page, Spot, SpotBox, concat};
pub use page::{Density, MM, PageSetup};
use paginate::{Chunk, paginate};
pub use reuse::ParaCache;
pub use stamp::{Stamp, StampValues};
pub use widgets::{options_per_line, picture_size};

/// Advance widths, in em, of characters in each face. FontSet is the real one; tests may use a fixed one.
pub trait Metrics {
    fn advance(&self, role: FontRole, c: char) -> f32;
    /// The left and right edge of the glyph's ink in em, when it has any.
    fn ink(&self, role: FontRole, c: char) -> Option<(f32, f32)>;
}

impl Metrics for FontSet {
    fn advance(&self, role: FontRole, c: char) -> f32 {
        self.face(role).glyph(c).map_or(1.0, |g| g.advance)
    }

    fn ink(&self, role: FontRole, c: char) -> Option<(f32, f32)> {
        self.face(role).glyph(c).and_then(|g| g.ink)
    }
}

/// Measures and places blocks for one document: the fonts' metrics and the page format.
struct Engine<'a> {
    metrics: &'a dyn Metrics,
    setup: &'a PageSetup,
    /// A quarter em between Han and Western text (on unless the document says autospace="false").
    autospace: bool,
    /// The files of the pictures set so far; a styled picture refers to its file by index here.
    pictures: std::cell::RefCell<Vec<String>>,
    /// The formulas set so far; a styled formula refers to its slot by index here.
    formulas: std::cell::RefCell<Vec<FormulaSlot>>,
    /// The page being laid out and the document's page count, for [`SHEET_PAGE`] in a QR code's text:
    /// (1, 1) until a continued document is known to run longer.
    sheet_page: std::cell::Cell<(usize, usize)>,
    /// Paragraphs set before, by this run's other documents; None: every paragraph set afresh.
    paras: Option<&'a ParaCache>,
}

/// Written in a QR code's text where the sheet page goes: `1` on a one-page document, `k/n` on page k of
/// a document of n pages (an answer sheet's code names its page, so a scanner reads each with its own
/// layout and joins a student's pages).
pub const SHEET_PAGE: &str = "{sheet-page}";

impl Engine<'_> {
    /// `text` with [`SHEET_PAGE`] replaced by the page being laid out.
    fn with_sheet_page(&self, text: &str) -> String {
        if !text.contains(SHEET_PAGE) {
            return text.to_string();
        }
        let page = match self.sheet_page.get() {
            (_, 0 | 1) => "1".to_string(),
            (k, n) => format!("{k}/{n}"),
        };
        text.replace(SHEET_PAGE, &page)
    }

    /// The document's blocks as chunks, each block's pending space carried onto its first chunk.
    fn chunks(&self, blocks: &[Block]) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        let mut pending_space = 0.0;
        for block in blocks {
            let start = chunks.len();
            self.block(
                block,
                self.setup.left,
                self.setup.column_width(),
                &mut chunks,
            );
            if let Block::Space(pt) = block {
                pending_space += pt;
            } else if start < chunks.len() {
                chunks[start].space_before += pending_space;
                pending_space = 0.0;
            }
        }
        chunks
    }

    /// The items of a later page's head stacked from the top of the text, and its height.
    fn continued_head(&self, blocks: &[Block]) -> (Vec<Item>, f32) {
        let mut items = Vec::new();
        let mut y = 0.0;
        for (i, chunk) in self.chunks(blocks).into_iter().enumerate() {
            if i > 0 {
                y += chunk.space_before;
            }
            let top = self.setup.top + y;
            items.extend(
                chunk
                    .items
                    .into_iter()
                    .map(|item| frame::moved_xy(item, 0.0, top)),
            );
            y += chunk.height;
        }
        // A little air between the head and the page's first line.
        (items, y + 4.0 * MM)
    }

    /// The footer `pattern` (`{page}`, `{pages}`) on every page, each column numbered as a page.
    fn footer(&self, pattern: &str, pages: &mut [Page]) {
        let setup = self.setup;
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
                // Measured as set (with autospace) so the footer is centred as printed.
                let (_, w) = self.text_line(&text, FontRole::Body, size, 0.0, 0.0);
                let x = if columns == 1 {
                    (setup.width - w) / 2.0
                } else {
                    setup.column_x(c) + (setup.column_width() - w) / 2.0
                };
                let y = setup.height - setup.bottom + 12.0 * MM / 1.6;
                let (items, _) = self.text_line(&text, FontRole::Body, size, x, y);
                page.items.extend(items);
            }
        }
    }
}

/// A formula laid out for a line, in em of its text size.
#[derive(Clone)]
struct FormulaSlot {
    formula: std::sync::Arc<crate::math::layout::Formula>,
    tex: String,
    role: FontRole,
    display: bool,
}

/// Lays out a document on pages.
pub fn layout(doc: &Document, metrics: &dyn Metrics, setup: &PageSetup) -> Layout {
    layout_reusing(doc, metrics, setup, None)
}

/// Lays out a document on pages, taking the lines of paragraphs `paras` has from the run's earlier
/// documents (set with the same `metrics` and `setup`) and keeping its own there: the same pages.
pub fn layout_reusing(
    doc: &Document,
    metrics: &dyn Metrics,
    setup: &PageSetup,
    paras: Option<&ParaCache>,
) -> Layout {
    let engine = Engine {
        metrics,
        setup,
        autospace: doc.autospace,
        pictures: Default::default(),
        formulas: Default::default(),
        sheet_page: std::cell::Cell::new((1, 1)),
        paras,
    };
    let lay_out = |later_head: f32| {
        let mut chunks = engine.chunks(&doc.blocks);
        paginate::keep_headings(&mut chunks);
        paginate(chunks, setup, later_head)
    };
    // A continued document keeps room for its head at the top of every later page; a one-page document
    // comes out as if it had none.
    let head_height = doc
        .continued
        .as_ref()
        .map_or(0.0, |c| engine.continued_head(&c.blocks).1);
    let (pages, bookmarks) = lay_out(head_height);
    let continued = doc.continued.as_ref().filter(|_| pages.len() > 1);
    let mut pages = match continued {
        Some(c) => {
            // Laid out again with the page count known, for page 1's code; the chunks keep their heights,
            // so the pages break where they did.
            let n = pages.len();
            engine.sheet_page.set((1, n));
            let (mut again, _) = lay_out(head_height);
            debug_assert_eq!(again.len(), n);
            for (k, page) in again.iter_mut().enumerate().skip(1) {
                engine.sheet_page.set((k + 1, n));
                let (head, _) = engine.continued_head(&c.blocks);
                page.items.splice(0..0, head);
            }
            again
        }
        None => pages,
    };
    if doc.duplex && pages.len() % 2 == 1 {
        let mut blank = Page::default();
        let size = 12.0;
        let w = engine.text_width(&doc.blank_page_text, FontRole::Body, size);
        let (items, _) = engine.text_line(
            &doc.blank_page_text,
            FontRole::Body,
            size,
            (setup.width - w) / 2.0,
            setup.height / 2.0,
        );
        blank.items.extend(items);
        pages.push(blank);
    }
    if doc.corner_marks {
        let size = 5.0 * MM;
        let inset = 8.0 * MM;
        for page in &mut pages {
            // Clockwise from the top left, the order the scanner's registration walks them in.
            for (corner, (x, y)) in [
                (inset, inset),
                (setup.width - inset - size, inset),
                (setup.width - inset - size, setup.height - inset - size),
                (inset, setup.height - inset - size),
            ]
            .into_iter()
            .enumerate()
            {
                page.items.push(Item::Fill {
                    x,
                    y,
                    w: size,
                    h: size,
                    shade: 0.0,
                });
                page.spots.push(SpotBox {
                    x,
                    y,
                    w: size,
                    h: size,
                    spot: Spot::CornerMark {
                        corner: corner as u8,
                    },
                });
            }
        }
    }
    for page in &mut pages {
        let (spots, items): (Vec<Item>, Vec<Item>) = std::mem::take(&mut page.items)
            .into_iter()
            .partition(|i| matches!(i, Item::Spot(_)));
        page.items = items;
        page.spots.extend(spots.into_iter().filter_map(|i| match i {
            Item::Spot(s) => Some(s),
            _ => None,
        }));
    }
    if setup.seal {
        for (i, page) in pages.iter_mut().enumerate() {
            // Odd sides (the fronts of the sheets) carry the seal line in the binding margin.
            if i % 2 == 0 {
                engine.seal_line(page, &doc.seal_warning, &doc.seal_fields);
            }
        }
    }
    if let Some(pattern) = &doc.footer {
        engine.footer(pattern, &mut pages);
    }
    if let Some(pattern) = continued.and_then(|c| c.footer.as_ref()) {
        engine.footer(pattern, &mut pages);
    }
    Layout {
        title: doc.title.clone(),
        setup: *setup,
        pages,
        bookmarks,
    }
}

impl Engine<'_> {
    pub(in crate::render::layout) fn block(
        &self,
        block: &Block,
        x: f32,
        width: f32,
        out: &mut Vec<Chunk>,
    ) {
        match block {
            Block::Para(p) => out.extend(self.para_chunks(p, x, width)),
            Block::Heading {
                para,
                bookmark,
                scorebox,
            } => {
                let mut chunks = if !scorebox.is_empty() {
                    vec![self.scorebox_heading(para, scorebox, x, width)]
                } else {
                    self.para_chunks(para, x, width)
                };
                for c in &mut chunks {
                    c.glue_next = true;
                    c.keep = true;
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
            Block::Digits {
                count,
                value,
                qr,
                variants,
                size,
            } => out.push(self.digits(*count, value, qr, variants, x, width, *size)),
            Block::Entry { runs, page, size } => out.push(self.entry(runs, page, x, width, *size)),
            Block::Space(_) => {}
            Block::PageBreak => out.push(Chunk {
                page_break: true,
                ..Chunk::default()
            }),
        }
    }
}

#[cfg(test)]
mod continued_tests {
    use super::*;
    use crate::render::layout::stamp::ID;
    use crate::render::markup;

    /// A sheet-like document of `rows` paragraphs, with or without a `<continued>` head.
    fn sheet(rows: usize, head: bool) -> Document {
        let code = format!("EXAMGEN1|d|A|{SHEET_PAGE}|{ID}");
        let body: String = (1..=rows)
            .map(|n| format!("<p>第{n}行</p>"))
            .collect::<Vec<_>>()
            .join("\n");
        let continued = if head {
            format!(
                r#"<continued footer="第{{page}}页 共{{pages}}页"><p>答题卡（续）</p><digits count="4" value="{ID}" qr="{code}" size="8"/></continued>"#
            )
        } else {
            String::new()
        };
        let xml = format!(
            r#"<document title="t" corner-marks="true"><p>答题卡</p><digits count="4" value="{ID}" qr="{code}" size="8"/>{continued}
{body}</document>"#
        );
        markup::parse(&xml, "test").unwrap()
    }

    /// The QR texts reserved on a page (with the id placeholder), in order.
    fn codes(layout: &Layout, page: usize) -> Vec<String> {
        layout.pages[page]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Stamp(s) if matches!(s.stamp, Stamp::Qr { .. }) => Some(s.template.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_one_page_document_is_laid_out_as_if_it_had_no_continued_head() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let with = layout(&sheet(10, true), &fonts, &setup);
        assert_eq!(with.pages.len(), 1);
        assert_eq!(with, layout(&sheet(10, false), &fonts, &setup));
        assert_eq!(codes(&with, 0), vec![format!("EXAMGEN1|d|A|1|{ID}")]);
    }

    #[test]
    fn every_later_page_is_headed_numbered_and_coded_with_its_page() {
        let fonts = FontSet::builtin();
        let out = layout(&sheet(120, true), &fonts, &PageSetup::a4());
        let n = out.pages.len();
        assert!(n >= 3, "{n} pages");
        for k in 0..n {
            let text = out.page_text(k);
            assert!(
                text.contains(&format!("第{}页 共{n}页", k + 1)),
                "page {}: {text:.60}",
                k + 1
            );
            assert_eq!(
                codes(&out, k),
                vec![format!("EXAMGEN1|d|A|{}/{n}|{ID}", k + 1)]
            );
            assert_eq!(text.contains("答题卡（续）"), k > 0, "page {}", k + 1);
            // Corner marks and a QR spot on every page, for the scanner.
            let spots = &out.pages[k].spots;
            assert_eq!(spots.iter().filter(|s| s.spot == Spot::Qr).count(), 1);
            assert_eq!(
                spots
                    .iter()
                    .filter(|s| matches!(s.spot, Spot::CornerMark { .. }))
                    .count(),
                4
            );
        }
        // The head sits above the page's first row of the flow, never on it.
        let head_bottom = out.pages[1]
            .spots
            .iter()
            .filter(|s| matches!(s.spot, Spot::IdDigit { .. }))
            .map(|s| s.y + s.h)
            .fold(0.0, f32::max);
        let first_row = out.pages[1]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { y, text, .. } if text.starts_with('第') && text.ends_with('行') => {
                    Some(*y)
                }
                _ => None,
            })
            .fold(f32::MAX, f32::min);
        assert!(head_bottom < first_row, "{head_bottom} vs {first_row}");
    }
}

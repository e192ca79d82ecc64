//! Pagination: stacks chunks (slices that never split) down columns and pages, keeping glued chunks
//! together and dropping space at the top of a column.

use std::rc::Rc;

use crate::render::layout::PageSetup;
use crate::render::layout::frame::{Bookmark, Item, Page, moved_xy, shift_xy};

/// A horizontal slice of content: kept whole, placed at the next y on a page.
#[derive(Debug, Default)]
pub(in crate::render::layout) struct Chunk {
    pub(in crate::render::layout) height: f32,
    /// Items with y relative to the chunk's top.
    pub(in crate::render::layout) items: Vec<Item>,
    /// Space above, dropped at the top of a page.
    pub(in crate::render::layout) space_before: f32,
    /// Do not break the page between this chunk and the next.
    pub(in crate::render::layout) glue_next: bool,
    pub(in crate::render::layout) page_break: bool,
    pub(in crate::render::layout) bookmark: Option<String>,
    /// A heading or a note title: kept with at least two lines of what follows, never last in a column.
    pub(in crate::render::layout) keep: bool,
    /// A table row's header, placed again above the row when the row starts a column.
    pub(in crate::render::layout) header: Option<Rc<Header>>,
}

/// A table's header rows as one block, items relative to its top.
#[derive(Debug)]
pub(in crate::render::layout) struct Header {
    pub(in crate::render::layout) height: f32,
    pub(in crate::render::layout) items: Vec<Item>,
}

/// How many lines of body text a heading keeps with it.
const LINES_AFTER_HEADING: usize = 2;

/// Glues every heading to what follows until `LINES_AFTER_HEADING` chunks of body follow it (a question's
/// chunks are glued together already, so a part heading travels with its whole first question).
pub(in crate::render::layout) fn keep_headings(chunks: &mut [Chunk]) {
    for i in 0..chunks.len() {
        if !chunks[i].keep {
            continue;
        }
        let mut body = 0;
        let mut j = i;
        while j + 1 < chunks.len() && !chunks[j + 1].page_break && body < LINES_AFTER_HEADING {
            chunks[j].glue_next = true;
            j += 1;
            if !chunks[j].keep {
                body += 1;
            }
        }
    }
}

/// Height from the top of chunk `i` (a heading) to the end of the body lines it keeps with.
fn head_height(chunks: &[Chunk], i: usize) -> f32 {
    let mut height = chunks[i].height;
    let mut body = 0;
    let mut j = i;
    while j + 1 < chunks.len() && !chunks[j + 1].page_break && body < LINES_AFTER_HEADING {
        j += 1;
        height += chunks[j].space_before + chunks[j].height;
        if !chunks[j].keep {
            body += 1;
        }
    }
    height
}

/// Places chunks on pages, column by column; every page after the first keeps `later_head` points at its
/// top free (for a continued document's head, placed there afterwards).
pub(in crate::render::layout) fn paginate(
    mut chunks: Vec<Chunk>,
    setup: &PageSetup,
    later_head: f32,
) -> (Vec<Page>, Vec<Bookmark>) {
    let full_room = setup.text_height();
    // The room and the top of the text on page `page`.
    let room_on = |page: usize| {
        if page == 0 {
            full_room
        } else {
            full_room - later_head
        }
    };
    let top_of = |page: usize| {
        if page == 0 {
            setup.top
        } else {
            setup.top + later_head
        }
    };
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
        let fits_here = y + unit_height(y == 0.0) <= room_on(slot / columns) + 0.01;
        let fits_a_column = unit_height(true) <= room_on(slot / columns + 1) + 0.01;
        let last = if fits_here || fits_a_column {
            if !fits_here {
                next_slot(&mut slot, &mut y, &mut pages);
            }
            j
        } else {
            // Taller than a column: flow the unit on, breaking where a chunk does not fit. (Placing only
            // chunk i and judging the rest afresh would let the rest jump a column and leave i alone.)
            j
        };
        for k in 0..=last - i {
            let chunk = &chunks[i + k];
            if y > 0.0 {
                y += chunk.space_before;
            }
            // Inside a unit taller than a column, a heading still needs room for its lines below it.
            let needed = if chunk.keep {
                head_height(&chunks, i + k)
            } else {
                chunk.height
            };
            if y + needed > room_on(slot / columns) + 0.01 && y > 0.0 {
                next_slot(&mut slot, &mut y, &mut pages);
            }
            let page = slot / columns;
            let dx = setup.column_x(slot % columns) - setup.left;
            if y == 0.0
                && let Some(header) = &chunk.header
            {
                let top = top_of(page);
                pages[page]
                    .items
                    .extend(header.items.iter().map(|item| shift_xy(item, dx, top)));
                y += header.height;
            }
            let top = top_of(page) + y;
            if let Some(title) = &chunk.bookmark {
                bookmarks.push(Bookmark {
                    title: title.clone(),
                    page,
                    y: top,
                });
            }
            y += chunk.height;
            // Taken, not copied: a long document (a class list of 20,000 rows) never holds every item
            // twice, once in its chunk and once on its page.
            let items = std::mem::take(&mut chunks[i + k].items);
            pages[page]
                .items
                .extend(items.into_iter().map(|item| moved_xy(item, dx, top)));
        }
        i = last + 1;
    }
    (pages, bookmarks)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::render::fonts::{FontRole, FontSet};
    use crate::render::layout::{Item, PageSetup, layout};
    use crate::render::markup::{Align, Block, Document, Inline, Para};

    fn para(text: String, role: FontRole, space_before: f32) -> Para {
        Para {
            runs: vec![Inline::Text { text, role }],
            size: 10.5,
            align: if role == FontRole::Heading {
                Align::Left
            } else {
                Align::Justify
            },
            first_indent: 0.0,
            rest_indent: 0.0,
            space_before,
            space_after: 0.0,
        }
    }

    /// A document of headings (标题N) and paragraphs of `lines` lines' worth of text.
    fn document(items: &[(bool, usize)]) -> Document {
        let mut blocks = Vec::new();
        for (n, (heading, lines)) in items.iter().enumerate() {
            if *heading {
                blocks.push(Block::Heading {
                    para: para(format!("标题{n}社区工作"), FontRole::Heading, 8.0),
                    bookmark: None,
                    scorebox: Vec::new(),
                });
            } else {
                // 45 ideographs fill an A4 line at 10.5 pt, so `lines` lines and a bit.
                let text = "社区工作者队伍建设，".repeat(lines * 5 - 1);
                blocks.push(Block::Para(para(text, FontRole::Body, 4.0)));
            }
        }
        Document {
            title: String::new(),
            footer: None,
            duplex: false,
            blank_page_text: String::new(),
            corner_marks: false,
            seal_warning: String::new(),
            seal_fields: Vec::new(),
            autospace: true,
            continued: None,
            blocks,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_heading_is_never_the_last_line_of_a_page(
            // Each group: 0–2 headings (a section heading over a note title at most), then a paragraph.
            groups in prop::collection::vec((0usize..=2, 1usize..8), 1..25),
            height_mm in 90.0f32..300.0,
        ) {
            let items: Vec<(bool, usize)> = groups
                .iter()
                .flat_map(|&(headings, lines)| {
                    std::iter::repeat_n((true, 1), headings).chain(std::iter::once((false, lines)))
                })
                .collect();
            let fonts = FontSet::builtin();
            let setup = PageSetup { height: height_mm * crate::render::layout::MM, ..PageSetup::a4() };
            let out = layout(&document(&items), &fonts, &setup);
            for (p, page) in out.pages.iter().enumerate().take(out.pages.len() - 1) {
                // The page's last line: the text items on its lowest baseline.
                let bottom = page.items.iter().filter_map(|i| match i {
                    Item::Text { y, .. } => Some(*y),
                    _ => None,
                }).fold(f32::MIN, f32::max);
                for item in &page.items {
                    if let Item::Text { y, font, text, .. } = item {
                        prop_assert!(
                            !((y - bottom).abs() < 0.1 && *font == FontRole::Heading),
                            "page {} ends with the heading {text}", p + 1
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_long_table_repeats_its_header_row_on_the_next_page() {
        use crate::render::markup::{Cell, Table};
        let cell = |t: &str, role| Cell {
            runs: vec![Inline::Text {
                text: t.into(),
                role,
            }],
        };
        let mut rows = vec![vec![
            cell("名次", FontRole::Heading),
            cell("姓名", FontRole::Heading),
        ]];
        for n in 1..=80 {
            rows.push(vec![
                cell(&n.to_string(), FontRole::Body),
                cell("王小明", FontRole::Body),
            ]);
        }
        let mut doc = document(&[]);
        doc.blocks.push(Block::Table(Table {
            widths: vec![1.0, 2.0],
            rows,
            size: 9.0,
            row_em: 1.7,
            keep_rows: 1,
            width_share: 1.0,
            header_rows: 1,
        }));
        let out = layout(&doc, &FontSet::builtin(), &PageSetup::a4());
        assert!(out.pages.len() >= 2);
        for p in 0..out.pages.len() {
            let text = out.page_text(p);
            assert!(text.starts_with("名次姓名"), "page {}: {text:.40}", p + 1);
            assert_eq!(text.matches("名次").count(), 1);
        }
    }
}

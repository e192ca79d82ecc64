//! Pagination: stacks chunks (slices that never split) down columns and pages, keeping glued chunks
//! together and dropping space at the top of a column.

use crate::render::layout::PageSetup;
use crate::render::layout::frame::{Bookmark, Item, Page, shift_xy};

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
}

/// Places chunks on pages, column by column.
pub(in crate::render::layout) fn paginate(
    chunks: Vec<Chunk>,
    setup: &PageSetup,
) -> (Vec<Page>, Vec<Bookmark>) {
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

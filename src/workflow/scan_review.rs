//! review.pdf of `examgen scan`: one A4 page per sheet with doubtful marks — the scanned page with every
//! bubble outlined blue (filled), green (empty) or red (doubtful) — drawn with the PDF writer's own image
//! support, so the teacher corrects responses.csv by looking instead of re-scanning.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::input::images::Images;
use crate::render::PdfWriter;
use crate::render::fonts::{FontRole, FontSet};
use crate::render::layout::{Item, Layout, MM, Page, PageSetup};

/// One sheet to look at: a caption (file, page, id, variant, how many doubtful) and its review picture.
pub struct ReviewPage {
    pub caption: String,
    pub jpeg: Vec<u8>,
}

const LEGEND: &str = "蓝框：已涂　绿框：未涂　红框：存疑（请看图后在 responses.csv 中改正 ? 格）";

/// The review PDF and its page count; a single page saying so when no sheet has doubtful marks, so a
/// review.pdf left from an earlier run is never mistaken for this one's.
pub fn review_pdf(pages: &[ReviewPage]) -> Result<(Vec<u8>, usize)> {
    let fonts = FontSet::builtin();
    let images = Arc::new(Images::new());
    let setup = PageSetup::a4();
    let mut layout = Layout {
        title: "答题卡存疑复核 review".into(),
        setup,
        pages: Vec::new(),
        bookmarks: Vec::new(),
    };
    let text = |text: &str, y: f32, size: f32| Item::Text {
        x: 12.0 * MM,
        y,
        size,
        font: FontRole::Body,
        text: text.to_string(),
        spacing: 0.0,
    };
    for (i, p) in pages.iter().enumerate() {
        // A name no bank file can have: the picture only lives in this run's cache.
        let src = format!("<scan review {i}>.jpg");
        images
            .insert(Path::new(&src), p.jpeg.clone())
            .map_err(Error::internal)?;
        let picture = images.get(Path::new(&src)).map_err(Error::internal)?;
        let top = 20.0 * MM;
        let (room_w, room_h) = (setup.width - 24.0 * MM, setup.height - top - 8.0 * MM);
        let w = room_w.min(room_h / picture.aspect());
        let h = w * picture.aspect();
        layout.pages.push(Page {
            items: vec![
                text(&p.caption, 10.0 * MM, 10.0),
                text(LEGEND, 16.0 * MM, 8.0),
                Item::Image {
                    x: (setup.width - w) / 2.0,
                    y: top,
                    w,
                    h,
                    src,
                },
            ],
            spots: Vec::new(),
        });
    }
    if layout.pages.is_empty() {
        layout.pages.push(Page {
            items: vec![text(
                "没有存疑的答题卡：每个涂点都已读清。",
                20.0 * MM,
                12.0,
            )],
            spots: Vec::new(),
        });
    }
    let pictures = std::sync::Arc::new(crate::render::pictures::Pictures::new(&fonts, images));
    let n = layout.pages.len();
    Ok((PdfWriter::new(&fonts, pictures)?.write(&layout)?, n))
}

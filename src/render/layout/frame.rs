//! The frame model layout produces: pages of positioned items (text runs, lines, rectangles, fills, turned
//! text) in points from the page's top-left corner, and bookmarks. This is all the PDF writer sees.

use serde::Serialize;

use crate::render::fonts::FontRole;
use crate::render::layout::PageSetup;
pub use crate::render::layout::stamp::StampBox;

/// Writes a text item's text as the string it is.
fn shared_text<S: serde::Serializer>(text: &std::sync::Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
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
        /// Shared, not owned: the run's paragraph cache hands the same lines to every document that sets
        /// the paragraph, and copying them is then a count, not a string.
        #[serde(serialize_with = "shared_text")]
        text: std::sync::Arc<str>,
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
    /// A picture from a file, scaled into the box (x, y) – (x + w, y + h).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        src: String,
    },
    /// Text turned 90° anticlockwise (reads bottom to top), starting at (x, y): the seal line's labels.
    Turned {
        x: f32,
        y: f32,
        size: f32,
        font: FontRole,
        #[serde(serialize_with = "shared_text")]
        text: std::sync::Arc<str>,
    },
    /// A formula (`$…$` in bank text): its glyphs and rules at `size` points with the baseline's left end
    /// at (x, y); `tex` is its source.
    Formula {
        x: f32,
        y: f32,
        size: f32,
        font: FontRole,
        tex: String,
        #[serde(skip)]
        formula: std::sync::Arc<crate::math::layout::Formula>,
    },
    /// Nothing printed: where something a scanner reads back sits. Widgets place it beside what they draw
    /// so it moves with it; [`layout`](super::layout) lifts it out into [`Page::spots`].
    Spot(SpotBox),
    /// Nothing printed yet: a box reserved for a student's name, id or QR code in a document laid out once
    /// for a whole class; [`Layout::stamped`] puts one student's items in its place.
    Stamp(StampBox),
}

/// What a scanner looks for on an answer sheet, with the exact box it is printed in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Spot {
    /// A choice bubble: the printed question number and option label.
    Answer { question: String, option: String },
    /// A bubble of the 准考证号 grid: column (0 = leftmost) and digit.
    IdDigit { column: u32, digit: u8 },
    /// A bubble of the 试卷类型 row.
    Variant { letter: String },
    /// The QR code (its modules, quiet zone excluded).
    Qr,
    /// A corner mark, clockwise from the top left (0–3).
    CornerMark { corner: u8 },
}

/// A spot and its box, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpotBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub spot: Spot,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<Item>,
    /// Where bubbles, the QR code and the corner marks are (answer sheets; empty elsewhere).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spots: Vec<SpotBox>,
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
                    Item::Formula {
                        x, y, size, tex, ..
                    } => out.push_str(&format!("  formula {x:.1} {y:.1} {size} {tex}\n")),
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
                    Item::Image { x, y, w, h, src } => {
                        out.push_str(&format!("  image {x:.1} {y:.1} {w:.1} {h:.1} {src}\n"))
                    }
                    Item::Spot(s) => out.push_str(&format!(
                        "  spot {:.1} {:.1} {:.1} {:.1} {:?}\n",
                        s.x, s.y, s.w, s.h, s.spot
                    )),
                    Item::Stamp(s) => out.push_str(&format!("  stamp {s}\n")),
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
                    Some(&**text)
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Joins documents into one print file; each starts on an odd page when `duplex`. Bookmarks are one per
/// document, titled by `titles`.
pub fn concat(layouts: Vec<Layout>, titles: &[String], duplex: bool) -> Layout {
    let setup = layouts.first().map_or_else(PageSetup::a4, |l| l.setup);
    let title = layouts
        .first()
        .map_or_else(String::new, |l| l.title.clone());
    let mut pages: Vec<Page> = Vec::new();
    let mut bookmarks = Vec::new();
    // Pages are moved, not copied: a class's print file holds every page of every student.
    for (layout, title) in layouts.into_iter().zip(titles) {
        if duplex && pages.len() % 2 == 1 {
            pages.push(Page::default());
        }
        bookmarks.push(Bookmark {
            title: title.clone(),
            page: pages.len(),
            y: setup.top,
        });
        pages.extend(layout.pages);
    }
    Layout {
        title,
        setup,
        pages,
        bookmarks,
    }
}

/// Moves an item by (dx, dy).
pub(in crate::render::layout) fn shift_xy(item: &Item, dx: f32, dy: f32) -> Item {
    if let Item::Stamp(s) = item {
        return Item::Stamp(s.moved(dx, dy));
    }
    moved_xy(item.clone(), dx, dy)
}

/// `item` moved by (dx, dy), taken rather than copied: a page takes a paragraph's lines without copying
/// their text again. Down first, then across, as [`shift_xy`] (the same sums to the last bit); a stamp's
/// box records the move as one.
pub(in crate::render::layout) fn moved_xy(item: Item, dx: f32, dy: f32) -> Item {
    if let Item::Stamp(s) = item {
        return Item::Stamp(s.moved(dx, dy));
    }
    let mut item = moved(item, dy);
    match &mut item {
        Item::Text { x, .. }
        | Item::Formula { x, .. }
        | Item::Rect { x, .. }
        | Item::Fill { x, .. }
        | Item::Image { x, .. }
        | Item::Turned { x, .. }
        | Item::Spot(SpotBox { x, .. }) => *x += dx,
        Item::Line { x1, x2, .. } => {
            *x1 += dx;
            *x2 += dx;
        }
        Item::Stamp(_) => {}
    }
    item
}

/// Moves an item down by dy.
pub(in crate::render::layout) fn shift(item: &Item, dy: f32) -> Item {
    moved(item.clone(), dy)
}

/// `item` moved down by dy, taken rather than copied.
pub(in crate::render::layout) fn moved(mut item: Item, dy: f32) -> Item {
    match &mut item {
        Item::Text { y, .. } | Item::Formula { y, .. } => *y += dy,
        Item::Line { y1, y2, .. } => {
            *y1 += dy;
            *y2 += dy;
        }
        Item::Rect { y, .. }
        | Item::Fill { y, .. }
        | Item::Image { y, .. }
        | Item::Turned { y, .. }
        | Item::Spot(SpotBox { y, .. }) => *y += dy,
        Item::Stamp(s) => *s = s.moved(0.0, dy),
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::layout::stamp::{Stamp, StampBox};

    /// One item of every kind, at positions whose sums round.
    fn every_kind() -> Vec<Item> {
        vec![
            Item::Text {
                x: 0.1,
                y: 0.2,
                size: 10.5,
                font: FontRole::Body,
                text: "第1题".into(),
                spacing: 0.3,
            },
            Item::Line {
                x1: 0.7,
                y1: 1.3,
                x2: 100.1,
                y2: 1.3,
                width: 0.6,
                dashed: true,
            },
            Item::Rect {
                x: 3.3,
                y: 4.4,
                w: 5.0,
                h: 6.0,
                width: 0.5,
            },
            Item::Fill {
                x: 7.7,
                y: 8.8,
                w: 1.0,
                h: 1.0,
                shade: 0.0,
            },
            Item::Image {
                x: 9.9,
                y: 10.1,
                w: 20.0,
                h: 30.0,
                src: "a.png".into(),
            },
            Item::Turned {
                x: 11.1,
                y: 12.3,
                size: 9.0,
                font: FontRole::Heading,
                text: "密封线".into(),
            },
            Item::Spot(SpotBox {
                x: 13.7,
                y: 14.9,
                w: 2.0,
                h: 2.0,
                spot: Spot::Qr,
            }),
            Item::Stamp(StampBox::new(
                Stamp::Qr {
                    x: 1.0,
                    y: 2.0,
                    side: 30.0,
                },
                "code".into(),
            )),
        ]
    }

    #[test]
    fn an_item_taken_and_moved_lands_where_a_copy_moved_lands() {
        for item in every_kind() {
            for (dx, dy) in [(0.0, 56.69), (141.73, 0.1), (0.3, 0.7)] {
                assert_eq!(
                    moved_xy(item.clone(), dx, dy),
                    shift_xy(&item, dx, dy),
                    "{item:?}"
                );
                assert_eq!(moved(item.clone(), dy), shift(&item, dy), "{item:?}");
            }
        }
        // Moved twice, a stamp's box keeps both moves in order (replayed on its items when stamped).
        let stamp = every_kind().pop().unwrap();
        let twice = moved(moved_xy(stamp.clone(), 1.0, 2.0), 3.0);
        let expected = shift(&shift_xy(&stamp, 1.0, 2.0), 3.0);
        assert_eq!(twice, expected);
        assert_ne!(twice, stamp);
    }
}

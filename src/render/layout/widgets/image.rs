//! Pictures: the printed size of an image (asked-for width, its own size, never wider than the column nor
//! taller than most of a page) and the character-like piece that line breaking and options set.

use crate::input::figures::Width;
use crate::render::fonts::FontRole;
use crate::render::layout::linebreak::Piece;
use crate::render::layout::paragraph::Styled;
use crate::render::layout::{Engine, MM, PageSetup};
use crate::render::markup::Picture;

/// A picture may take this share of a column's height, so it still shares its page with its question.
const MAX_HEIGHT_SHARE: f32 = 0.8;

/// The printed (width, height) in points of a picture on `setup`'s column: the asked-for width (a share of
/// the column, millimetres, or the image's own `natural` width), never wider than the column nor taller than
/// most of a page. The Word writer sizes its pictures by the same rule.
pub fn picture_size(setup: &PageSetup, width: Width, natural: f32, aspect: f32) -> (f32, f32) {
    let column = setup.column_width();
    let asked = match width {
        Width::Auto => natural,
        Width::Share(share) => share * column,
        Width::Mm(mm) => mm * MM,
    };
    let mut w = asked.min(column).max(1.0);
    let mut h = w * aspect;
    let tallest = setup.text_height() * MAX_HEIGHT_SHARE;
    if h > tallest {
        w *= tallest / h;
        h = tallest;
    }
    (w, h)
}

impl Engine<'_> {
    /// The printed (width, height) of a picture in points.
    pub(in crate::render::layout) fn picture_size(&self, p: &Picture) -> (f32, f32) {
        picture_size(self.setup, p.width, p.natural, p.aspect)
    }

    /// A picture as a piece of a line: as wide as it prints, its file remembered by index.
    pub(in crate::render::layout) fn picture(&self, p: &Picture) -> Styled {
        let (w, h) = self.picture_size(p);
        let mut files = self.pictures.borrow_mut();
        let index = match files.iter().position(|f| *f == p.src) {
            Some(i) => i,
            None => {
                files.push(p.src.clone());
                files.len() - 1
            }
        };
        Styled {
            piece: Piece::new('\u{FFFC}', w),
            role: FontRole::Body,
            blank: false,
            advance: w,
            shift: 0.0,
            space_after: 0.0,
            image: Some((index, h)),
            formula: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::input::figures::Width;
    use crate::render::fonts::FontRole;
    use crate::render::layout::{Metrics, PageSetup, layout};
    use crate::render::markup::{Align, Block, Document, Inline, Para, Picture};

    struct Fixed;
    impl Metrics for Fixed {
        fn advance(&self, _: FontRole, _: char) -> f32 {
            1.0
        }
        fn ink(&self, _: FontRole, _: char) -> Option<(f32, f32)> {
            None
        }
    }

    fn doc(runs: Vec<Inline>) -> Document {
        Document {
            title: String::new(),
            footer: None,
            duplex: false,
            blank_page_text: String::new(),
            corner_marks: false,
            seal_warning: String::new(),
            seal_fields: Vec::new(),
            autospace: false,
            continued: None,
            blocks: vec![Block::Para(Para {
                runs,
                size: 10.5,
                align: Align::Justify,
                first_indent: 2.0,
                rest_indent: 0.0,
                space_before: 0.0,
                space_after: 0.0,
            })],
        }
    }

    fn pic(width: Width, aspect: f32) -> Inline {
        Inline::Image(Picture {
            src: "chart.png".into(),
            width,
            natural: 2000.0,
            aspect,
        })
    }

    #[test]
    fn a_lone_picture_is_centred_inside_the_margins() {
        let setup = PageSetup::a4();
        let l = layout(&doc(vec![pic(Width::Share(0.5), 0.6)]), &Fixed, &setup);
        let crate::render::layout::Item::Image { x, w, h, .. } = &l.pages[0].items[0] else {
            panic!("{:?}", l.pages[0].items)
        };
        assert!((w - setup.column_width() / 2.0).abs() < 0.01);
        assert!((h - w * 0.6).abs() < 0.01);
        let centre = x + w / 2.0;
        assert!(
            (centre - (setup.left + setup.column_width() / 2.0)).abs() < 0.5,
            "{x} {w}"
        );
    }

    #[test]
    fn a_huge_picture_is_scaled_to_the_column_and_the_page() {
        let setup = PageSetup::a4();
        let l = layout(&doc(vec![pic(Width::Auto, 3.0)]), &Fixed, &setup);
        let crate::render::layout::Item::Image { x, y, w, h, .. } = &l.pages[0].items[0] else {
            panic!()
        };
        assert!(*x >= setup.left && x + w <= setup.left + setup.column_width() + 0.01);
        assert!(*y >= setup.top && y + h <= setup.top + setup.text_height());
        assert!((h / w - 3.0).abs() < 0.01);
    }
}

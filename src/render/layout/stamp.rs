//! Documents laid out once for a whole class: a student's name, id and QR code are reserved boxes
//! ([`Item::Stamp`]) in a layout made from placeholder values, and [`Layout::stamped`] fills them with one
//! student's items — exactly the items a fresh layout of that student's document places, in the same order.
//!
//! A template writes a placeholder character ([`NAME`], [`ID`], [`CLASS`]) where the student's value goes;
//! the field line and the 准考证号 grid reserve boxes for values holding one, and the QR code beside the grid
//! reserves its square. Nothing here knows PDF: a stamped layout is a layout like any other.

use std::fmt;

use serde::Serialize;

use crate::render::fonts::FontRole;
use crate::render::layout::frame::{Item, Layout, shift_xy};
use crate::render::layout::{Engine, Metrics};

/// Stands for the student's name in a document laid out for a whole class (a private-use character no
/// bank or roster prints).
pub const NAME: char = '\u{F0E01}';
/// Stands for the student's id.
pub const ID: char = '\u{F0E02}';
/// Stands for the student's class.
pub const CLASS: char = '\u{F0E03}';

/// Whether `c` stands for a student's value.
pub fn is_placeholder(c: char) -> bool {
    matches!(c, NAME | ID | CLASS)
}

/// How many placeholder characters `text` holds.
pub fn placeholders_in(text: &str) -> usize {
    text.chars().filter(|c| is_placeholder(*c)).count()
}

/// One student's values, put where a prepared document holds placeholders.
#[derive(Debug, Clone, Copy)]
pub struct StampValues<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub class: &'a str,
}

impl StampValues<'_> {
    /// `template` with every placeholder replaced by the student's value.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        for c in template.chars() {
            match c {
                NAME => out.push_str(self.name),
                ID => out.push_str(self.id),
                CLASS => out.push_str(self.class),
                c => out.push(c),
            }
        }
        out
    }
}

/// What a reserved box becomes, in the coordinates of the widget that reserved it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Stamp {
    /// A field's value on its write-on line from `x`, `w` wide, at baseline `y`: centred on the line, or
    /// from its start when longer (as the field widget prints a known value); nothing when empty.
    Field { x: f32, y: f32, w: f32, size: f32 },
    /// The written digit of column `column` of the 准考证号 grid, centred in the box from `x`, `w` wide.
    IdDigit {
        column: usize,
        x: f32,
        y: f32,
        w: f32,
        size: f32,
    },
    /// The QR code's modules in the `side`-point square at (`x`, `y`).
    Qr { x: f32, y: f32, side: f32 },
}

/// A reserved box: what goes there, the text it prints with placeholders, and the moves the box made since
/// its widget placed it (replayed on the stamped items, in order, so they land where a fresh layout puts
/// them to the last bit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StampBox {
    pub stamp: Stamp,
    pub template: String,
    moves: Vec<(f32, f32)>,
}

impl StampBox {
    pub fn new(stamp: Stamp, template: String) -> StampBox {
        StampBox {
            stamp,
            template,
            moves: Vec::new(),
        }
    }

    /// The box moved by (dx, dy).
    pub(in crate::render::layout) fn moved(&self, dx: f32, dy: f32) -> StampBox {
        let mut moved = self.clone();
        moved.moves.push((dx, dy));
        moved
    }
}

impl fmt::Display for StampBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (dx, dy) = self
            .moves
            .iter()
            .fold((0.0, 0.0), |(x, y), (dx, dy)| (x + dx, y + dy));
        let (kind, x, y) = match self.stamp {
            Stamp::Field { x, y, .. } => ("field", x, y),
            Stamp::IdDigit { x, y, .. } => ("id-digit", x, y),
            Stamp::Qr { x, y, .. } => ("qr", x, y),
        };
        write!(f, "{kind} {:.1} {:.1} {:?}", x + dx, y + dy, self.template)
    }
}

impl Layout {
    /// Whether this layout has boxes reserved for a student (made from placeholder values).
    pub fn is_prepared(&self) -> bool {
        self.pages
            .iter()
            .flat_map(|p| &p.items)
            .any(|i| matches!(i, Item::Stamp(_)))
    }

    /// The texts this layout's reserved boxes print, placeholders and all: what a class's font subset
    /// must cover once the placeholders are every student's values.
    pub fn stamp_templates(&self) -> impl Iterator<Item = &str> {
        self.pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                Item::Stamp(s) => Some(s.template.as_str()),
                _ => None,
            })
    }

    /// One student's copy: every reserved box replaced by the items a fresh layout of the student's own
    /// document places there, measured with `metrics`. Pages without a reserved box are copied as they are.
    pub fn stamped(&self, values: &StampValues, metrics: &dyn Metrics) -> Layout {
        self.clone().into_stamped(values, metrics)
    }

    /// [`Layout::stamped`] made of this layout itself, for a prepared document only one copy is made
    /// of (a variant per student): its pages are moved, not copied.
    pub fn into_stamped(mut self, values: &StampValues, metrics: &dyn Metrics) -> Layout {
        let engine = Engine {
            metrics,
            setup: &self.setup,
            autospace: false,
            pictures: Default::default(),
            formulas: Default::default(),
            sheet_page: std::cell::Cell::new((1, 1)),
            paras: None,
        };
        for page in &mut self.pages {
            if !page.items.iter().any(|i| matches!(i, Item::Stamp(_))) {
                continue;
            }
            let prepared = std::mem::take(&mut page.items);
            let mut items = Vec::with_capacity(prepared.len() + 64);
            for item in prepared {
                match item {
                    Item::Stamp(s) => engine.stamp(&s, values, &mut items),
                    item => items.push(item),
                }
            }
            page.items = items;
        }
        self
    }
}

impl Engine<'_> {
    /// The items of one reserved box for `values`, moved as the box was, appended to `out`.
    fn stamp(&self, reserved: &StampBox, values: &StampValues, out: &mut Vec<Item>) {
        let text = values.fill(&reserved.template);
        let mut items = Vec::new();
        match reserved.stamp {
            Stamp::Field { x, y, w, size } => {
                if !text.is_empty() {
                    items.push(self.field_value(text, x, y, w, size));
                }
            }
            Stamp::IdDigit {
                column,
                x,
                y,
                w,
                size,
            } => {
                if let Some(c) = text.chars().nth(column) {
                    items.push(self.id_digit(c, x, y, w, size));
                }
            }
            Stamp::Qr { x, y, side } => {
                super::widgets::qr_fills(&text, x, y, side, &mut items);
            }
        }
        for mut item in items {
            for (dx, dy) in &reserved.moves {
                item = shift_xy(&item, *dx, *dy);
            }
            out.push(item);
        }
    }

    /// A field's known value on its line: centred, or from the line's start when longer than it.
    pub(in crate::render::layout) fn field_value(
        &self,
        value: String,
        x: f32,
        baseline: f32,
        w: f32,
        size: f32,
    ) -> Item {
        let vw = self.text_width(&value, FontRole::Body, size);
        Item::Text {
            x: x + ((w - vw) / 2.0).max(0.0),
            y: baseline,
            size,
            font: FontRole::Body,
            text: value.into(),
            spacing: 0.0,
        }
    }

    /// A digit written in the id grid's box from `x`, `w` wide, at baseline `y`.
    pub(in crate::render::layout) fn id_digit(
        &self,
        c: char,
        x: f32,
        y: f32,
        w: f32,
        size: f32,
    ) -> Item {
        let s = c.to_string();
        let lw = self.text_width(&s, FontRole::Body, size);
        Item::Text {
            x: x + (w - lw) / 2.0,
            y,
            size,
            font: FontRole::Body,
            text: s.into(),
            spacing: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;
    use crate::render::layout::{PageSetup, frame::Item, layout};
    use crate::render::markup;

    /// A sheet-like document: fields on a line, fields in a box (moved twice), the id grid with its QR code.
    fn document(name: &str, id: &str, class: &str, code: &str) -> markup::Document {
        let xml = format!(
            r#"<document title="t" footer="第{{page}}页 共{{pages}}页">
  <p>前言</p>
  <fields size="10.5"><field label="姓名" em="7" value="{name}"/><field label="班级" em="6" value="{class}"/></fields>
  <box title="考生"><fields size="9"><field label="考号" em="3" value="{id}"/></fields></box>
  <digits count="8" value="{id}" qr="{code}" size="8"/>
</document>"#
        );
        markup::parse(&xml, "test").unwrap()
    }

    #[test]
    fn a_stamped_layout_is_the_fresh_layout_of_the_students_own_document() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let (n, i, c) = (NAME.to_string(), ID.to_string(), CLASS.to_string());
        let prepared = layout(
            &document(&n, &i, &c, &format!("EXAMGEN|d|A|1|{ID}")),
            &fonts,
            &setup,
        );
        assert!(prepared.is_prepared());
        // Two fields, the boxed id field, eight id digits and the QR code.
        assert_eq!(prepared.stamp_templates().count(), 12);
        for (name, id, class) in [
            ("张喆", "20250001", "社工1班"),
            ("欧阳翀堃", "2025000123", ""),
            ("Li", "7", "一班"),
        ] {
            let values = StampValues { name, id, class };
            let stamped = prepared.stamped(&values, &fonts);
            let fresh = layout(
                &document(name, id, class, &format!("EXAMGEN|d|A|1|{id}")),
                &fonts,
                &setup,
            );
            assert!(!stamped.is_prepared());
            // Every item, in order and to the last bit of every coordinate.
            assert_eq!(stamped, fresh, "{name}");
            // The prepared layout moved into the copy makes the same copy.
            assert_eq!(prepared.clone().into_stamped(&values, &fonts), fresh);
            assert!(stamped.page_text(0).contains(name));
        }
    }

    #[test]
    fn a_reserved_box_prints_nothing_until_stamped_and_an_empty_value_prints_nothing() {
        let fonts = FontSet::builtin();
        let doc = document(&NAME.to_string(), "", &CLASS.to_string(), "");
        let prepared = layout(&doc, &fonts, &PageSetup::a4());
        let text = prepared.page_text(0);
        assert!(!text.contains(NAME) && !text.contains(CLASS));
        let values = StampValues {
            name: "王赟",
            id: "",
            class: "",
        };
        let stamped = prepared.stamped(&values, &fonts);
        let texts: Vec<&Item> = stamped.pages[0]
            .items
            .iter()
            .filter(|i| matches!(i, Item::Text { text, .. } if &**text == "王赟"))
            .collect();
        assert_eq!(texts.len(), 1);
        assert_eq!(
            stamped.pages[0].items.len(),
            prepared.pages[0].items.len() - 1
        );
    }

    #[test]
    fn placeholders_are_filled_with_the_students_values() {
        let values = StampValues {
            name: "张三",
            id: "42",
            class: "",
        };
        assert_eq!(
            values.fill(&format!("{NAME}（{ID}）{CLASS}|")),
            "张三（42）|"
        );
        assert_eq!(placeholders_in(&format!("a{NAME}b{ID}")), 2);
    }
}

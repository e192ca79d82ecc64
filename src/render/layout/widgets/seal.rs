//! The seal line (密封线) down the binding margin of odd sides, with the template's warning and fields.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::{Item, Page};
use crate::render::layout::{Engine, MM};

impl Engine<'_> {
    /// The seal line (密封线): a dashed line down the binding margin with the template's warning along it
    /// (「密封线内不要答题」) and its write-on fields outside it (学校/班级/姓名/考号), all turned to read from
    /// the bottom. The words are the template's, so an override changes them.
    pub(in crate::render::layout) fn seal_line(
        &self,
        page: &mut Page,
        warning: &str,
        fields: &[(String, f32)],
    ) {
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
        if !warning.is_empty() {
            self.seal_warning(page, warning, line_x, top, bottom, size);
        }
        // Fields, bottom to top, as the template lists them.
        let fields_x = s.left - 20.0 * MM;
        let mut y = bottom - 10.0 * MM;
        for (label, length) in fields {
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

    /// The warning spaced out along the middle of the line, on a white band so the dashes do not cross it.
    fn seal_warning(
        &self,
        page: &mut Page,
        warning: &str,
        line_x: f32,
        top: f32,
        bottom: f32,
        size: f32,
    ) {
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
    }
}

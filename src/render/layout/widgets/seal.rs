//! The seal line (密封线) down the binding margin of odd sides, with the template's warning and fields.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::{Item, Page};
use crate::render::layout::{Engine, MM};

impl Engine<'_> {
    /// The seal line (密封线): a dashed line down the binding margin with 「密封线内不要答题」 along it, and the
    /// 学校/班级/姓名/考号 fields outside it, all turned to read from the bottom.
    pub(in crate::render::layout) fn seal_line(&self, page: &mut Page) {
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
}

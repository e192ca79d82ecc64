//! The seal line (密封线) down the binding margin of odd sides, with the template's warning and fields.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::{Item, Page};
use crate::render::layout::{Engine, MM};

/// The seal line's nearest approach to the sheet's edge: printers leave about this much blank.
const EDGE: f32 = 5.0 * MM;

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
        let size = 9.0;
        // With a narrow binding margin (--margin under 10 mm) the fields keep clear of the sheet's edge
        // (turned text reaches about half a size to the left of its column) and the line keeps clear of
        // the fields; both stay left of the text.
        let fields_x = (s.left - 20.0 * MM).max(EDGE + size * 0.6);
        let line_x = (s.left - 9.0 * MM).max(fields_x + 6.0 * MM);
        let (top, bottom) = (s.top, s.height - s.bottom);
        page.items.push(Item::Line {
            x1: line_x,
            y1: top,
            x2: line_x,
            y2: bottom,
            width: 0.6,
            dashed: true,
        });
        if !warning.is_empty() {
            self.seal_warning(page, warning, line_x, top, bottom, size);
        }
        // Fields, bottom to top, as the template lists them. Lines too long for a short page are shortened
        // together; a field that still does not fit is left off rather than run off the sheet.
        let labels: Vec<(String, f32)> = fields
            .iter()
            .map(|(label, _)| {
                let text = format!("{label}：");
                let w = self.text_width(&text, FontRole::Body, size);
                (text, w)
            })
            .collect();
        let gap = 8.0 * MM;
        let start = bottom - 10.0 * MM;
        let fixed: f32 = labels.iter().map(|(_, w)| w).sum::<f32>()
            + gap * fields.len().saturating_sub(1) as f32;
        let lines: f32 = fields.iter().map(|(_, l)| l * MM).sum();
        let room = start - top;
        let scale = if fixed + lines > room && lines > 0.0 {
            ((room - fixed) / lines).clamp(0.3, 1.0)
        } else {
            1.0
        };
        let mut y = start;
        for ((_, length), (text, tw)) in fields.iter().zip(labels) {
            let length = length * scale;
            if y - tw - length * MM < top {
                break;
            }
            page.items.push(Item::Turned {
                x: fields_x + size * 0.35,
                y,
                size,
                font: FontRole::Body,
                text: text.into(),
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
            y = to - gap;
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
            text: spaced.into(),
        });
    }
}

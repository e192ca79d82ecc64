//! Vertical bar charts (the grade report's histogram and section averages).

use crate::render::fonts::FontRole;
use crate::render::layout::frame::Item;
use crate::render::layout::paginate::Chunk;
use crate::render::layout::{Engine, MM};

impl Engine<'_> {
    /// A vertical bar chart with a base line, values above the bars and labels below.
    pub(in crate::render::layout) fn bars(
        &self,
        bars: &[(String, f32)],
        max: Option<f32>,
        height_mm: f32,
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let top = size * 1.6;
        let chart_h = height_mm * MM;
        let base = top + chart_h;
        let largest = max
            .unwrap_or_else(|| bars.iter().map(|b| b.1).fold(0.0, f32::max))
            .max(f32::EPSILON);
        let slot = width / bars.len().max(1) as f32;
        let mut items = vec![Item::Line {
            x1: x,
            y1: base,
            x2: x + width,
            y2: base,
            width: 0.6,
            dashed: false,
        }];
        for (i, (label, value)) in bars.iter().enumerate() {
            let bar_w = slot * 0.6;
            let bx = x + i as f32 * slot + (slot - bar_w) / 2.0;
            let h = (value / largest).clamp(0.0, 1.0) * chart_h;
            if h > 0.0 {
                items.push(Item::Fill {
                    x: bx,
                    y: base - h,
                    w: bar_w,
                    h,
                    shade: 0.65,
                });
            }
            let shown = if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            };
            let vw = self.text_width(&shown, FontRole::Body, size);
            items.push(Item::Text {
                x: bx + (bar_w - vw) / 2.0,
                y: base - h - size * 0.4,
                size,
                font: FontRole::Body,
                text: shown.into(),
                spacing: 0.0,
            });
            let lw = self.text_width(label, FontRole::Body, size);
            let lx = x + i as f32 * slot + ((slot - lw) / 2.0).max(0.0);
            items.push(Item::Text {
                x: lx,
                y: base + size * 1.3,
                size,
                font: FontRole::Body,
                text: label.as_str().into(),
                spacing: 0.0,
            });
        }
        Chunk {
            height: base + size * 2.0,
            items,
            ..Chunk::default()
        }
    }
}

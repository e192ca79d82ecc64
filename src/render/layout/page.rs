//! Page formats: paper size, margins, columns and the seal line's binding margin, in points.

use serde::Serialize;

/// Page size and margins in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageSetup {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
    /// Line height as a multiple of the font size.
    pub leading: f32,
    /// Space above each question, as a share of its line height.
    pub question_gap: f32,
    /// Columns per page side (A3/B4 exam papers: 2).
    pub columns: usize,
    /// Space between columns.
    pub gutter: f32,
    /// A seal line (密封线) in the left margin of every odd side.
    pub seal: bool,
}

pub const MM: f32 = 72.0 / 25.4;

/// How tightly a document is set: `compact` fits more on a page, `roomy` leaves room to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    Compact,
    #[default]
    Normal,
    Roomy,
}

impl Density {
    pub const NAMES: &'static [&'static str] = &["compact", "normal", "roomy"];

    pub fn named(name: &str) -> Option<Density> {
        Some(match name {
            "compact" => Density::Compact,
            "normal" => Density::Normal,
            "roomy" => Density::Roomy,
            _ => return None,
        })
    }
}

impl PageSetup {
    /// A4 portrait with 20 mm margins (a little more at the bottom for the footer).
    pub fn a4() -> PageSetup {
        PageSetup {
            width: 210.0 * MM,
            height: 297.0 * MM,
            top: 20.0 * MM,
            bottom: 22.0 * MM,
            left: 20.0 * MM,
            right: 20.0 * MM,
            leading: 1.5,
            question_gap: 0.35,
            columns: 1,
            gutter: 0.0,
            seal: false,
        }
    }

    /// A named page format: a4, b5, 16k (184×260 mm) portrait; a3-2col and b4-2col landscape in two columns.
    pub fn named(name: &str) -> Option<PageSetup> {
        let portrait = |w: f32, h: f32, margin: f32| PageSetup {
            width: w * MM,
            height: h * MM,
            top: margin * MM,
            bottom: (margin + 2.0) * MM,
            left: margin * MM,
            right: margin * MM,
            ..PageSetup::a4()
        };
        let two_columns = |w: f32, h: f32| PageSetup {
            width: w * MM,
            height: h * MM,
            top: 18.0 * MM,
            bottom: 20.0 * MM,
            // The binding margin holds the seal line on odd sides.
            left: 32.0 * MM,
            right: 18.0 * MM,
            columns: 2,
            gutter: 16.0 * MM,
            seal: true,
            ..PageSetup::a4()
        };
        Some(match name {
            "a4" => PageSetup::a4(),
            "b5" => portrait(176.0, 250.0, 18.0),
            "16k" => portrait(184.0, 260.0, 18.0),
            "a3-2col" | "a3" => two_columns(420.0, 297.0),
            "b4-2col" | "b4" | "8k-2col" => two_columns(364.0, 257.0),
            _ => return None,
        })
    }

    /// Every margin set to `mm` (the seal's binding margin stays wider).
    pub fn with_margin(mut self, mm: f32) -> PageSetup {
        self.top = mm * MM;
        self.bottom = (mm + 2.0) * MM;
        self.right = mm * MM;
        self.left = if self.seal { (mm + 14.0) * MM } else { mm * MM };
        self
    }

    /// The vertical rhythm of a density: line height and the space between questions.
    pub fn with_density(mut self, density: Density) -> PageSetup {
        (self.leading, self.question_gap) = match density {
            Density::Compact => (1.38, 0.2),
            Density::Normal => (1.5, 0.35),
            Density::Roomy => (1.75, 0.8),
        };
        self
    }

    pub fn text_width(&self) -> f32 {
        self.width - self.left - self.right
    }

    /// Width of one column of text.
    pub fn column_width(&self) -> f32 {
        (self.text_width() - self.gutter * (self.columns.max(1) - 1) as f32)
            / self.columns.max(1) as f32
    }

    /// Left edge of column `c`.
    pub fn column_x(&self, c: usize) -> f32 {
        self.left + c as f32 * (self.column_width() + self.gutter)
    }

    pub fn text_height(&self) -> f32 {
        self.height - self.top - self.bottom
    }
}

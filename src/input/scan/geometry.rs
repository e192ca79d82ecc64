//! Where everything a reader looks for sits on a printed answer sheet, in millimetres: the page, the four
//! corner marks, the QR code and every bubble with what filling it means. Layout writes it into the
//! manifest; the reader never guesses positions from the image alone.

use serde::{Deserialize, Serialize};

/// The printed answer sheet as the reader needs it. All lengths are millimetres measured from the
/// page's top-left corner with y growing downwards — the frame layout draws in (there in points).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetGeometry {
    /// Page width in mm (A4 portrait: 210).
    pub page_width_mm: f32,
    /// Page height in mm (A4 portrait: 297).
    pub page_height_mm: f32,
    /// The four solid squares near the page corners, one per [`Corner`].
    pub corner_marks: Vec<CornerMark>,
    /// The box the QR code (quiet zone excluded) is printed in.
    pub qr_code: BoxMm,
    /// The choice questions on the sheet, in printed order, with how their bubbles are to be read.
    pub questions: Vec<QuestionSlot>,
    /// Every bubble: its printed box and what filling it means.
    pub bubbles: Vec<Bubble>,
}

/// A rectangle in mm: top-left corner, width and height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoxMm {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Which corner of the page (as printed, upright) a corner mark is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomRight,
    BottomLeft,
}

impl Corner {
    /// Clockwise from the top left, the order the registration walks the page in.
    pub const CLOCKWISE: [Corner; 4] = [
        Corner::TopLeft,
        Corner::TopRight,
        Corner::BottomRight,
        Corner::BottomLeft,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Corner::TopLeft => "top-left",
            Corner::TopRight => "top-right",
            Corner::BottomRight => "bottom-right",
            Corner::BottomLeft => "bottom-left",
        }
    }
}

/// A solid black square printed near a page corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CornerMark {
    pub corner: Corner,
    /// Centre of the square, mm.
    pub centre_x: f32,
    pub centre_y: f32,
    /// Side length of the square, mm.
    pub size: f32,
}

/// How a choice question's bubbles are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChoiceKind {
    /// Exactly one letter (单项选择题); two marks make it doubtful.
    Single,
    /// Any number of letters (多项选择题).
    Multiple,
    /// √ or × (判断题); read like a single choice.
    Judge,
}

/// One choice question on the sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSlot {
    /// The printed question number (1-based, as in the answers CSV).
    pub number: u32,
    pub kind: ChoiceKind,
}

/// One printed bubble: its box and what a mark in it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bubble {
    /// The printed outline's box.
    #[serde(rename = "box")]
    pub area: BoxMm,
    #[serde(flatten)]
    pub meaning: BubbleMeaning,
}

/// What filling a bubble says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BubbleMeaning {
    /// An answer: question number and the printed option ("A"…, or "√"/"×" for judge questions).
    Answer { question: u32, option: String },
    /// One digit of the 准考证号 grid: the column (0 = leftmost digit) and the digit 0–9.
    IdDigit { column: u32, digit: u8 },
    /// One letter of the 试卷类型 row (A, B, …).
    Variant { letter: String },
}

impl SheetGeometry {
    /// The numbers of the questions where several letters may be meant.
    pub fn multiple_choice_questions(&self) -> std::collections::HashSet<u32> {
        self.questions
            .iter()
            .filter(|q| q.kind == ChoiceKind::Multiple)
            .map(|q| q.number)
            .collect()
    }

    /// The mark printed in `corner`, if the geometry has one.
    pub fn mark(&self, corner: Corner) -> Option<&CornerMark> {
        self.corner_marks.iter().find(|m| m.corner == corner)
    }

    /// Number of 准考证号 digit columns (0 when the sheet has no id grid).
    pub fn id_columns(&self) -> usize {
        self.bubbles
            .iter()
            .filter_map(|b| match b.meaning {
                BubbleMeaning::IdDigit { column, .. } => Some(column as usize + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Checks what the reader relies on: one mark per corner, every answer bubble's question listed.
    pub fn validate(&self) -> Result<(), String> {
        for corner in Corner::CLOCKWISE {
            let n = self
                .corner_marks
                .iter()
                .filter(|m| m.corner == corner)
                .count();
            if n != 1 {
                return Err(format!(
                    "the sheet geometry has {n} {} corner marks, not one",
                    corner.name()
                ));
            }
        }
        for b in &self.bubbles {
            if let BubbleMeaning::Answer { question, .. } = &b.meaning
                && !self.questions.iter().any(|q| q.number == *question)
            {
                return Err(format!(
                    "the sheet geometry has a bubble for question {question}, which it does not list"
                ));
            }
            if b.area.w <= 0.0 || b.area.h <= 0.0 {
                return Err("the sheet geometry has a bubble of zero size".into());
            }
        }
        Ok(())
    }
}

impl BoxMm {
    pub fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The box moved in by `dx` on the left and right and `dy` on the top and bottom.
    pub fn shrunk(&self, dx: f32, dy: f32) -> BoxMm {
        BoxMm {
            x: self.x + dx,
            y: self.y + dy,
            w: (self.w - 2.0 * dx).max(0.0),
            h: (self.h - 2.0 * dy).max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_json_names_what_each_bubble_means() {
        let g = SheetGeometry {
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            corner_marks: Corner::CLOCKWISE
                .iter()
                .map(|&corner| CornerMark {
                    corner,
                    centre_x: 10.5,
                    centre_y: 10.5,
                    size: 5.0,
                })
                .collect(),
            qr_code: BoxMm {
                x: 170.0,
                y: 20.0,
                w: 22.0,
                h: 22.0,
            },
            questions: vec![QuestionSlot {
                number: 1,
                kind: ChoiceKind::Judge,
            }],
            bubbles: vec![
                Bubble {
                    area: BoxMm {
                        x: 1.0,
                        y: 2.0,
                        w: 5.0,
                        h: 3.2,
                    },
                    meaning: BubbleMeaning::Answer {
                        question: 1,
                        option: "√".into(),
                    },
                },
                Bubble {
                    area: BoxMm {
                        x: 1.0,
                        y: 2.0,
                        w: 5.0,
                        h: 3.2,
                    },
                    meaning: BubbleMeaning::IdDigit {
                        column: 3,
                        digit: 7,
                    },
                },
            ],
        };
        let json = serde_json::to_string(&g).unwrap();
        assert!(
            json.contains(r#""kind":"answer","question":1,"option":"√""#),
            "{json}"
        );
        assert!(
            json.contains(r#""kind":"id-digit","column":3,"digit":7"#),
            "{json}"
        );
        assert!(json.contains(r#""corner":"bottom-left""#), "{json}");
        let back: SheetGeometry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g);
        assert_eq!(g.id_columns(), 4);
        assert!(g.validate().is_ok());
        let mut bad = g.clone();
        bad.questions.clear();
        assert!(bad.validate().unwrap_err().contains("question 1"));
    }
}

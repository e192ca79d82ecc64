//! Reading the bubbles: darkness inside each printed box, a filled/empty threshold fitted to this one sheet,
//! the doubtful band between them, and what the marks say per question, id column and variant row.

use serde::{Deserialize, Serialize};

use super::geometry::{BoxMm, BubbleMeaning, ChoiceKind, SheetGeometry};
use super::homography::Homography;
use super::marks::Prepared;

/// What one bubble was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BubbleState {
    Empty,
    Filled,
    /// Between the two populations: a light mark, an erasure, a smudge. A person decides.
    Doubtful,
}

/// One bubble's measurement, in the order of [`SheetGeometry::bubbles`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BubbleReading {
    /// Mean darkness inside the box (outline excluded): 0 paper white, 1 black.
    pub darkness: f32,
    pub state: BubbleState,
}

/// The two levels fitted on this sheet and the band between them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Darkness of a printed, unmarked bubble (its label included).
    pub empty: f32,
    /// Typical darkness of a filled bubble; `None` when nothing on the sheet looks filled.
    pub filled: Option<f32>,
    /// At or below: empty.
    pub empty_below: f32,
    /// At or above: filled. In between: doubtful.
    pub filled_above: f32,
    /// The single best cut between the two populations, for a best guess at a doubtful mark.
    pub threshold: f32,
}

/// Darkness a mark must add to the empty level before it can count as filled at all: below it the sheet
/// has no marks, only noise and print.
const MIN_FILL_CONTRAST: f32 = 0.15;
/// Fractions of the way from the empty to the filled level bounding the doubtful band.
const EMPTY_FRACTION: f32 = 0.2;
const FILLED_FRACTION: f32 = 0.6;
/// Margins trimmed inside the printed box so its outline does not count (mm, each side).
const INSET_X: f32 = 0.65;
const INSET_Y: f32 = 0.55;

/// Mean darkness inside each bubble's box, shrunk away from the printed outline.
pub(crate) fn measure(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> Vec<Option<f32>> {
    geom.bubbles
        .iter()
        .map(|b| box_darkness(page, &b.area.shrunk(INSET_X, INSET_Y), h))
        .collect()
}

fn box_darkness(page: &Prepared, a: &BoxMm, h: &Homography) -> Option<f32> {
    let (cx, cy) = a.centre();
    let ppm = h.local_scale(cx as f64, cy as f64) as f32;
    // About one sample per pixel up to ~150 dpi, then a fixed 20 × 12 grid: enough to average out noise
    // and grain without the cost growing with the scanner's resolution.
    let nx = ((a.w * ppm).round() as usize).clamp(4, 20);
    let ny = ((a.h * ppm).round() as usize).clamp(3, 12);
    let (mut sum, mut n) = (0.0f32, 0u32);
    for j in 0..ny {
        let y = a.y + a.h * (j as f32 + 0.5) / ny as f32;
        for i in 0..nx {
            let x = a.x + a.w * (i as f32 + 0.5) / nx as f32;
            let (u, v) = h.map_f32(x, y);
            sum += page.darkness(u, v)?;
            n += 1;
        }
    }
    Some(sum / n as f32)
}

fn median(v: &mut [f32]) -> f32 {
    v.sort_unstable_by(f32::total_cmp);
    v[v.len() / 2]
}

/// Fits the empty and filled levels to the darknesses of one sheet's bubbles (two populations split by
/// iterating their midpoint), then cuts each bubble into empty, doubtful or filled.
pub fn classify(darkness: &[f32]) -> (Vec<BubbleState>, Levels) {
    if darkness.is_empty() {
        let l = Levels {
            empty: 0.0,
            filled: None,
            empty_below: 1.0,
            filled_above: 1.0,
            threshold: 1.0,
        };
        return (Vec::new(), l);
    }
    let mut all = darkness.to_vec();
    let mut empty = median(&mut all);
    let max = darkness.iter().copied().fold(0.0f32, f32::max);
    // How much unmarked bubbles vary: print, paper and scanner noise.
    let mut dev: Vec<f32> = darkness
        .iter()
        .filter(|&&d| d <= empty + 0.1)
        .map(|&d| (d - empty).abs())
        .collect();
    let spread = if dev.is_empty() {
        0.0
    } else {
        median(&mut dev)
    };
    let noise_floor = empty + (6.0 * spread).max(0.06);

    let mut filled = None;
    if max - empty >= MIN_FILL_CONTRAST {
        let mut t = (empty + max) / 2.0;
        for _ in 0..20 {
            let mut lo: Vec<f32> = darkness.iter().copied().filter(|&d| d < t).collect();
            let mut hi: Vec<f32> = darkness.iter().copied().filter(|&d| d >= t).collect();
            if lo.is_empty() || hi.is_empty() {
                break;
            }
            let (e, f) = (median(&mut lo), median(&mut hi));
            let nt = (e + f) / 2.0;
            empty = e;
            filled = Some(f);
            if (nt - t).abs() < 1e-4 {
                break;
            }
            t = nt;
        }
        if filled.is_some_and(|f| f - empty < MIN_FILL_CONTRAST) {
            filled = None;
        }
    }
    let levels = match filled {
        Some(f) => {
            let empty_below = (empty + EMPTY_FRACTION * (f - empty)).max(noise_floor);
            let filled_above = (empty + FILLED_FRACTION * (f - empty)).max(empty_below);
            Levels {
                empty,
                filled: Some(f),
                empty_below,
                filled_above,
                threshold: ((empty + f) / 2.0).max(empty_below),
            }
        }
        // Nothing looks filled: marks above the noise are doubtful rather than silently blank.
        None => Levels {
            empty,
            filled: None,
            empty_below: noise_floor,
            filled_above: f32::INFINITY,
            threshold: f32::INFINITY,
        },
    };
    let states = darkness
        .iter()
        .map(|&d| {
            if d <= levels.empty_below {
                BubbleState::Empty
            } else if d >= levels.filled_above {
                BubbleState::Filled
            } else {
                BubbleState::Doubtful
            }
        })
        .collect();
    (states, levels)
}

/// What a group of bubbles (a question, the variant row) was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceReading {
    /// The options read as clearly filled, in printed order ("" = none).
    pub letters: String,
    /// A person must look: a doubtful mark, or two marks where one is allowed.
    pub doubtful: bool,
    /// The most likely answer: `letters` when not doubtful, else the reader's best guess.
    pub best: String,
}

/// One question's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerReading {
    pub question: u32,
    pub kind: ChoiceKind,
    #[serde(flatten)]
    pub reading: ChoiceReading,
}

/// One 准考证号 column's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDigitReading {
    pub column: u32,
    /// The digit read when exactly one is clearly filled.
    pub digit: Option<u8>,
    /// No mark, two marks or a doubtful one.
    pub doubtful: bool,
    /// The darkest mark in the column, if any bubble in it is not empty.
    pub best: Option<u8>,
}

/// Bubbles of one group: option label, darkness, state.
type Group<'a> = Vec<(&'a str, f32, BubbleState)>;

/// Reads a group where one mark is allowed (single choice, judge, variant row, an id column); the best
/// guess at a doubtful group is its darkest mark.
fn read_one(group: &Group) -> ChoiceReading {
    let filled: Vec<&(&str, f32, BubbleState)> = group
        .iter()
        .filter(|b| b.2 == BubbleState::Filled)
        .collect();
    let doubtful = group.iter().any(|b| b.2 == BubbleState::Doubtful) || filled.len() > 1;
    let letters: String = filled.iter().map(|b| b.0).collect();
    let best = if doubtful {
        group
            .iter()
            .filter(|b| b.2 != BubbleState::Empty)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|b| b.0.to_string())
            .unwrap_or_default()
    } else {
        letters.clone()
    };
    ChoiceReading {
        letters,
        doubtful,
        best,
    }
}

/// Reads a multiple-choice group: any number of marks; any doubtful one makes the question doubtful.
fn read_many(group: &Group, levels: &Levels) -> ChoiceReading {
    let letters: String = group
        .iter()
        .filter(|b| b.2 == BubbleState::Filled)
        .map(|b| b.0)
        .collect();
    let doubtful = group.iter().any(|b| b.2 == BubbleState::Doubtful);
    let best = if doubtful {
        group
            .iter()
            .filter(|b| b.2 == BubbleState::Filled || b.1 >= levels.threshold)
            .map(|b| b.0)
            .collect()
    } else {
        letters.clone()
    };
    ChoiceReading {
        letters,
        doubtful,
        best,
    }
}

/// Everything the bubbles say, grouped.
pub(crate) struct Interpretation {
    pub answers: Vec<AnswerReading>,
    pub id: Vec<IdDigitReading>,
    pub variant: Option<ChoiceReading>,
}

pub(crate) fn interpret(
    geom: &SheetGeometry,
    readings: &[BubbleReading],
    levels: &Levels,
) -> Interpretation {
    let answers = geom
        .questions
        .iter()
        .map(|q| {
            let group: Group = geom
                .bubbles
                .iter()
                .zip(readings)
                .filter_map(|(b, r)| match &b.meaning {
                    BubbleMeaning::Answer { question, option } if *question == q.number => {
                        Some((option.as_str(), r.darkness, r.state))
                    }
                    _ => None,
                })
                .collect();
            let reading = match q.kind {
                ChoiceKind::Multiple => read_many(&group, levels),
                ChoiceKind::Single | ChoiceKind::Judge => read_one(&group),
            };
            AnswerReading {
                question: q.number,
                kind: q.kind,
                reading,
            }
        })
        .collect();

    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut id: Vec<IdDigitReading> = (0..geom.id_columns() as u32)
        .map(|column| {
            let group: Group = geom
                .bubbles
                .iter()
                .zip(readings)
                .filter_map(|(b, r)| match b.meaning {
                    BubbleMeaning::IdDigit { column: c, digit } if c == column && digit < 10 => {
                        Some((DIGITS[digit as usize], r.darkness, r.state))
                    }
                    _ => None,
                })
                .collect();
            let r = read_one(&group);
            let blank = group.iter().all(|b| b.2 == BubbleState::Empty);
            IdDigitReading {
                column,
                digit: if r.doubtful || blank {
                    None
                } else {
                    r.letters.parse().ok()
                },
                // A column with no mark is doubtful too: the student skipped a digit.
                doubtful: r.doubtful || blank,
                best: r.best.parse().ok(),
            }
        })
        .collect();
    // Ids shorter than the grid leave its last columns blank; only those are not doubtful, and a grid
    // left blank altogether (a personalised sheet) reads as no id at all.
    for d in id.iter_mut().rev() {
        let blank = d.digit.is_none() && d.best.is_none();
        if !blank {
            break;
        }
        d.doubtful = false;
    }

    let variant_group: Group = geom
        .bubbles
        .iter()
        .zip(readings)
        .filter_map(|(b, r)| match &b.meaning {
            BubbleMeaning::Variant { letter } => Some((letter.as_str(), r.darkness, r.state)),
            _ => None,
        })
        .collect();
    let variant = (!variant_group.is_empty()).then(|| read_one(&variant_group));
    Interpretation {
        answers,
        id,
        variant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels_of(d: &[f32]) -> (Vec<BubbleState>, Levels) {
        classify(d)
    }

    #[test]
    fn threshold_follows_the_sheet_light_pencil_and_dark_toner_alike() {
        // 40 empty bubbles around 0.06, 10 filled: once with light pencil (0.35), once with toner (0.9).
        for filled in [0.35f32, 0.9] {
            let mut d: Vec<f32> = (0..40).map(|i| 0.05 + (i % 5) as f32 * 0.005).collect();
            d.extend((0..10).map(|i| filled + (i % 3) as f32 * 0.01));
            let (states, l) = levels_of(&d);
            assert!(
                states[..40].iter().all(|s| *s == BubbleState::Empty),
                "{l:?}"
            );
            assert!(
                states[40..].iter().all(|s| *s == BubbleState::Filled),
                "{l:?}"
            );
            // A mark at half the filled level is doubtful on both sheets.
            let half = 0.06 + (filled - 0.06) * 0.45;
            let mut with = d.clone();
            with.push(half);
            let (states, _) = levels_of(&with);
            assert_eq!(
                *states.last().unwrap(),
                BubbleState::Doubtful,
                "filled {filled}"
            );
        }
    }

    #[test]
    fn a_sheet_without_marks_reads_empty_and_a_lone_light_mark_is_doubtful() {
        let d: Vec<f32> = (0..50).map(|i| 0.05 + (i % 7) as f32 * 0.003).collect();
        let (states, l) = levels_of(&d);
        assert!(states.iter().all(|s| *s == BubbleState::Empty));
        assert_eq!(l.filled, None);
        let mut with = d.clone();
        with.push(0.16);
        let (states, _) = levels_of(&with);
        assert_eq!(*states.last().unwrap(), BubbleState::Doubtful);
    }

    fn group<'a>(v: &[(&'a str, BubbleState)]) -> Group<'a> {
        v.iter()
            .map(|&(l, s)| {
                let d = match s {
                    BubbleState::Empty => 0.05,
                    BubbleState::Doubtful => 0.3,
                    BubbleState::Filled => 0.6,
                };
                (l, d, s)
            })
            .collect()
    }

    #[test]
    fn question_rules() {
        use BubbleState::*;
        let l = classify(&[0.05, 0.05, 0.05, 0.6]).1;
        let one = read_one(&group(&[("A", Empty), ("B", Filled), ("C", Empty)]));
        assert_eq!(
            (one.letters.as_str(), one.doubtful, one.best.as_str()),
            ("B", false, "B")
        );
        let two = read_one(&group(&[("A", Filled), ("B", Filled)]));
        assert!(two.doubtful);
        let blank = read_one(&group(&[("A", Empty), ("B", Empty)]));
        assert_eq!((blank.letters.as_str(), blank.doubtful), ("", false));
        let erased = read_one(&group(&[("A", Doubtful), ("B", Filled)]));
        assert!(erased.doubtful);
        assert_eq!(erased.best, "B");
        let many = read_many(&group(&[("A", Filled), ("B", Empty), ("C", Filled)]), &l);
        assert_eq!((many.letters.as_str(), many.doubtful), ("AC", false));
        let unsure = read_many(&group(&[("A", Filled), ("B", Doubtful)]), &l);
        assert!(unsure.doubtful);
        assert_eq!(unsure.letters, "A");
    }
}

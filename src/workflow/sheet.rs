//! `examgen sheet` as a job: a blank answer sheet (答题卡) per variant, always on A4, and manifest.json with
//! where every bubble of each sheet is printed, so `examgen scan` reads them back without guessing.

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::bank::QuestionType;
use crate::input::manifest::{Manifest, VariantRecord};
use crate::input::scan::{
    BoxMm, Bubble, BubbleMeaning, ChoiceKind, Corner, CornerMark, QuestionSlot, SheetGeometry,
};
use crate::render::layout::{Layout, MM, PageSetup, Spot, SpotBox};
use crate::render::{DocKind, Template, Typesetter};
use crate::workflow::drawn::Drawn;
use crate::workflow::jobs::{Backends, Format, PaperSet, Plan};
use crate::workflow::{Look, OutFile, load_fonts};

/// The blank sheets and manifest.json (the draw's manifest with each variant's sheet geometry), last.
pub fn blank_sheets(drawn: &Drawn, look: &Look, dir: &Path) -> Result<Vec<OutFile>> {
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    let typeset = Typesetter::new(&fonts, look.templates(&drawn.blueprint), PageSetup::a4())?;
    let set = PaperSet::new(drawn, &[], false);
    let jobs = Plan {
        dir,
        formats: &[Format::Pdf],
    }
    .paper_set(&set.labels(), &[DocKind::AnswerSheet]);
    let backends = Backends::new(typeset, &jobs)?;
    let mut manifest = drawn.manifest();
    let mut files = Vec::new();
    for (made, record) in backends
        .render(&set, &jobs, true)?
        .into_iter()
        .zip(&mut manifest.variants)
    {
        if let Some(layout) = &made.layout {
            record.sheet = geometry(layout, record)?;
        }
        files.push(made.file);
    }
    files.push(manifest_file(dir, &manifest));
    Ok(files)
}

/// Each variant's blank-sheet geometry, laid out but not written: what `examgen scan` reads a blank sheet
/// with when the manifest it is given records another sheet (a class batch's) or none (a paper's).
pub fn blank_geometry(drawn: &Drawn, look: &Look) -> Result<Vec<Vec<SheetGeometry>>> {
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    let typeset = Typesetter::new(&fonts, look.templates(&drawn.blueprint), PageSetup::a4())?;
    let set = PaperSet::new(drawn, &[], false);
    let manifest = drawn.manifest();
    let jobs = Plan {
        dir: Path::new(""),
        formats: &[Format::Pdf],
    }
    .paper_set(&set.labels(), &[DocKind::AnswerSheet]);
    jobs.iter()
        .zip(&manifest.variants)
        .map(|(job, record)| {
            let layout = typeset.layout(Template::AnswerSheet, &set.data(job))?;
            geometry(&layout, record)
        })
        .collect()
}

pub(crate) fn manifest_file(dir: &Path, manifest: &Manifest) -> OutFile {
    OutFile::other(dir.join("manifest.json"), manifest.to_json().into_bytes())
}

/// The scanner's view of a laid-out answer sheet: per page that carries a QR code, the corner marks, the
/// code and every bubble in mm, each answer bubble's question typed from the variant's record.
pub fn geometry(layout: &Layout, record: &VariantRecord) -> Result<Vec<SheetGeometry>> {
    let mm = |b: &SpotBox| BoxMm {
        x: b.x / MM,
        y: b.y / MM,
        w: b.w / MM,
        h: b.h / MM,
    };
    // Looked up for every question with bubbles: made once, not a record per question and lookup.
    let mut kinds = std::collections::HashMap::new();
    for (number, kind) in record.questions.kinds() {
        kinds.entry(number).or_insert(kind);
    }
    let mut pages = Vec::new();
    for page in &layout.pages {
        let Some(qr) = page.spots.iter().find(|s| s.spot == Spot::Qr) else {
            continue;
        };
        let mut g = SheetGeometry {
            page_width_mm: layout.setup.width / MM,
            page_height_mm: layout.setup.height / MM,
            corner_marks: Vec::new(),
            qr_code: mm(qr),
            questions: Vec::new(),
            bubbles: Vec::new(),
        };
        for s in &page.spots {
            let meaning = match &s.spot {
                Spot::Qr => continue,
                Spot::CornerMark { corner } => {
                    let b = mm(s);
                    let (centre_x, centre_y) = b.centre();
                    g.corner_marks.push(CornerMark {
                        corner: Corner::CLOCKWISE[*corner as usize % 4],
                        centre_x,
                        centre_y,
                        size: b.w,
                    });
                    continue;
                }
                Spot::Answer { question, option } => {
                    let number: u32 = question.parse().map_err(|_| {
                        Error::internal(format!(
                            "the answer sheet template numbers a question `{question}`, not a number"
                        ))
                    })?;
                    if !g.questions.iter().any(|q| q.number == number) {
                        let kind = match kinds.get(&(number as usize)).copied() {
                            Some(QuestionType::Single) => ChoiceKind::Single,
                            Some(QuestionType::Multiple) => ChoiceKind::Multiple,
                            Some(QuestionType::Judge) => ChoiceKind::Judge,
                            _ => {
                                return Err(Error::internal(format!(
                                    "the answer sheet has bubbles for question {number}, which is no choice question of variant {}",
                                    record.label
                                )));
                            }
                        };
                        g.questions.push(QuestionSlot { number, kind });
                    }
                    BubbleMeaning::Answer {
                        question: number,
                        option: option.clone(),
                    }
                }
                Spot::IdDigit { column, digit } => BubbleMeaning::IdDigit {
                    column: *column,
                    digit: *digit,
                },
                Spot::Variant { letter } => BubbleMeaning::Variant {
                    letter: letter.clone(),
                },
            };
            g.bubbles.push(Bubble {
                area: mm(s),
                meaning,
            });
        }
        g.validate().map_err(Error::internal)?;
        pages.push(g);
    }
    Ok(pages)
}

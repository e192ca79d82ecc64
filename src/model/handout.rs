//! Study handouts (考点讲义): the bank's notes by section, as a summary with key phrases in the heading face,
//! or as a cloze (填空版) where a seeded share of the key phrases become numbered blanks.

use std::collections::HashSet;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::exam::dice::Dice;
use crate::input::bank::{Bank, Note, normalize_for_match};
use crate::model::paper::StudentData;
use crate::model::rich::TextRun;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Summary,
    Cloze,
}

/// Which notes go in: sections by id and notes by tag (empty = all).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub sections: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoutData {
    pub title: String,
    pub subtitle: String,
    pub cloze: bool,
    pub student: StudentData,
    pub show_toc: bool,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<HandoutSection>,
    pub blank_count: usize,
    /// The cloze answers by section, for handout-key.hbs.
    pub key: Vec<KeySection>,
    pub duplex: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub title: String,
    pub page: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoutSection {
    pub title: String,
    pub notes: Vec<HandoutNote>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoutNote {
    pub id: String,
    pub title: String,
    pub paragraphs: Vec<Vec<Run>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Run {
    pub text: String,
    pub key: bool,
    pub blank: bool,
    /// Blank number (1-based), 0 for text.
    pub number: usize,
    /// Blank width in em: as wide as the phrase would be, at least 4.
    pub em: u32,
    /// An image in the note (`![…](…)`), printed in place of text.
    pub image: Option<crate::model::rich::ImageData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeySection {
    pub title: String,
    pub answers: Vec<KeyAnswer>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyAnswer {
    pub number: usize,
    pub text: String,
}

/// The notes selected, as (section index, note indices) in bank order.
pub fn select_notes(bank: &Bank, selection: &Selection) -> Result<Vec<(usize, Vec<usize>)>> {
    let mut chosen = Vec::new();
    for id in &selection.sections {
        if let Some(i) = bank.section_named(id) {
            chosen.push(i);
        } else {
            let ids: Vec<&str> = bank.sections.iter().map(|s| s.id.as_str()).collect();
            let hint = crate::input::yaml::closest(id, &ids).map_or_else(
                || {
                    format!(
                        "name a section by its id or its title; the bank's sections are: {}",
                        bank.section_list()
                    )
                },
                |b| format!("did you mean `{b}`?"),
            );
            return Err(Error::usage(format!(
                "--sections names `{id}`, which the bank {} does not have",
                bank.root.display()
            ))
            .because(hint));
        }
    }
    let mut out = Vec::new();
    for si in 0..bank.sections.len() {
        if !chosen.is_empty() && !chosen.contains(&si) {
            continue;
        }
        let notes: Vec<usize> = bank
            .notes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.section == si
                    && (selection.tags.is_empty()
                        || n.tags.iter().any(|t| selection.tags.contains(t)))
            })
            .map(|(i, _)| i)
            .collect();
        if !notes.is_empty() {
            out.push((si, notes));
        }
    }
    if out.is_empty() {
        return Err(Error::input(format!(
            "no notes of the bank {} match the selection",
            bank.root.display()
        ))
        .because(
            "check --sections and --tags; notes carry tags under `tags:` in the section files",
        ));
    }
    Ok(out)
}

/// The longest blank a cloze handout prints; a longer key phrase stays text (the bank should mark its key
/// part instead).
pub const MAX_BLANK_CHARS: usize = 20;

/// How a key phrase of `note` can be blanked: the text before the blank, the blank's answer and the text
/// after it — punctuation at either edge is printed, not blanked. None when the phrase must stay text: the
/// note's title or the rest of its text prints it (the blank would be given away), or it is longer than
/// `MAX_BLANK_CHARS`, or it is all punctuation.
pub fn cloze_parts<'p>(phrase: &'p str, note: &Note) -> Option<(&'p str, &'p str, &'p str)> {
    let edge = |c: char| !c.is_alphanumeric();
    let core = phrase.trim_matches(edge);
    if core.is_empty() || core.chars().count() > MAX_BLANK_CHARS {
        return None;
    }
    let start = phrase.len() - phrase.trim_start_matches(edge).len();
    let needle = normalize_for_match(core);
    let text = normalize_for_match(&note.text.plain_text());
    if normalize_for_match(&note.title).contains(&needle) || text.matches(&needle).count() > 1 {
        return None;
    }
    Some((&phrase[..start], core, &phrase[start + core.len()..]))
}

/// How many key phrases of the selected notes can be blanked (the pool `--blank-ratio` draws from), in the
/// reading order `build` numbers them in.
fn key_phrase_slots(bank: &Bank, notes: &[(usize, Vec<usize>)]) -> usize {
    notes
        .iter()
        .flat_map(|(_, ns)| ns)
        .map(|n| {
            let note = &bank.notes[*n];
            note.text
                .runs()
                .filter(|r| {
                    matches!(&r.inline, crate::input::bank::Inline::Key(k)
                        if cloze_parts(k, note).is_some())
                })
                .count()
        })
        .sum()
}

/// Which key phrases (by reading-order index) become blanks: all, or a seeded share.
pub fn choose_blanks(total: usize, ratio: f64, dice: &mut Dice) -> HashSet<usize> {
    let count = ((total as f64) * ratio.clamp(0.0, 1.0)).round() as usize;
    let mut order: Vec<usize> = (0..total).collect();
    dice.shuffle(&mut order);
    order.into_iter().take(count).collect()
}

/// Width of a phrase in em: ideographs are one em, other characters about half.
fn phrase_em(text: &str) -> u32 {
    let em: f32 = text
        .chars()
        .map(|c| {
            if crate::util::chars::is_cjk(c) {
                1.0
            } else {
                0.55
            }
        })
        .sum();
    (em.ceil() as u32).max(4)
}

/// Builds one handout's data. `blanks` holds the reading-order indices of key phrases to blank (cloze).
// Eight parameters: each copy of a class's handouts differs in `student` and (with --vary) `blanks`,
// and the caller in workflow/handout.rs passes the run's options one by one; gathering them into one
// options value belongs with the workflow's job list (#27), which builds these calls.
#[allow(clippy::too_many_arguments)]
pub fn build(
    bank: &Bank,
    notes: &[(usize, Vec<usize>)],
    title: &str,
    mode: Mode,
    blanks: &HashSet<usize>,
    student: StudentData,
    show_toc: bool,
    duplex: bool,
) -> HandoutData {
    let mut blanker = Blanker {
        mode,
        chosen: blanks,
        phrase_index: 0,
        number: 0,
    };
    let mut sections = Vec::new();
    let mut key = Vec::new();
    for (si, note_ids) in notes {
        let mut answers = Vec::new();
        let notes = note_ids
            .iter()
            .map(|n| {
                let note = &bank.notes[*n];
                let paragraphs = crate::model::rich::note_paragraphs(&note.text, &note.origin.file)
                    .into_iter()
                    .map(|runs| blanker.paragraph(runs, note, &mut answers))
                    .collect();
                HandoutNote {
                    id: note.id.clone(),
                    title: note.title.clone(),
                    paragraphs,
                }
            })
            .collect();
        let section_title = bank.sections[*si].title.clone();
        if !answers.is_empty() {
            key.push(KeySection {
                title: section_title.clone(),
                answers,
            });
        }
        sections.push(HandoutSection {
            title: section_title,
            notes,
        });
    }
    HandoutData {
        title: title.to_string(),
        subtitle: match mode {
            Mode::Summary => "考点讲义".into(),
            Mode::Cloze => "考点讲义（填空版）".into(),
        },
        cloze: mode == Mode::Cloze,
        student,
        show_toc,
        toc: sections
            .iter()
            .map(|s| TocEntry {
                title: s.title.clone(),
                page: "0".into(),
            })
            .collect(),
        sections,
        blank_count: blanker.number,
        key,
        duplex,
    }
}

/// Turns key phrases into numbered blanks as a reader meets them: which are chosen (by reading-order
/// index among the blankable phrases), and the numbers given so far.
struct Blanker<'a> {
    mode: Mode,
    chosen: &'a HashSet<usize>,
    /// Blankable key phrases met so far.
    phrase_index: usize,
    /// Blanks printed so far (the last blank's number).
    number: usize,
}

impl Blanker<'_> {
    /// One paragraph of a note as printed, its chosen key phrases blanked and their answers added.
    fn paragraph(
        &mut self,
        runs: Vec<TextRun>,
        note: &Note,
        answers: &mut Vec<KeyAnswer>,
    ) -> Vec<Run> {
        let mut out = Vec::new();
        for r in runs {
            let parts = (r.key && self.mode == Mode::Cloze)
                .then(|| cloze_parts(&r.text, note))
                .flatten();
            let Some((before, core, after)) = parts else {
                out.push(Run {
                    image: r.image.clone(),
                    ..text_run(r.text, r.key)
                });
                continue;
            };
            let blanked = self.chosen.contains(&self.phrase_index);
            self.phrase_index += 1;
            if !blanked {
                out.push(text_run(r.text, true));
                continue;
            }
            self.number += 1;
            answers.push(KeyAnswer {
                number: self.number,
                text: core.to_string(),
            });
            if !before.is_empty() {
                out.push(text_run(before.to_string(), false));
            }
            out.push(Run {
                em: phrase_em(core),
                text: String::new(),
                key: true,
                blank: true,
                number: self.number,
                image: None,
            });
            if !after.is_empty() {
                out.push(text_run(after.to_string(), false));
            }
        }
        out
    }
}

fn text_run(text: String, key: bool) -> Run {
    Run {
        text,
        key,
        blank: false,
        number: 0,
        em: 0,
        image: None,
    }
}

/// The number of key phrases in the selected notes that can be blanked (the pool `--blank-ratio` draws from).
pub fn key_phrase_count(bank: &Bank, notes: &[(usize, Vec<usize>)]) -> usize {
    key_phrase_slots(bank, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_share_is_exact_and_seeded() {
        let a = choose_blanks(10, 0.3, &mut Dice::new(1));
        assert_eq!(a.len(), 3);
        assert_eq!(a, choose_blanks(10, 0.3, &mut Dice::new(1)));
        assert_eq!(choose_blanks(10, 1.0, &mut Dice::new(2)).len(), 10);
        assert!(choose_blanks(10, 0.0, &mut Dice::new(2)).is_empty());
    }

    fn note(title: &str, text: &str) -> Note {
        Note {
            id: "n".into(),
            section: 0,
            title: title.into(),
            text: text.into(),
            tags: vec![],
            origin: crate::input::bank::Origin {
                file: "n.yaml".into(),
                path: String::new(),
            },
        }
    }

    #[test]
    fn blanks_leave_out_edge_punctuation_giveaways_and_long_phrases() {
        let n = note(
            "健全社会保障体系",
            "**组建中央社会工作部：**统筹推进。**健全社会保障体系**。**“创新社会治理体制”**",
        );
        assert_eq!(
            cloze_parts("组建中央社会工作部：", &n),
            Some(("", "组建中央社会工作部", "："))
        );
        assert_eq!(
            cloze_parts("“创新社会治理体制”", &n),
            Some(("“", "创新社会治理体制", "”"))
        );
        // The title prints it.
        assert_eq!(cloze_parts("健全社会保障体系", &n), None);
        // The note prints it elsewhere.
        let twice = note("目标", "**志愿服务体系**更加完善，志愿服务体系覆盖城乡。");
        assert_eq!(cloze_parts("志愿服务体系", &twice), None);
        let long = "在城乡社区普遍建立党组织领导的基层群众自治机制和服务体系";
        assert_eq!(cloze_parts(long, &note("t", &format!("**{long}**"))), None);
        assert_eq!(cloze_parts("：", &n), None);
    }

    #[test]
    fn blanks_are_as_wide_as_the_phrase() {
        assert_eq!(phrase_em("社区"), 4);
        assert_eq!(phrase_em("每万城镇常住人口拥有社区工作者18人"), 18);
    }
}

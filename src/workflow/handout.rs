//! `examgen handout` as a job: the study handout (summary or cloze) and its key, or one named copy per
//! student of a roster plus the combined print files.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exam::dice::Dice;
use crate::input::bank::Bank;
use crate::input::roster::{self, Student};
use crate::model::handout::{self, HandoutData, Mode, Selection};
use crate::model::paper::StudentData;
use crate::render::Renderer;
use crate::render::layout::{self, Layout};
use crate::workflow::drawn::print_warnings;
use crate::workflow::{Look, OutFile, load_fonts};

/// What handout to make: the command line's `handout` arguments, without the command line.
pub struct HandoutRequest {
    pub bank: PathBuf,
    pub selection: Selection,
    pub mode: Mode,
    pub seed: Option<u64>,
    pub blank_ratio: f64,
    pub title: Option<String>,
    pub toc: bool,
    pub roster: Option<PathBuf>,
    pub vary: bool,
}

/// The files to write and the one-line summary.
pub struct Handouts {
    pub files: Vec<OutFile>,
    pub summary: String,
}

pub fn handouts(
    req: &HandoutRequest,
    look: &Look,
    dir: &Path,
    err: &mut dyn Write,
) -> Result<Handouts> {
    let bank = Bank::load(&req.bank)?;
    print_warnings(&bank, err);
    let notes = handout::select_notes(&bank, &req.selection)?;
    let students = match &req.roster {
        Some(path) => Some(roster::read(path)?),
        None => None,
    };
    if req.vary && students.is_none() {
        return Err(Error::usage(
            "--vary gives each student their own blanks; it needs --roster",
        ));
    }
    // At ratio 1 every phrase is blanked on every copy, so varying could only renumber the same blanks,
    // which stops no one copying from a neighbour; say so rather than print identical copies.
    if req.vary && req.blank_ratio >= 1.0 {
        return Err(Error::usage(
            "--vary varies which key phrases are blanked, so it needs --blank-ratio below 1",
        )
        .because("for example --blank-ratio 0.6: each student gets their own 60% of the phrases as blanks"));
    }
    let mode = req.mode;
    let seed = req.seed.unwrap_or_else(|| {
        let seed = crate::exam::dice::random_seed();
        if mode == Mode::Cloze {
            let _ = writeln!(
                err,
                "seed: {seed} (pass --seed {seed} to choose the same blanks again)"
            );
        }
        seed
    });
    let title = req
        .title
        .clone()
        .unwrap_or_else(|| default_handout_title(&bank));
    let fonts = load_fonts(look.font_dir.as_deref())?;
    if let (Some(students), Some(path)) = (&students, &req.roster) {
        crate::workflow::check::roster_glyphs(students, path, &fonts)?;
    }
    let renderer = Renderer::new(
        &fonts,
        look.templates.as_deref(),
        look.page_setup(None, None)?,
    )?
    .with_images(bank.images.clone());
    let total = handout::key_phrase_count(&bank, &notes);
    let mut dice = Dice::new(seed);
    let shared_blanks = handout::choose_blanks(total, req.blank_ratio, &mut dice.fork());
    let people: Vec<Option<&Student>> = match &students {
        Some(list) => list.iter().map(Some).collect(),
        None => vec![None],
    };
    let mut copies = Vec::new();
    for (i, student) in people.iter().enumerate() {
        let blanks = if req.vary {
            // Each student's stream depends only on the seed and their place in the roster.
            handout::choose_blanks(
                total,
                req.blank_ratio,
                &mut Dice::new(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            )
        } else {
            shared_blanks.clone()
        };
        let data_student = student.map_or_else(StudentData::default, |s| StudentData {
            name: s.name.clone(),
            id: s.id.clone(),
            class: s.class.clone(),
        });
        copies.push(handout::build(
            &bank,
            &notes,
            &title,
            mode,
            &blanks,
            data_student,
            req.toc,
            look.duplex,
        ));
    }
    let handouts = crate::util::parallel::map(&copies, |data| render_handout(&renderer, data));
    let keys = if mode == Mode::Cloze {
        let needed = if req.vary { copies.len() } else { 1 };
        crate::util::parallel::map(&copies[..needed], |data| {
            renderer.layout("handout-key", data)
        })
    } else {
        Vec::new()
    };
    let handouts: Vec<Layout> = handouts.into_iter().collect::<Result<_>>()?;
    let keys: Vec<Layout> = keys.into_iter().collect::<Result<_>>()?;
    let mut layouts: Vec<(PathBuf, Layout)> = Vec::new();
    match &students {
        None => {
            layouts.push((dir.join("handout.pdf"), handouts[0].clone()));
            if let Some(k) = keys.first() {
                layouts.push((dir.join("handout-key.pdf"), k.clone()));
            }
        }
        Some(list) => {
            let names: Vec<String> = list
                .iter()
                .map(|s| format!("{} {}", s.id, s.name))
                .collect();
            let stem = |s: &Student| roster::safe_file_name(&format!("{}-{}", s.id, s.name));
            for (s, l) in list.iter().zip(&handouts) {
                layouts.push((
                    dir.join("handouts").join(format!("{}.pdf", stem(s))),
                    l.clone(),
                ));
            }
            layouts.push((
                dir.join("handout-all.pdf"),
                layout::concat(handouts, &names, look.duplex),
            ));
            if req.vary {
                for (s, k) in list.iter().zip(&keys) {
                    layouts.push((
                        dir.join("handouts").join(format!("{}-key.pdf", stem(s))),
                        k.clone(),
                    ));
                }
                layouts.push((
                    dir.join("handout-key-all.pdf"),
                    layout::concat(keys, &names, false),
                ));
            } else if let Some(k) = keys.first() {
                layouts.push((dir.join("handout-key.pdf"), k.clone()));
            }
        }
    }
    let docs = if look.docx {
        crate::workflow::word::render_handouts(
            &renderer,
            dir,
            students.as_deref(),
            &copies,
            req.vary,
        )?
    } else {
        Vec::new()
    };
    if !look.pdf {
        layouts.clear();
    }
    let pdfs = crate::util::parallel::map(&layouts, |(_, l)| {
        crate::render::pdf::render(l, &renderer.pdf_fonts)
    });
    let mut files: Vec<OutFile> = layouts
        .into_iter()
        .zip(pdfs)
        .map(|((path, l), bytes)| OutFile::pdf(path, bytes, l.pages.len()))
        .collect();
    files.extend(
        docs.into_iter()
            .map(|(path, bytes)| OutFile::other(path, bytes)),
    );
    let phrases: usize = notes
        .iter()
        .flat_map(|(_, ns)| ns)
        .map(|n| bank.notes[*n].text.key_phrases().len())
        .sum();
    let summary = format!(
        "{} notes in {} sections; {} key phrases{}",
        notes.iter().map(|(_, n)| n.len()).sum::<usize>(),
        notes.len(),
        phrases,
        if mode == Mode::Cloze {
            // Phrases a note's title or text prints elsewhere, or over 20 characters, stay text.
            let pool = if total < phrases {
                format!(" ({total} can be blanked)")
            } else {
                String::new()
            };
            format!("{pool}, {} blanked, seed {seed}", copies[0].blank_count)
        } else {
            String::new()
        }
    );
    Ok(Handouts { files, summary })
}

/// Lays out a handout; with a table of contents, twice: the second pass fills in the page numbers that the
/// first pass found (the contents keep their length, so the pages do not move).
fn render_handout(renderer: &Renderer, data: &HandoutData) -> Result<Layout> {
    let first = renderer.layout("handout", data)?;
    if !data.show_toc {
        return Ok(first);
    }
    let mut data = data.clone();
    for entry in &mut data.toc {
        if let Some(b) = first.bookmarks.iter().find(|b| b.title == entry.title) {
            entry.page = (b.page + 1).to_string();
        }
    }
    renderer.layout("handout", &data)
}

/// 「考点讲义」 titles default to the bank's first section title when there is one section, else a generic one.
fn default_handout_title(bank: &Bank) -> String {
    match bank.sections.as_slice() {
        [only] => only.title.clone(),
        _ => "考点汇编".to_string(),
    }
}

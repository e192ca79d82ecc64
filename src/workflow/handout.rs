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
use crate::render::docx::WordWriter;
use crate::render::layout::{self, Layout};
use crate::render::{PdfWriter, Template, Typesetter};
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
    check_vary(req)?;
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
    let typeset = Typesetter::new(
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
    let copies = Copies {
        dir,
        students: students.as_deref(),
        data: copies,
        vary: req.vary,
        duplex: look.duplex,
    };
    // Each format is made only when asked for; the Word files follow the PDFs.
    let mut files = if look.pdf {
        pdf_files(&typeset, &copies)?
    } else {
        Vec::new()
    };
    if look.docx {
        files.extend(word_files(&WordWriter::new(&typeset), &copies)?);
    }
    let blanked = copies.data[0].blank_count;
    let summary = summary(&bank, &notes, mode, total, seed, blanked);
    Ok(Handouts { files, summary })
}

/// `--vary` needs a roster and a blank ratio below 1.
fn check_vary(req: &HandoutRequest) -> Result<()> {
    if req.vary && req.roster.is_none() {
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
    Ok(())
}

/// The run's one-line summary: notes, sections and key phrases, and in cloze mode how many were blanked
/// and the seed.
fn summary(
    bank: &Bank,
    notes: &[(usize, Vec<usize>)],
    mode: Mode,
    total: usize,
    seed: u64,
    blanked: usize,
) -> String {
    let phrases: usize = notes
        .iter()
        .flat_map(|(_, ns)| ns)
        .map(|n| bank.notes[*n].text.key_phrases().len())
        .sum();
    format!(
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
            format!("{pool}, {blanked} blanked, seed {seed}")
        } else {
            String::new()
        }
    )
}

/// A handout run's copies: one, or one per student of the roster (their own blanks when `vary`).
struct Copies<'a> {
    dir: &'a Path,
    students: Option<&'a [Student]>,
    data: Vec<HandoutData>,
    vary: bool,
    duplex: bool,
}

impl Copies<'_> {
    fn cloze(&self) -> bool {
        self.data.first().is_some_and(|c| c.cloze)
    }

    /// The copies that get a key of their own: every student's with `vary`, else the first.
    fn keyed(&self) -> &[HandoutData] {
        match (self.cloze(), self.vary) {
            (false, _) => &[],
            (true, true) => &self.data,
            (true, false) => &self.data[..1],
        }
    }
}

/// The PDFs of a handout run: handout.pdf (and handout-key.pdf in cloze mode), or with a roster one copy per
/// student in handouts/ plus handout-all.pdf to print them all (and the keys alike with `vary`).
fn pdf_files(typeset: &Typesetter, copies: &Copies) -> Result<Vec<OutFile>> {
    let handouts = crate::util::parallel::map(&copies.data, |data| render_handout(typeset, data));
    let keys = crate::util::parallel::map(copies.keyed(), |data| {
        typeset.layout(Template::HandoutKey, data)
    });
    let handouts: Vec<Layout> = handouts.into_iter().collect::<Result<_>>()?;
    let keys: Vec<Layout> = keys.into_iter().collect::<Result<_>>()?;
    let dir = copies.dir;
    let mut layouts: Vec<(PathBuf, Layout)> = Vec::new();
    match copies.students {
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
            for (s, l) in list.iter().zip(&handouts) {
                layouts.push((
                    dir.join("handouts").join(format!("{}.pdf", stem(s))),
                    l.clone(),
                ));
            }
            layouts.push((
                dir.join("handout-all.pdf"),
                layout::concat(handouts, &names, copies.duplex),
            ));
            if copies.vary {
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
    let writer = PdfWriter::new(typeset.fonts(), typeset.pictures().clone())?;
    let pdfs = crate::util::parallel::map(&layouts, |(_, l)| writer.write(l));
    layouts
        .into_iter()
        .zip(pdfs)
        .map(|((path, l), bytes)| Ok(OutFile::pdf(path, bytes?, l.pages.len())))
        .collect()
}

/// The Word versions of a handout run's files: handout.docx (and handout-key.docx in cloze mode), or with a
/// roster one copy per student in handouts/ (their own keys with `vary`, else one key). The PDF's
/// print-everything files (handout-all.pdf) have no Word version: each copy opens on its own.
fn word_files(word: &WordWriter, copies: &Copies) -> Result<Vec<OutFile>> {
    let dir = copies.dir;
    let cloze = copies.cloze();
    let mut jobs: Vec<(PathBuf, &HandoutData, bool)> = Vec::new();
    match copies.students {
        None => {
            jobs.push((dir.join("handout.docx"), &copies.data[0], false));
            if cloze {
                jobs.push((dir.join("handout-key.docx"), &copies.data[0], true));
            }
        }
        Some(list) => {
            for (s, data) in list.iter().zip(&copies.data) {
                let folder = dir.join("handouts");
                jobs.push((folder.join(format!("{}.docx", stem(s))), data, false));
                if cloze && copies.vary {
                    jobs.push((folder.join(format!("{}-key.docx", stem(s))), data, true));
                }
            }
            if cloze && !copies.vary {
                jobs.push((dir.join("handout-key.docx"), &copies.data[0], true));
            }
        }
    }
    jobs.into_iter()
        .map(|(path, data, key)| Ok(OutFile::other(path, word.handout(data, key)?)))
        .collect()
}

/// A student's copy's file name: `20250001-张三`.
fn stem(s: &Student) -> String {
    roster::safe_file_name(&format!("{}-{}", s.id, s.name))
}

/// Lays out a handout; with a table of contents, twice: the second pass fills in the page numbers that the
/// first pass found (the contents keep their length, so the pages do not move).
fn render_handout(typeset: &Typesetter, data: &HandoutData) -> Result<Layout> {
    let first = typeset.layout(Template::Handout, data)?;
    if !data.show_toc {
        return Ok(first);
    }
    let mut data = data.clone();
    for entry in &mut data.toc {
        if let Some(b) = first.bookmarks.iter().find(|b| b.title == entry.title) {
            entry.page = (b.page + 1).to_string();
        }
    }
    typeset.layout(Template::Handout, &data)
}

/// 「考点讲义」 titles default to the bank's first section title when there is one section, else a generic one.
fn default_handout_title(bank: &Bank) -> String {
    match bank.sections.as_slice() {
        [only] => only.title.clone(),
        _ => "考点汇编".to_string(),
    }
}

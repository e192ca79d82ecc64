//! `examgen review-book` as a job: from a grades folder, a 错题本 per student (their missed questions as
//! printed on their paper, by knowledge point, with seeded practice questions and their key), one print file
//! of all books, and the class edition (the most-missed questions with the options the class chose).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::exam::dice::Dice;
use crate::exam::draw::{DrawnPart, DrawnQuestion, Variant};
use crate::exam::grade;
use crate::input::bank::{Bank, QuestionType};
use crate::input::blueprint::{Blueprint, Part, Scoring, Spread};
use crate::input::manifest::{Manifest, VariantRecord};
use crate::input::roster::safe_file_name;
use crate::model::paper::{self, PaperData, QuestionData, StudentData, points_text};
use crate::model::review_book::{
    self as book, BookData, ClassData, Miss, book_group, class_item, group_misses, practice_key,
    printed_places, rank_band,
};
use crate::render::docx::WordWriter;
use crate::render::layout::{self, PageSetup};
use crate::render::{PdfWriter, Template, Typesetter};
use crate::workflow::graded::GradedClass;
use crate::workflow::{OutFile, blueprint_for, load_fonts};

/// How many of the most-missed questions the class edition shows.
pub const CLASS_ITEMS: usize = 15;

/// What to make: the command line's `review-book` arguments, without the command line.
pub struct ReviewBookRequest<'a> {
    pub grades: &'a Path,
    /// Where the manifest is, when it is not where `grade` was told.
    pub manifest: Option<&'a Path>,
    pub out: &'a Path,
    /// Practice questions per missed knowledge point.
    pub practice: usize,
    /// Print the exact rank instead of the rank band.
    pub rank: bool,
    /// Seed of the practice draw; None: the manifest's seed.
    pub seed: Option<u64>,
    pub templates: Option<&'a Path>,
    pub font_dir: Option<&'a Path>,
    /// Each student's book as PDF, as Word (.docx), or both; print-books.pdf and class.pdf are always PDF.
    pub pdf: bool,
    pub docx: bool,
}

/// The finished books: the files to write, and what the summary line says.
pub struct ReviewBooks {
    pub files: Vec<OutFile>,
    pub students: usize,
    pub missed: usize,
    pub practice: usize,
    pub seed: u64,
}

/// The bank the papers came from: as the manifest writes it, or beside the manifest.
fn bank_for(manifest: &Manifest, manifest_path: &Path, err: &mut dyn Write) -> Result<Bank> {
    let as_written = PathBuf::from(&manifest.bank.path);
    let beside = manifest_path.parent().map(|p| p.join(&manifest.bank.path));
    let path = [Some(as_written), beside]
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .ok_or_else(|| {
            Error::input(format!(
                "the bank {} of {} is not there",
                manifest.bank.path,
                manifest_path.display()
            ))
            .because("run from the folder the papers were made in; the book prints the bank's stems, explanations and notes")
        })?;
    let bank = Bank::load(&path)?;
    if bank.digest != manifest.bank.digest {
        let _ = writeln!(
            err,
            "warning: the bank {} changed since the papers were made; stems, explanations and notes are today's, answers the manifest's",
            path.display()
        );
    }
    let missing: Vec<String> = manifest
        .used_ids()
        .into_iter()
        .filter(|id| bank.question(id).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(format!(
            "the bank {} no longer has question(s) {} of {}",
            path.display(),
            missing.join(", "),
            manifest_path.display()
        ))
        .because("restore them (git) to print the books"));
    }
    Ok(bank)
}

/// The blueprint as the manifest records it (parts, points, scoring): what the paper model needs to print
/// the questions the way the papers did, even when the blueprint file has changed or is gone.
fn recorded_blueprint(manifest: &Manifest, autospace: bool) -> Blueprint {
    Blueprint {
        path: PathBuf::from(&manifest.blueprint.path),
        digest: manifest.blueprint.digest.clone(),
        title: manifest.blueprint.title.clone(),
        subtitle: None,
        duration: None,
        bank: PathBuf::from(&manifest.bank.path),
        layout: "a4".into(),
        notice: None,
        fonts: None,
        templates: None,
        duplex: false,
        score_boxes: false,
        density: None,
        autospace,
        target_facility: None,
        parts: manifest
            .parts
            .iter()
            .map(|p| Part {
                title: p.title.clone(),
                kind: p.kind,
                count: p.count,
                points: p.points,
                instructions: None,
                spread: Spread::Even,
                difficulty: None,
                tags: Vec::new(),
                scoring: p.scoring,
                target_facility: None,
            })
            .collect(),
    }
}

/// A variant of the manifest as a draw, so the paper model prints it exactly as the paper did.
fn variant_from_record(bank: &Bank, record: &VariantRecord) -> Result<Variant> {
    let mut parts: Vec<DrawnPart> = Vec::new();
    for q in &record.questions {
        let index = bank
            .questions
            .iter()
            .position(|b| b.id == q.id)
            .ok_or_else(|| Error::input(format!("the bank has no question {}", q.id)))?;
        let options = bank.questions[index].options.len();
        let order_fits = {
            let mut sorted = q.option_order.clone();
            sorted.sort_unstable();
            sorted == (0..options).collect::<Vec<_>>()
                || (q.option_order.is_empty() && options == 0)
        };
        let answer = Some(q.answer.clone())
            .filter(|_| order_fits)
            .ok_or_else(|| {
                Error::input(format!(
                    "question {} of variant {} no longer fits the bank (options or answer changed)",
                    q.id, record.label
                ))
                .because("restore the bank the papers were made from (git) to print the books")
            })?;
        let drawn = DrawnQuestion {
            number: q.number,
            question: index,
            points: q.points,
            option_order: q.option_order.clone(),
            answer,
        };
        let part = q.part.saturating_sub(1);
        match parts.last_mut() {
            Some(p) if p.part == part => p.questions.push(drawn),
            _ => parts.push(DrawnPart {
                part,
                questions: vec![drawn],
            }),
        }
    }
    Ok(Variant {
        label: record.label.clone(),
        parts,
    })
}

/// The seed of one student's practice draw: the run's seed and the student id, hashed, so every student
/// gets their own questions and the same seed always gives the same book.
pub fn student_seed(seed: u64, id: &str) -> u64 {
    let digest = Sha256::digest(format!("examgen review-book\0{seed}\0{id}").as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Up to `per_group` practice questions for each group, in group order: first from the group's note, then
/// from questions sharing a tag with the note or its missed questions; never a question on the paper
/// (`on_paper`) and never one question twice in a book.
pub fn pick_practice(
    bank: &Bank,
    groups: &[(book::GroupKey, Vec<usize>)],
    on_paper: &HashSet<usize>,
    per_group: usize,
    dice: &mut Dice,
) -> Vec<Vec<usize>> {
    let mut used: HashSet<usize> = on_paper.clone();
    let mut picks = Vec::new();
    for (key, missed) in groups {
        let note = match key {
            book::GroupKey::Note(n) => Some(*n),
            book::GroupKey::Section(_) => None,
        };
        let mut tags: HashSet<&str> = missed
            .iter()
            .flat_map(|q| bank.questions[*q].tags.iter().map(String::as_str))
            .collect();
        if let Some(n) = note {
            tags.extend(bank.notes[n].tags.iter().map(String::as_str));
        }
        let free = |i: &usize| !used.contains(i);
        let mut same_note: Vec<usize> = (0..bank.questions.len())
            .filter(|i| note.is_some() && bank.questions[*i].note == note && free(i))
            .collect();
        let mut same_tag: Vec<usize> = (0..bank.questions.len())
            .filter(|i| {
                let q = &bank.questions[*i];
                free(i)
                    && (note.is_none() || q.note != note)
                    && q.tags.iter().any(|t| tags.contains(t.as_str()))
            })
            .collect();
        dice.shuffle(&mut same_note);
        dice.shuffle(&mut same_tag);
        let chosen: Vec<usize> = same_note
            .into_iter()
            .chain(same_tag)
            .take(per_group)
            .collect();
        used.extend(&chosen);
        picks.push(chosen);
    }
    picks
}

/// Paper data for questions printed on no paper (practice): bank option order, numbered from `first`.
fn practice_data(
    bank: &Bank,
    blueprint: &Blueprint,
    questions: &[usize],
    first: usize,
) -> Vec<QuestionData> {
    if questions.is_empty() {
        return Vec::new();
    }
    let drawn: Vec<DrawnQuestion> = questions
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let q = &bank.questions[i];
            DrawnQuestion {
                number: first + k,
                question: i,
                points: q.points.unwrap_or(Decimal::ONE),
                option_order: (0..q.options.len()).collect(),
                answer: q.answer.clone(),
            }
        })
        .collect();
    let mut one_part = blueprint.clone();
    one_part.parts = vec![Part {
        title: "巩固练习".into(),
        kind: QuestionType::Single,
        count: drawn.len(),
        points: Decimal::ONE,
        instructions: None,
        spread: Spread::Even,
        difficulty: None,
        tags: Vec::new(),
        scoring: Scoring::AllOrNothing,
        target_facility: None,
    }];
    let variant = Variant {
        label: "P".into(),
        parts: vec![DrawnPart {
            part: 0,
            questions: drawn,
        }],
    };
    paper::build(bank, &one_part, &variant, 1, false)
        .parts
        .remove(0)
        .questions
}

/// The books' data before rendering: every student's book (in the order of the answers file), the class
/// edition, and what rendering needs.
pub struct PreparedBooks {
    pub books: Vec<BookData>,
    pub class: ClassData,
    pub bank: Bank,
    /// The blueprint file the papers were made from, when it is still there (fonts, templates).
    pub blueprint: Option<Blueprint>,
    pub seed: u64,
    /// Per book, the bank ids of the questions on that student's paper.
    pub on_paper: Vec<Vec<String>>,
}

/// Builds every student's book and the class edition; nothing is rendered or written.
pub fn prepare(req: &ReviewBookRequest, err: &mut dyn Write) -> Result<PreparedBooks> {
    let class = GradedClass::load(req.grades, req.manifest)?;
    let manifest = &class.manifest;
    let bank = bank_for(manifest, &class.manifest_path, err)?;
    let look = blueprint_for(manifest, &class.manifest_path);
    let autospace = look.as_ref().is_none_or(|b| b.autospace);
    let blueprint = recorded_blueprint(manifest, autospace);
    let seed = req.seed.unwrap_or(manifest.seed);

    let printed = printed_papers(&class, &bank, &blueprint)?;

    let students = &class.grading.students;
    let ranks = grade::ranks(students);
    let mut books = Vec::new();
    let mut papers = Vec::new();
    for (s, rank) in students.iter().zip(&ranks) {
        let (variant, data) = &printed[&s.variant];
        let record = manifest
            .variants
            .iter()
            .find(|v| v.label == s.variant)
            .expect("graded variants are in the manifest");
        let questions: Vec<&QuestionData> = data.parts.iter().flat_map(|p| &p.questions).collect();
        let drawn: Vec<&DrawnQuestion> = variant.questions().collect();
        let (misses, unmarked) = misses(&questions, &drawn, record, s);
        let missed_count = misses.len();
        papers.push(
            drawn
                .iter()
                .map(|d| bank.questions[d.question].id.clone())
                .collect(),
        );
        let groups = group_misses(&bank, misses);
        let on_paper: HashSet<usize> = drawn.iter().map(|d| d.question).collect();
        let keys: Vec<(book::GroupKey, Vec<usize>)> = groups
            .iter()
            .map(|(k, m)| (*k, m.iter().map(|m| m.bank_index).collect()))
            .collect();
        let mut dice = Dice::new(student_seed(seed, &s.id));
        let picks = pick_practice(&bank, &keys, &on_paper, req.practice, &mut dice);
        let all: Vec<usize> = picks.iter().flatten().copied().collect();
        let practice = practice_data(&bank, &blueprint, &all, 1);
        let key = practice_key(&practice);
        let mut practice = practice.into_iter();
        let group_count = groups.len();
        let groups = groups
            .into_iter()
            .zip(&picks)
            .enumerate()
            .map(|(i, ((k, m), pick))| {
                book_group(&bank, i, k, m, practice.by_ref().take(pick.len()).collect())
            })
            .collect();
        let standing = if req.rank {
            format!("第{rank}名（共{}人）", students.len())
        } else {
            rank_band(*rank, students.len()).to_string()
        };
        books.push(BookData {
            title: manifest.blueprint.title.clone(),
            student: StudentData {
                name: s.name.clone(),
                id: s.id.clone(),
                class: class.class_of(&s.id),
            },
            score: points_text(s.total),
            total_points: points_text(
                manifest
                    .variants
                    .iter()
                    .find(|v| v.label == s.variant)
                    .map_or(manifest.total_points, |v| v.total_points),
            ),
            standing,
            missed_count,
            question_count: questions.len(),
            group_count,
            unmarked,
            groups,
            practice_per_group: req.practice,
            practice_key: key,
            autospace,
        });
    }

    let class_data = class_edition(manifest, &class, &printed, autospace);
    Ok(PreparedBooks {
        books,
        class: class_data,
        bank,
        blueprint: look,
        seed,
        on_paper: papers,
    })
}

/// The papers as printed, one per variant a graded student sat: the variant as drawn and its paper data.
fn printed_papers(
    class: &GradedClass,
    bank: &Bank,
    blueprint: &Blueprint,
) -> Result<HashMap<String, (Variant, PaperData)>> {
    let manifest = &class.manifest;
    let sat: HashSet<&str> = class
        .grading
        .students
        .iter()
        .map(|s| s.variant.as_str())
        .collect();
    let mut printed: HashMap<String, (Variant, PaperData)> = HashMap::new();
    for record in manifest
        .variants
        .iter()
        .filter(|v| sat.contains(v.label.as_str()))
    {
        let variant = variant_from_record(bank, record)?;
        let data = paper::build(bank, blueprint, &variant, manifest.variants.len(), false);
        printed.insert(record.label.clone(), (variant, data));
    }
    Ok(printed)
}

/// A student's misses (questions that earned less than their points, as printed) and how many of their
/// answers are still unmarked.
fn misses(
    questions: &[&QuestionData],
    drawn: &[&DrawnQuestion],
    record: &VariantRecord,
    s: &grade::Graded,
) -> (Vec<Miss>, usize) {
    let mut misses = Vec::new();
    let mut unmarked = 0;
    for (((q, dq), rq), (given, earned)) in questions
        .iter()
        .zip(drawn)
        .zip(&record.questions)
        .zip(&s.answers)
    {
        match earned {
            None => unmarked += 1,
            Some(e) if *e < rq.points => misses.push(Miss {
                question: (*q).clone(),
                bank_index: dq.question,
                given: given.clone(),
                earned: *e,
                points: rq.points,
            }),
            Some(_) => {}
        }
    }
    (misses, unmarked)
}

/// Builds every student's book and the class edition, renders them, and returns the files; nothing is written.
pub fn review_books(req: &ReviewBookRequest, err: &mut dyn Write) -> Result<ReviewBooks> {
    let PreparedBooks {
        books,
        class: class_data,
        bank,
        blueprint: look,
        seed,
        ..
    } = prepare(req, err)?;
    let missed_total = books.iter().map(|b| b.missed_count).sum();
    let practice_total = books.iter().map(|b| b.practice_key.len()).sum();
    let fonts = load_fonts(
        req.font_dir
            .or(look.as_ref().and_then(|b| b.fonts.as_deref())),
    )?;
    let templates = req
        .templates
        .or(look.as_ref().and_then(|b| b.templates.as_deref()));
    let typeset =
        Typesetter::new(&fonts, templates, PageSetup::a4())?.with_images(bank.images.clone());
    // print-books.pdf and class.pdf are always PDF, so every book is laid out whatever the formats.
    let pdf = PdfWriter::new(&fonts, typeset.pictures().clone())?;
    let word = req.docx.then(|| WordWriter::new(&typeset));
    let jobs: Vec<(Template, &BookData)> =
        books.iter().map(|b| (Template::ReviewBook, b)).collect();
    let rendered = pdf.write_all(
        typeset.layout_all(&jobs, books.len() > 3),
        books.len() > 3,
        &|| {},
    );
    let mut files = Vec::new();
    let mut layouts = Vec::new();
    let mut titles = Vec::new();
    for (b, result) in books.iter().zip(rendered) {
        let (layout, bytes) = result?;
        let stem = safe_file_name(&format!("{}-{}", b.student.id, b.student.name));
        if req.pdf {
            files.push(OutFile::pdf(
                req.out.join("books").join(format!("{stem}.pdf")),
                bytes,
                layout.pages.len(),
            ));
        }
        if let Some(word) = &word {
            files.push(OutFile::other(
                req.out.join("books").join(format!("{stem}.docx")),
                word.book(b)?,
            ));
        }
        titles.push(format!("{} {}", b.student.id, b.student.name));
        layouts.push(layout);
    }
    let combined = layout::concat(layouts, &titles, false);
    let pages = combined.pages.len();
    files.push(OutFile::pdf(
        req.out.join("print-books.pdf"),
        pdf.write(&combined)?,
        pages,
    ));
    let class_layout = typeset.layout(Template::ReviewBookClass, &class_data)?;
    files.push(OutFile::pdf(
        req.out.join("class.pdf"),
        pdf.write(&class_layout)?,
        class_layout.pages.len(),
    ));
    Ok(ReviewBooks {
        files,
        students: books.len(),
        missed: missed_total,
        practice: practice_total,
        seed,
    })
}

/// The class edition's data: the questions fewest students got fully right, as printed on the first
/// variant that had them, with the option counts.
fn class_edition(
    manifest: &Manifest,
    class: &GradedClass,
    printed: &HashMap<String, (Variant, PaperData)>,
    autospace: bool,
) -> ClassData {
    let items = grade::item_analysis(manifest, &class.grading);
    let students = &class.grading.students;
    let mean = if students.is_empty() {
        Decimal::ZERO
    } else {
        students.iter().map(|s| s.total).sum::<Decimal>() / Decimal::from(students.len())
    };
    let mut shown = Vec::new();
    // item_analysis lists the hardest first.
    for item in items
        .iter()
        .filter(|i| i.n > i.unmarked && i.facility < 1.0)
    {
        if shown.len() == CLASS_ITEMS {
            break;
        }
        let mut places: BTreeMap<String, usize> = BTreeMap::new();
        let mut first: Option<(QuestionData, Vec<usize>)> = None;
        for v in &manifest.variants {
            let Some((_, data)) = printed.get(&v.label) else {
                continue;
            };
            let Some(rq) = v.questions.iter().find(|q| q.id == item.id) else {
                continue;
            };
            places.insert(v.label.clone(), rq.number);
            if first.is_none()
                && let Some(q) = data
                    .parts
                    .iter()
                    .flat_map(|p| &p.questions)
                    .find(|q| q.number == rq.number)
            {
                first = Some((q.clone(), rq.option_order.clone()));
            }
        }
        let Some((question, order)) = first else {
            continue;
        };
        let mut entry = class_item(
            shown.len() + 1,
            item,
            printed_places(&places, manifest.variants.len()),
            question,
            &order,
        );
        if item.kind == QuestionType::Judge {
            entry.options = judge_options(manifest, class, &item.id, &entry.question.answer);
            entry.trap = entry
                .options
                .iter()
                .find(|o| !o.correct && o.count > 0)
                .map_or(String::new(), |o| format!("{}（{}人）", o.label, o.count));
        }
        shown.push(entry);
    }
    ClassData {
        title: manifest.blueprint.title.clone(),
        count: students.len(),
        mean: points_text(mean.round_dp(1)),
        total_points: points_text(manifest.total_points),
        items: shown,
        autospace,
    }
}

/// A judge question's two answers as options: how many students marked √ and ×.
fn judge_options(
    manifest: &Manifest,
    class: &GradedClass,
    id: &str,
    answer: &str,
) -> Vec<book::ClassOption> {
    let mut counts = [0usize; 2];
    for s in &class.grading.students {
        let Some(v) = manifest.variants.iter().find(|v| v.label == s.variant) else {
            continue;
        };
        for (q, (given, _)) in v.questions.iter().zip(&s.answers) {
            if q.id == id
                && let grade::Given::Judge(b) = given
            {
                counts[usize::from(!*b)] += 1;
            }
        }
    }
    [("√", "正确"), ("×", "错误")]
        .iter()
        .zip(counts)
        .map(|((label, text), count)| book::ClassOption {
            label: label.to_string(),
            text: text.to_string(),
            correct: answer == *label,
            count,
            trap: answer != *label && count > 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_seeds_differ_by_student_and_seed_and_never_change() {
        assert_ne!(student_seed(1, "S001"), student_seed(1, "S002"));
        assert_ne!(student_seed(1, "S001"), student_seed(2, "S001"));
        assert_eq!(student_seed(1, "S001"), student_seed(1, "S001"));
    }
}

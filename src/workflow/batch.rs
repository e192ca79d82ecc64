//! Class batches: a named paper and answer sheet for every student of a roster, variants assigned so that
//! neighbours (by seat) differ, combined print files, and the keys once per variant.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::Result;
use crate::input::manifest::{Manifest, StudentRecord};
use crate::input::roster::{self, Student, seat_order};
use crate::render::DocKind;
use crate::render::layout::{self, Layout};
use crate::workflow::drawn::{DrawRequest, Drawn};
use crate::workflow::jobs::{Backends, Job, Made, PaperSet, Plan};
use crate::workflow::{Look, OutFile, load_fonts, paper_typesetter};

/// A class batch to make: the draw, the roster, and how many variants (`None`: the request's count,
/// at least 2 so neighbours differ; `per_student`: one each).
pub struct BatchRequest {
    pub draw: DrawRequest,
    pub roster: PathBuf,
    pub variants: Option<usize>,
    pub per_student: bool,
}

/// Everything a class batch writes, manifest.json last, and what the summary line needs.
pub struct Batch {
    pub files: Vec<OutFile>,
    pub students: usize,
    pub variants: usize,
    pub seed: u64,
}

/// Reads the roster, draws the variants and renders every student's paper and sheet, the keys and the
/// print files, in the formats the look asks for (answer sheets always as PDF). Nothing is written here.
pub fn class_batch(
    req: &BatchRequest,
    look: &Look,
    dir: &Path,
    err: &mut dyn std::io::Write,
) -> Result<Batch> {
    let students = roster::read(&req.roster)?;
    let variants = if req.per_student {
        students.len()
    } else {
        req.variants.unwrap_or(2)
    };
    let drawn = Drawn::load(
        &DrawRequest {
            variants,
            ..req.draw.clone()
        },
        err,
    )?;
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    crate::workflow::check::roster_glyphs(&students, &req.roster, &fonts)?;
    let (typeset, duplex) = paper_typesetter(&fonts, look, &drawn.blueprint)?;
    let typeset = typeset.with_images(drawn.bank.images.clone());
    let assignment = assign(&students, variants);
    let set = PaperSet::new(&drawn, &students, duplex);
    let formats = look.formats();
    let jobs = Plan {
        dir,
        formats: &formats,
    }
    .class(&students, &assignment, &set.labels());
    let backends = Backends::new(typeset, &jobs)?;
    // Each document moves the bar twice (laid out, drawn), so it moves as students are made.
    let progress = ProgressBar::new(Backends::progress_steps(&jobs));
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} {wide_bar} {percent:>3}% of the class's documents {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let made = backends.render_with_progress(&set, &jobs, true, &|| progress.inc(1))?;
    progress.finish_and_clear();
    drop(set);
    let mut manifest = drawn.manifest();
    let Collected {
        mut files,
        papers,
        sheets,
        titles,
    } = collect(&jobs, made, &mut manifest, &students)?;
    // The print files are the biggest documents of the run: what only the students' files needed went first.
    // Answer sheets are forms to mark, printed as they are: their print file is made whatever the formats.
    let mut print = vec![("print-sheets.pdf", sheets)];
    if look.pdf {
        print.insert(0, ("print-papers.pdf", papers));
    }
    for (name, layouts) in print {
        let combined = layout::concat(layouts, &titles, duplex);
        let pages = combined.pages.len();
        let bytes = backends.pdf()?.write(&combined)?;
        files.push(OutFile::pdf(dir.join(name), bytes, pages));
    }
    manifest.students = students
        .iter()
        .zip(&assignment)
        .map(|(s, v)| StudentRecord {
            id: s.id.clone(),
            name: s.name.clone(),
            class: s.class.clone(),
            seat: s.seat.clone(),
            variant: drawn.draw.variants[*v].label.clone(),
        })
        .collect();
    files.push(OutFile::other(
        dir.join("manifest.json"),
        manifest.to_json().into_bytes(),
    ));
    Ok(Batch {
        files,
        students: students.len(),
        variants,
        seed: drawn.draw.seed,
    })
}

/// Which variant (index into the draw's variants) each student sits, in roster order: round-robin over
/// the seat order, so that students in neighbouring seats get different variants.
pub fn assign(students: &[Student], variants: usize) -> Vec<usize> {
    let mut assignment = vec![0; students.len()];
    for (k, i) in seat_order(students).into_iter().enumerate() {
        assignment[i] = k % variants.max(1);
    }
    assignment
}

/// A class's rendered documents: the files, and the PDF layouts the print files combine.
struct Collected {
    files: Vec<OutFile>,
    papers: Vec<Layout>,
    sheets: Vec<Layout>,
    /// Each student's entry in the print files' outline: `20250001 张三（A卷）`.
    titles: Vec<String>,
}

/// The rendered documents as files, with each variant's sheet geometry recorded in the manifest.
fn collect(
    jobs: &[Job],
    made: Vec<Made>,
    manifest: &mut Manifest,
    students: &[Student],
) -> Result<Collected> {
    let mut out = Collected {
        files: Vec::new(),
        papers: Vec::new(),
        sheets: Vec::new(),
        titles: Vec::new(),
    };
    for (job, Made { file, layout }) in jobs.iter().zip(made) {
        out.files.push(file);
        let (Some(layout), Some(i)) = (layout, job.student) else {
            continue;
        };
        let record = &mut manifest.variants[job.variant];
        if job.kind == DocKind::AnswerSheet {
            // Every sheet of a variant has the same geometry (the id grid is as wide as the longest id,
            // the QR code one size); the first one records it.
            if record.sheet.is_empty() {
                record.sheet = crate::workflow::sheet::geometry(&layout, record)?;
            }
            out.sheets.push(layout);
            let s = &students[i];
            out.titles
                .push(format!("{} {}（{}卷）", s.id, s.name, record.label));
        } else {
            out.papers.push(layout);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(id: &str, seat: &str) -> Student {
        Student {
            id: id.into(),
            name: id.into(),
            class: String::new(),
            seat: seat.into(),
            row: 1,
        }
    }

    #[test]
    fn neighbours_by_seat_get_different_variants() {
        let students = vec![
            student("a", "3"),
            student("b", "1"),
            student("c", "2"),
            student("d", "10"),
            student("e", ""),
        ];
        let got = assign(&students, 2);
        // Seat order: b(1) c(2) a(3) d(10) e(no seat).
        assert_eq!(got, vec![0, 0, 1, 1, 0]);
        assert_eq!(assign(&students, 1), vec![0; 5]);
    }
}

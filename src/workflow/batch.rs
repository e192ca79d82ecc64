//! Class batches: a named paper and answer sheet for every student of a roster, variants assigned so that
//! neighbours (by seat) differ, combined print files, and the keys once per variant.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::Result;
use crate::input::manifest::{Manifest, StudentRecord};
use crate::input::roster::{self, Student, safe_file_name, seat_order};
use crate::model::paper::{self, PaperData, StudentData};
use crate::render::Renderer;
use crate::render::layout::{self, Layout};
use crate::render::pdf;
use crate::workflow::drawn::{DrawRequest, Drawn};
use crate::workflow::{Look, OutFile, load_fonts, paper_renderer};

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
/// print files. Nothing is written here.
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
    let (renderer, duplex) = paper_renderer(&fonts, look, &drawn.blueprint)?;
    let renderer = renderer.with_images(drawn.bank.images.clone());
    let assignment = assign(&students, variants);
    let (mut files, manifest) = render(&drawn, &students, &assignment, &renderer, dir, duplex)?;
    if look.docx {
        let docs = crate::workflow::word::render_batch(
            &renderer,
            &drawn,
            &students,
            &assignment,
            dir,
            duplex,
        )?;
        files.extend(
            docs.into_iter()
                .map(|(path, bytes)| OutFile::other(path, bytes)),
        );
    }
    if !look.pdf {
        // Answer sheets are forms to mark, printed as they are: they stay PDF.
        files.retain(|f| {
            f.pages.is_none()
                || f.path.starts_with(dir.join("sheets"))
                || f.path == dir.join("print-sheets.pdf")
        });
    }
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

/// Renders everything a class needs. Nothing is written here; the caller writes the files.
fn render(
    drawn: &Drawn,
    students: &[Student],
    assignment: &[usize],
    renderer: &Renderer,
    dir: &Path,
    duplex: bool,
) -> Result<(Vec<OutFile>, Manifest)> {
    let variants = drawn.draw.variants.len();
    let id_digits = students
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(4, 20);
    let base: Vec<PaperData> = drawn
        .draw
        .variants
        .iter()
        .map(|v| paper::build(&drawn.bank, &drawn.blueprint, v, variants, duplex))
        .collect();
    let mut manifest = drawn.manifest();
    let digest = manifest.draw_digest();
    let progress = ProgressBar::new((students.len() * 2 + variants) as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} documents {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Each student's paper data, and their sheet's with its QR code; the keys borrow their variant's.
    let per_student: Vec<(PaperData, PaperData)> = students
        .iter()
        .zip(assignment)
        .map(|(s, v)| {
            let mut data = base[*v].clone();
            data.student = StudentData {
                name: s.name.clone(),
                id: s.id.clone(),
                class: s.class.clone(),
            };
            data.id_digits = id_digits;
            let mut sheet = data.clone();
            sheet.sheet_qr =
                crate::workflow::sheet::sheet_code(&digest, &data.variant, Some(&s.id));
            (data, sheet)
        })
        .collect();
    // (student, document) jobs, and the keys once per variant.
    let mut jobs: Vec<(Option<usize>, &str, &PaperData)> = Vec::new();
    for (i, (paper, sheet)) in per_student.iter().enumerate() {
        jobs.push((Some(i), "paper", paper));
        jobs.push((Some(i), "answer-sheet", sheet));
    }
    for data in &base {
        jobs.push((None, "key", data));
    }
    let refs: Vec<(&str, &PaperData)> = jobs.iter().map(|(_, name, data)| (*name, *data)).collect();
    let rendered = renderer.render_all(&refs, true);
    progress.inc(jobs.len() as u64);
    progress.finish_and_clear();

    let mut files = Vec::new();
    let mut papers: Vec<Layout> = Vec::new();
    let mut sheets: Vec<Layout> = Vec::new();
    let mut titles = Vec::new();
    for ((student, name, data), result) in jobs.iter().zip(rendered) {
        let crate::render::Rendered { layout, pdf: bytes } = result?;
        let pages = layout.pages.len();
        match student {
            Some(i) => {
                let s = &students[*i];
                let stem = safe_file_name(&format!("{}-{}", s.id, s.name));
                let folder = if *name == "paper" { "papers" } else { "sheets" };
                files.push(OutFile::pdf(
                    dir.join(folder).join(format!("{stem}.pdf")),
                    bytes,
                    pages,
                ));
                if *name == "paper" {
                    titles.push(format!("{} {}（{}卷）", s.id, s.name, data.variant));
                    papers.push(layout);
                } else {
                    // Every sheet of a variant has the same geometry (the id grid is as wide as the
                    // longest id, the QR code one size); the first one records it.
                    let record = &mut manifest.variants[assignment[*i]];
                    if record.sheet.is_empty() {
                        record.sheet = crate::workflow::sheet::geometry(&layout, record)?;
                    }
                    sheets.push(layout);
                }
            }
            None => files.push(OutFile::pdf(
                dir.join(format!("key-{}.pdf", data.variant)),
                bytes,
                pages,
            )),
        }
    }
    // The print files are the biggest documents of the run: what only the students' files needed goes first.
    drop((refs, jobs));
    drop(per_student);
    for (name, layouts) in [("print-papers.pdf", papers), ("print-sheets.pdf", sheets)] {
        let combined = layout::concat(layouts, &titles, duplex);
        let pages = combined.pages.len();
        files.push(OutFile::pdf(
            dir.join(name),
            pdf::render(&combined, &renderer.pdf_fonts),
            pages,
        ));
    }
    manifest.students = students
        .iter()
        .zip(assignment)
        .map(|(s, v)| StudentRecord {
            id: s.id.clone(),
            name: s.name.clone(),
            class: s.class.clone(),
            seat: s.seat.clone(),
            variant: drawn.draw.variants[*v].label.clone(),
        })
        .collect();
    Ok((files, manifest))
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

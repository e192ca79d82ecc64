//! Class batches: a named paper and answer sheet for every student of a roster, variants assigned so that
//! neighbours (by seat) differ, combined print files, and the keys once per variant.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::commands::Drawn;
use crate::error::Result;
use crate::input::manifest::{Manifest, StudentRecord};
use crate::input::roster::{Student, safe_file_name, seat_order};
use crate::model::paper::{self, PaperData, StudentData};
use crate::render::Renderer;
use crate::render::layout::{self, Layout};
use crate::render::pdf;

/// A finished file: where it goes, its bytes and its page count.
pub struct OutFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub pages: usize,
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
pub fn render(
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
    let progress = ProgressBar::new((students.len() * 2 + variants) as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} documents {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // (student, document) jobs, and the keys once per variant.
    let mut jobs: Vec<(Option<usize>, &str, PaperData)> = Vec::new();
    for (i, s) in students.iter().enumerate() {
        let mut data = base[assignment[i]].clone();
        data.student = StudentData {
            name: s.name.clone(),
            id: s.id.clone(),
            class: s.class.clone(),
        };
        data.id_digits = id_digits;
        jobs.push((Some(i), "paper", data.clone()));
        jobs.push((Some(i), "answer-sheet", data));
    }
    for data in &base {
        jobs.push((None, "key", data.clone()));
    }
    let rendered = crate::util::parallel::map(&jobs, |(_, name, data)| {
        let result = renderer.layout(name, data).map(|layout| {
            let bytes = pdf::render(&layout, &renderer.pdf_fonts);
            (layout, bytes)
        });
        progress.inc(1);
        result
    });
    progress.finish_and_clear();

    let mut files = Vec::new();
    let mut papers: Vec<Layout> = Vec::new();
    let mut sheets: Vec<Layout> = Vec::new();
    let mut titles = Vec::new();
    for ((student, name, data), result) in jobs.iter().zip(rendered) {
        let (layout, bytes) = result?;
        let pages = layout.pages.len();
        match student {
            Some(i) => {
                let s = &students[*i];
                let stem = safe_file_name(&format!("{}-{}", s.id, s.name));
                let folder = if *name == "paper" { "papers" } else { "sheets" };
                files.push(OutFile {
                    path: dir.join(folder).join(format!("{stem}.pdf")),
                    bytes,
                    pages,
                });
                if *name == "paper" {
                    titles.push(format!("{} {}（{}卷）", s.id, s.name, data.variant));
                    papers.push(layout);
                } else {
                    sheets.push(layout);
                }
            }
            None => files.push(OutFile {
                path: dir.join(format!("key-{}.pdf", data.variant)),
                bytes,
                pages,
            }),
        }
    }
    for (name, layouts) in [("print-papers.pdf", &papers), ("print-sheets.pdf", &sheets)] {
        let combined = layout::concat(layouts, &titles, duplex);
        let pages = combined.pages.len();
        files.push(OutFile {
            path: dir.join(name),
            bytes: pdf::render(&combined, &renderer.pdf_fonts),
            pages,
        });
    }
    let mut manifest = drawn.manifest();
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

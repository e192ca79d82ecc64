//! `examgen scan` as a job: every page of the scans read in parallel against the manifest's sheet geometry,
//! identified by its QR code, and turned into responses.csv (what `grade` reads, `?` where a person must
//! look), scan-report.csv (one row per page and per missing student) and review.pdf.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{Error, Result};
use crate::exam::grade::{MISSING_PAGE, number_runs};
use crate::input::manifest::Manifest;
use crate::input::scan::{
    PageReading, PageSource, SheetCode, SheetGeometry, list_pages, review_image, review_outlines,
};
use crate::util::csv::write_csv;
use crate::workflow::OutFile;
use crate::workflow::scan_identify::{Layouts, NotRead, identify};
use crate::workflow::scan_join::{JoinedSheet, PageKey, join_pages};
use crate::workflow::scan_review::{
    ReviewPage, ReviewPicture, ReviewSpill, outline_ops, write_review_pdf,
};

/// Pages decoded, or read and waiting for an earlier page, at one time: two per core on a 2-core machine,
/// so a core never waits for one slow page, and about 10 MB each (a 300 dpi A4 page in gray).
const PAGES_IN_FLIGHT: usize = 4;

pub struct ScanRequest<'a> {
    pub manifest: &'a Path,
    pub inputs: &'a [PathBuf],
}

/// The files of a scan run and what the summary line says.
pub struct Scan {
    /// responses.csv and scan-report.csv.
    pub files: Vec<OutFile>,
    /// review.pdf's pages, their pictures in a temporary file until [`Scan::write`] streams them out.
    review: Vec<ReviewPage>,
    spill: ReviewSpill,
    pub pages: usize,
    pub sheets: usize,
    pub doubtful_sheets: usize,
    /// One line per page or student that needs a person: unreadable pages, duplicates, missing sheets.
    pub problems: Vec<String>,
    /// Files of a scans folder left out because they are no scan (Thumbs.db, a stray .docx).
    pub skipped: Vec<String>,
    /// Pages not read that are not blank (a blank back of a duplex stack is no loss), by file and page:
    /// a sheet printed too faint or damaged past reading makes no row, and must not pass unseen.
    pub unread: Vec<String>,
}

/// One page as read: where it came from and either the sheet or why there is none.
pub(crate) struct PageOutcome {
    pub file: PathBuf,
    pub page: usize,
    pub result: std::result::Result<ReadSheet, NotRead>,
}

/// A page identified as one of this exam's sheets.
pub(crate) struct ReadSheet {
    pub code: SheetCode,
    /// The student id: the QR code's on a personalised sheet, else the marked 准考证号 (`?` in doubtful
    /// columns).
    pub id: String,
    /// The variant graded: the QR code's, or the 试卷类型 the student marked when it differs.
    pub variant: String,
    pub reading: PageReading,
    pub problems: Vec<String>,
    /// The review picture when the sheet has doubtful marks.
    pub review: Option<ReviewPicture>,
}

impl Scan {
    /// Writes the run's files into `dir` together (all of them or none, as every command does), review.pdf
    /// streamed from the spilled pictures, and returns the `wrote …` line of each.
    pub fn write(&mut self, dir: &Path) -> Result<Vec<String>> {
        let run = crate::util::fs::StagedRun::new(dir)?;
        let mut lines = Vec::new();
        for f in &self.files {
            run.write(&f.path, &f.bytes)?;
            lines.push(f.describe());
        }
        let path = dir.join("review.pdf");
        let file = run.create(&path)?;
        let mut buffered = std::io::BufWriter::new(file);
        let pages = write_review_pdf(&self.review, &mut self.spill, &mut buffered, &path)?;
        let file = buffered
            .into_inner()
            .map_err(|e| Error::output("write", &path, e.into_error()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        run.close(&path, file)?;
        run.commit()?;
        lines.push(format!(
            "wrote {} ({pages} pages, {} KB)",
            path.display(),
            size.div_ceil(1024)
        ));
        Ok(lines)
    }
}

/// Reads every page of `req.inputs` and returns the files to write. Pages that cannot be read are
/// reported, never guessed; the run fails only when no page at all is an answer sheet of this exam.
pub fn scan(req: &ScanRequest, dir: &Path) -> Result<Scan> {
    let manifest = Manifest::read(req.manifest)?;
    let layouts = Layouts::new(&manifest, req.manifest);
    if manifest.variants.iter().all(|v| v.sheet.is_empty()) {
        // A paper's manifest: blank sheets are read with their layout made anew, if it can be.
        layouts.first().map_err(Error::input)?;
    }
    // A file or page that is no image at all is reported where it is, in input order. Listing reads no
    // page's image (a PDF's or TIFF's pages are read from the file when they are decoded), so the list
    // is small whatever the stack.
    let mut sources: Vec<std::result::Result<PageSource, (PathBuf, usize, String)>> = Vec::new();
    let mut skipped = Vec::new();
    for input in req.inputs {
        let listing = list_pages(input);
        skipped.extend(listing.skipped);
        for s in listing.pages {
            sources.push(s.map_err(|p| (p.source.clone(), p.page.unwrap_or(0), p.message)));
        }
    }
    let progress = ProgressBar::new(sources.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} pages {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Every core reads pages; at most PAGES_IN_FLIGHT are decoded or waiting for an earlier page at once,
    // and the outcomes (no images) come back in input order, so the output is the same on any machine.
    let mut outcomes: Vec<PageOutcome> = Vec::with_capacity(sources.len());
    // Review pictures go to a temporary file as their pages come in: a stack of doubtful sheets (a
    // scanner set too light) must not be held in memory.
    let mut spill = ReviewSpill::new();
    let mut pictures: Vec<Option<usize>> = Vec::with_capacity(sources.len());
    let mut spill_error = None;
    crate::util::parallel::for_each_ordered(
        sources.into_iter(),
        PAGES_IN_FLIGHT,
        |s| {
            let outcome = match s {
                Ok(source) => PageOutcome {
                    file: source.source.clone(),
                    page: source.page,
                    result: read_one(&source, &layouts),
                },
                Err((file, page, why)) => PageOutcome {
                    file,
                    page,
                    result: Err(NotRead::from(why)),
                },
            };
            progress.inc(1);
            outcome
        },
        |mut outcome| {
            let picture = outcome.result.as_mut().ok().and_then(|s| s.review.take());
            pictures
                .push(picture.and_then(|p| spill.push(&p).map_err(|e| spill_error = Some(e)).ok()));
            outcomes.push(outcome);
        },
    );
    progress.finish_and_clear();
    if let Some(e) = spill_error {
        return Err(e);
    }
    let mut scan = collect(
        &manifest,
        &layouts,
        outcomes,
        pictures,
        spill,
        req.manifest,
        dir,
    )?;
    scan.skipped = skipped;
    Ok(scan)
}

/// Reads one page: decode, then identify and read it with its own sheet's layout
/// ([`scan_identify`](crate::workflow::scan_identify)).
fn read_one(source: &PageSource, layouts: &Layouts) -> std::result::Result<ReadSheet, NotRead> {
    let page = source.decode().map_err(|p| NotRead::from(p.message))?;
    let found = identify(&page.image, layouts)?;
    let review = (found.reading.doubtful_count() > 0)
        .then(|| review_jpeg(&page.image, &found.geometry, &found.reading))
        .flatten();
    Ok(ReadSheet {
        code: found.code,
        id: found.id,
        variant: found.variant,
        reading: found.reading,
        problems: found.problems,
        review,
    })
}

/// Review pictures upright at 5 px a sheet mm (never finer than the scan): the page shows the sheet 186 mm
/// wide, so that is about 145 dpi on paper, enough to see a pencil mark. Grey, as a JPEG of quality 75:
/// the coloured outlines are drawn over it in the PDF, so the picture needs no colour.
const REVIEW_PPM: f32 = 5.0;

fn review_jpeg(
    image: &image::GrayImage,
    geom: &SheetGeometry,
    reading: &PageReading,
) -> Option<ReviewPicture> {
    let ppm = reading.registration.pixels_per_mm.min(REVIEW_PPM);
    let picture = review_image(image, geom, reading, ppm);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&picture)
        .ok()?;
    let sheet_mm = (geom.page_width_mm, geom.page_height_mm);
    Some(ReviewPicture {
        jpeg: out,
        width: picture.width(),
        height: picture.height(),
        outlines: outline_ops(&review_outlines(geom, reading), sheet_mm.1),
        sheet_mm,
    })
}

/// What a question's cell in responses.csv holds and the note for a doubtful one.
fn cell_of(letters: &str, doubtful: bool, best: &str) -> (String, Option<String>) {
    if doubtful {
        let shown = if best.is_empty() { "none" } else { best };
        ("?".into(), Some(format!("{shown}?")))
    } else {
        (letters.to_string(), None)
    }
}

/// Turns the pages read into the run's files and the problems to show.
/// `pictures` holds each page's review picture in `spill`, if it has one.
fn collect(
    manifest: &Manifest,
    layouts: &Layouts,
    outcomes: Vec<PageOutcome>,
    mut pictures: Vec<Option<usize>>,
    spill: ReviewSpill,
    manifest_path: &Path,
    dir: &Path,
) -> Result<Scan> {
    let numbers: Vec<usize> = {
        let mut n: Vec<usize> = manifest
            .variants
            .iter()
            .flat_map(|v| v.questions.iter().map(|q| q.number))
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let mut header = vec!["id".to_string(), "variant".to_string()];
    header.extend(numbers.iter().map(|n| n.to_string()));
    header.push("note".into());
    let mut responses = vec![header];
    let mut report = vec![
        ["file", "page", "id", "variant", "doubtful", "problems"]
            .map(String::from)
            .to_vec(),
    ];
    let mut problems = Vec::new();
    // A student's pages joined into one row each (a one-page sheet's page is a row).
    let keyed: Vec<(usize, PageKey)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let s = o.result.as_ref().ok()?;
            Some((
                i,
                PageKey {
                    id: s.id.clone(),
                    printed_variant: s.code.variant.clone(),
                    personal: s.code.student.is_some(),
                    page: s.code.page,
                    pages: s.code.pages,
                },
            ))
        })
        .collect();
    let joined = join_pages(&keyed);
    let mut row_of: Vec<Option<usize>> = vec![None; outcomes.len()];
    for (r, sheet) in joined.iter().enumerate() {
        for i in sheet.scanned() {
            row_of[i] = Some(r);
        }
    }
    // Which rows carry each id, for duplicates.
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (r, sheet) in joined.iter().enumerate() {
        if let Ok(s) = &outcomes[sheet.first].result
            && !s.id.is_empty()
        {
            by_id.entry(s.id.clone()).or_default().push(r);
        }
    }
    let place = |o: &PageOutcome| {
        if o.page == 0 {
            o.file.display().to_string()
        } else {
            format!("{} page {}", o.file.display(), o.page)
        }
    };
    let mut review = Vec::new();
    let mut unread = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let s = match &o.result {
            Ok(s) => s,
            Err(NotRead { why, blank }) => {
                problems.push(format!("{}: {why}", place(o)));
                if !blank {
                    unread.push(place(o));
                }
                report.push(vec![
                    o.file.display().to_string(),
                    o.page.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    why.clone(),
                ]);
                continue;
            }
        };
        let row = row_of[i].expect("every page read is in a row");
        let mut page_problems = s.problems.clone();
        if let Some(others) = by_id.get(&s.id).filter(|v| v.len() > 1) {
            let elsewhere: Vec<String> = others
                .iter()
                .filter(|&&r| r != row)
                .map(|&r| place(&outcomes[joined[r].first]))
                .collect();
            page_problems.push(format!(
                "duplicate id {}: also on {}",
                s.id,
                elsewhere.join(", ")
            ));
        }
        if let Some(student) = layouts.student(&s.id) {
            if student.variant != s.variant {
                page_problems.push(format!(
                    "wrong variant: the batch gave {} variant {}, the sheet is {}",
                    s.id, student.variant, s.variant
                ));
            }
        } else if !manifest.students.is_empty() && !s.id.is_empty() && !s.id.contains('?') {
            // A doubtful or unread id is reported as such; looking it up would only add a wrong reason.
            page_problems.push(format!("{} is no student of the batch", s.id));
        }
        let doubtful = s.reading.doubtful_count();
        if !page_problems.is_empty() {
            problems.push(format!("{}: {}", place(o), page_problems.join("; ")));
        }
        report.push(vec![
            o.file.display().to_string(),
            o.page.to_string(),
            s.id.clone(),
            s.variant.clone(),
            doubtful.to_string(),
            page_problems.join("; "),
        ]);
        if let Some(picture) = pictures[i].take() {
            review.push(ReviewPage {
                caption: format!(
                    "{}  第{}页  {}  {}卷{}  存疑 {}",
                    o.file
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().to_string()),
                    o.page,
                    s.id,
                    s.variant,
                    // Which page of a longer sheet this is (the scan's page number is the stack's).
                    if s.code.pages > 1 {
                        format!("  答题卡第{}/{}页", s.code.page, s.code.pages)
                    } else {
                        String::new()
                    },
                    doubtful
                ),
                picture,
            });
        }
    }
    let mut doubtful_sheets = 0;
    for sheet in &joined {
        let (row, doubtful, missing) = answer_row(layouts, &outcomes, sheet, &numbers);
        if doubtful {
            doubtful_sheets += 1;
        }
        responses.push(row);
        for (why, page, id, variant) in missing {
            problems.push(why.clone());
            report.push(vec![String::new(), page, id, variant, String::new(), why]);
        }
    }
    let sheets = joined.len();
    let mut absent = Vec::new();
    for st in &manifest.students {
        if !by_id.contains_key(&st.id) {
            let why = format!("no sheet scanned for {} {}", st.id, st.name);
            absent.push(format!("{} {}", st.id, st.name));
            report.push(vec![
                String::new(),
                String::new(),
                st.id.clone(),
                st.variant.clone(),
                String::new(),
                why,
            ]);
        }
    }
    problems.extend(absent_students(&absent, manifest.students.len()));
    if sheets == 0 {
        return Err(Error::input(format!(
            "no page of the scans is an answer sheet of {}:\n  {}",
            manifest_path.display(),
            problems.join("\n  ")
        )));
    }
    Ok(Scan {
        files: vec![
            OutFile::other(dir.join("responses.csv"), write_csv(&responses)),
            OutFile::other(dir.join("scan-report.csv"), write_csv(&report)),
        ],
        review,
        spill,
        skipped: Vec::new(),
        unread,
        pages: outcomes.len(),
        sheets,
        doubtful_sheets,
        problems,
    })
}

/// The students of the batch with no sheet among the scans, as problem lines: one each for a few, else one
/// line naming the first few and the count (a class scanned in parts would otherwise list dozens of
/// students on the terminal; scan-report.csv names every one).
fn absent_students(absent: &[String], batch: usize) -> Vec<String> {
    const LISTED: usize = 5;
    if absent.len() <= LISTED {
        return absent
            .iter()
            .map(|who| format!("no sheet scanned for {who}"))
            .collect();
    }
    vec![format!(
        "no sheet scanned for {} of the batch's {batch} students: {} and {} more (each in scan-report.csv)",
        absent.len(),
        absent[..LISTED].join(", "),
        absent.len() - LISTED
    )]
}

/// One joined sheet's row of responses.csv (`?` where a person must look, [`MISSING_PAGE`] in every
/// question of a page not scanned), whether any mark on it is doubtful, and per missing page the problem
/// line with its report cells (page, id, variant).
#[allow(clippy::type_complexity)]
fn answer_row(
    layouts: &Layouts,
    outcomes: &[PageOutcome],
    sheet: &JoinedSheet,
    numbers: &[usize],
) -> (Vec<String>, bool, Vec<(String, String, String, String)>) {
    let read: Vec<&ReadSheet> = sheet
        .scanned()
        .filter_map(|i| outcomes[i].result.as_ref().ok())
        .collect();
    // Page 1 carries the 试卷类型 row the student marked; any page carries the id.
    let head = read[0];
    let (id, variant) = (head.id.clone(), head.variant.clone());
    // Cells by question number; blank and short questions stay empty (answered on the paper).
    let mut cells: HashMap<usize, String> = HashMap::new();
    let mut notes = Vec::new();
    if head.reading.id_doubtful() && head.code.student.is_none() {
        notes.push(format!("id: {}?", head.reading.id_best()));
    }
    let mut doubtful = false;
    for s in &read {
        doubtful |= s.reading.doubtful_count() > 0;
        for a in &s.reading.answers {
            let (cell, note) = cell_of(&a.reading.letters, a.reading.doubtful, &a.reading.best);
            if let Some(n) = note {
                notes.push(format!("{}: {n}", a.question));
            }
            cells.insert(a.question as usize, cell);
        }
    }
    let mut missing = Vec::new();
    let pages = sheet.pages.len() as u32;
    for k in sheet.missing() {
        let code = SheetCode {
            page: k,
            pages,
            ..head.code.clone()
        };
        let questions: Vec<u32> = layouts
            .of(&code)
            .map(|g| g.questions.iter().map(|q| q.number).collect())
            .unwrap_or_default();
        for q in &questions {
            cells.insert(*q as usize, MISSING_PAGE.to_string());
        }
        let held = if questions.is_empty() {
            String::new()
        } else {
            format!(" (questions {})", number_runs(&questions))
        };
        notes.push(format!("page {k} of {pages} not scanned{held}"));
        let who = match layouts.student(&id) {
            Some(st) if !st.name.is_empty() => format!("{id} {}", st.name),
            _ if id.is_empty() => "a sheet with no 准考证号".to_string(),
            _ => id.clone(),
        };
        let why = format!(
            "{who}: page {k} of {pages} of the answer sheet not scanned{held}; scan it with the other pages \
             (grade refuses the row until then)"
        );
        missing.push((why, k.to_string(), id.clone(), variant.clone()));
    }
    let mut row = vec![id, variant];
    row.extend(numbers.iter().map(|n| cells.remove(n).unwrap_or_default()));
    row.push(notes.join("; "));
    (row, doubtful, missing)
}

#[cfg(test)]
mod tests {
    use super::absent_students;

    #[test]
    fn a_few_absent_students_are_named_each_and_many_in_one_line() {
        let who = |n: usize| -> Vec<String> {
            (1..=n).map(|i| format!("202500{i:02} 学生{i}")).collect()
        };
        assert_eq!(
            absent_students(&who(2), 40),
            [
                "no sheet scanned for 20250001 学生1",
                "no sheet scanned for 20250002 学生2"
            ]
        );
        assert_eq!(
            absent_students(&who(37), 40),
            [
                "no sheet scanned for 37 of the batch's 40 students: 20250001 学生1, 20250002 学生2, \
              20250003 学生3, 20250004 学生4, 20250005 学生5 and 32 more (each in scan-report.csv)"
            ]
        );
        assert!(absent_students(&[], 40).is_empty());
    }
}

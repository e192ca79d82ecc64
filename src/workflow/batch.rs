//! Class batches: a named paper and answer sheet for every student of a roster, variants assigned so that
//! neighbours (by seat) differ, combined print files, and the keys once per variant. Streamed: students are
//! rendered on every core a few at a time, and each file is written as soon as it is made, the print files
//! page by page, so a batch's memory does not grow with the class.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{Error, Result};
use crate::input::manifest::{MANIFEST_FORMAT_COMPACT, Manifest, StudentRecord, VariantRecord};
use crate::input::manifest::{SharedSheets, VariantSpill};
use crate::input::roster::{self, Student, seat_order};
use crate::render::DocKind;
use crate::render::PdfWriter;
use crate::render::layout::{self, Layout};
use crate::render::pdf::stream::{PrintFile, PrintPageCache, PrintPages};
use crate::util::fs::StagedRun;
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

/// What a class batch wrote, for the summary line.
pub struct Batch {
    /// PDF files written, print files included, and their pages.
    pub pdfs: usize,
    pub pages: usize,
    pub students: usize,
    pub variants: usize,
    pub seed: u64,
}

/// How many students may be made ahead of the one being written: enough to keep every core busy while
/// files are written, few enough that memory stays flat.
const AHEAD: usize = 8;

/// Reads the roster, draws the variants and makes every student's paper and sheet, the keys, the print
/// files and manifest.json (last), in the formats the look asks for (answer sheets always as PDF), writing
/// each file into `out` as soon as it is made. An error stops the batch; `out`, never committed, then
/// leaves the output folder as it was.
pub fn class_batch(
    req: &BatchRequest,
    look: &Look,
    dir: &Path,
    out: &StagedRun,
    err: &mut dyn std::io::Write,
) -> Result<Batch> {
    BackgroundSync::run(out, |files| make_batch(req, look, dir, files, err))
}

/// [`class_batch`], its files written through `files`.
fn make_batch(
    req: &BatchRequest,
    look: &Look,
    dir: &Path,
    files: &BackgroundSync,
    err: &mut dyn std::io::Write,
) -> Result<Batch> {
    let out = files.out;
    let students = roster::read(&req.roster)?;
    let variants = if req.per_student {
        students.len()
    } else {
        req.variants.unwrap_or(2)
    };
    // Variants are arranged as they are needed, not kept: with one per student they are the class.
    let drawn = Drawn::load_lazily(
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
    let set = PaperSet::new(&drawn, &students, duplex).sharing_fonts(req.per_student);
    let formats = look.formats();
    let jobs = Plan {
        dir,
        formats: &formats,
    }
    .class(&students, &assignment, &set.labels());
    let backends = Backends::new(typeset, &jobs)?;
    let set = set.reading(&jobs, backends.typeset().templates());
    let pdf = backends.pdf()?;
    // Compact: a variant per student would otherwise repeat the same question records thousands of times.
    let head = Manifest {
        format: MANIFEST_FORMAT_COMPACT.into(),
        ..drawn.manifest_head()
    };
    let labels = set.labels();

    let mut named: Vec<Vec<&Job>> = vec![Vec::new(); students.len()];
    let mut keys = Vec::new();
    for job in &jobs {
        match job.student {
            Some(i) => named[i].push(job),
            None => keys.push(job),
        }
    }
    // Every sheet of a variant has the same geometry (the id grid is as wide as the longest id, the QR
    // code one size); the variant's first student's sheet records it.
    let mut first_of_variant = vec![usize::MAX; variants];
    for (i, v) in assignment.iter().enumerate().rev() {
        first_of_variant[*v] = i;
    }

    let progress = ProgressBar::new((students.len() + keys.len()) as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} students and keys {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut written = Written::default();
    // Answer sheets are forms to mark, printed as they are: their print file is made whatever the formats.
    let mut print_papers = if look.pdf {
        Some(Print::open(out, dir.join("print-papers.pdf"), pdf, duplex)?)
    } else {
        None
    };
    let mut print_sheets = Print::open(out, dir.join("print-sheets.pdf"), pdf, duplex)?;
    // A student's stamped PDF comes with its pages as the print files take them. Otherwise (a template
    // whose student fields cannot be stamped) the pages are drawn for the print files, and as students of
    // one variant share all pages but those their values are on, each shared page is drawn once. With a
    // variant per student nothing is shared, and nothing kept.
    let page_cache = PrintPageCache::default();
    let cache =
        |job: &Job| (!req.per_student).then_some((&page_cache, (job.kind as usize, job.variant)));
    let record_failed = |e| Error::output("write", &dir.join("manifest.json"), e);
    // With a variant per student, the student's key is made with their paper and sheet, while the
    // variant's data is at hand (built once, not again for a later pass over the keys).
    let mut keys_of_variant: Vec<Vec<usize>> =
        vec![Vec::new(); if req.per_student { variants } else { 0 }];
    for (k, job) in keys.iter().enumerate() {
        if let Some(of) = keys_of_variant.get_mut(job.variant) {
            of.push(k);
        }
    }
    let make = |i: usize| -> Result<StudentMade> {
        let mut made = StudentMade::default();
        for &k in keys_of_variant
            .get(assignment[i])
            .map_or(&[][..], Vec::as_slice)
        {
            made.written
                .write(files, backends.render_one(&set, keys[k])?.file)?;
            made.keys += 1;
        }
        for job in &named[i] {
            let Made {
                file,
                layout,
                print,
            } = backends.render_one(&set, job)?;
            made.written.write(files, file)?;
            let Some(layout) = layout else { continue };
            match job.kind {
                DocKind::AnswerSheet => {
                    if first_of_variant[job.variant] == i {
                        // The variant's manifest record with its sheet's geometry, spilled when the
                        // student is taken: no record is kept.
                        let mut record = drawn.variant_record(job.variant);
                        record.sheet = crate::workflow::sheet::geometry(&layout, &record)?;
                        made.record = Some(record);
                    }
                    made.sheet = Some(PrintDoc::of(pdf, layout, print, cache(job))?);
                }
                _ if look.pdf => made.paper = Some(PrintDoc::of(pdf, layout, print, cache(job))?),
                _ => {}
            }
        }
        Ok(made)
    };
    // manifest.json's variant records as they are made, put in variant order at the end.
    let mut records = VariantSpill::with_variants(out.scratch()?, &head, variants);
    // Sheets printed alike (every variant's, usually) record their geometry once; students are taken in
    // roster order, so which variant holds it is the same on every run.
    let mut shared_sheets = SharedSheets::default();
    crate::util::parallel::ordered(students.len(), AHEAD, make, |i, made| {
        let StudentMade {
            written: files,
            paper,
            sheet,
            record,
            keys: keys_made,
        } = made;
        written.pdfs += files.pdfs;
        written.pages += files.pages;
        let s = &students[i];
        let title = format!("{} {}（{}卷）", s.id, s.name, labels[assignment[i]]);
        if let (Some(print), Some(paper)) = (print_papers.as_mut(), paper) {
            print.append(pdf, &title, paper)?;
        }
        if let Some(sheet) = sheet {
            print_sheets.append(pdf, &title, sheet)?;
        }
        if let Some(mut record) = record {
            shared_sheets.share(&mut record);
            records
                .put_record(assignment[i], &record)
                .map_err(record_failed)?;
        }
        progress.inc(1 + keys_made as u64);
        Ok(())
    })?;
    // A variant no student sits has no sheet printed, so no geometry.
    for v in 0..variants {
        if !records.has(v) {
            records
                .put_record(v, &drawn.variant_record(v))
                .map_err(record_failed)?;
        }
    }
    // The keys: one per variant and format, each written as made (with --per-student, made above).
    let keys: Vec<&Job> = if req.per_student { Vec::new() } else { keys };
    let make_key = |k: usize| -> Result<Written> {
        let mut key = Written::default();
        key.write(files, backends.render_one(&set, keys[k])?.file)?;
        Ok(key)
    };
    crate::util::parallel::ordered(keys.len(), AHEAD, make_key, |_, key| {
        written.pdfs += key.pdfs;
        written.pages += key.pages;
        progress.inc(1);
        Ok(())
    })?;
    for print in print_papers.into_iter().chain([print_sheets]) {
        print.finish(files, pdf, &mut written)?;
    }
    progress.finish_and_clear();
    let student_records = students
        .iter()
        .zip(&assignment)
        .map(|(s, v)| StudentRecord {
            id: s.id.clone(),
            name: s.name.clone(),
            class: s.class.clone(),
            seat: s.seat.clone(),
            variant: labels[*v].clone(),
        });
    // Put together from the spilled records as it is written: with a variant per student the manifest of
    // a large class runs to hundreds of megabytes of JSON, the same bytes as `Manifest::to_json`.
    let path = dir.join("manifest.json");
    let file = out.create(&path)?;
    let mut json = std::io::BufWriter::new(file);
    records
        .write_manifest(&head, student_records, &mut json)
        .and_then(|()| std::io::Write::write_all(&mut json, b"\n"))
        .map_err(|e| Error::output("write", &path, e))?;
    let file = json
        .into_inner()
        .map_err(|e| Error::output("write", &path, e.into_error()))?;
    files.close(&path, file)?;
    Ok(Batch {
        pdfs: written.pdfs,
        pages: written.pages,
        students: students.len(),
        variants,
        seed: drawn.draw.seed,
    })
}

/// One student's documents as made on a worker, which wrote the student's files: what it wrote, the
/// pages for each print file, when the student is the first of their variant the variant's manifest
/// record with its sheet geometry, and how many keys it made.
#[derive(Default)]
struct StudentMade {
    written: Written,
    paper: Option<PrintDoc>,
    sheet: Option<PrintDoc>,
    record: Option<VariantRecord>,
    /// Keys made with the student's documents (their variant's, with --per-student).
    keys: usize,
}

/// A document for a print file: its pages drawn (TrueType faces), or its layout, kept to be combined at
/// the end (CFF faces, which only printpdf embeds, and only in whole documents).
enum PrintDoc {
    Pages(PrintPages),
    Layout(Layout),
}

impl PrintDoc {
    fn of(
        pdf: &PdfWriter,
        layout: Layout,
        drawn: Option<PrintPages>,
        cache: Option<(&PrintPageCache, (usize, usize))>,
    ) -> Result<PrintDoc> {
        Ok(if !pdf.streams_print_files() {
            PrintDoc::Layout(layout)
        } else if let Some(pages) = drawn {
            PrintDoc::Pages(pages)
        } else {
            PrintDoc::Pages(pdf.print_pages(&layout, cache)?)
        })
    }
}

/// How many PDFs and pages a batch wrote.
#[derive(Default)]
struct Written {
    pdfs: usize,
    pages: usize,
}

impl Written {
    fn write(&mut self, files: &BackgroundSync, file: OutFile) -> Result<()> {
        if let Some(pages) = file.pages {
            self.pdfs += 1;
            self.pages += pages;
        }
        files.write(&file.path, &file.bytes)
    }
}

/// A batch's files written into the staging folder by whichever thread made them and synced to disk by
/// a few threads of their own, so the workers go on to the next student instead of waiting for the disk
/// (a class of 1,000 writes 3,000 files; each sync waits for the file system's journal, and several
/// waiting at once share one journal commit). Every file is synced before the run can be committed.
struct BackgroundSync<'a> {
    out: &'a StagedRun,
    queue: std::sync::mpsc::SyncSender<(PathBuf, std::fs::File)>,
    /// The first file that could not be synced.
    failed: &'a std::sync::Mutex<Option<Error>>,
}

/// How many files may wait to be synced (each an open file): enough for a burst of students.
const SYNC_QUEUE: usize = 64;

/// How many threads sync files: each mostly waits on the disk, and the file system commits the syncs
/// that wait together at once.
const SYNC_THREADS: usize = 4;

impl<'a> BackgroundSync<'a> {
    /// Runs `work` with files written into `out` and synced in the background; returns when every file
    /// is synced, with the work's error or else the first sync's.
    fn run<T>(out: &'a StagedRun, work: impl FnOnce(&BackgroundSync) -> Result<T>) -> Result<T> {
        let (queue, waiting) =
            std::sync::mpsc::sync_channel::<(PathBuf, std::fs::File)>(SYNC_QUEUE);
        let waiting = std::sync::Mutex::new(waiting);
        let failed = std::sync::Mutex::new(None);
        let made = std::thread::scope(|scope| {
            for _ in 0..SYNC_THREADS {
                scope.spawn(|| {
                    loop {
                        let next = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok((path, file)) = next else { break };
                        if let Err(e) = out.close(&path, file) {
                            failed
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .get_or_insert(e);
                        }
                    }
                });
            }
            let files = BackgroundSync {
                out,
                queue,
                failed: &failed,
            };
            // Dropping the queue's sender ends the syncing threads once they have synced every file.
            work(&files)
        });
        let made = made?;
        match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(made),
        }
    }

    /// Writes `bytes` as `path` (a file under the output folder) into the staging folder, to be synced
    /// in the background.
    fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let mut file = self.out.create(path)?;
        std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::output("write", path, e))?;
        self.close(path, file)
    }

    /// Hands a file written whole to the syncing threads.
    fn close(&self, path: &Path, file: std::fs::File) -> Result<()> {
        if let Some(e) = self.failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        self.queue
            .send((path.to_path_buf(), file))
            .map_err(|_| Error::internal("the threads syncing a batch's files stopped"))
    }
}

/// A print file being made: written page by page into the staging folder, or (CFF faces) its documents
/// kept and combined at the end.
struct Print {
    path: PathBuf,
    duplex: bool,
    stream: Option<PrintFile<std::fs::File>>,
    layouts: Vec<Layout>,
    titles: Vec<String>,
}

impl Print {
    fn open(out: &StagedRun, path: PathBuf, pdf: &PdfWriter, duplex: bool) -> Result<Print> {
        let stream = if pdf.streams_print_files() {
            let file = out.create(&path)?;
            Some(PrintFile::new(file, duplex).map_err(|e| Error::output("write", &path, e))?)
        } else {
            None
        };
        Ok(Print {
            path,
            duplex,
            stream,
            layouts: Vec::new(),
            titles: Vec::new(),
        })
    }

    fn append(&mut self, pdf: &PdfWriter, title: &str, doc: PrintDoc) -> Result<()> {
        match (&mut self.stream, doc) {
            (Some(stream), PrintDoc::Pages(pages)) => stream
                .append(pdf, title, pages)
                .map_err(|e| Error::output("write", &self.path, e)),
            (_, PrintDoc::Layout(layout)) => {
                self.layouts.push(layout);
                self.titles.push(title.to_string());
                Ok(())
            }
            (None, PrintDoc::Pages(_)) => Err(Error::internal(
                "pages drawn for a print file that is combined at the end",
            )),
        }
    }

    fn finish(self, files: &BackgroundSync, pdf: &PdfWriter, written: &mut Written) -> Result<()> {
        let failed = |e| Error::output("write", &self.path, e);
        if let Some(stream) = self.stream {
            let (file, pages) = stream.finish(pdf).map_err(failed)?;
            files.close(&self.path, file)?;
            written.pdfs += 1;
            written.pages += pages;
            return Ok(());
        }
        let combined = layout::concat(self.layouts, &self.titles, self.duplex);
        let pages = combined.pages.len();
        let bytes = pdf.write(&combined)?;
        written.write(files, OutFile::pdf(self.path.clone(), bytes, pages))
    }
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

    #[test]
    fn files_synced_in_the_background_are_all_there_when_the_work_returns() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("class");
        let out = StagedRun::new(&dir).unwrap();
        // More files than the queue holds, from two threads, as a batch's workers write them.
        let count = BackgroundSync::run(&out, |files| {
            let dir = &dir;
            std::thread::scope(|scope| {
                let halves: Vec<_> = (0..2)
                    .map(|half| {
                        scope.spawn(move || {
                            for i in (half..SYNC_QUEUE * 3).step_by(2) {
                                let path = dir.join("papers").join(format!("{i}.pdf"));
                                files.write(&path, format!("student {i}").as_bytes())?;
                            }
                            Ok::<_, Error>(())
                        })
                    })
                    .collect();
                halves
                    .into_iter()
                    .try_for_each(|h| h.join().expect("a writer panicked"))
            })?;
            Ok(SYNC_QUEUE * 3)
        })
        .unwrap();
        out.commit().unwrap();
        for i in 0..count {
            let got = std::fs::read_to_string(dir.join("papers").join(format!("{i}.pdf"))).unwrap();
            assert_eq!(got, format!("student {i}"));
        }
        // The work's own error is the run's, and nothing of a failed run reaches the output folder.
        let other = tmp.path().join("other");
        let out = StagedRun::new(&other).unwrap();
        let failed = BackgroundSync::run(&out, |files| {
            files.write(&other.join("a.pdf"), b"a")?;
            Err::<(), _>(Error::input("the roster is broken"))
        });
        assert!(failed.unwrap_err().to_string().contains("roster is broken"));
        drop(out);
        assert!(!other.join("a.pdf").exists());
    }
}

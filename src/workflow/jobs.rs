//! One job list per run: every document a paper-making run writes — document kind × variant × student ×
//! format — listed once from the paper model before anything is laid out, and the backends (PDF, Word)
//! chosen by the formats asked for. A job is a small description; its data is made when it is rendered,
//! complete for its reader ([`PaperSet::data`]), so a run can render its jobs one by one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::Result;
use crate::input::roster::{Student, safe_file_name};
use crate::input::scan::SheetCode;
use crate::model::paper::{self, PaperData, StudentData};
use crate::render::docx::WordWriter;
use crate::render::layout::{Layout, StampValues, stamp};
use crate::render::pdf::{SharedFaces, SharedPdf};
use crate::render::template::{Context, TemplateData, Templates};
use crate::render::{DocKind, PdfWriter, Template, Typesetter};
use crate::workflow::OutFile;
use crate::workflow::drawn::Drawn;

/// A file format a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    /// Editable Word.
    Docx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

/// One document to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub kind: DocKind,
    /// Index into the draw's variants.
    pub variant: usize,
    /// Index into the roster; None: an unnamed copy.
    pub student: Option<usize>,
    pub format: Format,
    pub path: PathBuf,
}

/// Where a run's documents go and which formats it writes.
pub struct Plan<'a> {
    pub dir: &'a Path,
    pub formats: &'a [Format],
}

impl Plan<'_> {
    /// The formats a document of `kind` is written in: those asked for, but always PDF for a form that has
    /// no Word version (answer sheets are printed as they are).
    fn formats_of(&self, kind: DocKind) -> Vec<Format> {
        if kind.has_word_version() {
            self.formats.to_vec()
        } else {
            vec![Format::Pdf]
        }
    }

    /// A paper set's jobs: per format, per variant, each of `kinds` (`paper-A.pdf`, `key-A.docx`, ...).
    pub fn paper_set(&self, variants: &[String], kinds: &[DocKind]) -> Vec<Job> {
        let mut jobs = Vec::new();
        for format in self.formats {
            for (v, label) in variants.iter().enumerate() {
                for &kind in kinds {
                    jobs.push(Job {
                        kind,
                        variant: v,
                        student: None,
                        format: *format,
                        path: self.dir.join(format!(
                            "{}-{label}.{}",
                            file_stem(kind),
                            format.extension()
                        )),
                    });
                }
            }
        }
        jobs
    }

    /// A class batch's jobs: per format, every student's paper (papers/) and answer sheet (sheets/, PDF
    /// only), then each variant's key (`key-A.pdf`). `assignment` is each student's variant.
    pub fn class(&self, students: &[Student], assignment: &[usize], labels: &[String]) -> Vec<Job> {
        // Answer sheets are written whatever the formats: a run without PDFs still makes them.
        let mut passes = self.formats.to_vec();
        if !passes.contains(&Format::Pdf) {
            passes.insert(0, Format::Pdf);
        }
        let mut jobs = Vec::new();
        for format in passes {
            for (i, (s, v)) in students.iter().zip(assignment).enumerate() {
                let stem = safe_file_name(&format!("{}-{}", s.id, s.name));
                for (kind, folder) in [(DocKind::Paper, "papers"), (DocKind::AnswerSheet, "sheets")]
                {
                    if self.formats_of(kind).contains(&format) {
                        jobs.push(Job {
                            kind,
                            variant: *v,
                            student: Some(i),
                            format,
                            path: self
                                .dir
                                .join(folder)
                                .join(format!("{stem}.{}", format.extension())),
                        });
                    }
                }
            }
            if self.formats.contains(&format) {
                jobs.extend(self.paper_set_in(format, labels, &[DocKind::Key]));
            }
        }
        jobs
    }

    fn paper_set_in(&self, format: Format, labels: &[String], kinds: &[DocKind]) -> Vec<Job> {
        Plan {
            dir: self.dir,
            formats: &[format],
        }
        .paper_set(labels, kinds)
    }
}

/// The file name a paper set gives a document kind: `paper-A.pdf`, `teacher-A.pdf`, `sheet-A.pdf`.
fn file_stem(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Paper => "paper",
        // The teacher's edition is a different document: never let it overwrite the students' paper.
        DocKind::Teacher => "teacher",
        DocKind::Key => "key",
        DocKind::Review => "review",
        DocKind::AnswerSheet => "sheet",
    }
}

/// What every document of a run is made from: each variant's paper data, built once from the paper model,
/// and the class it is for; and the students' documents as laid out once per variant, for stamping.
pub struct PaperSet<'a> {
    drawn: &'a Drawn,
    duplex: bool,
    /// Variants' paper data, each built when first needed ([`BUILT_KEPT`] at most, the oldest dropped
    /// first): a class with a variant per student never holds them all.
    built: Mutex<std::collections::VecDeque<(usize, Arc<PaperData>, VariantContext)>>,
    students: &'a [Student],
    /// Columns of a named answer sheet's 准考证号 grid: as many as the class's longest id.
    id_digits: usize,
    /// The draw's digest, printed in every answer sheet's QR code.
    digest: String,
    /// Every character of the class's names, ids and classes, once each in roster order: what the font
    /// subsets of a class's documents cover besides the documents' own text.
    roster_text: String,
    /// The latest documents laid out for stamping ([`PREPARED_KEPT`] at most, oldest dropped first),
    /// each made once, by the first job that needs it.
    prepared: Mutex<Vec<(PreparedKey, PreparedCell)>>,
    /// With a variant per student ([`PaperSet::sharing_fonts`]): per document kind, the faces subset
    /// once for every variant's copy, made by the first job of the kind; None until then, or when the
    /// set subsets each variant's documents for themselves.
    class_faces: Option<Mutex<Vec<(DocKind, ClassFacesCell)>>>,
    /// Whether the variants' paper data carries the review handout's notes ([`PaperSet::reading`]).
    review: bool,
}

/// A kind's faces for every variant, made once: None when they cannot be made (fonts we do not embed).
type ClassFacesCell = Arc<OnceLock<Option<Arc<SharedFaces>>>>;

/// A variant's paper data as templates read it, serialized by its first document and kept for the others
/// (a class's paper, sheet and key differ only in [`DocData`]'s own fields, set before each renders).
type VariantContext = Arc<Mutex<Option<Context>>>;

/// How many variants' paper data a set keeps built: every variant of a class on a few variants.
const BUILT_KEPT: usize = 8;

/// How many prepared documents a set keeps: a class's variants × (paper, sheet) on two variants, and a
/// bounded few with one variant per student (where each is used once).
const PREPARED_KEPT: usize = 8;

/// What a prepared document is for: kind, variant, and which of the student's values (name, id, class)
/// are empty, as a template may print other words for an empty one.
type PreparedKey = (DocKind, usize, [bool; 3]);

/// A prepared document, made once: None when the document cannot be stamped.
type PreparedCell = Arc<OnceLock<Option<Arc<Prepared>>>>;

/// A student's document laid out once for every student of a variant: the student's boxes reserved
/// ([`Layout::stamped`] fills them), the fonts subset once for the whole class's names.
struct Prepared {
    layout: Layout,
    /// None: the fonts are subset per document (fonts we do not embed ourselves).
    fonts: Option<SharedPdf>,
}

impl<'a> PaperSet<'a> {
    pub fn new(drawn: &'a Drawn, students: &'a [Student], duplex: bool) -> PaperSet<'a> {
        PaperSet {
            drawn,
            duplex,
            built: Default::default(),
            students,
            id_digits: students
                .iter()
                .map(|s| s.id.chars().count())
                .max()
                .unwrap_or(10)
                .clamp(4, 20),
            digest: drawn.draw_digest(),
            roster_text: roster_text(students),
            prepared: Mutex::new(Vec::new()),
            class_faces: None,
            review: true,
        }
    }

    /// The set for a run that makes only `jobs`: the review handout's notes are left out of the paper
    /// data when none of the jobs' templates mentions `review` and no job is a review handout (whose
    /// Word file reads them), so a class batch does not copy and serialize every tested note for each
    /// variant (with a variant per student, for each student).
    pub fn reading(self, jobs: &[Job], templates: &Templates) -> PaperSet<'a> {
        let review = jobs
            .iter()
            .any(|j| j.kind == DocKind::Review || templates.mentions(j.kind.template(), "review"));
        PaperSet { review, ..self }
    }

    /// The set with one font subset per document kind for all its variants when `share` (a variant per
    /// student): their copies print the same questions in other orders, so one subset over the first
    /// variant's glyphs, every variant label, the digits and the class's names covers them all, and its
    /// font program is cut and deflated once instead of once a student. A document showing a glyph it
    /// lacks (a draw with different questions per variant) gets its own subset, as without it.
    pub fn sharing_fonts(self, share: bool) -> PaperSet<'a> {
        PaperSet {
            class_faces: share.then(Default::default),
            ..self
        }
    }

    /// The faces every variant's documents of `kind` share, made by `make` for the first job that asks;
    /// None when the set does not share them.
    fn class_faces(
        &self,
        kind: DocKind,
        make: impl FnOnce() -> Option<Arc<SharedFaces>>,
    ) -> Option<Arc<SharedFaces>> {
        let cell = {
            let mut kept = self
                .class_faces
                .as_ref()?
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match kept.iter().find(|(k, _)| *k == kind) {
                Some((_, cell)) => Arc::clone(cell),
                None => {
                    let cell = ClassFacesCell::default();
                    kept.push((kind, Arc::clone(&cell)));
                    cell
                }
            }
        };
        cell.get_or_init(make).clone()
    }

    /// What a class's shared faces hold besides the first variant's own glyphs, [body, heading]: every
    /// variant's label and the digits in both (titles, page numbers), the class's values in the body.
    fn class_extra(&self) -> [String; 2] {
        let mut labels: Vec<char> = self.labels().iter().flat_map(|l| l.chars()).collect();
        labels.extend('0'..='9');
        labels.sort_unstable();
        labels.dedup();
        let labels: String = labels.into_iter().collect();
        [format!("{}{labels}", self.roster_text), labels]
    }

    /// The variants' labels, in draw order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.drawn.variant_count())
            .map(crate::exam::draw::variant_label)
            .collect()
    }

    /// Variant `v`'s paper data, built now unless it was lately, and its template context.
    fn variant(&self, v: usize) -> (Arc<PaperData>, VariantContext) {
        let built = || self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, data, context)) = built().iter().find(|(k, ..)| *k == v) {
            return (Arc::clone(data), Arc::clone(context));
        }
        let drawn = self.drawn;
        let count = drawn.variant_count();
        let data = Arc::new(paper::build_for(
            &drawn.bank,
            &drawn.blueprint,
            &drawn.variant(v),
            count,
            self.duplex,
            self.review,
        ));
        let context = VariantContext::default();
        let mut kept = built();
        if kept.len() >= BUILT_KEPT {
            kept.pop_front();
        }
        kept.push_back((v, Arc::clone(&data), Arc::clone(&context)));
        (data, context)
    }

    /// The data of one document, constructed complete: its variant's paper with its reader's name and id,
    /// the answers when it is the teacher's edition, and the QR code when it is an answer sheet.
    pub fn data(&self, job: &Job) -> PaperData {
        self.doc_data(job).into_paper()
    }

    /// [`PaperSet::data`] as templates see it, sharing the variant's paper data instead of copying it.
    pub fn doc_data(&self, job: &Job) -> DocData {
        let student = job.student.map(|i| {
            let s = &self.students[i];
            StudentData {
                name: s.name.clone(),
                id: s.id.clone(),
                class: s.class.clone(),
            }
        });
        self.data_for(job, student)
    }

    /// A student's document's data with placeholders ([`stamp::NAME`] …) for the student's values: the
    /// same for every student of the job's variant whose empty values are the same.
    fn placeholder_data(&self, job: &Job) -> DocData {
        let [name, id, class] = self.empty_values(job);
        let placeholder = |empty: bool, c: char| if empty { String::new() } else { c.to_string() };
        let student = job.student.map(|_| StudentData {
            name: placeholder(name, stamp::NAME),
            id: placeholder(id, stamp::ID),
            class: placeholder(class, stamp::CLASS),
        });
        self.data_for(job, student)
    }

    fn data_for(&self, job: &Job, student: Option<StudentData>) -> DocData {
        let (base, context) = self.variant(job.variant);
        DocData {
            context,
            id_digits: if student.is_some() {
                self.id_digits
            } else {
                base.id_digits
            },
            sheet_qr: if job.kind == DocKind::AnswerSheet {
                sheet_code(
                    &self.digest,
                    &base.variant,
                    student.as_ref().map(|s| s.id.as_str()),
                )
            } else {
                String::new()
            },
            student: student.unwrap_or_default(),
            teacher: job.kind.shows_answers(),
            base,
        }
    }

    /// Which of the job's student's name, id and class are empty.
    fn empty_values(&self, job: &Job) -> [bool; 3] {
        job.student.map_or([true; 3], |i| {
            let s = &self.students[i];
            [s.name.is_empty(), s.id.is_empty(), s.class.is_empty()]
        })
    }

    /// Whether each prepared document serves one job only (a variant per student, [`PaperSet::sharing_fonts`]):
    /// it is then made for the job and moved into the student's copy, never kept.
    fn prepares_once(&self) -> bool {
        self.class_faces.is_some()
    }

    /// The job's document as prepared for stamping, made by `make` when no job has made it yet (or it has
    /// been dropped since).
    fn prepared(
        &self,
        job: &Job,
        make: impl FnOnce() -> Option<Prepared>,
    ) -> Option<Arc<Prepared>> {
        let key = (job.kind, job.variant, self.empty_values(job));
        let cell = {
            let mut kept = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
            match kept.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => Arc::clone(cell),
                None => {
                    if kept.len() >= PREPARED_KEPT {
                        kept.remove(0);
                    }
                    let cell = PreparedCell::default();
                    kept.push((key, Arc::clone(&cell)));
                    cell
                }
            }
        };
        // Other jobs of the same document wait here while the first makes it.
        cell.get_or_init(|| make().map(Arc::new)).clone()
    }
}

/// One document's data as its template sees it: its variant's paper data, shared by the variant's
/// documents, with the document's own reader, 准考证号 grid, QR code and edition. Templates read exactly
/// what the [`PaperData`] of [`DocData::into_paper`] serializes to (a unit test holds it), but a class's
/// paper, sheet and key neither copy the variant's questions, options and explanations nor serialize
/// them again: the variant's context is made once and each document's own fields set in it.
pub struct DocData {
    base: Arc<PaperData>,
    /// The variant's data as the templates read it, shared by its documents.
    context: VariantContext,
    student: StudentData,
    id_digits: usize,
    sheet_qr: String,
    teacher: bool,
}

impl DocData {
    /// The document's own paper data, copied out of its variant's (for the Word writer, which reads it).
    pub fn into_paper(self) -> PaperData {
        PaperData {
            student: self.student,
            id_digits: self.id_digits,
            sheet_qr: self.sheet_qr,
            teacher: self.teacher,
            ..(*self.base).clone()
        }
    }
}

impl DocData {
    /// The document's data in `context`, the variant's data serialized once: the document's own fields
    /// written over the last document's.
    fn set_in<'c>(&self, context: &'c mut Option<Context>) -> Result<&'c Context> {
        let failed = |e: serde_json::Error| {
            crate::error::Error::internal(format!("the paper data could not be serialized: {e}"))
        };
        if context.is_none() {
            *context = Some(Context::from(
                serde_json::to_value(DocJson(self)).map_err(failed)?,
            ));
        }
        let Some(context) = context.as_mut() else {
            unreachable!("made above")
        };
        if let serde_json::Value::Object(fields) = context.data_mut() {
            fields.insert(
                "student".into(),
                serde_json::to_value(&self.student).map_err(failed)?,
            );
            fields.insert("id_digits".into(), self.id_digits.into());
            fields.insert("sheet_qr".into(), self.sheet_qr.clone().into());
            fields.insert("teacher".into(), self.teacher.into());
        }
        Ok(context)
    }
}

impl TemplateData for DocData {
    fn render_with(&self, templates: &Templates, template: Template) -> Result<String> {
        // The variant's documents are made one after another (a student's paper, sheet and key on one
        // worker; a variant's prepared documents once), so they seldom wait here.
        let mut context = self.context.lock().unwrap_or_else(|e| e.into_inner());
        templates.render_context(template, self.set_in(&mut context)?)
    }
}

/// A document's data serialized as its own [`PaperData`] would be.
struct DocJson<'a>(&'a DocData);

impl serde::Serialize for DocJson<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let d = self.0;
        let b: &PaperData = &d.base;
        // PaperData's fields in its order, the document's own in their places.
        let mut s = serializer.serialize_struct("PaperData", 19)?;
        s.serialize_field("title", &b.title)?;
        s.serialize_field("subtitle", &b.subtitle)?;
        s.serialize_field("variant", &b.variant)?;
        s.serialize_field("has_variants", &b.has_variants)?;
        s.serialize_field("duration", &b.duration)?;
        s.serialize_field("total_points", &b.total_points)?;
        s.serialize_field("question_count", &b.question_count)?;
        s.serialize_field("notice", &b.notice)?;
        s.serialize_field("score_columns", &b.score_columns)?;
        s.serialize_field("parts", &b.parts)?;
        s.serialize_field("review", &b.review)?;
        s.serialize_field("duplex", &b.duplex)?;
        s.serialize_field("student", &d.student)?;
        s.serialize_field("id_digits", &d.id_digits)?;
        s.serialize_field("sheet_qr", &d.sheet_qr)?;
        s.serialize_field("variant_letters", &b.variant_letters)?;
        s.serialize_field("teacher", &d.teacher)?;
        s.serialize_field("score_boxes", &b.score_boxes)?;
        s.serialize_field("autospace", &b.autospace)?;
        s.end()
    }
}

/// Every distinct character of the students' names, ids and classes, in roster order.
fn roster_text(students: &[Student]) -> String {
    let mut seen = std::collections::HashSet::new();
    students
        .iter()
        .flat_map(|s| s.name.chars().chain(s.id.chars()).chain(s.class.chars()))
        .filter(|c| seen.insert(*c))
        .collect()
}

/// The QR text of a variant's sheet, for one student or blank, with layout's page marker where the page
/// goes: `1` on a one-page sheet, `k/n` on each page of a longer one.
fn sheet_code(digest: &str, variant: &str, student: Option<&str>) -> String {
    SheetCode {
        digest: digest.to_string(),
        variant: variant.to_string(),
        page: 1,
        pages: 1,
        student: student.map(str::to_string),
    }
    .text_with_page(crate::render::layout::SHEET_PAGE)
}

/// The backends of a run, made for the formats it writes: the typesetter always (the Word writer measures
/// with it), the PDF writer only when a PDF is written.
pub struct Backends<'f> {
    typeset: Typesetter<'f>,
    pdf: Option<PdfWriter<'f>>,
    word: Option<WordWriter<'f>>,
}

/// A rendered document: the file, and for a PDF its layout (page counts, print files, sheet geometry);
/// for a student's stamped PDF also its pages as a print file takes them (drawn once for both).
pub struct Made {
    pub file: OutFile,
    pub layout: Option<Layout>,
    pub print: Option<crate::render::pdf::stream::PrintPages>,
}

impl<'f> Backends<'f> {
    pub fn new(typeset: Typesetter<'f>, jobs: &[Job]) -> Result<Backends<'f>> {
        let uses = |format: Format| jobs.iter().any(|j| j.format == format);
        let pdf = if uses(Format::Pdf) {
            Some(PdfWriter::new(
                typeset.fonts(),
                Arc::clone(typeset.pictures()),
            )?)
        } else {
            None
        };
        let word = uses(Format::Docx).then(|| WordWriter::new(&typeset));
        Ok(Backends { typeset, pdf, word })
    }

    pub fn typeset(&self) -> &Typesetter<'f> {
        &self.typeset
    }

    /// The PDF writer; an internal error when the run was planned without PDFs.
    pub fn pdf(&self) -> Result<&PdfWriter<'f>> {
        self.pdf
            .as_ref()
            .ok_or_else(|| crate::error::Error::internal("a PDF was asked of a run without PDFs"))
    }

    /// Renders `jobs` in order: students' PDFs stamped into their variant's document laid out once (on
    /// every core when `parallel`); the other PDFs laid out first so the fonts are cut down to their glyphs
    /// once, then drawn; the Word files written one by one. The first error wins.
    pub fn render(&self, set: &PaperSet, jobs: &[Job], parallel: bool) -> Result<Vec<Made>> {
        self.render_with_progress(set, jobs, parallel, &|| {})
    }

    /// How many steps [`Backends::render_with_progress`] reports for `jobs`: a PDF is laid out, then
    /// drawn; a Word file is written.
    pub fn progress_steps(jobs: &[Job]) -> u64 {
        jobs.iter()
            .map(|j| if j.format == Format::Pdf { 2 } else { 1 })
            .sum()
    }

    /// [`Backends::render`], calling `step` as each document is laid out, drawn or written (from any
    /// thread), so a progress bar moves with the work rather than jumping to done at the end.
    pub fn render_with_progress(
        &self,
        set: &PaperSet,
        jobs: &[Job],
        parallel: bool,
        step: &(dyn Fn() + Sync),
    ) -> Result<Vec<Made>> {
        // Students' PDFs are stamped into their variant's document laid out once, each as it comes.
        let is_stamped = |j: &Job| j.format == Format::Pdf && j.student.is_some();
        let stamped_jobs: Vec<&Job> = jobs.iter().filter(|j| is_stamped(j)).collect();
        let stamp = |job: &&Job| {
            let made = self.render_one(set, job);
            step();
            step();
            made
        };
        let mut stamped = if parallel {
            crate::util::parallel::map(&stamped_jobs, stamp)
        } else {
            stamped_jobs.iter().map(stamp).collect()
        }
        .into_iter();
        let pdf_jobs: Vec<(usize, DocData)> = jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.format == Format::Pdf && !is_stamped(j))
            .map(|(i, j)| (i, set.doc_data(j)))
            .collect();
        let mut pdfs = Vec::new();
        if !pdf_jobs.is_empty() {
            let refs: Vec<_> = pdf_jobs
                .iter()
                .map(|(i, data)| (jobs[*i].kind.template(), data))
                .collect();
            let lay_out = |(template, data): &(Template, &DocData)| {
                let layout = self.typeset.layout(*template, *data);
                step();
                layout
            };
            let layouts = if parallel {
                crate::util::parallel::map(&refs, lay_out)
            } else {
                refs.iter().map(lay_out).collect()
            };
            drop(refs);
            drop(pdf_jobs);
            pdfs = self.pdf()?.write_all(layouts, parallel, step);
        }
        let mut pdfs = pdfs.into_iter();
        jobs.iter()
            .map(|job| match job.format {
                Format::Pdf if is_stamped(job) => stamped.next().expect("one PDF per stamped job"),
                Format::Pdf => {
                    let (layout, bytes) = pdfs.next().expect("one PDF per PDF job")?;
                    Ok(Made {
                        file: OutFile::pdf(job.path.clone(), bytes, layout.pages.len()),
                        layout: Some(layout),
                        print: None,
                    })
                }
                Format::Docx => {
                    let made = self.render_one(set, job);
                    step();
                    made
                }
            })
            .collect()
    }

    /// One job made on its own, its data built when it is made: a student's PDF stamped into its variant's
    /// document laid out once (the first of the variant's students lays it out and subsets its fonts for
    /// the whole class), another PDF laid out and drawn (its fonts subset from the whole faces), a Word
    /// file written. A run that writes each document as soon as it is made calls this job by job.
    pub fn render_one(&self, set: &PaperSet, job: &Job) -> Result<Made> {
        if let Some(made) = self.stamped(set, job)? {
            return Ok(made);
        }
        let data = set.doc_data(job);
        match job.format {
            Format::Pdf => {
                let layout = self.typeset.layout(job.kind.template(), &data)?;
                drop(data);
                let pdf = self.pdf()?;
                let shared = set
                    .class_faces(job.kind, || self.class_faces(set, job))
                    .and_then(|faces| pdf.shared_with(&layout, faces));
                let bytes = match &shared {
                    Some(shared) => pdf.write_shared(&layout, shared)?,
                    None => pdf.write(&layout)?,
                };
                Ok(Made {
                    file: OutFile::pdf(job.path.clone(), bytes, layout.pages.len()),
                    layout: Some(layout),
                    print: None,
                })
            }
            Format::Docx => {
                let word = self.word.as_ref().ok_or_else(|| {
                    crate::error::Error::internal("a Word file was asked of a run without them")
                })?;
                // Word follows the template where it decides words or order: it reads the page markup
                // the template makes of the same data.
                let template = self.typeset.markup(job.kind.template(), &data)?;
                let data = data.into_paper();
                Ok(Made {
                    file: OutFile::other(job.path.clone(), word.paper(job.kind, &data, &template)?),
                    layout: None,
                    print: None,
                })
            }
        }
    }
}

impl Backends<'_> {
    /// A student's PDF stamped into the document of its variant laid out once; None when it is to be laid
    /// out on its own: not a student's PDF, a template that prints the student where no box is reserved,
    /// or a value with characters the fonts lack (so the fresh layout reports them as always).
    fn stamped(&self, set: &PaperSet, job: &Job) -> Result<Option<Made>> {
        let (Format::Pdf, Some(i)) = (job.format, job.student) else {
            return Ok(None);
        };
        let student = &set.students[i];
        let body = &self.typeset.fonts().body;
        let values = StampValues {
            name: &student.name,
            id: &student.id,
            class: &student.class,
        };
        if ![values.name, values.id, values.class]
            .iter()
            .flat_map(|v| v.chars())
            .all(|c| body.has(c))
        {
            return Ok(None);
        }
        let metrics = self.typeset.fonts();
        let kept;
        let once;
        let (layout, fonts) = if set.prepares_once() {
            let Some(Prepared { layout, fonts }) = self.prepare(set, job) else {
                return Ok(None);
            };
            once = fonts;
            (layout.into_stamped(&values, metrics), once.as_ref())
        } else {
            let Some(prepared) = set.prepared(job, || self.prepare(set, job)) else {
                return Ok(None);
            };
            kept = prepared;
            (kept.layout.stamped(&values, metrics), kept.fonts.as_ref())
        };
        let pdf = self.pdf()?;
        let (bytes, print) = match fonts {
            Some(fonts) => pdf.write_shared_for_print(&layout, fonts, true)?,
            None => (pdf.write(&layout)?, None),
        };
        Ok(Some(Made {
            file: OutFile::pdf(job.path.clone(), bytes, layout.pages.len()),
            layout: Some(layout),
            print,
        }))
    }

    /// The job's document laid out with placeholders for its student, and the fonts subset to its glyphs
    /// and every character of the class's values. None when it cannot be stamped; an error is left to the
    /// student's own layout to report.
    fn prepare(&self, set: &PaperSet, job: &Job) -> Option<Prepared> {
        let data = set.placeholder_data(job);
        let layout = self.typeset.prepare(job.kind.template(), &data).ok()??;
        drop(data);
        let pdf = self.pdf.as_ref()?;
        let fonts = set
            .class_faces(job.kind, || self.class_faces(set, job))
            .and_then(|faces| pdf.shared_with(&layout, faces))
            .or_else(|| pdf.shared(&layout, &set.roster_text));
        Some(Prepared { layout, fonts })
    }

    /// The faces for every variant's documents of `job`'s kind: subset to the glyphs of the first
    /// variant's document of that kind (a student's with the roster's first student's values as
    /// placeholders) and [`PaperSet::class_extra`]. Always made from the same document, whichever job
    /// asks first, so a run's bytes do not depend on the order its threads take jobs in.
    fn class_faces(&self, set: &PaperSet, job: &Job) -> Option<Arc<SharedFaces>> {
        let first = Job {
            variant: 0,
            student: job.student.map(|_| 0),
            ..job.clone()
        };
        let template = job.kind.template();
        let layout = if job.student.is_some() {
            self.typeset
                .prepare(template, &set.placeholder_data(&first))
                .ok()??
        } else {
            self.typeset.layout(template, &set.doc_data(&first)).ok()?
        };
        let extra = set.class_extra();
        self.pdf
            .as_ref()?
            .shared_faces(&layout, [&extra[0], &extra[1]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(id: &str) -> Student {
        Student {
            id: id.into(),
            name: format!("名{id}"),
            class: String::new(),
            seat: String::new(),
            row: 1,
        }
    }

    #[test]
    fn a_paper_set_lists_each_format_asked_for_and_no_other() {
        let labels = ["A".to_string(), "B".to_string()];
        let kinds = [DocKind::Teacher, DocKind::Key];
        let plan = |formats: &[Format]| {
            Plan {
                dir: Path::new("out"),
                formats,
            }
            .paper_set(&labels, &kinds)
            .into_iter()
            .map(|j| j.path.display().to_string())
            .collect::<Vec<_>>()
        };
        assert_eq!(
            plan(&[Format::Docx]),
            [
                "out/teacher-A.docx",
                "out/key-A.docx",
                "out/teacher-B.docx",
                "out/key-B.docx"
            ]
        );
        let both = plan(&[Format::Pdf, Format::Docx]);
        assert_eq!(both.len(), 8);
        assert_eq!(both[0], "out/teacher-A.pdf");
        assert_eq!(both[4], "out/teacher-A.docx");
    }

    #[test]
    fn a_class_gets_named_papers_and_sheets_and_sheets_stay_pdf_in_a_word_only_run() {
        let students = [student("01"), student("02")];
        let labels = ["A".to_string(), "B".to_string()];
        let jobs = Plan {
            dir: Path::new("c"),
            formats: &[Format::Docx],
        }
        .class(&students, &[1, 0], &labels);
        let got: Vec<(DocKind, usize, Option<usize>, Format, String)> = jobs
            .into_iter()
            .map(|j| {
                let path = j.path.display().to_string();
                (j.kind, j.variant, j.student, j.format, path)
            })
            .collect();
        use DocKind::*;
        use Format::*;
        assert_eq!(
            got,
            [
                (AnswerSheet, 1, Some(0), Pdf, "c/sheets/01-名01.pdf".into()),
                (AnswerSheet, 0, Some(1), Pdf, "c/sheets/02-名02.pdf".into()),
                (Paper, 1, Some(0), Docx, "c/papers/01-名01.docx".into()),
                (Paper, 0, Some(1), Docx, "c/papers/02-名02.docx".into()),
                (Key, 0, None, Docx, "c/key-A.docx".into()),
                (Key, 1, None, Docx, "c/key-B.docx".into()),
            ]
        );
    }

    #[test]
    fn a_documents_shared_data_reads_to_templates_as_its_own_paper_data() {
        let request = crate::workflow::drawn::DrawRequest {
            blueprint: Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/exams/quiz.yaml"),
            seed: Some(3),
            variants: 2,
            distinct: false,
            exclude_used: Vec::new(),
        };
        let drawn = Drawn::load(&request, &mut std::io::sink()).unwrap();
        let students = [student("07"), student("08")];
        let set = PaperSet::new(&drawn, &students, true);
        for (kind, student) in [
            (DocKind::Paper, Some(1)),
            (DocKind::AnswerSheet, Some(0)),
            (DocKind::Key, None),
            (DocKind::Teacher, None),
        ] {
            let job = Job {
                kind,
                variant: 1,
                student,
                format: Format::Pdf,
                path: PathBuf::from("x.pdf"),
            };
            // As the template reads it, after the variant's other documents set theirs.
            let doc = set.doc_data(&job);
            let mut context = doc.context.lock().unwrap();
            let shared = doc.set_in(&mut context).unwrap().data().clone();
            drop(context);
            let own = serde_json::to_value(set.data(&job)).unwrap();
            assert_eq!(shared, own, "{kind:?}");
            assert_eq!(
                serde_json::to_value(DocJson(&doc)).unwrap(),
                own,
                "{kind:?}"
            );
            if student == Some(0) {
                assert_eq!(own["student"]["name"], "名07");
                assert!(own["sheet_qr"].as_str().unwrap().contains("07"));
            }
        }
    }

    #[test]
    fn the_review_notes_are_left_out_only_when_no_template_of_the_run_mentions_them() {
        let request = crate::workflow::drawn::DrawRequest {
            blueprint: Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/exams/quiz.yaml"),
            seed: Some(1),
            variants: 2,
            distinct: false,
            exclude_used: Vec::new(),
        };
        let drawn = Drawn::load(&request, &mut std::io::sink()).unwrap();
        let students = [student("07"), student("08")];
        let jobs = Plan {
            dir: Path::new("c"),
            formats: &[Format::Pdf],
        }
        .class(&students, &[0, 1], &["A".to_string(), "B".to_string()]);
        let review_of = |set: &PaperSet| set.data(&jobs[0]).review.len();
        let all = review_of(&PaperSet::new(&drawn, &students, false));
        assert!(all > 0, "the quiz tests notes");
        // The built-in paper, answer sheet and key never read them.
        let builtin = Templates::load(None).unwrap();
        let set = PaperSet::new(&drawn, &students, false).reading(&jobs, &builtin);
        assert_eq!(review_of(&set), 0);
        // A school's key that prints them gets them all.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("key.hbs"),
            "<document>{{#each review}}<p>{{title}}</p>{{/each}}</document>",
        )
        .unwrap();
        let own = Templates::load(Some(dir.path())).unwrap();
        assert!(own.mentions(Template::Key, "review"));
        let set = PaperSet::new(&drawn, &students, false).reading(&jobs, &own);
        assert_eq!(review_of(&set), all);
        // A review handout's Word file reads them whatever its template says.
        let handout = Plan {
            dir: Path::new("c"),
            formats: &[Format::Docx],
        }
        .paper_set(&["A".to_string()], &[DocKind::Review]);
        let set = PaperSet::new(&drawn, &students, false).reading(&handout, &builtin);
        assert_eq!(set.data(&handout[0]).review.len(), all);
    }

    #[test]
    fn a_prepared_document_is_made_once_per_variant_kind_and_empty_values_and_a_few_are_kept() {
        let request = crate::workflow::drawn::DrawRequest {
            blueprint: Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/exams/quiz.yaml"),
            seed: Some(1),
            variants: 2,
            distinct: false,
            exclude_used: Vec::new(),
        };
        let drawn = Drawn::load(&request, &mut std::io::sink()).unwrap();
        // Students 0–7 have each pattern of empty name, id and class; 8 is like 0.
        let students: Vec<Student> = (0..9)
            .map(|i| {
                let m = i % 8;
                let mut s = student(&format!("{i:02}"));
                s.class = "一班".into();
                for (bit, value) in [(1, &mut s.name), (2, &mut s.id), (4, &mut s.class)] {
                    if m & bit != 0 {
                        value.clear();
                    }
                }
                s
            })
            .collect();
        let set = PaperSet::new(&drawn, &students, false);
        let job = |kind: DocKind, variant: usize, student: usize| Job {
            kind,
            variant,
            student: Some(student),
            format: Format::Pdf,
            path: PathBuf::from("x.pdf"),
        };
        let made = std::cell::Cell::new(0);
        let prepare = |j: Job| {
            set.prepared(&j, || {
                made.set(made.get() + 1);
                None
            })
        };
        prepare(job(DocKind::Paper, 0, 0));
        // Another student of the variant with the same empty values: the same document.
        prepare(job(DocKind::Paper, 0, 8));
        assert_eq!(made.get(), 1);
        // Another kind, another variant: each its own.
        prepare(job(DocKind::AnswerSheet, 0, 0));
        prepare(job(DocKind::Paper, 1, 0));
        assert_eq!(made.get(), 3);
        // Placeholders stand where the values go, and nothing where the student's value is empty.
        let data = set
            .placeholder_data(&job(DocKind::AnswerSheet, 0, 4))
            .into_paper();
        assert_eq!(data.student.name, stamp::NAME.to_string());
        assert_eq!(data.student.class, "");
        assert!(data.sheet_qr.ends_with(stamp::ID));
        // Each pattern of empty values its own; at most PREPARED_KEPT kept, the oldest dropped first.
        for i in 1..8 {
            prepare(job(DocKind::Paper, 0, i));
        }
        assert_eq!(made.get(), 10);
        assert_eq!(set.prepared.lock().unwrap().len(), PREPARED_KEPT);
        prepare(job(DocKind::Paper, 0, 8));
        assert_eq!(made.get(), 11, "made again once dropped");
    }
}

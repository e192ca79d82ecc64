//! Which sheet a scanned page is, and the layout it is read with. The QR code names the exam, variant,
//! page and, on a class batch's sheets, the student. A blank sheet (`examgen sheet`) is read with its own
//! 准考证号 grid and 试卷类型 row whatever manifest it is scanned with: when the manifest records a class
//! batch's sheets or none, the blank layout is made anew from the manifest's blueprint and seed. A page
//! whose QR code is stained is identified from the manifest and the sheet's own marks (the id grid, the
//! 试卷类型 row) and says so; when they do not settle it, the page is left to a person. Identity is never
//! guessed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::GrayImage;

use crate::input::manifest::{Manifest, StudentRecord, VariantRecord};
use crate::input::scan::outline::outline_contrast;
use crate::input::scan::page::Prepared;
use crate::input::scan::{
    BoxMm, Bubble, PageReading, ReadError, SheetCode, SheetGeometry, peek_qr, read_prepared,
};
use crate::workflow::Look;
use crate::workflow::drawn::{DrawRequest, Drawn};

/// The sheet layouts a scan can meet: the manifest's, and blank sheets' made on first need. Variants,
/// students and the distinct layouts are indexed once: a class batch has a variant per student, and
/// searching them for every page made a scan's work grow with pages × students.
pub(crate) struct Layouts<'a> {
    manifest: &'a Manifest,
    manifest_path: &'a Path,
    pub digest: String,
    blank: OnceLock<Result<Vec<Vec<SheetGeometry>>, String>>,
    /// Each label's first variant (its index), as a search in order would find it.
    variant_at: HashMap<&'a str, usize>,
    /// Each id's first student of the batch.
    students: HashMap<&'a str, &'a StudentRecord>,
    /// The manifest's recorded sheet pages, each layout once, in order of first appearance.
    recorded: Vec<&'a SheetGeometry>,
    /// [`Layouts::printed`]'s layouts, each once (made on first need: it may need the blank sheets).
    printed: OnceLock<Vec<Slot>>,
    /// The recorded layouts, then blank sheets' when a page may be one, each once (for
    /// [`Layouts::others`]).
    candidates: OnceLock<Vec<Slot>>,
}

/// Where a layout is kept: the n-th of [`Layouts::recorded`], or page `.1` of variant `.0`'s blank sheet.
#[derive(Clone, Copy)]
enum Slot {
    Recorded(usize),
    Blank(usize, usize),
}

/// `layouts` with each layout once, in order of first appearance. Layouts are compared whole only with
/// the few distinct ones kept, so thousands of variants that share one sheet cost one comparison each.
fn distinct<'g, T: Copy>(
    layouts: impl IntoIterator<Item = (T, &'g SheetGeometry)>,
) -> Vec<(T, &'g SheetGeometry)> {
    let mut out: Vec<(T, &SheetGeometry)> = Vec::new();
    for (slot, g) in layouts {
        if !out.iter().any(|(_, o)| std::ptr::eq(*o, g) || *o == g) {
            out.push((slot, g));
        }
    }
    out
}

/// Blank sheets' layouts with their slots, variant by variant and page by page.
fn blank_slots(blank: &[Vec<SheetGeometry>]) -> impl Iterator<Item = (Slot, &SheetGeometry)> {
    blank.iter().enumerate().flat_map(|(v, pages)| {
        pages
            .iter()
            .enumerate()
            .map(move |(p, g)| (Slot::Blank(v, p), g))
    })
}

/// A page identified as one of this exam's sheets and read with its own layout.
pub(crate) struct Identified {
    pub code: SheetCode,
    /// The student id: the QR code's on a personalised sheet, else the marked 准考证号 (`?` in doubtful
    /// columns).
    pub id: String,
    /// The variant graded: the QR code's, or the 试卷类型 the student marked when it differs.
    pub variant: String,
    pub reading: PageReading,
    pub geometry: SheetGeometry,
    pub problems: Vec<String>,
}

impl<'a> Layouts<'a> {
    pub fn new(manifest: &'a Manifest, manifest_path: &'a Path) -> Layouts<'a> {
        let mut variant_at = HashMap::with_capacity(manifest.variants.len());
        for (i, v) in manifest.variants.iter().enumerate() {
            variant_at.entry(v.label.as_str()).or_insert(i);
        }
        let mut students = HashMap::with_capacity(manifest.students.len());
        for s in &manifest.students {
            students.entry(s.id.as_str()).or_insert(s);
        }
        Layouts {
            manifest,
            manifest_path,
            digest: manifest.draw_digest(),
            blank: OnceLock::new(),
            variant_at,
            students,
            recorded: distinct(
                manifest
                    .variants
                    .iter()
                    .flat_map(|v| &v.sheet)
                    .map(|g| ((), g)),
            )
            .into_iter()
            .map(|((), g)| g)
            .collect(),
            printed: OnceLock::new(),
            candidates: OnceLock::new(),
        }
    }

    /// The layout kept at `slot`.
    fn at(&self, slot: Slot) -> &SheetGeometry {
        match slot {
            Slot::Recorded(i) => self.recorded[i],
            Slot::Blank(v, p) => match self.blank.get() {
                Some(Ok(blank)) => &blank[v][p],
                _ => unreachable!("a blank slot is only made from the blank sheets"),
            },
        }
    }

    /// The recorded layouts with their slots.
    fn recorded_slots(&self) -> impl Iterator<Item = (Slot, &SheetGeometry)> {
        self.recorded
            .iter()
            .enumerate()
            .map(|(i, g)| (Slot::Recorded(i), *g))
    }

    /// The first variant labelled `label`.
    fn variant(&self, label: &str) -> Option<(usize, &'a VariantRecord)> {
        let i = *self.variant_at.get(label)?;
        Some((i, &self.manifest.variants[i]))
    }

    /// The batch's student with this id.
    pub fn student(&self, id: &str) -> Option<&'a StudentRecord> {
        self.students.get(id).copied()
    }

    /// Variant `v`'s sheet pages: its own, or those of the variant it shares them with
    /// ([`Manifest::sheet_of`], found by the index instead of a search).
    fn sheet_of(&self, v: &'a VariantRecord) -> &'a [SheetGeometry] {
        match &v.sheet_same_as {
            Some(owner) => self.variant(owner).map_or(&[], |(_, o)| o.sheet.as_slice()),
            None => &v.sheet,
        }
    }

    /// The manifest's sheets are a class batch's: personalised, their id grid as wide as the roster's
    /// ids and without a 试卷类型 row, so a blank sheet needs its own layout.
    fn batch(&self) -> bool {
        !self.manifest.students.is_empty()
    }

    fn recorded(&self, variant: &str, page: u32) -> Option<&'a SheetGeometry> {
        let (_, v) = self.variant(variant)?;
        self.sheet_of(v).get(page.saturating_sub(1) as usize)
    }

    fn blank_all(&self) -> Result<&Vec<Vec<SheetGeometry>>, String> {
        self.blank
            .get_or_init(|| blank_layouts(self.manifest, self.manifest_path))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn blank(&self, variant: &str, page: u32) -> Result<&SheetGeometry, String> {
        let (i, _) = self.variant(variant).ok_or_else(|| {
            format!("the sheet says variant {variant}, which the manifest does not have")
        })?;
        self.blank_all()?
            .get(i)
            .and_then(|pages| pages.get(page.saturating_sub(1) as usize))
            .ok_or_else(|| format!("the sheet says page {page} of variant {variant}, which its layout does not have"))
    }

    /// The layout a page is read with first, to find its QR code: the manifest's first sheet, or a blank
    /// sheet's when the manifest records none.
    pub fn first(&self) -> Result<&SheetGeometry, String> {
        if let Some(g) = self.recorded.first() {
            return Ok(g);
        }
        let label = self
            .manifest
            .variants
            .first()
            .map(|v| v.label.clone())
            .unwrap_or_default();
        self.blank(&label, 1).map_err(|why| {
            format!(
                "{} records no answer sheets, and a blank sheet's layout cannot be made from it ({why}); \
                 use the manifest.json that examgen sheet or examgen batch wrote with the sheets",
                self.manifest_path.display()
            )
        })
    }

    /// The layouts the manifest's sheets are printed with (a blank sheet's, made anew, when it records
    /// none), each once.
    fn printed(&self) -> impl Iterator<Item = &SheetGeometry> {
        let slots = self.printed.get_or_init(|| {
            if !self.recorded.is_empty() {
                return self.recorded_slots().map(|(slot, _)| slot).collect();
            }
            self.blank_all()
                .map(|b| {
                    distinct(blank_slots(b))
                        .into_iter()
                        .map(|(slot, _)| slot)
                        .collect()
                })
                .unwrap_or_default()
        });
        slots.iter().map(|slot| self.at(*slot))
    }

    /// Whether pages can need different layouts: sheets of two or more pages, or variants whose sheets
    /// differ. Only then is a page's QR code read before its layout is chosen.
    fn several(&self) -> bool {
        self.printed().nth(1).is_some()
    }

    /// Where the sheets print the QR code (page 1 lower than later pages, below its longer header), each
    /// place once, page 1's first.
    fn qr_boxes(&self) -> Vec<BoxMm> {
        let mut boxes: Vec<BoxMm> = Vec::new();
        for g in self.printed() {
            if !boxes.contains(&g.qr_code) {
                boxes.push(g.qr_code);
            }
        }
        boxes
    }

    /// The layout the QR code `text` names, when it is one of this exam's sheets and the layout is at hand;
    /// what is wrong with any other code is said when the page has been read.
    fn named_by(&self, text: &str) -> Option<&SheetGeometry> {
        let code = SheetCode::parse(text).filter(|c| c.digest == self.digest)?;
        self.of(&code).ok()
    }

    /// The other page layouts a page may be read with when `first` does not fit it: the manifest's other
    /// sheet pages (a sheet of two or more pages, another variant's), then blank sheets' pages when the
    /// manifest is a class batch's or records no sheets.
    fn others(&self, first: &SheetGeometry) -> Vec<&SheetGeometry> {
        let candidates = self.candidates.get_or_init(|| {
            let none_recorded = self.recorded.is_empty();
            let blank = (self.batch() || none_recorded)
                .then(|| self.blank_all().ok())
                .flatten()
                .into_iter()
                .flat_map(|b| blank_slots(b));
            distinct(self.recorded_slots().chain(blank))
                .into_iter()
                .map(|(slot, _)| slot)
                .collect()
        });
        candidates
            .iter()
            .map(|slot| self.at(*slot))
            .filter(|g| *g != first)
            .collect()
    }

    /// Which page of variant `variant`'s sheet the layout `g` is, and of how many: (1, 1) when it is none
    /// of them.
    fn page_of(&self, variant: &str, g: &SheetGeometry) -> (u32, u32) {
        let recorded = self.variant(variant).map(|(_, v)| self.sheet_of(v));
        let position = |pages: &[SheetGeometry]| {
            pages
                .iter()
                .position(|p| p == g)
                .map(|i| (i as u32 + 1, pages.len() as u32))
        };
        if let Some(found) = recorded.and_then(position) {
            return found;
        }
        let i = self.variant(variant).map(|(i, _)| i);
        i.and_then(|i| self.blank_all().ok()?.get(i).map(Vec::as_slice))
            .and_then(position)
            .unwrap_or((1, 1))
    }

    /// The layout of the sheet `code` names: a blank sheet's own, else the manifest's.
    pub fn of(&self, code: &SheetCode) -> Result<&SheetGeometry, String> {
        if code.student.is_none()
            && (self.batch() || self.recorded(&code.variant, code.page).is_none())
        {
            return self.blank(&code.variant, code.page).map_err(|why| {
                format!(
                    "a blank answer sheet (examgen sheet) scanned with {}, whose layout cannot be made again \
                     here ({why}); scan it with the manifest.json examgen sheet wrote",
                    self.manifest_path.display()
                )
            });
        }
        if self.variant(&code.variant).is_none() {
            return Err(format!(
                "the sheet says variant {}, which the manifest does not have",
                code.variant
            ));
        }
        self.recorded(&code.variant, code.page).ok_or_else(|| {
            format!(
                "the sheet says page {} of variant {}, which the manifest does not record",
                code.page, code.variant
            )
        })
    }
}

/// Blank sheets' layouts for the manifest's draw, from its blueprint (as written, or beside the manifest)
/// and seed; refused when the draw made again is not the manifest's.
fn blank_layouts(
    manifest: &Manifest,
    manifest_path: &Path,
) -> Result<Vec<Vec<SheetGeometry>>, String> {
    let as_written = PathBuf::from(&manifest.blueprint.path);
    let beside = manifest_path
        .parent()
        .map(|p| p.join(&manifest.blueprint.path));
    let blueprint = [Some(as_written), beside]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .ok_or_else(|| format!("its blueprint {} is not found", manifest.blueprint.path))?;
    let request = DrawRequest {
        blueprint,
        seed: Some(manifest.seed),
        variants: manifest.variants.len(),
        distinct: manifest.distinct,
        exclude_used: Vec::new(),
    };
    let drawn = Drawn::load(&request, &mut std::io::sink()).map_err(|e| e.message)?;
    if drawn.manifest().draw_digest() != manifest.draw_digest() {
        return Err("the bank or blueprint changed since the papers were made".into());
    }
    crate::workflow::sheet::blank_geometry(&drawn, &Look::default()).map_err(|e| e.message)
}

/// Why a page made no row: the message for the teacher, and whether the page is only blank (the back of a
/// duplex stack, no loss) rather than a sheet that could not be read and must not pass unseen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotRead {
    pub why: String,
    pub blank: bool,
}

impl From<String> for NotRead {
    fn from(why: String) -> Self {
        NotRead { why, blank: false }
    }
}

/// Reads a page and says which sheet it is.
pub(crate) fn identify(image: &GrayImage, layouts: &Layouts) -> Result<Identified, NotRead> {
    let page = Prepared::new(image);
    let first = layouts.first()?;
    // The QR code read first names the page's own layout (page k of n, its variant, a blank sheet), so a
    // later page of a longer sheet is not first tried with page 1's; only a page whose code does not
    // read there is tried layout by layout.
    let qr_text = if layouts.several() {
        peek_qr(&page, first, &layouts.qr_boxes())
    } else {
        None
    };
    let start = qr_text
        .as_deref()
        .and_then(|text| layouts.named_by(text))
        .unwrap_or(first);
    let mut used = start;
    let mut reading = match read_prepared(&page, start, qr_text) {
        Ok(r) => r,
        Err(e) => {
            // A later page of a longer sheet, another variant's sheet, or a blank sheet, which need not
            // line up with a class batch's layout: try their own.
            let other = layouts
                .others(start)
                .into_iter()
                .find_map(|g| read_prepared(&page, g, None).ok().map(|r| (g, r)));
            match other {
                Some((g, r)) => {
                    used = g;
                    r
                }
                None => {
                    return Err(NotRead {
                        blank: e == ReadError::Blank,
                        why: match e {
                            ReadError::NotThisSheet { .. } | ReadError::TooSmall { .. } => {
                                format!("no answer sheet of this exam found: {e}")
                            }
                            _ => format!("not read: {e}"),
                        },
                    });
                }
            }
        }
    };
    let mut problems = reading.problems.clone();
    let code = match &reading.qr_text {
        Some(text) => {
            let code = SheetCode::parse(text)
                .ok_or_else(|| format!("the QR code `{text}` is not an examgen answer sheet's"))?;
            if code.digest != layouts.digest {
                return Err(format!(
                    "a sheet of another exam (its code {}, this manifest's {}); scan it with its own manifest.json",
                    code.digest, layouts.digest
                )
                .into());
            }
            code
        }
        None => {
            problems.clear();
            // Without the code's page number, the page of the sheet is the layout that fits it best.
            if let Some((g, r)) = best_sibling(&page, layouts, used, &reading) {
                used = g;
                reading = r;
            }
            if let Some((g, r)) = blank_sheet_without_qr(&page, layouts, used) {
                used = g;
                reading = r;
            }
            let (code, how) = without_qr(&reading, layouts, used)?;
            problems.push(format!(
                "the QR code cannot be read (stained, covered or torn?): {how}"
            ));
            code
        }
    };
    let geom = layouts.of(&code)?;
    if geom != used {
        let qr_text = reading.qr_text.clone();
        reading = read_prepared(&page, geom, None).map_err(|e| e.to_string())?;
        // Read once already; the second layout's QR box is the same code.
        if reading.qr_text.is_none() && qr_text.is_some() {
            reading.qr_text = qr_text;
            reading.problems.retain(|p| !p.contains("QR code"));
        }
    }
    if reading.upside_down() {
        problems.push("fed upside down (read turned round)".into());
    }
    let id = match &code.student {
        Some(id) => id.clone(),
        None => {
            let id = reading.id_text();
            if id.is_empty() {
                problems.push("no 准考证号 marked".into());
            } else if reading.id_doubtful() {
                problems.push(format!(
                    "准考证号 doubtful: {id}, best reading {} (? = a column with no mark, two marks or a light one)",
                    reading.id_best()
                ));
            }
            id
        }
    };
    let mut variant = code.variant.clone();
    if let Some(marked) = &reading.variant {
        if marked.doubtful {
            problems.push(format!(
                "试卷类型 doubtful (best reading {}); graded as printed, {}",
                if marked.best.is_empty() {
                    "none"
                } else {
                    &marked.best
                },
                code.variant
            ));
        } else if !marked.letters.is_empty() && marked.letters != code.variant {
            // The student sat the paper they marked; the sheet's printed variant only says which form.
            problems.push(format!(
                "wrong variant: a sheet printed for {} with 试卷类型 {} marked; graded as {}",
                code.variant, marked.letters, marked.letters
            ));
            variant = marked.letters.clone();
        }
    }
    Ok(Identified {
        code,
        id,
        variant,
        reading,
        geometry: geom.clone(),
        problems,
    })
}

/// On a class batch's manifest, a page whose QR code does not read may be a blank sheet all the same: the
/// batch's layout fits it (the same corner marks and answer blocks), but its id grid is wider and it has a
/// 试卷类型 row, so read with the batch's layout it gives the wrong id columns. It is a blank sheet when
/// the bubbles only a blank sheet prints are printed on it; then it is read with its own layout.
fn blank_sheet_without_qr<'l>(
    page: &Prepared,
    layouts: &'l Layouts,
    used: &SheetGeometry,
) -> Option<(&'l SheetGeometry, PageReading)> {
    if !layouts.batch() {
        return None;
    }
    let blank = layouts.blank_all().ok()?.first()?.first()?;
    if blank == used {
        return None;
    }
    let in_batch_layout = |b: &Bubble| {
        let (x, y) = b.area.centre();
        used.bubbles.iter().any(|u| {
            let a = &u.area;
            (a.x..=a.x + a.w).contains(&x) && (a.y..=a.y + a.h).contains(&y)
        })
    };
    let only_blank: Vec<Bubble> = blank
        .bubbles
        .iter()
        .filter(|b| !in_batch_layout(b))
        .cloned()
        .collect();
    if only_blank.is_empty() {
        return None;
    }
    let reading = read_prepared(page, blank, None).ok()?;
    let printed_only_on_blank = outline_contrast(
        page,
        &SheetGeometry {
            bubbles: only_blank,
            ..blank.clone()
        },
        &reading.registration.to_image,
    );
    // On a blank sheet those outlines are about as dark as the rest (0.8 of the whole layout's contrast on
    // examgen's sheets); on a batch's sheet they fall on paper and printed text (about 0.2).
    (printed_only_on_blank >= 0.5 * reading.registration.outline_contrast)
        .then_some((blank, reading))
}

/// Of the pages of the sheet `used` is a page of (the manifest's or a blank sheet's, every variant), the one
/// whose printed bubbles the page shows most clearly, when it is not `used`: a page whose QR code does not
/// read is told from the sheet's other pages by its layout.
fn best_sibling<'l>(
    page: &Prepared,
    layouts: &'l Layouts,
    used: &SheetGeometry,
    reading: &PageReading,
) -> Option<(&'l SheetGeometry, PageReading)> {
    // Each layout once: reading a page again with a layout already tried cannot read it better.
    let family: Vec<&SheetGeometry> = if layouts.recorded.contains(&used) {
        layouts.recorded.clone()
    } else {
        distinct(blank_slots(layouts.blank_all().ok()?))
            .into_iter()
            .map(|(_, g)| g)
            .collect()
    };
    if family.iter().all(|g| g.questions == used.questions) {
        // A one-page sheet (or variants of one layout): nothing to choose.
        return None;
    }
    let mut best: Option<(&SheetGeometry, PageReading)> = None;
    let mut best_contrast = reading.registration.outline_contrast;
    for g in family {
        if g == used || g.questions == used.questions {
            continue;
        }
        if let Ok(r) = read_prepared(page, g, None)
            && r.registration.outline_contrast > best_contrast
        {
            best_contrast = r.registration.outline_contrast;
            best = Some((g, r));
        }
    }
    best
}

/// A page whose QR code does not read, identified from the manifest and the marks: on a class batch's
/// sheet the marked 准考证号 must be one of the class; on a blank sheet the 试卷类型 row (or the only
/// variant) names the variant. Returns the code it stands for and how it was found.
fn without_qr(
    reading: &PageReading,
    layouts: &Layouts,
    used: &SheetGeometry,
) -> Result<(SheetCode, String), String> {
    let manifest = layouts.manifest;
    let enter = "enter this sheet by hand";
    let blank_layout = layouts.batch()
        && layouts
            .blank_all()
            .is_ok_and(|b| b.iter().flatten().any(|g| g == used));
    if layouts.batch() && !blank_layout {
        let id = reading.id_text();
        if id.is_empty() {
            return Err(format!(
                "the QR code cannot be read (stained, covered or torn?) and no 准考证号 is marked; {enter}"
            ));
        }
        if reading.id_doubtful() {
            return Err(format!(
                "the QR code cannot be read (stained, covered or torn?) and the 准考证号 marked is doubtful \
                 ({id}, best reading {}); {enter}",
                reading.id_best()
            ));
        }
        let student = layouts.student(&id).ok_or_else(|| {
                format!(
                    "the QR code cannot be read (stained, covered or torn?) and the 准考证号 marked, {id}, is \
                     no student of the batch; {enter}"
                )
            })?;
        let how = format!(
            "identified by the marked 准考证号 as {} {} (variant {} by the batch)",
            student.id, student.name, student.variant
        );
        let (page, pages) = layouts.page_of(&student.variant, used);
        let code = SheetCode {
            digest: layouts.digest.clone(),
            variant: student.variant.clone(),
            page,
            pages,
            student: Some(student.id.clone()),
        };
        return Ok((code, how));
    }
    let marked = reading
        .variant
        .as_ref()
        .filter(|v| !v.doubtful && layouts.variant(&v.letters).is_some())
        .map(|v| v.letters.clone());
    let only: Vec<&str> = match manifest.variants.as_slice() {
        [v] => vec![v.label.as_str()],
        _ => Vec::new(),
    };
    let (variant, how) = match (marked, only.as_slice()) {
        (Some(v), _) => (
            v.clone(),
            format!("read as a blank sheet of variant {v} by its 试卷类型 row"),
        ),
        (None, [only]) => (
            only.to_string(),
            format!("read as a blank sheet of variant {only}, the exam's only one"),
        ),
        _ => {
            return Err(format!(
                "the QR code cannot be read (stained, covered or torn?) and no single 试卷类型 is marked, so \
                 which variant the sheet is cannot be told; {enter}"
            ));
        }
    };
    let (page, pages) = layouts.page_of(&variant, used);
    let code = SheetCode {
        digest: layouts.digest.clone(),
        variant,
        page,
        pages,
        student: None,
    };
    Ok((code, how))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page sheet whose QR code is printed at `qr_x` mm (layouts differ by it).
    fn sheet(qr_x: u32) -> String {
        format!(
            r#"{{"page_width_mm":210,"page_height_mm":297,"corner_marks":[],"qr_code":{{"x":{qr_x},"y":10,"w":20,"h":20}},"questions":[],"bubbles":[]}}"#
        )
    }

    /// A batch manifest: variants as (label, own sheet pages' QR x or the variant shared with), students as
    /// (id, name, variant).
    fn manifest(
        variants: &[(&str, Result<&[u32], &str>)],
        students: &[(&str, &str, &str)],
    ) -> Manifest {
        let variants: Vec<String> = variants
            .iter()
            .map(|(label, own)| match own {
                Ok(pages) => format!(
                    r#"{{"label":"{label}","total_points":"0","questions":[],"sheet":[{}]}}"#,
                    pages.iter().map(|x| sheet(*x)).collect::<Vec<_>>().join(",")
                ),
                Err(owner) => format!(
                    r#"{{"label":"{label}","total_points":"0","questions":[],"sheet_same_as":"{owner}"}}"#
                ),
            })
            .collect();
        let students: Vec<String> = students
            .iter()
            .map(|(id, name, v)| format!(r#"{{"id":"{id}","name":"{name}","variant":"{v}"}}"#))
            .collect();
        let json = format!(
            r#"{{"format":"examgen-manifest/1","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"d","title":"t"}},"seed":1,"distinct":false,"parts":[],"total_points":"0","variants":[{}],"students":[{}]}}"#,
            variants.join(","),
            students.join(",")
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn students_are_found_by_exact_id_and_the_first_of_a_duplicate_wins() {
        let m = manifest(
            &[("A", Ok(&[1])), ("B", Err("A"))],
            &[("007", "甲", "A"), ("7", "乙", "B"), ("007", "丙", "B")],
        );
        let layouts = Layouts::new(&m, Path::new("manifest.json"));
        let name = |id: &str| layouts.student(id).map(|s| s.name.as_str());
        assert_eq!(name("007"), Some("甲"));
        assert_eq!(name("7"), Some("乙"));
        // Ids are never matched loosely here: a cut zero or an unknown id is no student.
        assert_eq!(name("07"), None);
        assert_eq!(name("008"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn a_shared_sheet_is_found_through_its_owner_and_layouts_are_listed_once() {
        // Thousands of per-student variants share the first one's two-page sheet; one has its own.
        let mut variants: Vec<(String, Result<&[u32], &str>)> = vec![("S0001".into(), Ok(&[1, 2]))];
        for i in 2..=3000 {
            variants.push((format!("S{i:04}"), Err("S0001")));
        }
        variants.push(("S3001".into(), Ok(&[3])));
        // A second variant labelled S0002: a search in order finds the first.
        variants.push(("S0002".into(), Ok(&[4])));
        let borrowed: Vec<(&str, Result<&[u32], &str>)> =
            variants.iter().map(|(l, s)| (l.as_str(), *s)).collect();
        let m = manifest(&borrowed, &[("1", "甲", "S2999")]);
        let layouts = Layouts::new(&m, Path::new("manifest.json"));
        let qr_x = |variant: &str, page: u32| layouts.recorded(variant, page).map(|g| g.qr_code.x);
        assert_eq!(qr_x("S2999", 2), Some(2.0));
        assert_eq!(qr_x("S0002", 1), Some(1.0));
        assert_eq!(qr_x("S3001", 1), Some(3.0));
        assert_eq!(qr_x("S3001", 2), None);
        assert_eq!(qr_x("S9999", 1), None);
        assert!(
            layouts
                .blank("S9999", 1)
                .unwrap_err()
                .contains("does not have")
        );
        // Each distinct layout once, in order; the first page's is the first tried.
        let printed: Vec<f32> = layouts.printed().map(|g| g.qr_code.x).collect();
        assert_eq!(printed, [1.0, 2.0, 3.0, 4.0]);
        assert!(layouts.several());
        assert_eq!(layouts.first().unwrap().qr_code.x, 1.0);
        let page_2 = layouts.recorded("S0001", 2).unwrap();
        assert_eq!(layouts.page_of("S0500", page_2), (2, 2));
        assert_eq!(layouts.page_of("S3001", page_2), (1, 1));
        // The other layouts a page may be read with: every distinct one but the first tried (the blank
        // sheets' cannot be made here: their blueprint is missing).
        let others: Vec<f32> = layouts
            .others(layouts.first().unwrap())
            .iter()
            .map(|g| g.qr_code.x)
            .collect();
        assert_eq!(others, [2.0, 3.0, 4.0]);
    }
}

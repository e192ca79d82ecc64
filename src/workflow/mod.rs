//! Whole jobs that chain the stages (draw → model → render) and hand back the files to write. Commands
//! call these with plain option structs; nothing here knows the command line.

pub mod batch;
pub mod calibrate;
pub mod check;
pub mod drawn;
pub mod grade;
pub mod graded;
pub mod handout;
pub mod jobs;
pub mod paper;
pub mod review_book;
pub mod scan;
pub mod scan_identify;
pub mod scan_join;
pub mod scan_review;
pub mod sheet;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::blueprint::Blueprint;
use crate::input::manifest::Manifest;
use crate::render::Typesetter;
use crate::render::fonts::FontSet;
use crate::render::layout::{Density, PageSetup};

/// How printed documents look: fonts, templates, page format, duplex and edition. The command line's
/// choices; the blueprint's own settings fill in what the command line leaves open.
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub templates: Option<PathBuf>,
    pub font_dir: Option<PathBuf>,
    pub duplex: bool,
    pub layout: Option<String>,
    pub margin: Option<f32>,
    /// compact, normal or roomy; None: the blueprint's, else normal.
    pub density: Option<String>,
    pub teacher: bool,
    /// Which files to write: PDF, editable Word (.docx), or both.
    pub pdf: bool,
    pub docx: bool,
}

impl Look {
    /// The page setup: the look's layout, else the blueprint's, else A4; then the margin; the density is
    /// the look's, else the blueprint's, else normal.
    pub fn page_setup(
        &self,
        blueprint_layout: Option<&str>,
        blueprint_density: Option<&str>,
    ) -> Result<PageSetup> {
        let name = self.layout.as_deref().or(blueprint_layout).unwrap_or("a4");
        let setup = PageSetup::named(name).ok_or_else(|| {
            Error::usage(format!("unknown layout `{name}`"))
                .because("use a4, b5, 16k, a3-2col or b4-2col")
        })?;
        let density = self
            .density
            .as_deref()
            .or(blueprint_density)
            .unwrap_or("normal");
        let setup = setup.with_density(Density::named(density).ok_or_else(|| {
            Error::usage(format!("--density {density}: unknown density"))
                .because(format!("use {}", Density::NAMES.join(", ")))
        })?);
        Ok(match self.margin {
            Some(mm) if (5.0..=50.0).contains(&mm) => setup.with_margin(mm),
            Some(mm) => {
                return Err(Error::usage(format!(
                    "--margin {mm}: give millimetres between 5 and 50"
                )));
            }
            None => setup,
        })
    }

    /// The fonts folder: the look's, else the blueprint's.
    fn font_dir<'a>(&'a self, blueprint: &'a Blueprint) -> Option<&'a Path> {
        self.font_dir.as_deref().or(blueprint.fonts.as_deref())
    }

    /// The formats to write, in the order they are written: PDF, then Word.
    pub fn formats(&self) -> Vec<jobs::Format> {
        [
            (self.pdf, jobs::Format::Pdf),
            (self.docx, jobs::Format::Docx),
        ]
        .into_iter()
        .filter_map(|(on, format)| on.then_some(format))
        .collect()
    }

    /// The templates folder: the look's, else the blueprint's.
    fn templates<'a>(&'a self, blueprint: &'a Blueprint) -> Option<&'a Path> {
        self.templates.as_deref().or(blueprint.templates.as_deref())
    }
}

/// A finished file: where it goes, its bytes and, for a PDF, its page count.
pub struct OutFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub pages: Option<usize>,
}

impl OutFile {
    pub fn pdf(path: PathBuf, bytes: Vec<u8>, pages: usize) -> OutFile {
        OutFile {
            path,
            bytes,
            pages: Some(pages),
        }
    }

    pub fn other(path: PathBuf, bytes: Vec<u8>) -> OutFile {
        OutFile {
            path,
            bytes,
            pages: None,
        }
    }

    /// `wrote out/paper-A.pdf (8 pages, 180 KB)`
    pub fn describe(&self) -> String {
        match self.pages {
            Some(pages) => format!(
                "wrote {} ({pages} pages, {} KB)",
                self.path.display(),
                self.bytes.len().div_ceil(1024)
            ),
            None => format!("wrote {}", self.path.display()),
        }
    }
}

/// Writes every file of a run into `dir` together: all of them or, on any failure, none.
pub fn write_files(dir: &Path, files: &[OutFile]) -> Result<()> {
    let items: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|f| (f.path.as_path(), f.bytes.as_slice()))
        .collect();
    crate::util::fs::write_run(dir, &items)
}

/// The built-in fonts, or a school's own from a folder.
pub fn load_fonts(dir: Option<&Path>) -> Result<FontSet> {
    match dir {
        Some(dir) => FontSet::from_dir(dir),
        None => Ok(FontSet::builtin()),
    }
}

/// The typesetter and duplex setting of the jobs that print papers: the look over the blueprint.
fn paper_typesetter<'f>(
    fonts: &'f FontSet,
    look: &Look,
    blueprint: &Blueprint,
) -> Result<(Typesetter<'f>, bool)> {
    let typeset = Typesetter::new(
        fonts,
        look.templates(blueprint),
        look.page_setup(Some(&blueprint.layout), blueprint.density.as_deref())?,
    )?;
    Ok((typeset, look.duplex || blueprint.duplex))
}

/// The blueprint the papers of a manifest were made from (for their look: fonts, templates, spacing),
/// found as written in the manifest or beside it; None when it is gone.
pub(crate) fn blueprint_for(manifest: &Manifest, manifest_path: &Path) -> Option<Blueprint> {
    let as_written = PathBuf::from(&manifest.blueprint.path);
    let beside = manifest_path
        .parent()
        .map(|p| p.join(&manifest.blueprint.path));
    let path = [Some(as_written), beside]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())?;
    Blueprint::load(&path).ok()
}

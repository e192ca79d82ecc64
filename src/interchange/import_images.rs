//! Images in an imported spreadsheet: an `图片` (image) column or `![…](…)` in a cell names files relative to
//! the spreadsheet's folder; the bank gets its own copies under `img/`, so it stays valid wherever it moves.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::figures;

/// The image files a bank being imported needs: (source file, name under `img/`).
#[derive(Default)]
pub struct Copies {
    files: Vec<(PathBuf, String)>,
}

impl Copies {
    /// Appends the image column's files (separated by `;`, `；` or new lines) to a stem as figure lines.
    pub fn with_column(stem: &str, cell: &str) -> String {
        let mut out = stem.to_string();
        for path in cell
            .split([';', '；', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            out.push_str(&format!("\n![]({path})"));
        }
        out
    }

    /// Rewrites the image paths of `text` to `img/NAME`, remembering the files to copy. A file that does not
    /// exist comes back as an error message for the cell.
    pub fn rewrite(&mut self, text: &str, sheet_dir: &Path) -> std::result::Result<String, String> {
        // A web address is no file to copy: said at the cell, not later in the bank being written.
        if let Some(problem) = figures::parse(text)
            .1
            .into_iter()
            .find(|p| p.message.contains("local files only"))
        {
            return Err(problem.message);
        }
        let mut out = text.to_string();
        for image in figures::images(text).iter().rev() {
            let typed_source = sheet_dir.join(&image.path);
            // Found as the teacher's Windows finds it: `图1.PNG` opens `图1.png`.
            let Some(source) = crate::util::names::find_ignoring_case(&typed_source)
                .filter(|found| found.is_file())
            else {
                let near = crate::util::names::near_name(&typed_source)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "the image {} does not exist (image paths are relative to the spreadsheet's folder){near}",
                    image.path
                ));
            };
            let base = source
                .file_name()
                .map_or_else(|| "image".to_string(), |n| n.to_string_lossy().to_string());
            let name = match self.files.iter().find(|(s, _)| *s == source) {
                Some((_, name)) => name.clone(),
                None => {
                    // Two different files of one name get numbered names.
                    let mut name = base.clone();
                    let mut n = 2;
                    while self.files.iter().any(|(_, taken)| *taken == name) {
                        name = format!("{n}-{base}");
                        n += 1;
                    }
                    self.files.push((source.clone(), name.clone()));
                    name
                }
            };
            // The markup again with the new path; a width after the path's `)` stays as typed.
            let typed = &text[image.span.clone()];
            let size = typed.rfind(')').map_or("", |close| &typed[close + 1..]);
            let rewritten = format!(
                "![{}]({}){size}",
                image.alt,
                figures::markup_path(&format!("img/{name}"))
            );
            out.replace_range(image.span.clone(), &rewritten);
        }
        Ok(out)
    }

    /// Copies the images into `bank/img/`.
    pub fn copy_into(&self, bank: &Path) -> Result<()> {
        if self.files.is_empty() {
            return Ok(());
        }
        let dir = bank.join("img");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create the image folder", &dir, e))?;
        for (source, name) in &self.files {
            std::fs::copy(source, dir.join(name))
                .map_err(|e| Error::io("copy the image", source, e))?;
        }
        Ok(())
    }
}

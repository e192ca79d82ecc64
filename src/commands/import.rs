//! `examgen import`: a spreadsheet of questions into validated YAML section files, or Word papers, Moodle
//! XML and GIFT files into a bank whose uncertain questions wait under `# TODO` in import-report.csv.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write_failed;
use crate::error::{Error, Result};
use crate::interchange::drafts::{self, Imported};

/// The kinds of file import reads, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Spreadsheet,
    Word,
    Moodle,
    Gift,
}

fn kind_of(path: &Path) -> Option<Kind> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    Some(match ext.as_str() {
        "xlsx" | "csv" => Kind::Spreadsheet,
        "docx" => Kind::Word,
        "xml" => Kind::Moodle,
        "gift" | "txt" => Kind::Gift,
        _ => return None,
    })
}

pub fn run(
    files: &[PathBuf],
    dir: &Path,
    section_column: Option<&str>,
    strict: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    crate::util::fs::check_output_folder(dir)?;
    let inputs = expand(files)?;
    if inputs.iter().any(|(_, k)| *k == Kind::Spreadsheet) {
        let [(file, _)] = inputs.as_slice() else {
            return Err(Error::usage(
                "a spreadsheet is imported on its own: give one .xlsx or .csv file",
            ));
        };
        return spreadsheet(file, dir, section_column, out, err);
    }
    let mut imported = Imported::default();
    let word: Vec<PathBuf> = inputs
        .iter()
        .filter(|(_, k)| *k == Kind::Word)
        .map(|(p, _)| p.clone())
        .collect();
    if !word.is_empty() {
        merge(
            &mut imported,
            crate::interchange::docx_import::import(&word)?,
        );
    }
    for (path, kind) in &inputs {
        match kind {
            Kind::Moodle => merge(
                &mut imported,
                crate::interchange::moodle_import::import(path)?,
            ),
            Kind::Gift => merge(
                &mut imported,
                crate::interchange::gift_import::import(path)?,
            ),
            _ => {}
        }
    }
    for note in &imported.notes {
        writeln!(err, "note: {note}").map_err(write_failed)?;
    }
    let written = drafts::write_bank(&mut imported, dir, strict)?;
    for f in &written.files {
        writeln!(out, "wrote {}", f.display()).map_err(write_failed)?;
    }
    writeln!(
        out,
        "{} question(s) imported cleanly, {} need a look (in {}, commented out under # TODO); check passes",
        written.clean,
        written.needs_look,
        dir.join("import-report.csv").display()
    )
    .map_err(write_failed)
}

fn merge(into: &mut Imported, from: Imported) {
    for mut section in from.sections {
        let base = section.id.clone();
        let mut n = 2;
        while into.sections.iter().any(|s| s.id == section.id) {
            section.id = format!("{base}-{n}");
            n += 1;
        }
        into.sections.push(section);
    }
    into.images.extend(from.images);
    into.notes.extend(from.notes);
}

/// The files to read: the ones given, and a folder's Word, Moodle and GIFT files in name order (Word's
/// `~$` lock files left out).
fn expand(files: &[PathBuf]) -> Result<Vec<(PathBuf, Kind)>> {
    let mut out = Vec::new();
    for file in files {
        if file.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(file)
                .map_err(|e| Error::io("read the folder", file, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
                    p.is_file() && !name.starts_with("~$") && !name.starts_with('.')
                })
                .filter(|p| matches!(kind_of(p), Some(Kind::Word | Kind::Moodle | Kind::Gift)))
                .collect();
            entries.sort();
            if entries.is_empty() {
                return Err(Error::input(format!(
                    "{} holds no .docx, .xml or .gift files",
                    file.display()
                )));
            }
            out.extend(
                entries
                    .into_iter()
                    .filter_map(|p| Some((p.clone(), kind_of(&p)?))),
            );
            continue;
        }
        let Some(kind) = kind_of(file) else {
            let error = Error::input(format!(
                "{}: import reads .xlsx, .csv, .docx, .xml (Moodle) and .gift files",
                file.display()
            ));
            let is_doc = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("doc"));
            return Err(if is_doc {
                error.because("save the .doc (Word 97-2003) file as .docx in Word or WPS first")
            } else {
                error
            });
        };
        out.push((file.clone(), kind));
    }
    Ok(out)
}

fn spreadsheet(
    file: &Path,
    dir: &Path,
    section_column: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let (files, count, notes) = crate::interchange::import::import(file, dir, section_column)?;
    for note in &notes {
        writeln!(err, "note: {note}").map_err(write_failed)?;
    }
    for f in &files {
        writeln!(out, "wrote {}", f.display()).map_err(write_failed)?;
    }
    writeln!(
        out,
        "{count} questions in {} section file(s); check passes",
        files.len()
    )
    .map_err(write_failed)
}

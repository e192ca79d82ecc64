//! Loading a whole bank folder: every section file read once and parsed on every core, then checked
//! together, with every problem of the bank reported at once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::load::{load_bytes, load_file};
use super::{Bank, bank_error, validate};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};

/// The files of a bank: every `*.yaml`/`*.yml` directly in `root`, sorted by name. Hidden files (`.name.yaml`:
/// `calibrate`'s `.calibration.yaml`, editors' backups) are no sections.
fn section_files(root: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(root).map_err(|e| {
        Error::io("read the bank folder", root, e)
            .because("a bank is a folder of YAML section files; see docs/bank-format.md")
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Loads a bank folder: each file is read once and parsed (on every core), then the files are checked
/// together (ids, references, quotes).
pub(super) fn load_bank(root: &Path) -> Result<Bank> {
    if !root.is_dir() {
        return Err(
            Error::input(format!("the bank folder {} does not exist", root.display()))
                .because("pass the folder that holds the section files, e.g. `question-bank`"),
        );
    }
    let files = section_files(root)?;
    if files.is_empty() {
        return Err(Error::input(format!(
            "the bank folder {} has no .yaml section files",
            root.display()
        )));
    }
    // Files are read and parsed on every core; everything after that runs in file order.
    let loaded_files = crate::util::parallel::map(&files, |file| match std::fs::read(file) {
        Ok(bytes) => (Sha256::digest(&bytes), load_bytes(file, &bytes)),
        // The unreadable file is reported (with its reason) by the path-based loader.
        Err(_) => (Sha256::digest([]), load_file(file, file)),
    });
    let mut diags = Vec::new();
    let mut docs = Vec::new();
    let mut loaded = Vec::new();
    let mut hasher = Sha256::new();
    for (file, (file_digest, (items, file_diags))) in files.iter().zip(loaded_files) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(file_digest);
        diags.extend(file_diags);
        if let Some((doc, mut items)) = items {
            for r in &mut items.refs {
                r.doc = docs.len();
            }
            docs.push(doc);
            loaded.push(items);
        }
    }
    let digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let bank = validate::assemble(root, loaded, &docs, digest, &mut diags);
    super::figures::check(&bank, &docs, &bank.images, &mut diags);
    let (errors, warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    if !errors.is_empty() {
        // Coverage warnings are noise while broken items are left out of the count; show errors only.
        let mut err = bank_error(errors.len(), root);
        err.diagnostics = errors;
        return Err(err);
    }
    Ok(Bank { warnings, ..bank })
}

//! Loading a whole bank folder: every section file read once and parsed on every core, then checked
//! together, with every problem of the bank reported at once; or, when the files are unchanged since a
//! run that found no errors, taken from that run's cache (see `cache.rs`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::load::{load_bytes, load_file};
use super::{Bank, bank_error, cache, validate};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::input::yaml::YamlDoc;

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
    // Files are read on every core, once: their bytes are both hashed (the bank's digest, the cache key)
    // and parsed.
    let (read, digests): (Vec<_>, Vec<_>) = crate::util::parallel::map(&files, |file| {
        let bytes = std::fs::read(file);
        // An unreadable file counts as empty here; it is reported (with its reason) below.
        let digest = Sha256::digest(bytes.as_deref().unwrap_or_default());
        (bytes, digest)
    })
    .into_iter()
    .unzip();
    let mut hasher = Sha256::new();
    for (file, file_digest) in files.iter().zip(&digests) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(file_digest);
    }
    let digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let key = cache::Key::new(root, &digest);
    let all_read = read.iter().all(Result::is_ok);
    let cached = if all_read {
        cache::load(root, &key)
    } else {
        None
    };
    let (bank, docs, mut diags) = match cached {
        Some(cached) => from_cache(root, cached, digest, &files, &read),
        None => {
            let (bank, docs, diags) = validate_files(root, digest, &files, &read);
            if all_read && !diags.iter().any(Diagnostic::is_error) {
                cache::save(
                    root,
                    &key,
                    &cache::CachedRef {
                        sections: &bank.sections,
                        notes: &bank.notes,
                        questions: &bank.questions,
                        leaks: &bank.leaks,
                        warnings: &diags,
                    },
                );
            }
            (bank, docs, diags)
        }
    };
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

/// Parses and checks every file: the bank, the parsed files (for positions) and every diagnostic.
fn validate_files(
    root: &Path,
    digest: String,
    files: &[PathBuf],
    read: &[std::io::Result<Vec<u8>>],
) -> (Bank, Vec<YamlDoc>, Vec<Diagnostic>) {
    let pairs: Vec<(&PathBuf, &std::io::Result<Vec<u8>>)> = files.iter().zip(read).collect();
    let loaded_files = crate::util::parallel::map(&pairs, |(file, bytes)| match bytes {
        Ok(bytes) => load_bytes(file, bytes),
        // The path-based loader reports the unreadable file with its reason.
        Err(_) => load_file(file, file),
    });
    let mut diags = Vec::new();
    let mut docs = Vec::new();
    let mut loaded = Vec::new();
    for (items, file_diags) in loaded_files {
        diags.extend(file_diags);
        if let Some((doc, mut items)) = items {
            for r in &mut items.refs {
                r.doc = docs.len();
            }
            docs.push(doc);
            loaded.push(items);
        }
    }
    let bank = validate::assemble(root, loaded, &docs, digest, &mut diags);
    (bank, docs, diags)
}

/// The bank as a cached run left it; the files' text is kept (unparsed) to place figure diagnostics.
fn from_cache(
    root: &Path,
    cached: cache::Cached,
    digest: String,
    files: &[PathBuf],
    read: &[std::io::Result<Vec<u8>>],
) -> (Bank, Vec<YamlDoc>, Vec<Diagnostic>) {
    let docs = files
        .iter()
        .zip(read)
        .filter_map(|(file, bytes)| {
            let text = crate::input::yaml::decode_text(bytes.as_deref().ok()?, file).ok()?;
            Some(YamlDoc::unparsed(file, text))
        })
        .collect();
    let bank = Bank {
        root: root.to_path_buf(),
        sections: cached.sections,
        notes: cached.notes,
        questions: cached.questions,
        digest,
        warnings: Vec::new(),
        leaks: cached.leaks,
        images: Default::default(),
    };
    (bank, docs, cached.warnings)
}

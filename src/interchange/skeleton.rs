//! `examgen init DIR`: a new subject's skeleton bank that checks and prints at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// Writes a new subject's skeleton (a sample section and a blueprint) into `dir`; existing files are kept.
pub fn write_skeleton(dir: &Path) -> Result<Vec<PathBuf>> {
    let files: BTreeMap<&str, &str> = BTreeMap::from([
        (
            "example.yaml",
            include_str!("../../templates/skeleton/example.yaml"),
        ),
        (
            "exams/paper.yaml",
            include_str!("../../templates/skeleton/exams/paper.yaml"),
        ),
    ]);
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        crate::util::fs::write_atomically(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

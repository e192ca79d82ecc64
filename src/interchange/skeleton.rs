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
    let missing: Vec<(PathBuf, &[u8])> = files
        .into_iter()
        .map(|(name, text)| (dir.join(name), text.as_bytes()))
        .filter(|(path, _)| !path.exists())
        .collect();
    let items: Vec<(&Path, &[u8])> = missing.iter().map(|(p, t)| (p.as_path(), *t)).collect();
    crate::util::fs::write_run(dir, &items)?;
    Ok(missing.into_iter().map(|(p, _)| p).collect())
}

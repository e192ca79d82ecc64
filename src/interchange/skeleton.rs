//! `examgen init DIR`: a new subject's skeleton bank that checks and prints at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// Writes a new subject's skeleton (a sample section and a blueprint) into `dir`; existing files are kept.
pub fn write_skeleton(dir: &Path) -> Result<Vec<PathBuf>> {
    let files: BTreeMap<&str, &[u8]> = BTreeMap::from([
        (
            "example.yaml",
            include_bytes!("../../templates/skeleton/example.yaml").as_slice(),
        ),
        (
            "exams/paper.yaml",
            include_bytes!("../../templates/skeleton/exams/paper.yaml"),
        ),
        // A section with figures, and its images, so a new subject sees how charts and tables go in.
        (
            "figures.yaml",
            include_bytes!("../../templates/skeleton/figures.yaml"),
        ),
        (
            "img/chart.png",
            include_bytes!("../../templates/skeleton/img/chart.png"),
        ),
        (
            "img/sign-a.svg",
            include_bytes!("../../templates/skeleton/img/sign-a.svg"),
        ),
        (
            "img/sign-b.svg",
            include_bytes!("../../templates/skeleton/img/sign-b.svg"),
        ),
        (
            "img/sign-c.svg",
            include_bytes!("../../templates/skeleton/img/sign-c.svg"),
        ),
        (
            "img/sign-d.svg",
            include_bytes!("../../templates/skeleton/img/sign-d.svg"),
        ),
    ]);
    let missing: Vec<(PathBuf, &[u8])> = files
        .into_iter()
        .map(|(name, text)| (dir.join(name), text))
        .filter(|(path, _)| !path.exists())
        .collect();
    let items: Vec<(&Path, &[u8])> = missing.iter().map(|(p, t)| (p.as_path(), *t)).collect();
    crate::util::fs::write_run(dir, &items)?;
    Ok(missing.into_iter().map(|(p, _)| p).collect())
}

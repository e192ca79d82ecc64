//! `graded.json`: what `examgen grade` decided about every student — the manifest it graded against, each
//! answer as read and the points it earned — so `review-book` and `calibrate` work from a grades folder
//! without the answers file. Format: docs/grading.md ("graded.json").

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::manifest::Manifest;

pub const GRADED_FORMAT: &str = "examgen-graded/1";
pub const GRADED_FILE: &str = "graded.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GradedRecord {
    pub format: String,
    pub tool: String,
    pub manifest: ManifestRef,
    /// The answers file as given to `grade`, `/`-separated.
    pub responses: String,
    pub total_points: Decimal,
    pub pass_mark: Decimal,
    /// In the order of the answers file.
    pub students: Vec<StudentResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestRef {
    /// As given to `grade`, `/`-separated.
    pub path: String,
    /// The manifest's draw digest (`Manifest::draw_digest`): which papers were graded.
    pub draw: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudentResult {
    pub id: String,
    pub name: String,
    pub variant: String,
    pub total: Decimal,
    /// Competition rank (1, 2, 2, 4) in this class.
    pub rank: usize,
    /// One per question of the student's variant, in printed order.
    pub answers: Vec<AnswerResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnswerResult {
    /// The printed question number.
    pub number: usize,
    /// What the student gave, in printed terms: null (unanswered), printed letters (`"AC"`) for choice
    /// questions, true/false for judge, one string per blank, the text of a short answer.
    pub given: serde_json::Value,
    /// Points earned; null while a short answer awaits hand marking.
    pub earned: Option<Decimal>,
}

impl GradedRecord {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("graded record serializes") + "\n"
    }

    /// Reads `DIR/graded.json`; a folder graded by an older examgen (no graded.json) gets a message saying
    /// how to make one.
    pub fn read(dir: &Path) -> Result<GradedRecord> {
        let path = dir.join(GRADED_FILE);
        if !dir.is_dir() {
            return Err(Error::input(format!(
                "the grades folder {} does not exist",
                dir.display()
            ))
            .because("pass the folder `examgen grade … -o DIR` wrote"));
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::input(format!(
                    "{} has no {GRADED_FILE}: it is not a grades folder, or was graded by an older examgen",
                    dir.display()
                ))
                .because("run `examgen grade MANIFEST ANSWERS -o DIR` again; it writes graded.json"));
            }
            Err(e) => return Err(Error::io("read the grading record", &path, e)),
        };
        let record: GradedRecord = serde_json::from_str(&text).map_err(|e| {
            Error::input(format!(
                "{}:{}:{}: not an examgen grading record",
                path.display(),
                e.line(),
                e.column()
            ))
            .because(e)
        })?;
        if record.format != GRADED_FORMAT {
            return Err(Error::input(format!(
                "{} is a grading record of format `{}`; this examgen reads {GRADED_FORMAT}",
                path.display(),
                record.format
            )));
        }
        Ok(record)
    }

    /// The manifest the class was graded against: `explicit` if given, else the path `grade` was given
    /// (from the current folder, then from the grades folder and its parent). It must be the same draw.
    pub fn manifest(&self, dir: &Path, explicit: Option<&Path>) -> Result<(PathBuf, Manifest)> {
        let written = PathBuf::from(&self.manifest.path);
        let candidates: Vec<PathBuf> = match explicit {
            Some(p) => vec![p.to_path_buf()],
            None => {
                let mut c = vec![written.clone(), dir.join(&written)];
                if let Some(parent) = dir.parent() {
                    c.push(parent.join(&written));
                }
                c
            }
        };
        let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
            return Err(Error::input(format!(
                "{}: the manifest {} it was graded against is not there",
                dir.join(GRADED_FILE).display(),
                match explicit {
                    Some(p) => p.display().to_string(),
                    None => self.manifest.path.clone(),
                }
            ))
            .because("run from the folder `examgen grade` ran in, or pass --manifest FILE"));
        };
        let manifest = Manifest::read(&path)?;
        if manifest.draw_digest() != self.manifest.draw {
            return Err(Error::input(format!(
                "{} records other papers than the ones {} was graded against",
                path.display(),
                dir.join(GRADED_FILE).display()
            ))
            .because("pass the manifest.json of the papers this class sat (--manifest FILE)"));
        }
        Ok((path, manifest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_without_a_record_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let err = GradedRecord::read(dir.path()).unwrap_err();
        assert!(err.message.contains("graded.json"), "{err}");
        std::fs::write(dir.path().join(GRADED_FILE), "{\"format\": 3}").unwrap();
        let err = GradedRecord::read(dir.path()).unwrap_err();
        assert!(err.message.contains("graded.json:1:"), "{err}");
    }
}

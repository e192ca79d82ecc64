//! `.calibration.yaml` in a bank folder: each question's measured facility (p), discrimination and sample
//! size, pooled from graded exams by `examgen calibrate`. A sidecar: the teacher's section files are never
//! rewritten, and the bank loader skips hidden files. Format: docs/grading.md ("Calibration").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

pub const CALIBRATION_FILE: &str = ".calibration.yaml";
pub const CALIBRATION_FORMAT: &str = "examgen-calibration/1";

/// Below this many students a measured p is too noisy to steer a draw; the labelled difficulty's prior is
/// used instead (the standard error of p at 30 students is at most 0.09).
pub const MIN_SAMPLE: usize = 30;

/// One question's measurement.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Measured {
    /// Students with a mark for it.
    pub n: usize,
    /// Share of them with full credit.
    pub p: f64,
    /// Full-credit share of each exam's top 27% minus its bottom 27%, averaged weighted by n.
    pub discrimination: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Calibration {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub questions: BTreeMap<String, Measured>,
}

/// The prior p of a labelled difficulty (1 easiest … 5 hardest): what the draw assumes without a measurement.
pub fn prior_facility(difficulty: u8) -> f64 {
    match difficulty {
        0 | 1 => 0.90,
        2 => 0.75,
        3 => 0.60,
        4 => 0.45,
        _ => 0.30,
    }
}

pub fn path_in(bank: &Path) -> PathBuf {
    bank.join(CALIBRATION_FILE)
}

impl Calibration {
    /// The bank's calibration, or None when it has none.
    pub fn read(bank: &Path) -> Result<Option<Calibration>> {
        let path = path_in(bank);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read the calibration", &path, e)),
        };
        let calibration: Calibration = serde_yaml::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map_or(String::new(), |l| format!(":{}:{}", l.line(), l.column()));
            Error::input(format!(
                "{}{at}: not an examgen calibration file",
                path.display()
            ))
            .because(e)
            .because("run `examgen calibrate GRADES_DIR…` again, or delete the file")
        })?;
        if calibration.format != CALIBRATION_FORMAT {
            return Err(Error::input(format!(
                "{} is a calibration of format `{}`; this examgen reads {CALIBRATION_FORMAT}",
                path.display(),
                calibration.format
            )));
        }
        Ok(Some(calibration))
    }

    /// The p a draw should expect of a question: measured when at least `MIN_SAMPLE` students had it, else
    /// the prior of its labelled difficulty.
    pub fn expected(&self, id: &str, difficulty: u8) -> f64 {
        match self.questions.get(id) {
            Some(m) if m.n >= MIN_SAMPLE => m.p,
            _ => prior_facility(difficulty),
        }
    }

    /// The file's text: ids in order, numbers to three places, so the same pooling writes the same bytes.
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# Measured by `examgen calibrate` from graded exams (the bank's own files are never changed).\n\
             # p: share of students with full credit; discrimination: full-credit share of the top 27% minus\n\
             # the bottom 27% of each exam, averaged weighted by n; n: students who had the question.\n",
        );
        out.push_str(&format!("format: {CALIBRATION_FORMAT}\nsources:\n"));
        for s in &self.sources {
            out.push_str(&format!("  - {}\n", quoted(s)));
        }
        out.push_str("questions:\n");
        for (id, m) in &self.questions {
            out.push_str(&format!(
                "  {}: {{n: {}, p: {:.3}, discrimination: {:.3}}}\n",
                quoted(id),
                m.n,
                m.p,
                m.discrimination
            ));
        }
        out
    }
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Calibration::read(dir.path()).unwrap(), None);
        let mut c = Calibration {
            format: CALIBRATION_FORMAT.into(),
            sources: vec!["grades: 一班".into()],
            questions: BTreeMap::new(),
        };
        c.questions.insert(
            "cw-001".into(),
            Measured {
                n: 40,
                p: 0.625,
                discrimination: -0.25,
            },
        );
        c.questions.insert(
            "a".into(),
            Measured {
                n: 3,
                p: 1.0,
                discrimination: 0.0,
            },
        );
        std::fs::write(path_in(dir.path()), c.to_yaml()).unwrap();
        assert_eq!(Calibration::read(dir.path()).unwrap(), Some(c.clone()));
        assert_eq!(c.expected("cw-001", 5), 0.625);
        // Too few students: the prior of the label.
        assert_eq!(c.expected("a", 5), 0.30);
        assert_eq!(c.expected("missing", 2), 0.75);
        std::fs::write(path_in(dir.path()), "format: [").unwrap();
        let err = Calibration::read(dir.path()).unwrap_err();
        assert!(err.message.contains(".calibration.yaml:"), "{err}");
    }
}

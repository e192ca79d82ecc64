//! `manifest.json`: the record of a generated set — which bank, blueprint and seed, and per variant every
//! question with its printed option order and answer. Grading reads it. Format: docs/manifest.md.

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::bank::{Answer, letter};
use crate::input::scan::SheetGeometry;

pub const MANIFEST_FORMAT: &str = "examgen-manifest/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub tool: String,
    pub bank: BankRef,
    pub blueprint: BlueprintRef,
    pub seed: u64,
    pub distinct: bool,
    pub parts: Vec<PartInfo>,
    pub total_points: Decimal,
    pub variants: Vec<VariantRecord>,
    /// Class batches: which student sat which variant (absent for ordinary papers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub students: Vec<StudentRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudentRecord {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub seat: String,
    pub variant: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BankRef {
    pub path: String,
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BlueprintRef {
    pub path: String,
    pub digest: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartInfo {
    pub number: usize,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub count: usize,
    pub points: Decimal,
    /// "all-or-nothing" or "partial"; with `partial`, the points per correct option chosen.
    pub scoring: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partial: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VariantRecord {
    pub label: String,
    pub total_points: Decimal,
    pub questions: Vec<QuestionRecord>,
    /// Where everything on this variant's answer sheet is printed, one entry per sheet page, for
    /// `examgen scan` (absent when the run printed no sheets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheet: Vec<SheetGeometry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuestionRecord {
    pub number: usize,
    pub id: String,
    /// 1-based part number.
    pub part: usize,
    #[serde(rename = "type")]
    pub kind: String,
    pub section: String,
    pub points: Decimal,
    /// Printed position → original option index (0-based); empty for questions without options.
    pub option_order: Vec<usize>,
    /// "C" / "ACD" for choice questions, true/false for judge, one string per blank (alternatives
    /// joined by `|`), the reference text for short answers.
    pub answer: serde_json::Value,
}

/// A path as written on any system: forward slashes.
pub fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

pub fn answer_json(answer: &Answer) -> serde_json::Value {
    match answer {
        Answer::Single(i) => letter(*i).to_string().into(),
        Answer::Multiple(v) => v.iter().map(|i| letter(*i)).collect::<String>().into(),
        Answer::Judge(b) => (*b).into(),
        Answer::Blank(blanks) => blanks
            .iter()
            .map(|alts| alts.join("|"))
            .collect::<Vec<_>>()
            .into(),
        Answer::Short(text) => text.clone().into(),
    }
}

impl Manifest {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("manifest serializes") + "\n"
    }

    pub fn read(path: &Path) -> Result<Manifest> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io("read the manifest", path, e))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::input(format!(
                "{}:{}:{}: not an examgen manifest",
                path.display(),
                e.line(),
                e.column()
            ))
            .because(e)
        })?;
        // Exactly: `examgen-manifest/10` is not format 1 just because it starts the same.
        if manifest.format != MANIFEST_FORMAT {
            return Err(Error::input(format!(
                "{} is a manifest of format `{}`; this examgen reads examgen-manifest/1",
                path.display(),
                manifest.format
            )));
        }
        Ok(manifest)
    }

    /// The draw's fingerprint printed in answer sheets' QR codes: the first 16 hex digits of sha256 over the
    /// bank and blueprint digests, the seed and every variant's questions in order. A sheet whose code
    /// carries another fingerprint belongs to another exam.
    pub fn draw_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(format!(
            "{}\n{}\n{}\n{}\n",
            self.bank.digest, self.blueprint.digest, self.seed, self.distinct
        ));
        for v in &self.variants {
            h.update(format!("{}:", v.label));
            for q in &v.questions {
                h.update(format!("{} {:?};", q.id, q.option_order));
            }
            h.update("\n");
        }
        h.finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Every bank question id in every variant, for `--exclude-used`.
    pub fn used_ids(&self) -> impl Iterator<Item = &str> {
        self.variants
            .iter()
            .flat_map(|v| v.questions.iter().map(|q| q.id.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_format_1_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        let manifest = |format: &str| {
            format!(
                r#"{{"format":"{format}","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"d","title":"t"}},"seed":1,"distinct":false,"parts":[],"total_points":"0","variants":[]}}"#
            )
        };
        std::fs::write(&path, manifest(MANIFEST_FORMAT)).unwrap();
        assert!(Manifest::read(&path).is_ok());
        for other in [
            "examgen-manifest/10",
            "examgen-manifest/1.5",
            "examgen-manifest/2",
        ] {
            std::fs::write(&path, manifest(other)).unwrap();
            let err = Manifest::read(&path).unwrap_err();
            assert!(err.message.contains(other), "{err}");
        }
    }
}

//! The manifest as held: which bank, blueprint and seed, the parts, every variant with its questions and
//! answer-sheet geometry, and which student sat which variant; and the draw's fingerprint.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::input::manifest::compact::Questions;
use crate::input::manifest::question::PartInfo;
use crate::input::scan::SheetGeometry;

/// Every question of every variant recorded whole: papers, blank sheets and `draw --format json`.
pub const MANIFEST_FORMAT: &str = "examgen-manifest/1";
/// What questions share recorded once in a `questions` table, each variant's questions as id and option
/// order: class batches, where a variant per student would otherwise repeat the same records thousands of
/// times.
pub const MANIFEST_FORMAT_COMPACT: &str = "examgen-manifest/2";

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, PartialEq)]
pub struct VariantRecord {
    pub label: String,
    pub total_points: Decimal,
    /// In printed order, held compactly (see [`Questions`]).
    pub questions: Questions,
    /// Where everything on this variant's answer sheet is printed, one entry per sheet page, for
    /// `examgen scan` (absent when the run printed no sheets).
    pub sheet: Vec<SheetGeometry>,
    /// The variant whose `sheet` this variant's answer sheet is printed exactly like, when a class batch
    /// recorded that geometry once for both (with a variant per student, thousands of copies of ~50 KB
    /// each would make the manifest gigabytes). Read it through [`Manifest::sheet_of`].
    pub sheet_same_as: Option<String>,
}

impl Manifest {
    /// Where everything on variant `v`'s answer sheet is printed, one entry per page: its own record's,
    /// or the variant's whose sheet it shares (`sheet_same_as`, checked when the manifest is read).
    pub fn sheet_of<'m>(&'m self, v: &'m VariantRecord) -> &'m [SheetGeometry] {
        match &v.sheet_same_as {
            Some(owner) => self
                .variants
                .iter()
                .find(|o| &o.label == owner)
                .map_or(&[], |o| o.sheet.as_slice()),
            None => &v.sheet,
        }
    }

    /// The draw's fingerprint printed in answer sheets' QR codes: the first 16 hex digits of sha256 over the
    /// bank and blueprint digests, the seed and every variant's questions in order. A sheet whose code
    /// carries another fingerprint belongs to another exam.
    pub fn draw_digest(&self) -> String {
        let mut digest = DrawDigest::new(self);
        for v in &self.variants {
            digest.add(v);
        }
        digest.finish()
    }

    /// Every bank question id in every variant, for `--exclude-used`.
    pub fn used_ids(&self) -> std::collections::BTreeSet<String> {
        self.variants
            .iter()
            .flat_map(|v| v.questions.iter().map(|q| q.id))
            .collect()
    }
}

/// [`Manifest::draw_digest`] made variant by variant, for a run that never holds every variant at once.
pub struct DrawDigest(sha2::Sha256);

impl DrawDigest {
    /// Starts from the manifest's bank, blueprint, seed and distinctness (its variants are not read).
    pub fn new(head: &Manifest) -> DrawDigest {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(format!(
            "{}\n{}\n{}\n{}\n",
            head.bank.digest, head.blueprint.digest, head.seed, head.distinct
        ));
        DrawDigest(h)
    }

    /// The next variant, in draw order.
    pub fn add(&mut self, v: &VariantRecord) {
        use sha2::Digest;
        self.0.update(format!("{}:", v.label));
        for q in v.questions.iter() {
            self.0.update(format!("{} {:?};", q.id, q.option_order));
        }
        self.0.update("\n");
    }

    pub fn finish(self) -> String {
        use sha2::Digest;
        self.0
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

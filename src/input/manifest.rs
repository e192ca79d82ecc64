//! `manifest.json`: the record of a generated set — which bank, blueprint and seed, and per variant every
//! question with its printed option order and answer. Grading reads it. Format: docs/manifest.md.

use std::path::Path;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};
use crate::input::bank::{Answer, QuestionType, letter};
use crate::input::blueprint::Scoring;
use crate::input::manifest_questions::{
    FactsTable, Questions, Table, facts_from_json, resolve_compact,
};
use crate::input::manifest_stream::VariantSpill;
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

/// A part of the paper as the blueprint set it: its type, count, points and scoring rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(try_from = "PartJson", into = "PartJson")]
pub struct PartInfo {
    pub number: usize,
    pub title: String,
    pub kind: QuestionType,
    pub count: usize,
    pub points: Decimal,
    pub scoring: Scoring,
}

/// A part as `manifest.json` spells it: `"scoring": "all-or-nothing"`, or `"partial"` with the points per
/// correct option chosen in `partial`.
#[derive(Serialize, Deserialize)]
struct PartJson {
    number: usize,
    title: String,
    #[serde(rename = "type")]
    kind: QuestionType,
    count: usize,
    points: Decimal,
    scoring: ScoringName,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    partial: Option<Decimal>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ScoringName {
    AllOrNothing,
    Partial,
}

impl From<PartInfo> for PartJson {
    fn from(p: PartInfo) -> PartJson {
        let (scoring, partial) = match p.scoring {
            Scoring::AllOrNothing => (ScoringName::AllOrNothing, None),
            Scoring::Partial(each) => (ScoringName::Partial, Some(each)),
        };
        PartJson {
            number: p.number,
            title: p.title,
            kind: p.kind,
            count: p.count,
            points: p.points,
            scoring,
            partial,
        }
    }
}

impl TryFrom<PartJson> for PartInfo {
    type Error = String;

    fn try_from(p: PartJson) -> std::result::Result<PartInfo, String> {
        let scoring = match (p.scoring, p.partial) {
            (ScoringName::Partial, Some(each)) => Scoring::Partial(each),
            (ScoringName::Partial, None) => {
                return Err(format!(
                    "part {}: `\"scoring\": \"partial\"` without the points per option (`\"partial\"`)",
                    p.number
                ));
            }
            // examgen never writes an amount beside all-or-nothing; one typed there by hand is ignored, as
            // it always was.
            (ScoringName::AllOrNothing, _) => Scoring::AllOrNothing,
        };
        Ok(PartInfo {
            number: p.number,
            title: p.title,
            kind: p.kind,
            count: p.count,
            points: p.points,
            scoring,
        })
    }
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

/// One question of a variant as printed. Its type is its answer's: the manifest spells both (`"type"` and
/// `"answer"`), and reading checks the answer against the type.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(try_from = "QuestionJson", into = "QuestionJson")]
pub struct QuestionRecord {
    pub number: usize,
    pub id: String,
    /// 1-based part number.
    pub part: usize,
    pub section: String,
    pub points: Decimal,
    /// Printed position → original option index (0-based); empty for questions without options.
    pub option_order: Vec<usize>,
    /// The key in printed terms: option indices as printed (0 = the printed A).
    pub answer: Answer,
}

impl QuestionRecord {
    pub fn kind(&self) -> QuestionType {
        match self.answer {
            Answer::Single(_) => QuestionType::Single,
            Answer::Multiple(_) => QuestionType::Multiple,
            Answer::Judge(_) => QuestionType::Judge,
            Answer::Blank(_) => QuestionType::Blank,
            Answer::Short(_) => QuestionType::Short,
        }
    }

    /// The printed letters of a choice question's key (empty for other questions).
    pub fn key_letters(&self) -> &[usize] {
        match &self.answer {
            Answer::Single(i) => std::slice::from_ref(i),
            Answer::Multiple(v) => v,
            _ => &[],
        }
    }
}

/// A question as `manifest.json` spells it.
#[derive(Serialize, Deserialize)]
struct QuestionJson {
    number: usize,
    id: String,
    part: usize,
    #[serde(rename = "type")]
    kind: QuestionType,
    section: String,
    points: Decimal,
    option_order: Vec<usize>,
    /// "C" / "ACD" for choice questions, true/false for judge, one string per blank (alternatives
    /// joined by `|`), the reference text for short answers.
    answer: serde_json::Value,
}

impl From<QuestionRecord> for QuestionJson {
    fn from(q: QuestionRecord) -> QuestionJson {
        QuestionJson {
            kind: q.kind(),
            answer: answer_json(&q.answer),
            number: q.number,
            id: q.id,
            part: q.part,
            section: q.section,
            points: q.points,
            option_order: q.option_order,
        }
    }
}

impl TryFrom<QuestionJson> for QuestionRecord {
    type Error = String;

    fn try_from(q: QuestionJson) -> std::result::Result<QuestionRecord, String> {
        let answer = answer_from_json(q.kind, &q.answer, q.option_order.len()).map_err(|why| {
            format!(
                "question {} ({}, {}): {why}, not {}",
                q.number, q.id, q.kind, q.answer
            )
        })?;
        Ok(QuestionRecord {
            number: q.number,
            id: q.id,
            part: q.part,
            section: q.section,
            points: q.points,
            option_order: q.option_order,
            answer,
        })
    }
}

/// A manifest's `"answer"` read as its question's type says: the inverse of [`answer_json`]. Err names
/// what the answer should be.
pub(crate) fn answer_from_json(
    kind: QuestionType,
    value: &serde_json::Value,
    options: usize,
) -> std::result::Result<Answer, &'static str> {
    use serde_json::Value;
    let letters = |text: &str| -> Option<Vec<usize>> {
        text.chars()
            .map(|c| {
                let i = (c as usize).checked_sub('A' as usize)?;
                (i < options).then_some(i)
            })
            .collect()
    };
    match (kind, value) {
        (QuestionType::Single, Value::String(s)) => match letters(s).as_deref() {
            Some(&[i]) => Ok(Answer::Single(i)),
            _ => Err("the answer must be one of the printed option letters"),
        },
        (QuestionType::Single, _) => Err("the answer must be one of the printed option letters"),
        (QuestionType::Multiple, Value::String(s)) => letters(s)
            .map(Answer::Multiple)
            .ok_or("the answer must be printed option letters"),
        (QuestionType::Multiple, _) => Err("the answer must be printed option letters"),
        (QuestionType::Judge, Value::Bool(b)) => Ok(Answer::Judge(*b)),
        (QuestionType::Judge, _) => Err("the answer must be true or false"),
        (QuestionType::Blank, Value::Array(blanks)) => blanks
            .iter()
            .map(|b| Some(b.as_str()?.split('|').map(str::to_string).collect()))
            .collect::<Option<_>>()
            .map(Answer::Blank)
            .ok_or("the answer must be a list of texts, one per blank"),
        (QuestionType::Blank, _) => Err("the answer must be a list of texts, one per blank"),
        (QuestionType::Short, Value::String(s)) => Ok(Answer::Short(s.clone())),
        (QuestionType::Short, _) => Err("the answer must be the reference text"),
    }
}

/// A path as written on any system: forward slashes.
pub fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// An answer as `manifest.json` spells it (see `QuestionJson`).
pub(crate) fn answer_json(answer: &Answer) -> serde_json::Value {
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
    /// The manifest as written: every question whole (`examgen-manifest/1`), or compactly when its format
    /// is `examgen-manifest/2`.
    pub fn to_json(&self) -> String {
        if self.format == MANIFEST_FORMAT_COMPACT {
            let mut spill = VariantSpill::new(std::io::Cursor::new(Vec::new()), self);
            let mut out = Vec::new();
            self.variants
                .iter()
                .enumerate()
                .try_for_each(|(v, record)| spill.put_record(v, record))
                .and_then(|()| spill.write_manifest(self, self.students.iter().cloned(), &mut out))
                .expect("a manifest writes into memory");
            return String::from_utf8(out).expect("JSON is UTF-8") + "\n";
        }
        serde_json::to_string_pretty(&WholeJson::of(self)).expect("manifest serializes") + "\n"
    }

    /// Reads `manifest.json` as it streams in: variants are held compactly as they are read, so neither the
    /// file's text nor a record per printed question of a class with a variant per student is ever held.
    pub fn read(path: &Path) -> Result<Manifest> {
        let file =
            std::fs::File::open(path).map_err(|e| Error::io("read the manifest", path, e))?;
        let mut json =
            serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, file));
        let manifest = Manifest::deserialize(&mut json)
            .and_then(|m| json.end().map(|()| m))
            .map_err(|e| {
                if e.is_io() {
                    return Error::input(format!("could not read the manifest {}", path.display()))
                        .because(e);
                }
                Error::input(format!(
                    "{}:{}:{}: not an examgen manifest",
                    path.display(),
                    e.line(),
                    e.column()
                ))
                .because(e)
            })?;
        // Exactly: `examgen-manifest/10` is not format 1 just because it starts the same.
        if manifest.format != MANIFEST_FORMAT && manifest.format != MANIFEST_FORMAT_COMPACT {
            return Err(Error::input(format!(
                "{} is a manifest of format `{}`; this examgen reads examgen-manifest/1 and examgen-manifest/2",
                path.display(),
                manifest.format
            )));
        }
        // Grading adds each question's points to its part: a part the manifest lacks would be nowhere.
        for v in &manifest.variants {
            if let Some(q) = v.questions.outside_parts(manifest.parts.len()) {
                return Err(Error::input(format!(
                    "{}: question {} ({}) of variant {} is in part {}, but the manifest has {} part(s)",
                    path.display(),
                    q.number,
                    q.id,
                    v.label,
                    q.part,
                    manifest.parts.len()
                ))
                .because("the file was changed by hand; make the papers again or restore it"));
            }
        }
        for v in &manifest.variants {
            let Some(owner) = &v.sheet_same_as else {
                continue;
            };
            let shared = manifest
                .variants
                .iter()
                .find(|o| &o.label == owner)
                .is_some_and(|o| o.sheet_same_as.is_none() && !o.sheet.is_empty());
            if !shared || !v.sheet.is_empty() {
                return Err(Error::input(format!(
                    "{}: variant {} says its answer sheet is printed like variant {owner}'s, but {}",
                    path.display(),
                    v.label,
                    if v.sheet.is_empty() {
                        format!("variant {owner} records no sheet of its own")
                    } else {
                        format!("variant {} records a sheet of its own as well", v.label)
                    }
                ))
                .because("the file was changed by hand; make the papers again or restore it"));
            }
        }
        Ok(manifest)
    }

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

/// A manifest with every question whole, as `examgen-manifest/1` spells it.
#[derive(Serialize)]
struct WholeJson<'a> {
    format: &'a str,
    tool: &'a str,
    bank: &'a BankRef,
    blueprint: &'a BlueprintRef,
    seed: u64,
    distinct: bool,
    parts: &'a [PartInfo],
    total_points: Decimal,
    variants: Vec<WholeVariantJson<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    students: &'a [StudentRecord],
}

#[derive(Serialize)]
struct WholeVariantJson<'a> {
    label: &'a str,
    total_points: Decimal,
    questions: Vec<QuestionRecord>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sheet: &'a [SheetGeometry],
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet_same_as: &'a Option<String>,
}

impl<'a> WholeJson<'a> {
    fn of(m: &'a Manifest) -> WholeJson<'a> {
        WholeJson {
            format: &m.format,
            tool: &m.tool,
            bank: &m.bank,
            blueprint: &m.blueprint,
            seed: m.seed,
            distinct: m.distinct,
            parts: &m.parts,
            total_points: m.total_points,
            variants: m
                .variants
                .iter()
                .map(|v| WholeVariantJson {
                    label: &v.label,
                    total_points: v.total_points,
                    questions: v.questions.iter().collect(),
                    sheet: &v.sheet,
                    sheet_same_as: &v.sheet_same_as,
                })
                .collect(),
            students: &m.students,
        }
    }
}

/// The manifest's head fields without variants and students, as the pretty printer spells them: what
/// [`crate::input::manifest_stream::VariantSpill`] writes before the rest.
#[derive(Serialize)]
pub(crate) struct HeadJson<'a> {
    format: &'a str,
    tool: &'a str,
    bank: &'a BankRef,
    blueprint: &'a BlueprintRef,
    seed: u64,
    distinct: bool,
    parts: &'a [PartInfo],
    total_points: Decimal,
}

impl<'a> HeadJson<'a> {
    pub(crate) fn of(m: &'a Manifest) -> HeadJson<'a> {
        HeadJson {
            format: &m.format,
            tool: &m.tool,
            bank: &m.bank,
            blueprint: &m.blueprint,
            seed: m.seed,
            distinct: m.distinct,
            parts: &m.parts,
            total_points: m.total_points,
        }
    }
}

/// Reading a manifest field by field as it streams in. `variants` are read one at a time into compact
/// [`Questions`], which share one table of what their questions have in common; compact questions
/// (`examgen-manifest/2`) are resolved against `parts` and the `questions` table, which come before them.
impl<'de> Deserialize<'de> for Manifest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Manifest, D::Error> {
        d.deserialize_map(ManifestVisitor)
    }
}

struct ManifestVisitor;

impl<'de> Visitor<'de> for ManifestVisitor {
    type Value = Manifest;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an examgen manifest")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Manifest, A::Error> {
        let mut format = None;
        let mut tool = None;
        let mut bank = None;
        let mut blueprint = None;
        let mut seed = None;
        let mut distinct = None;
        let mut parts: Option<Vec<PartInfo>> = None;
        let mut total_points = None;
        let mut facts: Option<FactsTable> = None;
        let mut table = Table::default();
        let mut variants: Option<Vec<VariantRecord>> = None;
        let mut students = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => format = Some(map.next_value()?),
                "tool" => tool = Some(map.next_value()?),
                "bank" => bank = Some(map.next_value()?),
                "blueprint" => blueprint = Some(map.next_value()?),
                "seed" => seed = Some(map.next_value()?),
                "distinct" => distinct = Some(map.next_value()?),
                "parts" => parts = Some(map.next_value()?),
                "total_points" => total_points = Some(map.next_value()?),
                "questions" => {
                    facts = Some(facts_from_json(map.next_value()?).map_err(de::Error::custom)?)
                }
                "variants" => {
                    variants = Some(map.next_value_seed(VariantsSeed {
                        parts: parts.as_deref().unwrap_or_default(),
                        facts: facts.as_ref(),
                        table: &mut table,
                    })?)
                }
                "students" => students = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut variants = variants.ok_or_else(|| de::Error::missing_field("variants"))?;
        let shared = table.finish();
        for v in &mut variants {
            v.questions.share(&shared);
        }
        Ok(Manifest {
            format: format.ok_or_else(|| de::Error::missing_field("format"))?,
            tool: tool.ok_or_else(|| de::Error::missing_field("tool"))?,
            bank: bank.ok_or_else(|| de::Error::missing_field("bank"))?,
            blueprint: blueprint.ok_or_else(|| de::Error::missing_field("blueprint"))?,
            seed: seed.ok_or_else(|| de::Error::missing_field("seed"))?,
            distinct: distinct.ok_or_else(|| de::Error::missing_field("distinct"))?,
            parts: parts.ok_or_else(|| de::Error::missing_field("parts"))?,
            total_points: total_points.ok_or_else(|| de::Error::missing_field("total_points"))?,
            variants,
            students: students.unwrap_or_default(),
        })
    }
}

/// What reading a variant's questions needs: the parts and `questions` table compact questions are
/// resolved against, and the table of shared entries every variant's questions are interned in.
struct VariantsSeed<'a> {
    parts: &'a [PartInfo],
    facts: Option<&'a FactsTable>,
    table: &'a mut Table,
}

impl<'de> DeserializeSeed<'de> for VariantsSeed<'_> {
    type Value = Vec<VariantRecord>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for VariantsSeed<'_> {
    type Value = Vec<VariantRecord>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of variants")
    }

    fn visit_seq<S: SeqAccess<'de>>(
        self,
        mut seq: S,
    ) -> std::result::Result<Self::Value, S::Error> {
        let mut variants = Vec::new();
        while let Some(v) = seq.next_element_seed(VariantSeed {
            parts: self.parts,
            facts: self.facts,
            table: &mut *self.table,
        })? {
            variants.push(v);
        }
        Ok(variants)
    }
}

struct VariantSeed<'a> {
    parts: &'a [PartInfo],
    facts: Option<&'a FactsTable>,
    table: &'a mut Table,
}

impl<'de> DeserializeSeed<'de> for VariantSeed<'_> {
    type Value = VariantRecord;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for VariantSeed<'_> {
    type Value = VariantRecord;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a variant")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut label = None;
        let mut total_points = None;
        let mut questions = None;
        let mut sheet = None;
        let mut sheet_same_as = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "label" => label = Some(map.next_value()?),
                "total_points" => total_points = Some(map.next_value()?),
                "questions" => {
                    questions = Some(map.next_value_seed(QuestionsSeed {
                        parts: self.parts,
                        facts: self.facts,
                        table: &mut *self.table,
                    })?)
                }
                "sheet" => sheet = Some(map.next_value()?),
                "sheet_same_as" => sheet_same_as = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(VariantRecord {
            label: label.ok_or_else(|| de::Error::missing_field("label"))?,
            total_points: total_points.ok_or_else(|| de::Error::missing_field("total_points"))?,
            questions: questions.ok_or_else(|| de::Error::missing_field("questions"))?,
            sheet: sheet.unwrap_or_default(),
            sheet_same_as,
        })
    }
}

struct QuestionsSeed<'a> {
    parts: &'a [PartInfo],
    facts: Option<&'a FactsTable>,
    table: &'a mut Table,
}

impl<'de> DeserializeSeed<'de> for QuestionsSeed<'_> {
    type Value = Questions;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for QuestionsSeed<'_> {
    type Value = Questions;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of questions")
    }

    fn visit_seq<S: SeqAccess<'de>>(
        self,
        mut seq: S,
    ) -> std::result::Result<Self::Value, S::Error> {
        let mut questions = Questions::reading();
        let empty = FactsTable::new();
        while let Some(item) = seq.next_element::<QuestionJsonItem>()? {
            let record = match item {
                QuestionJsonItem::Whole(q) => q,
                QuestionJsonItem::Compact(id, order, points) => resolve_compact(
                    self.parts,
                    self.facts.unwrap_or(&empty),
                    questions.len(),
                    id,
                    order,
                    points,
                )
                .map_err(de::Error::custom)?,
            };
            questions
                .push(self.table, record)
                .map_err(de::Error::custom)?;
        }
        questions.shrink_to_fit();
        Ok(questions)
    }
}

/// A question of a variant as read: a whole record (an object), or `[id, option_order, points]`
/// (`examgen-manifest/2`; order and points may be left out).
enum QuestionJsonItem {
    Whole(QuestionRecord),
    Compact(String, Vec<usize>, Option<Decimal>),
}

impl<'de> Deserialize<'de> for QuestionJsonItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(QuestionItemVisitor)
    }
}

struct QuestionItemVisitor;

impl<'de> Visitor<'de> for QuestionItemVisitor {
    type Value = QuestionJsonItem;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a question record, or [id, option_order, points]")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
        QuestionRecord::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(QuestionJsonItem::Whole)
    }

    fn visit_seq<S: SeqAccess<'de>>(
        self,
        mut seq: S,
    ) -> std::result::Result<Self::Value, S::Error> {
        let id = seq
            .next_element::<String>()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let order = seq.next_element::<Vec<usize>>()?.unwrap_or_default();
        let points = seq.next_element::<Decimal>()?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(4, &self));
        }
        Ok(QuestionJsonItem::Compact(id, order, points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_formats_1_and_2_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        let manifest = |format: &str| {
            format!(
                r#"{{"format":"{format}","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"d","title":"t"}},"seed":1,"distinct":false,"parts":[],"total_points":"0","variants":[]}}"#
            )
        };
        for known in [MANIFEST_FORMAT, MANIFEST_FORMAT_COMPACT] {
            std::fs::write(&path, manifest(known)).unwrap();
            assert!(Manifest::read(&path).is_ok());
        }
        for other in [
            "examgen-manifest/10",
            "examgen-manifest/1.5",
            "examgen-manifest/3",
        ] {
            std::fs::write(&path, manifest(other)).unwrap();
            let err = Manifest::read(&path).unwrap_err();
            assert!(err.message.contains(other), "{err}");
        }
    }

    #[test]
    fn a_sheet_shared_with_a_variant_that_records_none_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        let manifest = |b_points_to: &str| {
            format!(
                r#"{{"format":"{MANIFEST_FORMAT}","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"d","title":"t"}},"seed":1,"distinct":false,"parts":[],"total_points":"0","variants":[{{"label":"A","total_points":"0","questions":[]}},{{"label":"B","total_points":"0","questions":[],"sheet_same_as":"{b_points_to}"}}]}}"#
            )
        };
        for owner in ["A", "C", "B"] {
            std::fs::write(&path, manifest(owner)).unwrap();
            let err = Manifest::read(&path).unwrap_err();
            assert!(
                err.message
                    .contains("variant B says its answer sheet is printed like variant")
                    && err
                        .message
                        .contains(&format!("variant {owner} records no sheet")),
                "{err}"
            );
        }
    }

    /// A question record as `manifest.json` spells it, with `answer` and `type` as given.
    fn question(kind: QuestionType, answer: &str) -> String {
        format!(
            r#"{{"number":3,"id":"q","part":1,"type":"{kind}","section":"s","points":"1","option_order":[1,0,3,2],"answer":{answer}}}"#
        )
    }

    #[test]
    fn manifest_answers_read_back_in_printed_terms_and_are_written_as_read() {
        for (kind, json, answer) in [
            (QuestionType::Single, r#""C""#, Answer::Single(2)),
            (
                QuestionType::Multiple,
                r#""ABD""#,
                Answer::Multiple(vec![0, 1, 3]),
            ),
            (QuestionType::Judge, "false", Answer::Judge(false)),
            (
                QuestionType::Blank,
                r#"["18","2025|二〇二五"]"#,
                Answer::Blank(vec![
                    vec!["18".into()],
                    vec!["2025".into(), "二〇二五".into()],
                ]),
            ),
            (
                QuestionType::Short,
                r#""PDCA 循环""#,
                Answer::Short("PDCA 循环".into()),
            ),
        ] {
            let text = question(kind, json);
            let q: QuestionRecord = serde_json::from_str(&text).unwrap();
            assert_eq!(q.answer, answer, "{kind}");
            assert_eq!(q.kind(), kind);
            assert_eq!(serde_json::to_string(&q).unwrap(), text, "{kind}");
        }
    }

    #[test]
    fn an_answer_that_does_not_fit_its_type_is_refused_with_its_place() {
        for (kind, json, why) in [
            (
                QuestionType::Single,
                r#""""#,
                "one of the printed option letters",
            ),
            (
                QuestionType::Single,
                r#""AC""#,
                "one of the printed option letters",
            ),
            (
                QuestionType::Single,
                r#""E""#,
                "one of the printed option letters",
            ),
            (QuestionType::Multiple, r#""ac""#, "printed option letters"),
            (QuestionType::Judge, r#""对""#, "true or false"),
            (QuestionType::Blank, r#""18""#, "a list of texts"),
            (QuestionType::Short, "true", "the reference text"),
        ] {
            let err = serde_json::from_str::<QuestionRecord>(&question(kind, json)).unwrap_err();
            let message = err.to_string();
            assert!(message.contains("question 3 (q, "), "{message}");
            assert!(message.contains(why), "{kind} {json}: {message}");
        }
        // In a manifest file the error names the file and the line and column just after the question (on
        // its line: the manifest is read as it streams in).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        let variant = format!(
            "{{\"label\":\"A\",\"total_points\":\"1\",\"questions\":[\n{},\n{}\n]}}",
            question(QuestionType::Judge, "true"),
            question(QuestionType::Judge, "\"对\"")
        );
        std::fs::write(
            &path,
            format!(
                r#"{{"format":"{MANIFEST_FORMAT}","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"d","title":"t"}},"seed":1,"distinct":false,"parts":[],"total_points":"1","variants":[{variant}]}}"#
            ),
        )
        .unwrap();
        let err = Manifest::read(&path).unwrap_err();
        assert!(
            err.message.contains("manifest.json:3:112"),
            "{}",
            err.message
        );
        assert!(
            err.causes[0].starts_with("question 3 (q, judge): the answer must be true or false"),
            "{err:?}"
        );
        // A question in a part the manifest does not have is refused too, not a panic when grading.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"对\"", "false");
        std::fs::write(&path, text).unwrap();
        let err = Manifest::read(&path).unwrap_err();
        assert!(
            err.message.contains(
                "question 3 (q) of variant A is in part 1, but the manifest has 0 part(s)"
            ),
            "{}",
            err.message
        );
        let part = r#"{"number":2,"title":"多选","type":"multiple","count":1,"points":"2","scoring":"partial"}"#;
        let err = serde_json::from_str::<PartInfo>(part).unwrap_err();
        assert!(err.to_string().contains("part 2"), "{err}");
        let part = part.replace(r#""partial"}"#, r#""partial","partial":"0.5"}"#);
        let read: PartInfo = serde_json::from_str(&part).unwrap();
        assert_eq!(read.scoring, Scoring::Partial(Decimal::new(5, 1)));
        assert_eq!(serde_json::to_string(&read).unwrap(), part);
    }
}

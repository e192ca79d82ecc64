//! Reading `manifest.json` as it streams in: field by field, each variant's questions straight into
//! compact [`Questions`], compact `examgen-manifest/2` questions resolved against the parts and the
//! `questions` table; and the checks a hand-edited file must pass before grading trusts it.

use std::path::Path;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::{Error, Result};
use crate::input::manifest::compact::{
    FactsTable, Questions, Table, facts_from_json, resolve_compact,
};
use crate::input::manifest::question::{PartInfo, QuestionRecord};
use crate::input::manifest::record::{
    MANIFEST_FORMAT, MANIFEST_FORMAT_COMPACT, Manifest, VariantRecord,
};

impl Manifest {
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
    use crate::input::bank::QuestionType;
    use crate::input::blueprint::Scoring;

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

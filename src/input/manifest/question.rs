//! A manifest's questions and parts as records: one printed question (number, id, part, option order and
//! the key in printed terms) and one part of the paper (type, count, points, scoring rule), each with the
//! JSON `manifest.json` spells it in.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::input::bank::{Answer, QuestionType, letter};
use crate::input::blueprint::Scoring;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! A manifest variant's questions held compactly: what questions printed alike share (id, part, section,
//! points, type and the answer in the bank's terms) once in a table, and per printed question only its
//! entry, number and option order — so a class of 10,000 variants of the same 80 questions holds 80 entries,
//! not 800,000 records. Also the compact JSON of `examgen-manifest/2` (docs/manifest.md): the `questions`
//! table of bank facts and each variant's questions as `[id, option_order, points]`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::input::bank::{Answer, MAX_OPTIONS, QuestionType};
use crate::input::manifest::question::{PartInfo, QuestionRecord, answer_from_json, answer_json};

/// What every printing of one question in one part shares. Its answer is in the bank's terms (option indices
/// as in the bank, a multiple-choice key ascending); a printed record's answer follows from it and the
/// printed option order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    id: String,
    part: usize,
    section: String,
    points: Decimal,
    kind: QuestionType,
    /// The option count: the length of every printing's option order (0 for questions without options).
    options: usize,
    answer: Answer,
}

/// A printed question: its entry, its printed number and where its option order starts in `orders`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Item {
    entry: u32,
    number: u32,
    order_at: u32,
}

/// The entries questions refer to, each distinct entry once.
#[derive(Debug, Default)]
pub(crate) struct Table {
    entries: Vec<Entry>,
    /// Entries by id (a question usually has one).
    by_id: HashMap<String, Vec<u32>>,
}

impl Table {
    fn intern(&mut self, entry: Entry) -> u32 {
        let same = self.by_id.entry(entry.id.clone()).or_default();
        if let Some(&i) = same.iter().find(|&&i| self.entries[i as usize] == entry) {
            return i;
        }
        let i = self.entries.len() as u32;
        same.push(i);
        self.entries.push(entry);
        i
    }

    /// The entries, fixed: what every variant read with this table shares.
    pub(crate) fn finish(self) -> Arc<Vec<Entry>> {
        Arc::new(self.entries)
    }
}

/// A variant's questions in printed order. Iterating gives each as a [`QuestionRecord`] made on the spot.
#[derive(Debug, Clone)]
pub struct Questions {
    table: Arc<Vec<Entry>>,
    items: Vec<Item>,
    /// Every question's printed option order, one after another (each as long as its entry's `options`).
    orders: Vec<u8>,
}

impl Questions {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `k`-th question (0-based) in printed order.
    pub fn get(&self, k: usize) -> Option<QuestionRecord> {
        self.items.get(k).map(|item| self.record(item))
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = QuestionRecord> + Clone + '_ {
        self.items.iter().map(|item| self.record(item))
    }

    /// Each question's printed number and type, in printed order, without making its record (which
    /// copies its id, section and option order).
    pub fn kinds(&self) -> impl ExactSizeIterator<Item = (usize, QuestionType)> + '_ {
        self.items
            .iter()
            .map(|item| (item.number as usize, self.table[item.entry as usize].kind))
    }

    fn record(&self, item: &Item) -> QuestionRecord {
        let e = &self.table[item.entry as usize];
        let order = self.order(item, e);
        QuestionRecord {
            number: item.number as usize,
            id: e.id.clone(),
            part: e.part,
            section: e.section.clone(),
            points: e.points,
            option_order: order.iter().map(|&i| i as usize).collect(),
            answer: printed_answer(&e.answer, order),
        }
    }

    fn order<'a>(&'a self, item: &Item, e: &Entry) -> &'a [u8] {
        let at = item.order_at as usize;
        &self.orders[at..at + e.options]
    }

    /// Questions read with a table still being filled: [`Questions::share`] gives them the finished one.
    pub(crate) fn reading() -> Questions {
        Questions {
            table: Arc::default(),
            items: Vec::new(),
            orders: Vec::new(),
        }
    }

    /// Appends a printed question, its shared facts interned in `table`. Err says what is wrong with it.
    pub(crate) fn push(&mut self, table: &mut Table, q: QuestionRecord) -> Result<(), String> {
        let options = q.option_order.len();
        if options > MAX_OPTIONS.max(26) || !is_permutation(&q.option_order) {
            return Err(format!(
                "question {} ({}): the option order must list each of the options 0 to {} once, not {:?}",
                q.number,
                q.id,
                options.saturating_sub(1),
                q.option_order
            ));
        }
        let order: Vec<u8> = q.option_order.iter().map(|&i| i as u8).collect();
        let entry = Entry {
            kind: q.kind(),
            answer: bank_answer(&q.answer, &order),
            id: q.id,
            part: q.part,
            section: q.section,
            points: q.points,
            options,
        };
        self.items.push(Item {
            entry: table.intern(entry),
            number: q.number as u32,
            order_at: self.orders.len() as u32,
        });
        self.orders.extend_from_slice(&order);
        Ok(())
    }

    /// Frees what reading reserved beyond the questions read: ten thousand variants each hold their own.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.orders.shrink_to_fit();
    }

    /// Gives questions read by [`Questions::push`] the table they were read with, finished.
    pub(crate) fn share(&mut self, table: &Arc<Vec<Entry>>) {
        self.table = Arc::clone(table);
    }

    /// The entries these questions use that are in a part `parts` does not have, first of all.
    pub(crate) fn outside_parts(&self, parts: usize) -> Option<QuestionRecord> {
        self.items
            .iter()
            .find(|item| {
                let part = self.table[item.entry as usize].part;
                part == 0 || part > parts
            })
            .map(|item| self.record(item))
    }
}

impl FromIterator<QuestionRecord> for Questions {
    /// Questions as drawn (option orders are permutations, as the draw makes them).
    fn from_iter<I: IntoIterator<Item = QuestionRecord>>(records: I) -> Questions {
        let mut table = Table::default();
        let mut questions = Questions::reading();
        for q in records {
            questions
                .push(&mut table, q)
                .expect("a drawn question's option order is a permutation");
        }
        questions.share(&table.finish());
        questions
    }
}

impl From<Vec<QuestionRecord>> for Questions {
    fn from(records: Vec<QuestionRecord>) -> Questions {
        records.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Questions {
    type Item = QuestionRecord;
    type IntoIter = Box<dyn Iterator<Item = QuestionRecord> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl PartialEq for Questions {
    fn eq(&self, other: &Questions) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

fn is_permutation(order: &[usize]) -> bool {
    let mut seen = vec![false; order.len()];
    order
        .iter()
        .all(|&i| i < seen.len() && !std::mem::replace(&mut seen[i], true))
}

/// A printed answer in the bank's terms: each printed option letter replaced by the bank option printed
/// there. A multiple-choice key comes out ascending.
fn bank_answer(printed: &Answer, order: &[u8]) -> Answer {
    let bank = |p: usize| order.get(p).map_or(p, |&i| i as usize);
    match printed {
        Answer::Single(p) => Answer::Single(bank(*p)),
        Answer::Multiple(ps) => {
            let mut v: Vec<usize> = ps.iter().map(|&p| bank(p)).collect();
            v.sort_unstable();
            Answer::Multiple(v)
        }
        other => other.clone(),
    }
}

/// A bank-terms answer as printed with `order`: each bank option replaced by the position it is printed
/// at. A multiple-choice key comes out ascending.
fn printed_answer(bank: &Answer, order: &[u8]) -> Answer {
    let printed = |b: usize| order.iter().position(|&i| i as usize == b).unwrap_or(b);
    match bank {
        Answer::Single(b) => Answer::Single(printed(*b)),
        Answer::Multiple(bs) => {
            let mut v: Vec<usize> = bs.iter().map(|&b| printed(b)).collect();
            v.sort_unstable();
            Answer::Multiple(v)
        }
        other => other.clone(),
    }
}

/// A bank question in the `questions` table of an `examgen-manifest/2` manifest: the facts every variant
/// printing it shares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BankFacts {
    kind: QuestionType,
    section: String,
    options: usize,
    /// In the bank's terms.
    answer: Answer,
}

/// [`BankFacts`] as the table spells them.
#[derive(Serialize, Deserialize)]
struct BankFactsJson {
    #[serde(rename = "type")]
    kind: QuestionType,
    section: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    options: usize,
    answer: serde_json::Value,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The `questions` table of an `examgen-manifest/2` manifest, by id.
pub(crate) type FactsTable = BTreeMap<String, BankFacts>;

/// Reads the `questions` table; Err names the question and what is wrong.
pub(crate) fn facts_from_json(
    json: BTreeMap<String, serde_json::Value>,
) -> Result<FactsTable, String> {
    json.into_iter()
        .map(|(id, value)| {
            let f: BankFactsJson = serde_json::from_value(value)
                .map_err(|e| format!("question {id} of the `questions` table: {e}"))?;
            if f.options > MAX_OPTIONS.max(26) {
                return Err(format!(
                    "question {id} of the `questions` table: {} options are more than can be printed",
                    f.options
                ));
            }
            let answer = answer_from_json(f.kind, &f.answer, f.options).map_err(|why| {
                format!(
                    "question {id} ({}) of the `questions` table: {why}, not {}",
                    f.kind, f.answer
                )
            })?;
            Ok((
                id,
                BankFacts {
                    kind: f.kind,
                    section: f.section,
                    options: f.options,
                    answer,
                },
            ))
        })
        .collect()
}

/// The part a variant's `k`-th question (0-based) is printed in when the parts hold their counts in order.
fn part_at(parts: &[PartInfo], k: usize) -> Option<&PartInfo> {
    let mut before = 0;
    parts.iter().find(|p| {
        before += p.count;
        k < before
    })
}

/// A compact question `[id, option_order, points]` (order and points optional) as the `k`-th (0-based) of
/// its variant: its number is k + 1, its part the one holding position k, its points the part's unless
/// given, its type, section and answer the table's. Err says what is wrong.
pub(crate) fn resolve_compact(
    parts: &[PartInfo],
    facts: &FactsTable,
    k: usize,
    id: String,
    order: Vec<usize>,
    points: Option<Decimal>,
) -> Result<QuestionRecord, String> {
    let number = k + 1;
    let Some(f) = facts.get(&id) else {
        return Err(format!(
            "question {number} ({id}) is not in the manifest's `questions` table (it must come before `variants`)"
        ));
    };
    let Some(part) = part_at(parts, k) else {
        return Err(format!(
            "question {number} ({id}) is beyond the manifest's parts, which hold {} questions",
            parts.iter().map(|p| p.count).sum::<usize>()
        ));
    };
    if order.len() != f.options || !is_permutation(&order) {
        return Err(format!(
            "question {number} ({id}): the option order must list each of its {} options once, not {order:?}",
            f.options
        ));
    }
    let small: Vec<u8> = order.iter().map(|&i| i as u8).collect();
    Ok(QuestionRecord {
        number,
        id,
        part: part.number,
        section: f.section.clone(),
        points: points.unwrap_or(part.points),
        answer: printed_answer(&f.answer, &small),
        option_order: order,
    })
}

/// Writes variants' questions compactly, gathering the bank facts they share for the `questions` table.
#[derive(Default)]
pub(crate) struct CompactWriter {
    facts: FactsTable,
}

impl CompactWriter {
    /// The `k`-th (0-based) question of a variant as one line of JSON: `[id, option_order, points]` when
    /// reading that back gives exactly `q` (order left out when empty, points when the part's), else the
    /// whole record.
    pub(crate) fn question_json(
        &mut self,
        parts: &[PartInfo],
        k: usize,
        q: &QuestionRecord,
    ) -> serde_json::Result<String> {
        if let Some(line) = self.compact(parts, k, q)? {
            return Ok(line);
        }
        serde_json::to_string(q)
    }

    fn compact(
        &mut self,
        parts: &[PartInfo],
        k: usize,
        q: &QuestionRecord,
    ) -> serde_json::Result<Option<String>> {
        let Some(part) = part_at(parts, k) else {
            return Ok(None);
        };
        if q.number != k + 1
            || q.part != part.number
            || !is_permutation(&q.option_order)
            || q.key_letters().iter().any(|&i| i >= q.option_order.len())
        {
            return Ok(None);
        }
        let order: Vec<u8> = q.option_order.iter().map(|&i| i as u8).collect();
        let facts = BankFacts {
            kind: q.kind(),
            section: q.section.clone(),
            options: q.option_order.len(),
            answer: bank_answer(&q.answer, &order),
        };
        // Ascending keys as the draw makes them; a record that reads back otherwise is written whole.
        if printed_answer(&facts.answer, &order) != q.answer {
            return Ok(None);
        }
        match self.facts.get(&q.id) {
            Some(known) if *known != facts => return Ok(None),
            Some(_) => {}
            None => {
                self.facts.insert(q.id.clone(), facts);
            }
        }
        let points = (q.points != part.points).then_some(q.points);
        Ok(Some(match (q.option_order.is_empty(), points) {
            (true, None) => serde_json::to_string(&(&q.id,))?,
            (_, None) => serde_json::to_string(&(&q.id, &q.option_order))?,
            (_, Some(points)) => serde_json::to_string(&(&q.id, &q.option_order, points))?,
        }))
    }

    /// The `questions` table as the value of a top-level field: one question a line, in id order, lines
    /// after the first indented `indent`.
    pub(crate) fn table_json(&self, indent: &str) -> serde_json::Result<String> {
        if self.facts.is_empty() {
            return Ok("{}".into());
        }
        let mut out = String::from("{");
        for (n, (id, f)) in self.facts.iter().enumerate() {
            out.push_str(if n == 0 { "\n" } else { ",\n" });
            out.push_str(indent);
            out.push_str("  ");
            out.push_str(&serde_json::to_string(id)?);
            out.push_str(": ");
            out.push_str(&serde_json::to_string(&BankFactsJson {
                kind: f.kind,
                section: f.section.clone(),
                options: f.options,
                answer: answer_json(&f.answer),
            })?);
        }
        out.push('\n');
        out.push_str(indent);
        out.push('}');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(number: usize, part: usize, order: Vec<usize>, answer: Answer) -> QuestionRecord {
        QuestionRecord {
            number,
            id: format!("q{number}"),
            part,
            section: "s".into(),
            points: Decimal::new(2, 0),
            option_order: order,
            answer,
        }
    }

    #[test]
    fn questions_held_compactly_give_back_the_records_they_were_made_of() {
        let records = vec![
            record(1, 1, vec![3, 0, 2, 1], Answer::Single(1)),
            record(2, 1, vec![1, 2, 0, 3], Answer::Single(3)),
            record(
                3,
                2,
                vec![3, 0, 4, 2, 1],
                Answer::Multiple(vec![0, 1, 2, 3]),
            ),
            record(4, 3, vec![], Answer::Judge(false)),
            record(
                5,
                4,
                vec![],
                Answer::Blank(vec![
                    vec!["18".into()],
                    vec!["2025".into(), "二〇二五".into()],
                ]),
            ),
            record(6, 5, vec![], Answer::Short("PDCA".into())),
        ];
        let questions: Questions = records.clone().into();
        assert_eq!(questions.len(), 6);
        assert_eq!(questions.iter().collect::<Vec<_>>(), records);
        assert_eq!(questions.get(2), Some(records[2].clone()));
        // The multiple-choice key is kept in the bank's terms: bank options 3, 0, 4, 2 → [0, 2, 3, 4].
        assert_eq!(
            questions.table[questions.items[2].entry as usize].answer,
            Answer::Multiple(vec![0, 2, 3, 4])
        );
    }

    #[test]
    fn variants_of_one_question_set_share_its_entries() {
        let mut table = Table::default();
        let mut a = Questions::reading();
        let mut b = Questions::reading();
        a.push(
            &mut table,
            record(1, 1, vec![3, 0, 2, 1], Answer::Single(1)),
        )
        .unwrap();
        // The same bank question (bank answer 0) printed in another order.
        b.push(
            &mut table,
            record(1, 1, vec![0, 1, 2, 3], Answer::Single(0)),
        )
        .unwrap();
        assert_eq!(table.entries.len(), 1);
        let err = b
            .push(
                &mut table,
                record(2, 1, vec![0, 0, 1, 2], Answer::Single(0)),
            )
            .unwrap_err();
        assert!(err.contains("question 2 (q2)"), "{err}");
    }
}

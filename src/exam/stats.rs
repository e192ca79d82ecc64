//! `examgen stats`: counts of a bank by section × type × difficulty, and how much of what the questions
//! test the notes mark as key phrases (what a cloze handout drills), as a text table or stable JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::bank::{Answer, Bank, Note, Question, QuestionType, ends_with_slot};

/// Version tag of the JSON form; bump it when a field changes meaning (adding fields is compatible).
pub const STATS_FORMAT: &str = "examgen-stats/1";

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Counts {
    pub notes: usize,
    pub questions: usize,
    /// Every type is present, with 0 where there are none.
    pub by_type: BTreeMap<QuestionType, usize>,
    /// Keys "1" to "5".
    pub by_difficulty: BTreeMap<String, usize>,
    pub by_type_difficulty: BTreeMap<QuestionType, BTreeMap<String, usize>>,
    /// Single-choice stems that end with their slot (`……的是（　）。`), the real exam's item style.
    pub single_slot_at_end: usize,
    /// `single_slot_at_end` as a share of the single-choice questions, 0 to 1 (0 when there are none).
    pub single_slot_at_end_share: f64,
    /// Notes with at least one key phrase (`**…**`), the ones a cloze handout can blank.
    pub notes_with_key_phrases: usize,
    /// `notes_with_key_phrases` as a share of the notes, 0 to 1.
    pub notes_with_key_phrases_share: f64,
    /// Tested facts: the correct option of a single-choice question, or a blank's answer, where it stands
    /// verbatim in its note's text (markup and spaces ignored).
    pub tested_facts: usize,
    /// Tested facts that lie within a key phrase of their note.
    pub tested_facts_key_phrases: usize,
    /// `tested_facts_key_phrases` as a share of `tested_facts`, 0 to 1.
    pub tested_facts_key_phrases_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionStats {
    pub id: String,
    pub title: String,
    pub order: Option<i64>,
    pub file: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub format: &'static str,
    pub bank: String,
    pub digest: String,
    pub sections: Vec<SectionStats>,
    pub total: Counts,
}

impl Counts {
    fn empty() -> Counts {
        let levels = || {
            (1..=5)
                .map(|d| (d.to_string(), 0))
                .collect::<BTreeMap<_, _>>()
        };
        Counts {
            notes: 0,
            questions: 0,
            by_type: QuestionType::ALL.iter().map(|t| (*t, 0)).collect(),
            by_difficulty: levels(),
            by_type_difficulty: QuestionType::ALL.iter().map(|t| (*t, levels())).collect(),
            single_slot_at_end: 0,
            single_slot_at_end_share: 0.0,
            notes_with_key_phrases: 0,
            notes_with_key_phrases_share: 0.0,
            tested_facts: 0,
            tested_facts_key_phrases: 0,
            tested_facts_key_phrases_share: 0.0,
        }
    }

    fn add(&mut self, kind: QuestionType, difficulty: u8, slot_at_end: bool) {
        let level = difficulty.to_string();
        if kind == QuestionType::Single && slot_at_end {
            self.single_slot_at_end += 1;
        }
        self.questions += 1;
        *self.by_type.entry(kind).or_default() += 1;
        *self.by_difficulty.entry(level.clone()).or_default() += 1;
        *self
            .by_type_difficulty
            .entry(kind)
            .or_default()
            .entry(level)
            .or_default() += 1;
    }
}

pub fn compute(bank: &Bank) -> Stats {
    let mut sections: Vec<SectionStats> = bank
        .sections
        .iter()
        .map(|s| SectionStats {
            id: s.id.clone(),
            title: s.title.clone(),
            order: s.order,
            file: s.origin.file.display().to_string(),
            counts: Counts::empty(),
        })
        .collect();
    let mut total = Counts::empty();
    let marked: Vec<Vec<(char, bool)>> = bank.notes.iter().map(marked_chars).collect();
    for (note, chars) in bank.notes.iter().zip(&marked) {
        let has_key = chars.iter().any(|(_, key)| *key);
        for c in [&mut sections[note.section].counts, &mut total] {
            c.notes += 1;
            c.notes_with_key_phrases += usize::from(has_key);
        }
    }
    for q in &bank.questions {
        let at_end = ends_with_slot(&q.stem);
        sections[q.section].counts.add(q.kind, q.difficulty, at_end);
        total.add(q.kind, q.difficulty, at_end);
        let Some(n) = q.note else { continue };
        for key in tested_facts(q, &marked[n]) {
            for c in [&mut sections[q.section].counts, &mut total] {
                c.tested_facts += 1;
                c.tested_facts_key_phrases += usize::from(key);
            }
        }
    }
    for c in sections
        .iter_mut()
        .map(|s| &mut s.counts)
        .chain([&mut total])
    {
        let singles = c.by_type[&QuestionType::Single];
        c.single_slot_at_end_share = share(c.single_slot_at_end, singles);
        c.notes_with_key_phrases_share = share(c.notes_with_key_phrases, c.notes);
        c.tested_facts_key_phrases_share = share(c.tested_facts_key_phrases, c.tested_facts);
    }
    Stats {
        format: STATS_FORMAT,
        bank: bank.root.display().to_string(),
        digest: bank.digest.clone(),
        sections,
        total,
    }
}

/// `part` of `whole`, 0 to 1, rounded to 0.1% so the JSON is stable and readable (0 when `whole` is 0).
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 1000.0
}

/// A note's text without markup or spaces, each character marked when it lies within a key phrase.
fn marked_chars(note: &Note) -> Vec<(char, bool)> {
    note.text
        .runs()
        .flat_map(|run| {
            let key = matches!(run.inline, crate::input::bank::Inline::Key(_));
            run.typed()
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(move |c| (c, key))
        })
        .collect()
}

/// The facts `q` tests that stand verbatim in its note (`note`, from [`marked_chars`]), each with whether
/// one of its occurrences lies wholly within a key phrase: a single-choice question's correct option,
/// and for each blank the first accepted answer the note prints.
fn tested_facts(q: &Question, note: &[(char, bool)]) -> Vec<bool> {
    let squeeze = |t: &str| -> Vec<char> {
        t.chars()
            .filter(|c| !c.is_whitespace() && *c != '*')
            .collect()
    };
    let occurrences = |fact: &[char]| -> Option<bool> {
        if fact.is_empty() || fact.len() > note.len() {
            return None;
        }
        let mut seen = None;
        for start in 0..=note.len() - fact.len() {
            let window = &note[start..start + fact.len()];
            if window.iter().map(|(c, _)| c).eq(fact.iter()) {
                let key = window.iter().all(|(_, key)| *key);
                seen = Some(seen.unwrap_or(false) || key);
            }
        }
        seen
    };
    match &q.answer {
        Answer::Single(i) if q.kind == QuestionType::Single => {
            occurrences(&squeeze(q.options[*i].source()))
                .into_iter()
                .collect()
        }
        Answer::Blank(blanks) => blanks
            .iter()
            .filter_map(|alts| alts.iter().find_map(|a| occurrences(&squeeze(a))))
            .collect(),
        _ => Vec::new(),
    }
}

/// A fixed-width table: one row per section, columns by type, difficulty and notes.
pub fn render_text(stats: &Stats) -> String {
    let mut out = String::new();
    let header = format!(
        "{:<14} {:>6} {:>8} {:>5} {:>5} {:>5} {:>5}   {:>4} {:>4} {:>4} {:>4} {:>4}  {:>5}\n",
        "section",
        QuestionType::Single.name(),
        QuestionType::Multiple.name(),
        QuestionType::Judge.name(),
        QuestionType::Blank.name(),
        QuestionType::Short.name(),
        "total",
        "d1",
        "d2",
        "d3",
        "d4",
        "d5",
        "notes"
    );
    out.push_str(&header);
    out.push_str(&"-".repeat(header.trim_end().len()));
    out.push('\n');
    let row = |name: &str, c: &Counts| {
        let t = |k| c.by_type.get(&k).copied().unwrap_or(0);
        let d = |l: &str| c.by_difficulty.get(l).copied().unwrap_or(0);
        format!(
            "{:<14} {:>6} {:>8} {:>5} {:>5} {:>5} {:>5}   {:>4} {:>4} {:>4} {:>4} {:>4}  {:>5}\n",
            name,
            t(QuestionType::Single),
            t(QuestionType::Multiple),
            t(QuestionType::Judge),
            t(QuestionType::Blank),
            t(QuestionType::Short),
            c.questions,
            d("1"),
            d("2"),
            d("3"),
            d("4"),
            d("5"),
            c.notes
        )
    };
    for s in &stats.sections {
        out.push_str(&row(&s.id, &s.counts));
    }
    out.push_str(&row("TOTAL", &stats.total));
    out.push('\n');
    let share = |c: &Counts| {
        format!(
            "{} of {} ({:.1}%)",
            c.single_slot_at_end,
            c.by_type[&QuestionType::Single],
            c.single_slot_at_end_share * 100.0
        )
    };
    out.push_str(&format!(
        "single-choice stems ending with the slot (……的是（　）。): {}\n",
        share(&stats.total)
    ));
    for s in &stats.sections {
        out.push_str(&format!("  {:<12} {}\n", s.id, share(&s.counts)));
    }
    let of = |part: usize, whole: usize, share: f64| {
        format!("{part} of {whole} ({:.1}%)", share * 100.0)
    };
    let t = &stats.total;
    out.push_str(&format!(
        "notes with key phrases: {}\n",
        of(
            t.notes_with_key_phrases,
            t.notes,
            t.notes_with_key_phrases_share
        )
    ));
    out.push_str(&format!(
        "tested facts that are key phrases (single-choice keys and blank answers printed in their note): {}\n",
        of(t.tested_facts_key_phrases, t.tested_facts, t.tested_facts_key_phrases_share)
    ));
    out.push('\n');
    for s in &stats.sections {
        out.push_str(&format!("{:<14} {}\n", s.id, s.title));
    }
    out
}

pub fn render_json(stats: &Stats) -> String {
    serde_json::to_string_pretty(stats).expect("stats serialize to JSON") + "\n"
}

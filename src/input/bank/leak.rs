//! Answer leaks: a question whose keyed answer is printed in another question's stem or options, read as
//! a candidate reads them (quotation marks, brackets and punctuation ignored), so one question on a paper
//! answers the other. Four ways a paper gives an answer away:
//! - the answer with the words beside its slot (three on one side, or two on each);
//! - an answer long enough to be unmistakable, printed on its own in another stem or statement;
//! - every correct option of a multiple-choice question, listed together;
//! - a judge stem that puts the slot's words around an answer, so it states or contradicts the fact.

use std::collections::HashMap;

use super::reading::{SLOT_MARK, joins, read, read_with_slots};
use super::{Answer, Bank, Question, QuestionType, Rich};

/// Whether a choice stem ends with its slot (`……的是（　）。`), as real items do: nothing but punctuation
/// after the last slot. A stem without a slot ends with the one the paper appends.
pub fn ends_with_slot(stem: &Rich) -> bool {
    stem.slot_spans()
        .last()
        .is_none_or(|s| !stem.source()[s.end..].chars().any(char::is_alphanumeric))
}

/// The slots of a question and the answer texts that fill each: choice slots take the correct options'
/// texts, blanks their own alternatives. Judge and short questions have none.
fn slots_and_answers(q: &Question) -> Vec<(std::ops::Range<usize>, Vec<&str>)> {
    match (&q.kind, &q.answer) {
        (QuestionType::Single | QuestionType::Multiple, _) => {
            let correct = correct_texts(q);
            q.stem
                .slot_spans()
                .into_iter()
                .map(|s| (s, correct.clone()))
                .collect()
        }
        (QuestionType::Blank, Answer::Blank(blanks)) => q
            .stem
            .blank_spans()
            .into_iter()
            .zip(blanks)
            .map(|(s, alts)| (s, alts.iter().map(String::as_str).collect()))
            .collect(),
        _ => Vec::new(),
    }
}

/// How another question gives a question's answer away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeakKind {
    /// The answer with the words beside its slot.
    Context,
    /// A long answer printed on its own.
    Key,
    /// Every correct option of a multiple-choice question, listed together.
    ChoiceSet,
    /// A judge stem with the slot's words around an answer (the keyed one or another).
    Judge,
}

impl LeakKind {
    /// What the other question prints, in words, for `check`.
    pub fn describe(self) -> &'static str {
        match self {
            LeakKind::Context => "the answer with the words beside its slot",
            LeakKind::Key => "the answer itself",
            LeakKind::ChoiceSet => "its correct options listed together",
            LeakKind::Judge => "a judgement that states or contradicts its keyed fact",
        }
    }
}

/// One leaking pair: question `q`'s answer is given away by what question `r` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub q: usize,
    pub r: usize,
    pub kind: LeakKind,
    /// Where `r` prints it: `None` for its stem, `Some(i)` for its option i.
    pub option: Option<usize>,
    /// What `r` prints, as read (punctuation and quotation marks left out).
    pub printed: String,
}

/// Characters of context kept on each side of a slot.
const CONTEXT: usize = 4;
/// An answer printed on its own is a leak from this many characters on, four of them not digits (short
/// keys and years such as `2035` appear everywhere and count only with their context).
const DISTINCT_KEY: usize = 6;
/// The fewest correct options a listed set must have: two names side by side (`社区党组织书记、社区居民
/// 委员会主任`) are how the text names people, three or more are a list the question asks for.
const MIN_SET: usize = 3;
/// Characters allowed between two options listed together once punctuation is dropped (`和`, `以及`).
const LIST_GAP: usize = 2;

/// A slot of a question as read: the words on each side (up to [`CONTEXT`], never across another slot)
/// and the readable answers that fill it.
struct SlotFact {
    left: Vec<char>,
    right: Vec<char>,
    answers: Vec<Vec<char>>,
}

/// What a question keys, as read.
struct Facts {
    slots: Vec<SlotFact>,
    /// Options as read and whether each is correct (choice questions; empty otherwise).
    options: Vec<(Vec<char>, bool)>,
}

fn facts(q: &Question) -> Facts {
    let pairs = slots_and_answers(q);
    let mut ranges: Vec<std::ops::Range<usize>> = pairs.iter().map(|(s, _)| s.clone()).collect();
    ranges.sort_by_key(|r| r.start);
    let text = read_with_slots(q.stem.source(), &ranges);
    let marks: Vec<usize> = (0..text.len()).filter(|&i| text[i] == SLOT_MARK).collect();
    let mut slots: Vec<SlotFact> = pairs
        .iter()
        .zip(&marks)
        .map(|((_, answers), &at)| {
            let before = &text[..at];
            let from = before
                .iter()
                .rposition(|&c| c == SLOT_MARK)
                .map_or(0, |p| p + 1);
            let before = &before[from..];
            let after = &text[at + 1..];
            let after = &after[..after
                .iter()
                .position(|&c| c == SLOT_MARK)
                .unwrap_or(after.len())];
            SlotFact {
                left: before[before.len().saturating_sub(CONTEXT)..].to_vec(),
                right: after[..after.len().min(CONTEXT)].to_vec(),
                answers: answers
                    .iter()
                    .map(|a| read(a))
                    .filter(|a| !a.is_empty())
                    .collect(),
            }
        })
        .collect();
    // A choice stem without a slot gets one at its end on the paper.
    if pairs.is_empty() && q.kind.has_options() {
        slots.push(SlotFact {
            left: last(&text, CONTEXT).to_vec(),
            right: Vec::new(),
            answers: correct_texts(q).iter().map(|a| read(a)).collect(),
        });
    }
    let options = match &q.answer {
        Answer::Single(_) | Answer::Multiple(_) => q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| (read(o.source()), is_correct(&q.answer, i)))
            .collect(),
        _ => Vec::new(),
    };
    Facts { slots, options }
}

fn is_correct(answer: &Answer, option: usize) -> bool {
    match answer {
        Answer::Single(i) => *i == option,
        Answer::Multiple(v) => v.contains(&option),
        _ => false,
    }
}

fn last(chars: &[char], n: usize) -> &[char] {
    &chars[chars.len().saturating_sub(n)..]
}

fn first(chars: &[char], n: usize) -> &[char] {
    &chars[..chars.len().min(n)]
}

/// An answer distinctive enough to count when printed without its context.
fn is_distinct_key(answer: &[char]) -> bool {
    answer.len() >= DISTINCT_KEY && answer.iter().filter(|c| !c.is_ascii_digit()).count() >= 4
}

/// A text a question prints: its stem (`option: None`) or one option, as written and as read.
struct Printed<'a> {
    question: usize,
    option: Option<usize>,
    raw: &'a str,
    text: Vec<char>,
}

/// Marks that end a clause (not `、`, which joins the items of a list, nor the title marks `《》`).
fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '；'
            | '：'
            | '！'
            | '？'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '「'
            | '」'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\n'
    )
}

/// Whether `key` (as read) is one whole clause of `text`.
fn is_clause(text: &str, key: &[char]) -> bool {
    text.split(ends_clause).any(|c| {
        let mut read_chars = c.chars().filter_map(super::reading::fold);
        key.iter().all(|k| read_chars.next() == Some(*k)) && read_chars.next().is_none()
    })
}

fn printed_texts(questions: &[Question]) -> Vec<Printed<'_>> {
    let mut out = Vec::new();
    for (ri, r) in questions.iter().enumerate() {
        out.push(Printed {
            question: ri,
            option: None,
            raw: r.stem.source(),
            text: read_with_slots(r.stem.source(), &r.stem.gap_spans()),
        });
        for (oi, o) in r.options.iter().enumerate() {
            out.push(Printed {
                question: ri,
                option: Some(oi),
                raw: o.source(),
                text: read(o.source()),
            });
        }
    }
    out
}

/// Up to four characters packed into one number, the key of the lookup tables (cheaper to hash than a
/// slice).
fn pack(chars: &[char]) -> u128 {
    chars
        .iter()
        .fold(0u128, |acc, &c| (acc << 32) | u128::from(u32::from(c)))
}

/// A string searched for in printed texts on behalf of question `q`.
struct Needle {
    text: Vec<char>,
    q: usize,
    kind: LeakKind,
    /// Searched only in judge stems (a wrong option beside the slot's words contradicts a judgement).
    judges_only: bool,
}

/// The texts of a choice question's correct options.
fn correct_texts(q: &Question) -> Vec<&str> {
    match &q.answer {
        Answer::Single(i) => vec![q.options[*i].source()],
        Answer::Multiple(v) => v.iter().map(|i| q.options[*i].source()).collect(),
        _ => Vec::new(),
    }
}

/// Every leaking pair, one per `(q, r)` (the first way found, in [`LeakKind`] order), sorted; pairs that
/// share a `group` are none.
pub fn find_leaks(questions: &[Question]) -> Vec<Leak> {
    let facts: Vec<Facts> = questions.iter().map(facts).collect();
    let texts = printed_texts(questions);
    let mut found: HashMap<(usize, usize), Leak> = HashMap::new();
    let mut record = |q: usize, p: &Printed, kind: LeakKind, printed: &[char]| {
        let (rq, r) = (&questions[q], &questions[p.question]);
        if q == p.question || (rq.group.is_some() && rq.group == r.group) {
            return;
        }
        let leak = Leak {
            q,
            r: p.question,
            kind,
            option: p.option,
            printed: printed.iter().collect(),
        };
        found
            .entry((q, p.question))
            .and_modify(|l| {
                if (kind, p.option) < (l.kind, l.option) {
                    *l = leak.clone();
                }
            })
            .or_insert(leak);
    };
    scan_needles(questions, &facts, &texts, &mut record);
    scan_choice_sets(questions, &facts, &texts, &mut record);
    scan_judge_frames(questions, &facts, &texts, &mut record);
    let mut leaks: Vec<Leak> = found.into_values().collect();
    leaks.sort_by_key(|l| (l.q, l.r));
    leaks
}

/// Every leaking pair `(q, r)` of bank question indices (see [`find_leaks`]).
pub fn leak_pairs(questions: &[Question]) -> Vec<(usize, usize)> {
    find_leaks(questions).iter().map(|l| (l.q, l.r)).collect()
}

type Record<'a> = dyn FnMut(usize, &Printed, LeakKind, &[char]) + 'a;

/// The answer with its context, long answers alone, and wrong options beside the slot's words (for judge
/// stems): each needle is looked up by its first four characters, so every text is scanned once.
fn scan_needles(questions: &[Question], facts: &[Facts], texts: &[Printed], record: &mut Record) {
    const KEY: usize = 4;
    let has_judges = questions.iter().any(|q| q.kind == QuestionType::Judge);
    let mut needles: Vec<Needle> = Vec::new();
    for (qi, (f, q)) in facts.iter().zip(questions).enumerate() {
        let mut push = |text: Vec<char>, kind, judges_only| {
            if text.len() >= KEY {
                needles.push(Needle {
                    text,
                    q: qi,
                    kind,
                    judges_only,
                });
            }
        };
        for slot in &f.slots {
            let (l, r) = (&slot.left, &slot.right);
            for a in &slot.answers {
                if l.len() >= 3 {
                    push([last(l, 3), a].concat(), LeakKind::Context, false);
                }
                if r.len() >= 3 {
                    push([a, first(r, 3)].concat(), LeakKind::Context, false);
                }
                if l.len() >= 2 && r.len() >= 2 {
                    push(
                        [last(l, 2), a, first(r, 2)].concat(),
                        LeakKind::Context,
                        false,
                    );
                }
                // A multiple-choice question's one correct option alone is half an answer; its whole set
                // is looked for by `scan_choice_sets`.
                if q.kind != QuestionType::Multiple && is_distinct_key(a) {
                    push(a.clone(), LeakKind::Key, false);
                }
            }
            // A judge that ends the slot's words with a wrong option (`……在价值取向上强调（　）` against the
            // judgement `……在价值取向上强调以党的领导统揽全局`) contradicts the keyed fact. Only at the
            // judgement's end: words after it make it another statement that merely shares the option.
            if has_judges && l.len() >= 3 && r.is_empty() {
                for (o, correct) in &f.options {
                    if !*correct && !o.is_empty() {
                        push([last(l, 3), o].concat(), LeakKind::Judge, true);
                    }
                }
            }
        }
    }
    let mut index: HashMap<u128, Vec<usize>> = HashMap::new();
    for (n, needle) in needles.iter().enumerate() {
        index.entry(pack(&needle.text[..KEY])).or_default().push(n);
    }
    for p in texts {
        let judge = p.option.is_none() && questions[p.question].kind == QuestionType::Judge;
        let hay = &p.text;
        for start in 0..hay.len().saturating_sub(KEY - 1) {
            let Some(candidates) = index.get(&pack(&hay[start..start + KEY])) else {
                continue;
            };
            for &n in candidates {
                let needle = &needles[n];
                if (needle.judges_only && (!judge || start + needle.text.len() != hay.len()))
                    || !hay[start..].starts_with(&needle.text)
                {
                    continue;
                }
                if needle.kind == LeakKind::Key
                    && !key_stands_out(&facts[needle.q], p, &needle.text)
                {
                    continue;
                }
                record(needle.q, p, needle.kind, &needle.text);
            }
        }
    }
}

/// A long answer found on its own gives the answer away when it stands as a whole clause of a statement
/// (`……提出，健全社会工作体制机制，要……`; a stem, or an option that says more than the answer) and the
/// text prints none of the question's wrong options beside it. Inside a longer clause it is only a word
/// the topic shares.
fn key_stands_out(f: &Facts, p: &Printed, key: &[char]) -> bool {
    if p.option.is_some() && p.text.len() < key.len() + 4 {
        return false;
    }
    if !is_clause(p.raw, key) {
        return false;
    }
    !f.options
        .iter()
        .any(|(o, correct)| !correct && o.len() >= 2 && super::reading::contains(&p.text, o))
}

/// Multiple-choice questions whose correct options a stem lists together (any order, nothing but
/// punctuation or a joining word between them) and no wrong option among them. Options are left out: a
/// set printed as one option of another question is a choice a candidate weighs, not a statement.
fn scan_choice_sets(
    questions: &[Question],
    facts: &[Facts],
    texts: &[Printed],
    record: &mut Record,
) {
    const KEY: usize = 2;
    // (question, option index, option text) by the option's first two characters.
    let mut index: HashMap<u128, Vec<(usize, usize)>> = HashMap::new();
    for (qi, q) in questions.iter().enumerate() {
        let Answer::Multiple(correct) = &q.answer else {
            continue;
        };
        let f = &facts[qi];
        if correct.len() < MIN_SET || correct.iter().any(|&i| f.options[i].0.len() < KEY) {
            continue;
        }
        for (oi, (o, _)) in f.options.iter().enumerate() {
            if o.len() >= KEY {
                index.entry(pack(&o[..KEY])).or_default().push((qi, oi));
            }
        }
    }
    for p in texts.iter().filter(|p| p.option.is_none()) {
        let hay = &p.text;
        // Per question: (start, end, option) of every option printed here.
        let mut hits: HashMap<usize, Vec<(usize, usize, usize)>> = HashMap::new();
        for start in 0..hay.len().saturating_sub(KEY - 1) {
            for &(qi, oi) in index
                .get(&pack(&hay[start..start + KEY]))
                .into_iter()
                .flatten()
            {
                let o = &facts[qi].options[oi].0;
                if hay[start..].starts_with(o) {
                    hits.entry(qi)
                        .or_default()
                        .push((start, start + o.len(), oi));
                }
            }
        }
        let mut questions_hit: Vec<usize> = hits.keys().copied().collect();
        questions_hit.sort_unstable();
        for qi in questions_hit {
            let mut list = hits.remove(&qi).unwrap_or_default();
            // Longest first at one start, so an option that is a prefix of another does not cut a run.
            list.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
            let f = &facts[qi];
            let wanted = f.options.iter().filter(|(_, c)| *c).count();
            for (i, &(s0, e0, o0)) in list.iter().enumerate() {
                if !f.options[o0].1 {
                    continue;
                }
                let (mut end, mut got) = (e0, vec![o0]);
                for &(s, e, o) in &list[i + 1..] {
                    if s < end {
                        continue;
                    }
                    if s > end + LIST_GAP
                        || !joins(&hay[end..s])
                        || !f.options[o].1
                        || got.contains(&o)
                    {
                        break;
                    }
                    got.push(o);
                    end = e;
                }
                if got.len() == wanted {
                    record(qi, p, LeakKind::ChoiceSet, &hay[s0..end]);
                    break;
                }
            }
        }
    }
}

/// Judge stems that print a slot's words on both sides with an answer between them: the keyed answer
/// states the fact, anything else contradicts it, and either way one question decides the other.
fn scan_judge_frames(
    questions: &[Question],
    facts: &[Facts],
    texts: &[Printed],
    record: &mut Record,
) {
    const KEY: usize = 3;
    // (question, slot) by the last three characters of the slot's left words.
    let mut index: HashMap<u128, Vec<(usize, usize)>> = HashMap::new();
    for (qi, f) in facts.iter().enumerate() {
        for (si, slot) in f.slots.iter().enumerate() {
            if slot.left.len() >= KEY && slot.right.len() >= KEY {
                index
                    .entry(pack(last(&slot.left, KEY)))
                    .or_default()
                    .push((qi, si));
            }
        }
    }
    for p in texts {
        if p.option.is_some() || questions[p.question].kind != QuestionType::Judge {
            continue;
        }
        let hay = &p.text;
        for end in KEY..=hay.len() {
            for &(qi, si) in index.get(&pack(&hay[end - KEY..end])).into_iter().flatten() {
                let f = &facts[qi];
                let slot = &f.slots[si];
                if !hay[..end].ends_with(&slot.left) {
                    continue;
                }
                let longest = slot
                    .answers
                    .iter()
                    .chain(f.options.iter().map(|(o, _)| o))
                    .map(Vec::len)
                    .max()
                    .unwrap_or(0);
                let limit = (end + longest + 6).min(hay.len());
                let fill_end = (end + 1..=limit)
                    .take_while(|&j| hay[j - 1] != SLOT_MARK)
                    .find(|&j| hay[j..].starts_with(&slot.right));
                if let Some(j) = fill_end {
                    let from = end - slot.left.len();
                    record(qi, p, LeakKind::Judge, &hay[from..j + slot.right.len()]);
                }
            }
        }
    }
}

impl Bank {
    /// Questions that must not share a paper with `question` because one answers the other.
    pub fn leak_partners(&self, question: usize) -> impl Iterator<Item = usize> + '_ {
        self.leaks.iter().filter_map(move |&(q, r)| {
            if q == question {
                Some(r)
            } else if r == question {
                Some(q)
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leak rule's choice slots are the answer slots the paper prints (issue #14): one rule for both.
    #[test]
    fn choice_slots_hold_only_spaces_or_underscores() {
        let stem = "健全党组织领导的（　）相结合的城乡基层治理体系(  )【__】（注）()";
        let slots: Vec<&str> = Rich::parse(stem)
            .slot_spans()
            .into_iter()
            .map(|s| &stem[s])
            .collect();
        assert_eq!(slots, vec!["（　）", "(  )", "【__】", "()"]);
        assert!(
            Rich::parse("没有空位（注：见上文）。")
                .slot_spans()
                .is_empty()
        );
    }

    #[test]
    fn a_key_stands_alone_only_as_a_whole_clause() {
        let key = read("健全社会工作体制机制");
        assert!(is_clause(
            "党的二十届三中全会提出，健全社会工作体制机制，要（　）。",
            &key
        ));
        assert!(is_clause("“健全 社会工作体制机制”", &key));
        assert!(!is_clause("对健全社会工作体制机制提出的要求有（　）", &key));
        assert_eq!(
            pack(&['a', 'b']),
            (u128::from(u32::from('a')) << 32) | u128::from(u32::from('b'))
        );
    }

    #[test]
    fn a_stem_ends_with_its_slot_when_only_punctuation_follows() {
        let ends = |stem: &str| ends_with_slot(&Rich::parse(stem));
        assert!(ends("下列表述正确的是（　）。"));
        assert!(ends("下列表述正确的是"));
        assert!(!ends("健全党组织领导的（　）相结合的城乡基层治理体系。"));
    }
}

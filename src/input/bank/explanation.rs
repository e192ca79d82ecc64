//! Keys that contradict their own explanation (解析): the explanation names the answer it gives (故选B,
//! 答案为AB, 正确选项是……), the options it rejects (A项错误, 选项C说法错误), its verdict on a judgement
//! (表述正确, 故错误), or quotes the source sentence (原文为“……”) whose words around the slot hold other
//! options than the keyed ones.

use std::collections::BTreeSet;

use super::reading::{SLOT_MARK, find, joins, read, read_with_slots};
use super::{Answer, Question, letter};

/// A question whose key disagrees with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyConflict {
    /// Index of the question in the bank.
    pub question: usize,
    /// What the explanation says of the answer: `gives AB`, `rejects A`, `gives √`, `gives 总量`.
    pub says: String,
    /// The words of the explanation that give it.
    pub evidence: String,
}

/// Every question whose `answer:` its explanation contradicts, in bank order.
pub fn key_conflicts(questions: &[Question]) -> Vec<KeyConflict> {
    questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            conflict(q).map(|(says, evidence)| KeyConflict {
                question: i,
                says,
                evidence,
            })
        })
        .collect()
}

fn conflict(q: &Question) -> Option<(String, String)> {
    let explanation = q.explanation.as_ref()?.source();
    match &q.answer {
        Answer::Single(_) | Answer::Multiple(_) => choice_conflict(q, explanation),
        Answer::Judge(keyed) => {
            let (verdict, evidence) = judge_verdict(explanation)?;
            (verdict != *keyed).then(|| {
                (
                    format!("gives {}", if verdict { "√" } else { "×" }),
                    evidence,
                )
            })
        }
        Answer::Blank(blanks) => blank_conflict(q, blanks, explanation),
        Answer::Short(_) => None,
    }
}

fn keyed_set(answer: &Answer) -> BTreeSet<usize> {
    match answer {
        Answer::Single(i) => BTreeSet::from([*i]),
        Answer::Multiple(v) => v.iter().copied().collect(),
        _ => BTreeSet::new(),
    }
}

fn letters(set: &BTreeSet<usize>) -> String {
    set.iter().map(|&i| letter(i)).collect()
}

/// Phrases after which an explanation states the answer.
const GIVES: &[&str] = &[
    "故本题选",
    "故选",
    "本题选",
    "所以选",
    "因此选",
    "应选",
    "答案为",
    "答案是",
    "答案：",
    "正确选项是",
    "正确选项为",
    "正确选项：",
];

/// Words after an option reference that reject it (`A项错误`, `选项C说法错误`) or accept it.
const REJECTS: &[&str] = &["错误", "不正确", "有误", "不符", "不对", "不选"];
const ACCEPTS: &[&str] = &["正确", "符合题意", "当选", "应选"];

/// Stems that ask for the wrong or excluded option, where `A项错误` names the answer.
const ASKS_FOR_WRONG: &[&str] = &[
    "错误",
    "不正确",
    "不属于",
    "不符合",
    "不包括",
    "不是",
    "不应",
    "除外",
    "有误",
    "不恰当",
];

fn option_letter(c: char) -> Option<usize> {
    match c {
        'A'..='H' => Some(c as usize - 'A' as usize),
        'Ａ'..='Ｈ' => Some(c as usize - 'Ａ' as usize),
        _ => None,
    }
}

/// Option letters at the start of `text` (`AB`, `A、C`, `B和D`), and how many bytes they take.
fn letters_at(text: &str) -> (BTreeSet<usize>, usize) {
    let mut set = BTreeSet::new();
    let mut used = 0;
    for (i, c) in text.char_indices() {
        if let Some(l) = option_letter(c) {
            set.insert(l);
            used = i + c.len_utf8();
        } else if matches!(c, '、' | '，' | ',' | ' ' | '和' | '与' | '及') && !set.is_empty()
        {
            continue;
        } else {
            break;
        }
    }
    (set, used)
}

fn choice_conflict(q: &Question, explanation: &str) -> Option<(String, String)> {
    let keyed = keyed_set(&q.answer);
    // 1. The answer it names: 故选B, 答案为“参加社会保险”.
    for marker in GIVES {
        for (at, _) in explanation.match_indices(marker) {
            let rest = explanation[at + marker.len()..]
                .trim_start_matches([' ', '：', ':', '“', '"', '‘']);
            let (mut given, _) = letters_at(rest);
            if given.is_empty() {
                let quoted = rest
                    .split(['”', '"', '’', '，', '。', '；'])
                    .next()
                    .unwrap_or("");
                given = options_named(q, quoted);
            }
            if !given.is_empty() && given != keyed {
                return Some((
                    format!("gives {}", letters(&given)),
                    snippet(explanation, at),
                ));
            }
        }
    }
    // 2. The options it rejects or accepts by letter: A项错误, 选项C说法错误, B、D项正确.
    let asks_for_wrong = ASKS_FOR_WRONG.iter().any(|w| q.stem.source().contains(w));
    if !asks_for_wrong {
        for (at, c) in explanation.char_indices() {
            if option_letter(c).is_none() {
                continue;
            }
            let before = &explanation[..at];
            let prefixed = before.ends_with("选项");
            if before
                .chars()
                .next_back()
                .is_some_and(|p| option_letter(p).is_some() || matches!(p, '、' | '和'))
            {
                continue; // inside a list of letters, read from its first one
            }
            let (set, used) = letters_at(&explanation[at..]);
            let mut rest = &explanation[at + used..];
            if let Some(r) = rest.strip_prefix('项') {
                rest = r;
            } else if !prefixed {
                continue;
            }
            let rest = rest.trim_start_matches(['的', '说', '法', '表', '述', '内', '容']);
            if REJECTS.iter().any(|w| rest.starts_with(w)) && !set.is_disjoint(&keyed) {
                let rejected: BTreeSet<usize> = set.intersection(&keyed).copied().collect();
                return Some((
                    format!("rejects {}", letters(&rejected)),
                    snippet(explanation, at),
                ));
            }
            if ACCEPTS.iter().any(|w| rest.starts_with(w)) && !set.is_subset(&keyed) {
                let mut given = keyed.clone();
                given.extend(&set);
                return Some((
                    format!("gives {}", letters(&given)),
                    snippet(explanation, at),
                ));
            }
        }
    }
    // 3. The source sentence it quotes, read between the slot's words: 原文为“按国家有关规定参加社会保险、
    //    缴存住房公积金” fills 按国家有关规定（　） with options A and B.
    let slots = q.stem.slot_spans();
    if slots.len() != 1 {
        return None;
    }
    let (left, right) = slot_context(q.stem.source(), &slots);
    for quote in source_quotations(explanation) {
        let Some(fill) = fill_between(&read(quote), &left, &right) else {
            continue;
        };
        // A slot that ends the stem is filled by what follows its words directly: one option, or several
        // listed together; what comes after them is the rest of the quoted sentence.
        let given = if right.is_empty() {
            options_leading(q, &fill)
        } else {
            options_in(q, &fill)
        };
        if given.is_empty() {
            continue;
        }
        let wrong = !given.is_subset(&keyed);
        let disjoint = given.is_disjoint(&keyed);
        if wrong || disjoint {
            return Some((format!("gives {}", letters(&given)), format!("“{quote}”")));
        }
    }
    None
}

/// Options whose whole text is `quoted` (an answer named by its words).
fn options_named(q: &Question, quoted: &str) -> BTreeSet<usize> {
    let quoted = read(quoted);
    if quoted.is_empty() {
        return BTreeSet::new();
    }
    q.options
        .iter()
        .enumerate()
        .filter(|(_, o)| read(o.source()) == quoted)
        .map(|(i, _)| i)
        .collect()
}

/// The options printed in `fill`, longest first so an option inside another one does not count.
fn options_in(q: &Question, fill: &[char]) -> BTreeSet<usize> {
    let mut texts: Vec<(usize, Vec<char>)> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| (i, read(o.source())))
        .filter(|(_, o)| o.len() >= 2)
        .collect();
    texts.sort_by_key(|(_, o)| std::cmp::Reverse(o.len()));
    let mut taken = vec![false; fill.len()];
    let mut found = BTreeSet::new();
    for (i, o) in texts {
        let mut from = 0;
        while let Some(at) = find(fill, &o, from) {
            if !taken[at..at + o.len()].iter().any(|t| *t) {
                taken[at..at + o.len()].iter_mut().for_each(|t| *t = true);
                found.insert(i);
            }
            from = at + 1;
        }
    }
    found
}

/// The options that open `fill`, one after another with nothing or a joining word (`和`, `以及`) between them.
fn options_leading(q: &Question, fill: &[char]) -> BTreeSet<usize> {
    let mut texts: Vec<(usize, Vec<char>)> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| (i, read(o.source())))
        .filter(|(_, o)| !o.is_empty())
        .collect();
    texts.sort_by_key(|(_, o)| std::cmp::Reverse(o.len()));
    let mut found = BTreeSet::new();
    let mut at = 0;
    'list: while at < fill.len() {
        for gap in 0..=2 {
            let from = at + gap;
            if (found.is_empty() && gap > 0) || from > fill.len() || !joins(&fill[at..from]) {
                continue;
            }
            if let Some((i, o)) = texts
                .iter()
                .find(|(i, o)| !found.contains(i) && fill[from..].starts_with(o))
            {
                found.insert(*i);
                at = from + o.len();
                continue 'list;
            }
        }
        break;
    }
    found
}

/// Up to four readable characters on each side of the one slot in `slots`.
fn slot_context(stem: &str, slots: &[std::ops::Range<usize>]) -> (Vec<char>, Vec<char>) {
    let text = read_with_slots(stem, slots);
    let at = text
        .iter()
        .position(|&c| c == SLOT_MARK)
        .unwrap_or(text.len());
    let left = &text[..at];
    let right = text.get(at + 1..).unwrap_or(&[]);
    (
        left[left.len().saturating_sub(4)..].to_vec(),
        right[..right.len().min(4)].to_vec(),
    )
}

/// What a quotation holds between the slot's left and right words; both must be there unless the slot
/// starts or ends the stem, and together they must be at least four characters.
fn fill_between(quote: &[char], left: &[char], right: &[char]) -> Option<Vec<char>> {
    if left.len() + right.len() < 4 || (left.len() < 2 && right.len() < 2) {
        return None;
    }
    let start = if left.is_empty() {
        0
    } else {
        find(quote, left, 0)? + left.len()
    };
    let end = if right.is_empty() {
        quote.len()
    } else {
        find(quote, right, start)?
    };
    (end > start).then(|| quote[start..end].to_vec())
}

/// The source sentences an explanation quotes: the texts between “ and ” that follow `原文` (`原文为“……”`,
/// `三中全会原文为：“……”`); other quotations name distractors and where they come from.
fn source_quotations(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('“').map(|i| at + i) {
        let after = open + '“'.len_utf8();
        let Some(close) = text[after..].find('”').map(|i| after + i) else {
            break;
        };
        let lead: String = text[..open]
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if lead.contains("原文") {
            out.push(&text[after..close]);
        }
        at = close + '”'.len_utf8();
    }
    out
}

/// Verdict words of a judgement's explanation: `正确。……`, `……，表述正确。`, `……，故错误。`.
fn judge_verdict(explanation: &str) -> Option<(bool, String)> {
    const MARKS: &[(&str, bool)] = &[
        ("表述正确", true),
        ("说法正确", true),
        ("故正确", true),
        ("一致，正确", true),
        ("表述错误", false),
        ("说法错误", false),
        ("故错误", false),
        ("表述有误", false),
    ];
    let mut verdicts: Vec<(bool, usize)> = MARKS
        .iter()
        .flat_map(|(m, v)| explanation.match_indices(m).map(move |(at, _)| (*v, at)))
        .collect();
    for (start, v) in [
        ("正确。", true),
        ("正确，", true),
        ("错误。", false),
        ("错误，", false),
    ] {
        if explanation.starts_with(start) {
            verdicts.push((v, 0));
        }
    }
    let &(first, at) = verdicts.first()?;
    // Explanations that say both (quoting a wrong reading) decide nothing.
    verdicts
        .iter()
        .all(|(v, _)| *v == first)
        .then(|| (first, snippet(explanation, at)))
}

fn blank_conflict(
    q: &Question,
    blanks: &[Vec<String>],
    explanation: &str,
) -> Option<(String, String)> {
    let spans = q.stem.blank_spans();
    if spans.len() != 1 || blanks.len() != 1 {
        return None;
    }
    let (left, right) = slot_context(q.stem.source(), &spans);
    let accepted: Vec<Vec<char>> = blanks[0].iter().map(|a| read(a)).collect();
    for quote in source_quotations(explanation) {
        let Some(fill) = fill_between(&read(quote), &left, &right) else {
            continue;
        };
        // A quote that fills the slot with words none of the accepted answers shares is another answer.
        let agrees = accepted
            .iter()
            .any(|a| super::reading::contains(&fill, a) || super::reading::contains(a, &fill));
        if !agrees && fill.len() <= 20 {
            return Some((
                format!("gives {}", fill.iter().collect::<String>()),
                format!("“{quote}”"),
            ));
        }
    }
    None
}

/// About thirty characters of the explanation from byte `at`, for the message.
fn snippet(text: &str, at: usize) -> String {
    let start = text[..at].char_indices().rev().nth(5).map_or(0, |(i, _)| i);
    text[start..].chars().take(30).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_read_as_a_list() {
        assert_eq!(
            letters_at("A、C和D项错误"),
            (BTreeSet::from([0, 2, 3]), "A、C和D".len())
        );
        assert_eq!(letters_at("ＢＤ。"), (BTreeSet::from([1, 3]), "ＢＤ".len()));
        assert!(letters_at("项").0.is_empty());
    }

    #[test]
    fn only_quotations_of_the_source_are_read_at_the_slot() {
        let e = "原文为“按规定参加社会保险”。“社区工作法”是典型案例；三中全会原文为：“健全体系”";
        assert_eq!(source_quotations(e), vec!["按规定参加社会保险", "健全体系"]);
    }

    #[test]
    fn a_slot_is_filled_between_its_words_or_up_to_its_end() {
        let quote = read("按国家有关规定参加社会保险、缴存住房公积金");
        let fill = fill_between(&quote, &read("有关规定"), &[]).unwrap();
        assert_eq!(
            fill.iter().collect::<String>(),
            "参加社会保险缴存住房公积金"
        );
        // Too few words to place the slot.
        assert!(fill_between(&quote, &read("定"), &read("金")).is_none());
        assert!(fill_between(&quote, &read("没有的词"), &[]).is_none());
    }
}

//! Answer leaks: a question whose keyed answer, with the words around its slot, is printed in another
//! question's stem or options, so one question on a paper answers the other.

use std::collections::HashMap;

use super::{Answer, Bank, Question, QuestionType, answer_slots, blank_spans};

/// Whether a choice stem ends with its slot (`……的是（　）。`), as real items do: nothing but punctuation
/// after the last slot. A stem without a slot ends with the one the paper appends.
pub fn ends_with_slot(stem: &str) -> bool {
    answer_slots(stem)
        .last()
        .is_none_or(|s| !stem[s.end..].chars().any(char::is_alphanumeric))
}

/// The slots of a question and the answer texts that fill each: choice slots take the correct options'
/// texts, blanks their own alternatives. Judge and short questions have none.
fn slots_and_answers(q: &Question) -> Vec<(std::ops::Range<usize>, Vec<&str>)> {
    match (&q.kind, &q.answer) {
        (QuestionType::Single | QuestionType::Multiple, answer) => {
            let correct: Vec<&str> = match answer {
                Answer::Single(i) => vec![q.options[*i].as_str()],
                Answer::Multiple(v) => v.iter().map(|i| q.options[*i].as_str()).collect(),
                _ => Vec::new(),
            };
            answer_slots(&q.stem)
                .into_iter()
                .map(|s| (s, correct.clone()))
                .collect()
        }
        (QuestionType::Blank, Answer::Blank(blanks)) => blank_spans(&q.stem)
            .into_iter()
            .zip(blanks)
            .map(|(s, alts)| (s, alts.iter().map(String::as_str).collect()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Three characters of context, used only when all three are letters, digits or Han characters.
fn context(chars: &[char]) -> Option<String> {
    (chars.len() == 3 && chars.iter().all(|c| c.is_alphanumeric())).then(|| chars.iter().collect())
}

fn squeeze(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every leaking pair `(q, r)` of bank question indices: q's answer with its context occurs in r's stem or
/// in one of r's options, and the two share no `group`. Sorted, each pair once per direction.
pub fn leak_pairs(questions: &[Question]) -> Vec<(usize, usize)> {
    // Needles keyed by their first four characters (every needle has at least three of context and one of
    // answer), so each text is scanned once instead of once per needle.
    const KEY: usize = 4;
    let mut needles: Vec<(Vec<char>, usize)> = Vec::new();
    for (qi, q) in questions.iter().enumerate() {
        for (slot, answers) in slots_and_answers(q) {
            let before: Vec<char> = q.stem[..slot.start].chars().collect();
            let after: Vec<char> = q.stem[slot.end..].chars().take(3).collect();
            let left = context(&before[before.len().saturating_sub(3)..]);
            let right = context(&after);
            for a in answers {
                let a: String = squeeze(a).into_iter().collect();
                if a.is_empty() {
                    continue;
                }
                if let Some(l) = &left {
                    needles.push((squeeze(&format!("{l}{a}")), qi));
                }
                if let Some(r) = &right {
                    needles.push((squeeze(&format!("{a}{r}")), qi));
                }
            }
        }
    }
    let mut index: HashMap<&[char], Vec<usize>> = HashMap::new();
    for (n, (needle, _)) in needles.iter().enumerate() {
        index.entry(&needle[..KEY]).or_default().push(n);
    }
    let mut pairs = Vec::new();
    for (ri, r) in questions.iter().enumerate() {
        let texts = std::iter::once(&r.stem).chain(&r.options);
        for text in texts {
            let hay = squeeze(text);
            for start in 0..hay.len().saturating_sub(KEY - 1) {
                let Some(candidates) = index.get(&hay[start..start + KEY]) else {
                    continue;
                };
                for &n in candidates {
                    let (needle, qi) = &needles[n];
                    let q = &questions[*qi];
                    if *qi != ri
                        && !(q.group.is_some() && q.group == r.group)
                        && hay[start..].starts_with(needle)
                    {
                        pairs.push((*qi, ri));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
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
        let slots: Vec<&str> = answer_slots(stem).into_iter().map(|s| &stem[s]).collect();
        assert_eq!(slots, vec!["（　）", "(  )", "【__】", "()"]);
        assert!(answer_slots("没有空位（注：见上文）。").is_empty());
    }

    #[test]
    fn a_stem_ends_with_its_slot_when_only_punctuation_follows() {
        assert!(ends_with_slot("下列表述正确的是（　）。"));
        assert!(ends_with_slot("下列表述正确的是"));
        assert!(!ends_with_slot(
            "健全党组织领导的（　）相结合的城乡基层治理体系。"
        ));
    }

    #[test]
    fn context_needs_three_letters_digits_or_han() {
        assert_eq!(context(&['领', '导', '的']), Some("领导的".into()));
        assert_eq!(context(&['导', '的', '，']), None);
        assert_eq!(context(&['的', '1']), None);
        assert_eq!(context(&['a', ' ', 'b']), None);
    }
}

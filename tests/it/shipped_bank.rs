//! The shipped bank (`question-bank/`): the counts the content issue promises, faithful key phrases,
//! and every key phrase tested — checked through the library, and `examgen check` clean.

use std::collections::HashSet;

use examgen::input::bank::{Bank, QuestionType, normalize_for_match, untested_key_phrases};

fn bank() -> Bank {
    Bank::load(&crate::util::repo().join("question-bank"))
        .expect("the shipped bank loads without errors")
}

#[test]
fn counts_by_type_and_part_meet_the_promise() {
    let bank = bank();
    let count = |t| bank.questions.iter().filter(|q| q.kind == t).count();
    assert!(
        count(QuestionType::Single) >= 180,
        "single: {}",
        count(QuestionType::Single)
    );
    assert!(count(QuestionType::Multiple) >= 60);
    assert!(count(QuestionType::Judge) >= 30);
    assert!(count(QuestionType::Blank) >= 15);
    assert!(count(QuestionType::Short) >= 10);
    assert_eq!(
        bank.sections.len(),
        6,
        "one section per part of the supplement"
    );
    for (i, s) in bank.sections.iter().enumerate() {
        let n = bank.questions.iter().filter(|q| q.section == i).count();
        assert!(n >= 25, "section {} has only {n} questions", s.id);
    }
    // The real exam's shapes: 4 options for single choice, 5 with 2–4 correct for multiple choice.
    for q in &bank.questions {
        match (&q.kind, &q.answer) {
            (QuestionType::Single, _) => assert_eq!(q.options.len(), 4, "{}", q.id),
            (QuestionType::Multiple, examgen::input::bank::Answer::Multiple(v)) => {
                assert_eq!(q.options.len(), 5, "{}", q.id);
                assert!((2..=4).contains(&v.len()), "{}", q.id);
            }
            _ => {}
        }
    }
}

#[test]
fn every_question_is_anchored_in_a_note_with_a_verbatim_quote_and_an_explanation() {
    let bank = bank();
    for q in &bank.questions {
        let note = q.note.unwrap_or_else(|| panic!("{} has no note", q.id));
        let quote = q
            .quote
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no quote", q.id));
        assert!(
            normalize_for_match(bank.notes[note].text.source())
                .contains(&normalize_for_match(quote)),
            "{}: quote not in note {}",
            q.id,
            bank.notes[note].id
        );
        assert!(
            q.explanation
                .as_ref()
                .map(|e| e.source())
                .is_some_and(|e| e.chars().count() >= 8),
            "{} has no real explanation",
            q.id
        );
    }
    let difficulties: HashSet<u8> = bank.questions.iter().map(|q| q.difficulty).collect();
    assert_eq!(difficulties.len(), 5, "difficulty spread over 1–5");
}

/// A note text without markup and white space, each character with the index of the key phrase it belongs
/// to (`None` outside `**...**`).
fn marked_chars(text: &str) -> Vec<(char, Option<usize>)> {
    text.split("**")
        .enumerate()
        .flat_map(|(i, part)| {
            part.chars()
                .filter(|c| !c.is_whitespace())
                .map(move |c| (c, (i % 2 == 1).then_some(i)))
        })
        .collect()
}

// The source bolds whole headings ("2. 严格政治把关。") and runs of up to 34 characters; the bank names
// headings in note titles and splits long runs into blanks of at most 20 characters. So the promise is
// that each bold phrase of the source is in some note where the bank's bolding only cuts it into parts:
// no key phrase there runs on across its start or end.
#[test]
fn every_bold_phrase_of_the_source_is_in_a_note_and_bolded_only_in_parts() {
    let bank = bank();
    let notes: Vec<Vec<(char, Option<usize>)>> = bank
        .notes
        .iter()
        .map(|n| marked_chars(n.text.source()))
        .collect();
    let source =
        std::fs::read_to_string(crate::util::repo().join("tests/data/source-key-phrases.txt"))
            .unwrap();
    let phrases: Vec<&str> = source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(phrases.len(), 134);
    let mut missing = Vec::new();
    let mut straddled = Vec::new();
    for phrase in &phrases {
        let want: Vec<char> = normalize_for_match(phrase).chars().collect();
        let mut found = false;
        let mut clean = false;
        for chars in &notes {
            for start in 0..(chars.len() + 1).saturating_sub(want.len()) {
                let end = start + want.len();
                if !chars[start..end]
                    .iter()
                    .map(|(c, _)| *c)
                    .eq(want.iter().copied())
                {
                    continue;
                }
                found = true;
                let runs_on = |outside: usize, inside: usize| {
                    chars[outside].1.is_some() && chars[outside].1 == chars[inside].1
                };
                if !(start > 0 && runs_on(start - 1, start))
                    && !(end < chars.len() && runs_on(end, end - 1))
                {
                    clean = true;
                }
            }
        }
        if !found {
            missing.push(*phrase);
        } else if !clean {
            straddled.push(*phrase);
        }
    }
    assert!(
        missing.is_empty(),
        "bold phrases of the source missing from the notes: {missing:?}"
    );
    assert!(
        straddled.is_empty(),
        "bold phrases of the source only inside longer key phrases: {straddled:?}"
    );
}

#[test]
fn every_key_phrase_is_tested_by_a_question() {
    let bank = bank();
    let untested: Vec<String> = untested_key_phrases(&bank)
        .into_iter()
        .map(|(n, p)| format!("{}: {p}", bank.notes[n].id))
        .collect();
    assert!(
        untested.is_empty(),
        "key phrases no question tests: {untested:#?}"
    );
}

#[test]
fn check_is_clean_on_the_shipped_bank() {
    let run = crate::util::run_repo(&["check"]).success();
    assert!(
        run.stdout.contains("no errors, 0 warnings"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn no_question_of_the_shipped_bank_answers_another() {
    let bank = bank();
    let pairs: Vec<(&str, &str)> = bank
        .leaks
        .iter()
        .map(|(q, r)| {
            (
                bank.questions[*q].id.as_str(),
                bank.questions[*r].id.as_str(),
            )
        })
        .collect();
    assert!(pairs.is_empty(), "answer leaks: {pairs:?}");
}

/// Whether one occurrence of `fact` in `note` is made of whole key phrases the cloze handout can blank, with
/// only punctuation between them (`**尽力而为**、**量力而行**` blanks both 尽力而为 and 尽力而为、量力而行): then
/// the cloze blanks exactly what a question keys. The measure of scripts/keyphrase-coverage.py.
fn blanked_exactly(fact: &str, note: &examgen::input::bank::Note) -> bool {
    let punct = |c: char| !c.is_alphanumeric();
    let want: Vec<char> = normalize_for_match(fact.trim_matches(punct))
        .chars()
        .collect();
    if want.is_empty() {
        return false;
    }
    let parts: Vec<&str> = note.text.source().split("**").collect();
    let chars = marked_chars(note.text.source());
    (0..(chars.len() + 1).saturating_sub(want.len())).any(|start| {
        let span = &chars[start..start + want.len()];
        if !span.iter().map(|(c, _)| *c).eq(want.iter().copied()) {
            return false;
        }
        let mut phrases: Vec<usize> = span.iter().filter_map(|(_, k)| *k).collect();
        phrases.dedup();
        !phrases.is_empty()
            && span.iter().all(|(c, k)| k.is_some() || punct(*c))
            && phrases.iter().all(|&k| {
                let whole = chars
                    .iter()
                    .enumerate()
                    .filter(|(_, (c, kk))| *kk == Some(k) && !punct(*c))
                    .all(|(j, _)| (start..start + want.len()).contains(&j));
                whole && examgen::model::handout::cloze_parts(parts[k], note).is_some()
            })
    })
}

// Issue #26: the cloze handout drills what the exam tests. Every note has a key phrase the cloze can blank,
// and of the facts that single-choice and blank questions key (the correct option, each blank's answer) and
// that stand verbatim in their note, at least 90% are key phrases of that note.
#[test]
fn key_phrases_cover_every_note_and_the_tested_facts() {
    use examgen::input::bank::{Answer, key_phrases};
    use examgen::model::handout::cloze_parts;
    let bank = bank();
    let bare: Vec<&str> = bank
        .notes
        .iter()
        .filter(|n| {
            !key_phrases(n.text.source())
                .iter()
                .any(|p| cloze_parts(p, n).is_some())
        })
        .map(|n| n.id.as_str())
        .collect();
    assert!(
        bare.is_empty(),
        "notes without a blankable key phrase: {bare:?}"
    );
    let (mut facts, mut covered, mut missed) = (0, 0, Vec::new());
    for q in &bank.questions {
        let Some(n) = q.note else { continue };
        let note = &bank.notes[n];
        let text = normalize_for_match(note.text.source());
        let keyed: Vec<Vec<String>> = match &q.answer {
            Answer::Single(i) => vec![vec![q.options[*i].source().to_string()]],
            Answer::Blank(blanks) => blanks.clone(),
            _ => continue,
        };
        for alternatives in keyed {
            let present: Vec<&String> = alternatives
                .iter()
                .filter(|a| {
                    let core = normalize_for_match(a.trim_matches(|c: char| !c.is_alphanumeric()));
                    !core.is_empty() && text.contains(&core)
                })
                .collect();
            if present.is_empty() {
                continue;
            }
            facts += 1;
            if present.iter().any(|a| blanked_exactly(a, note)) {
                covered += 1;
            } else {
                missed.push(format!("{} ({}): {}", q.id, note.id, present[0]));
            }
        }
    }
    assert!(
        facts >= 300,
        "only {facts} tested facts stand in their notes"
    );
    assert!(
        covered * 10 >= facts * 9,
        "{covered} of {facts} tested facts are key phrases; not: {missed:#?}"
    );
}

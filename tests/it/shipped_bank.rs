//! The shipped bank (`question-bank/`): the counts the content issue promises, faithful key phrases,
//! and every key phrase tested — checked through the library, and `examgen check` clean.

use std::collections::HashSet;

use examgen::input::bank::{
    Bank, QuestionType, key_phrases, normalize_for_match, untested_key_phrases,
};

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
            normalize_for_match(&bank.notes[note].text).contains(&normalize_for_match(quote)),
            "{}: quote not in note {}",
            q.id,
            bank.notes[note].id
        );
        assert!(
            q.explanation
                .as_deref()
                .is_some_and(|e| e.chars().count() >= 8),
            "{} has no real explanation",
            q.id
        );
    }
    let difficulties: HashSet<u8> = bank.questions.iter().map(|q| q.difficulty).collect();
    assert_eq!(difficulties.len(), 5, "difficulty spread over 1–5");
}

#[test]
fn every_bold_phrase_of_the_source_is_carried_and_bolded_by_some_note() {
    // Key phrases are what cloze handouts blank, so the bank does not copy the source's bold runs
    // blindly: it moves punctuation out of them, splits long bold sentences into their key phrases and
    // joins the source's stray split `**健全**` `**社会工作体制机制**`. The promise kept is that every bold
    // phrase of the source occurs in some note's text, with a key phrase of that note inside it (a part
    // of it) or around it (a fragment of a longer key phrase).
    let bank = bank();
    let source =
        std::fs::read_to_string(crate::util::repo().join("tests/data/source-key-phrases.txt"))
            .unwrap();
    let phrases: Vec<&str> = source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(phrases.len(), 136);
    let missing: Vec<&&str> = phrases
        .iter()
        .filter(|p| {
            let phrase = normalize_for_match(p.trim_matches(|c: char| !c.is_alphanumeric()));
            !bank.notes.iter().any(|n| {
                normalize_for_match(&n.text).contains(&phrase)
                    && key_phrases(&n.text)
                        .iter()
                        .map(|k| normalize_for_match(k))
                        .any(|k| !k.is_empty() && (phrase.contains(&k) || k.contains(&phrase)))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "bold phrases of the source not carried and bolded by any note: {missing:?}"
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

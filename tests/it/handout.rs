//! Study handouts: summary mode prints every note title and key phrase; cloze mode blanks the chosen key
//! phrases, lists each in the key with its number, and is reproducible by seed; class copies per roster.

use std::process::Command;

use crate::util::{Dir, repo};
use examgen::input::bank::{Bank, key_phrases, normalize_for_match};

fn text_of(pdf: &std::path::Path) -> String {
    pdftotext(pdf, &[])
}

/// The text in `pdftotext -layout` reading order: a phrase wrapped at a line end after a line with a blank
/// comes out whole here, where the plain order can put the blank's line between its halves.
fn layout_text_of(pdf: &std::path::Path) -> String {
    pdftotext(pdf, &["-layout"])
}

fn pdftotext(pdf: &std::path::Path, flags: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(flags)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (installed by .ci/run)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn handout(dir: &Dir, args: &[&str]) -> crate::util::Run {
    let out = dir.join("out").display().to_string();
    let bank = repo().join("question-bank").display().to_string();
    let mut all = vec!["handout", bank.as_str(), "-o", out.as_str()];
    all.extend_from_slice(args);
    dir.run(&all).success()
}

#[test]
fn summary_prints_every_note_title_and_key_phrase() {
    let dir = Dir::new();
    let run = handout(&dir, &["--toc"]);
    let bank = Bank::load(&repo().join("question-bank")).unwrap();
    assert!(
        run.stdout
            .contains(&format!("{} key phrases", phrase_count(&bank))),
        "{}",
        run.stdout
    );
    let text = text_of(&dir.join("out/handout.pdf"));
    for note in &bank.notes {
        assert!(
            text.contains(&normalize_for_match(&note.title)),
            "note title {} missing",
            note.title
        );
        for phrase in key_phrases(note.text.source()) {
            assert!(
                text.contains(&normalize_for_match(&phrase)),
                "key phrase {phrase} missing"
            );
        }
    }
    // The table of contents carries real page numbers: the first section starts on page 2.
    assert!(
        text.contains("目录党的二十大和二十届二中、三中全会精神2"),
        "{}",
        &text[..300]
    );
}

/// How many key phrases the bank's notes mark, the number a handout reports.
fn phrase_count(bank: &Bank) -> usize {
    bank.notes
        .iter()
        .map(|n| key_phrases(n.text.source()).len())
        .sum()
}

/// Key phrases of the bank that occur exactly once in all note text, so their absence is meaningful.
fn unique_phrases(bank: &Bank) -> Vec<String> {
    let all: String = bank
        .notes
        .iter()
        .map(|n| normalize_for_match(n.text.source()) + &normalize_for_match(&n.title))
        .chain(bank.sections.iter().map(|s| normalize_for_match(&s.title)))
        .collect();
    bank.notes
        .iter()
        .flat_map(|n| key_phrases(n.text.source()))
        .map(|p| normalize_for_match(&p))
        .filter(|p| p.chars().count() >= 4 && all.matches(p.as_str()).count() == 1)
        .collect()
}

#[test]
fn cloze_blanks_the_chosen_phrases_and_the_key_numbers_them() {
    let dir = Dir::new();
    let run = handout(
        &dir,
        &["--mode", "cloze", "--blank-ratio", "0.5", "--seed", "7"],
    );
    let bank = Bank::load(&repo().join("question-bank")).unwrap();
    let total = phrase_count(&bank);
    let half = (total as f64 * 0.5).round() as usize;
    assert!(
        run.stdout
            .contains(&format!("{total} key phrases, {half} blanked, seed 7")),
        "{}",
        run.stdout
    );
    let paper = text_of(&dir.join("out/handout.pdf"));
    let key = text_of(&dir.join("out/handout-key.pdf"));
    let paper_layout = layout_text_of(&dir.join("out/handout.pdf"));
    let key_layout = layout_text_of(&dir.join("out/handout-key.pdf"));
    let unique = unique_phrases(&bank);
    let mut blanked = 0;
    for phrase in &unique {
        let in_key = key.contains(phrase.as_str()) || key_layout.contains(phrase.as_str());
        let in_paper = paper.contains(phrase.as_str()) || paper_layout.contains(phrase.as_str());
        assert!(
            in_key != in_paper,
            "{phrase}: in key {in_key}, in handout {in_paper}"
        );
        blanked += usize::from(in_key);
    }
    assert!(
        blanked > 10 && blanked < unique.len(),
        "{blanked} of {}",
        unique.len()
    );
    for n in 1..=half {
        assert!(
            key.contains(&format!("（{n}）")),
            "answer {n} missing from the key"
        );
        assert!(
            paper.contains(&format!("（{n}）")),
            "blank {n} missing from the handout"
        );
    }
    assert!(!key.contains(&format!("（{}）", half + 1)));
}

#[test]
fn same_seed_same_bytes_and_students_vary() {
    let a = Dir::new();
    let b = Dir::new();
    handout(
        &a,
        &[
            "--mode",
            "cloze",
            "--blank-ratio",
            "0.5",
            "--seed",
            "7",
            "--sections",
            "cw",
        ],
    );
    handout(
        &b,
        &[
            "--mode",
            "cloze",
            "--blank-ratio",
            "0.5",
            "--seed",
            "7",
            "--sections",
            "cw",
        ],
    );
    for f in ["handout.pdf", "handout-key.pdf"] {
        assert!(
            std::fs::read(a.join(&format!("out/{f}"))).unwrap()
                == std::fs::read(b.join(&format!("out/{f}"))).unwrap(),
            "{f} differs"
        );
    }

    let dir = Dir::new();
    dir.create(
        "class.csv",
        "学号,姓名,班级\n2025001,张喆,一班\n2025002,李堃,一班\n2025003,王赟,二班\n",
    );
    let roster = dir.join("class.csv").display().to_string();
    handout(
        &dir,
        &[
            "--mode",
            "cloze",
            "--blank-ratio",
            "0.5",
            "--seed",
            "7",
            "--sections",
            "cw",
            "--roster",
            &roster,
            "--vary",
            "--duplex",
        ],
    );
    let keys: Vec<String> = ["2025001-张喆", "2025002-李堃", "2025003-王赟"]
        .iter()
        .map(|s| text_of(&dir.join(&format!("out/handouts/{s}-key.pdf"))))
        .collect();
    assert!(
        keys[0] != keys[1] && keys[1] != keys[2],
        "--vary gives each student their own blanks"
    );
    let first = text_of(&dir.join("out/handouts/2025002-李堃.pdf"));
    assert!(
        first.contains("李堃") && first.contains("2025002"),
        "the name and id are printed on the copy"
    );
    let all = text_of(&dir.join("out/handout-all.pdf"));
    assert!(all.contains("张喆") && all.contains("王赟"));
    // With --duplex every copy starts on an odd page of the print file.
    let pages = |path: &std::path::Path| crate::util::pdf_pages(path);
    let mut total = 0;
    for s in ["2025001-张喆", "2025002-李堃", "2025003-王赟"] {
        let n = pages(&dir.join(&format!("out/handouts/{s}.pdf")));
        assert_eq!(n % 2, 0, "a duplex copy has an even page count");
        total += n;
    }
    assert_eq!(pages(&dir.join("out/handout-all.pdf")), total);
}

#[test]
fn unknown_sections_and_vary_without_roster_are_usage_errors() {
    let dir = Dir::new();
    let bank = repo().join("question-bank").display().to_string();
    let run = dir.run(&["handout", &bank, "--sections", "cx"]).failure(2);
    assert!(run.stderr.contains("did you mean `cw`?"), "{}", run.stderr);
    dir.run(&["handout", &bank, "--vary"]).failure(2);
    dir.run(&["handout", &bank, "--blank-ratio", "1.5"])
        .failure(2);
}

/// The cloze handout at `--blank-ratio 1` drills every knowledge point: each note of the shipped bank gets at
/// least one blank (a key phrase within the cloze rules: at most 20 characters, not printed by its title or
/// elsewhere in its note), and the key holds one answer per blank. Checked on the handout model, which is
/// what the PDF and .docx print.
#[test]
fn cloze_at_ratio_one_blanks_every_note_of_the_shipped_bank() {
    use examgen::exam::dice::Dice;
    use examgen::model::handout::{
        Mode, Selection, build, choose_blanks, key_phrase_count, select_notes,
    };
    let bank = Bank::load(&repo().join("question-bank")).unwrap();
    let notes = select_notes(&bank, &Selection::default()).unwrap();
    let total = key_phrase_count(&bank, &notes);
    let blanks = choose_blanks(total, 1.0, &mut Dice::new(1));
    assert_eq!(blanks.len(), total);
    let data = build(
        &bank,
        &notes,
        "t",
        Mode::Cloze,
        &blanks,
        Default::default(),
        false,
        false,
    );
    let without: Vec<&str> = data
        .sections
        .iter()
        .flat_map(|s| &s.notes)
        .filter(|n| !n.paragraphs.iter().flatten().any(|r| r.blank))
        .map(|n| n.id.as_str())
        .collect();
    assert!(without.is_empty(), "notes without a blank: {without:?}");
    let printed: usize = data.sections.iter().map(|s| s.notes.len()).sum();
    assert_eq!(printed, bank.notes.len());
    assert_eq!(data.blank_count, total);
    let answers: usize = data.key.iter().map(|s| s.answers.len()).sum();
    assert_eq!(answers, total);
    // The printed handout says the same: every phrase blanked, the key numbering them all.
    let dir = Dir::new();
    let run = handout(
        &dir,
        &["--mode", "cloze", "--blank-ratio", "1", "--seed", "1"],
    );
    assert!(
        run.stdout
            .contains(&format!("{total} key phrases, {total} blanked")),
        "{}",
        run.stdout
    );
    let key = layout_text_of(&dir.join("out/handout-key.pdf"));
    assert!(
        key.contains(&format!("（{total}）")),
        "answer {total} missing"
    );
    assert!(!key.contains(&format!("（{}）", total + 1)));
    // Every key answer is a phrase the bank marks, without the punctuation printed beside the blank.
    for a in data.key.iter().flat_map(|s| &s.answers) {
        assert!(
            a.text.chars().count() <= 20
                && a.text.starts_with(char::is_alphanumeric)
                && a.text.ends_with(char::is_alphanumeric),
            "answer {}: {}",
            a.number,
            a.text
        );
    }
}

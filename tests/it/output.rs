//! Output and exit codes: an occupied `-o` is bad input (exit 1, the path named, nothing changed) in every
//! command that writes, a run's files land together, a closed pipe ends every printing command quietly with
//! exit 0, and flags a command cannot honour are refused rather than ignored.

use std::process::{Command, Stdio};

use crate::util::{Dir, fixtures, repo};

/// A teacher's folder: the fixture bank, a class of three, a paper already made into out/.
fn classroom() -> Dir {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create(
        "class.csv",
        "学号,姓名,座位号\n2025001,张三,1\n2025002,李四,2\n",
    );
    dir
}

#[test]
fn an_output_path_that_is_a_file_is_bad_input_in_every_command_that_writes() {
    let dir = classroom();
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "3", "-o", "out"])
        .success();
    dir.create("answers.csv", "id,1\n2025001,A\n");
    let questions = fixtures()
        .join("import/questions.csv")
        .display()
        .to_string();
    // A file sits where the teacher pointed -o (a typo, or last week's export).
    dir.create("taken", "last week's notes\n");
    dir.create("taken-dir/keep.txt", "x");
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "paper",
            "bank/exams/small.yaml",
            "--seed",
            "3",
            "-o",
            "taken",
        ],
        vec![
            "sheet",
            "bank/exams/small.yaml",
            "--seed",
            "3",
            "-o",
            "taken",
        ],
        vec![
            "batch",
            "bank/exams/small.yaml",
            "--roster",
            "class.csv",
            "-o",
            "taken",
        ],
        vec!["handout", "bank", "-o", "taken"],
        vec!["grade", "out/manifest.json", "answers.csv", "-o", "taken"],
        vec!["import", &questions, "-o", "taken"],
        vec!["init", "taken"],
        vec!["init", "--templates", "taken"],
        vec!["export", "bank", "--format", "gift", "-o", "taken-dir"],
    ];
    for args in &commands {
        let run = dir.run(args).failure(1);
        assert!(
            run.stderr.contains("-o taken") && run.stderr.contains("not a"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("taken")).unwrap(),
        "last week's notes\n"
    );
    // Below an existing file is no folder either: still the user's problem, exit 1, with the path.
    let run = dir
        .run(&["export", "bank", "--format", "csv", "-o", "taken/bank.csv"])
        .failure(1);
    assert!(run.stderr.contains("taken/bank.csv"), "{}", run.stderr);
}

#[test]
fn a_failed_run_leaves_the_previous_papers_and_manifest_in_place() {
    let dir = classroom();
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "3", "-o", "out"])
        .success();
    let manifest = std::fs::read(dir.join("out/manifest.json")).unwrap();
    let paper = std::fs::read(dir.join("out/paper-A.pdf")).unwrap();
    // The next run cannot write its key (a folder has that name): nothing of it may land, not even the
    // paper, or paper-A.pdf and manifest.json would describe different draws.
    std::fs::remove_file(dir.join("out/key-A.pdf")).unwrap();
    std::fs::create_dir(dir.join("out/key-A.pdf")).unwrap();
    let run = dir
        .run(&["paper", "bank/exams/small.yaml", "--seed", "4", "-o", "out"])
        .failure(1);
    assert!(run.stderr.contains("key-A.pdf"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(dir.join("out/manifest.json")).unwrap(),
        manifest
    );
    assert_eq!(std::fs::read(dir.join("out/paper-A.pdf")).unwrap(), paper);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("examgen"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
    std::fs::remove_dir(dir.join("out/key-A.pdf")).unwrap();
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "4", "-o", "out"])
        .success();
    assert_ne!(
        std::fs::read(dir.join("out/manifest.json")).unwrap(),
        manifest
    );
}

/// Runs examgen in the repository with its standard output a pipe whose reader is already gone.
fn into_closed_pipe(args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(args)
        .current_dir(repo())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_printing_command_quietly() {
    // `examgen export … | head` and friends: the reader has all it wanted.
    for args in [
        &["export", "question-bank", "--format", "gift"][..],
        &["export", "question-bank", "--format", "csv"],
        &["export", "question-bank", "--format", "moodle-xml"],
        &["stats", "--format", "json"],
        &["check"],
        &["draw", "question-bank/exams/quiz.yaml", "--seed", "1"],
        &["completions", "bash"],
        &["--help"],
    ] {
        let (code, stderr) = into_closed_pipe(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            !stderr.contains("error") && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn flags_a_command_cannot_honour_are_refused() {
    let dir = classroom();
    for (args, says) in [
        (
            &["sheet", "bank/exams/small.yaml", "--layout", "a3-2col"][..],
            "--layout",
        ),
        (
            &["sheet", "bank/exams/small.yaml", "--edition", "teacher"],
            "--edition teacher",
        ),
        (
            &["sheet", "bank/exams/small.yaml", "--margin", "15"],
            "--margin",
        ),
        (
            &["handout", "bank", "--edition", "teacher"],
            "--edition teacher",
        ),
        (
            &[
                "batch",
                "bank/exams/small.yaml",
                "--roster",
                "class.csv",
                "--edition",
                "teacher",
            ],
            "--edition teacher",
        ),
    ] {
        let run = dir.run(args).failure(2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(!dir.join("out").exists(), "{args:?} wrote files");
    }
    // What the flags do say is done: a4 sheets are what sheets are, student papers what batches print.
    dir.run(&[
        "sheet",
        "bank/exams/small.yaml",
        "--layout",
        "a4",
        "--seed",
        "1",
    ])
    .success();
    assert!(dir.join("out/sheet-A.pdf").is_file());
}

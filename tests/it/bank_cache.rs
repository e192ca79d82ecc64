//! The bank cache (`.examgen-cache/` in the bank folder): a run on an unchanged bank prints exactly what a
//! fresh run prints, and any change to the files, the file list or the cache file itself is never served
//! stale.

use std::path::{Path, PathBuf};

use crate::util::Dir;
use examgen::input::bank::{Bank, CACHE_DIR, cache_file};

const SECTION: &str = "section: {id: s, title: 第一章, order: 1}
notes:
  - {id: n1, title: 考点一, text: 社区工作者按**每万人18人**配备}
  - {id: n2, title: 考点二, text: 一段没有题目的**背景**}
questions:
  - id: q1
    type: single
    stem: 社区工作者按每万人多少人配备？（　）
    options: [\"12\", \"18\", 0.50, \"20\"]
    answer: B
    note: n1
    quote: 每万人18人
    points: 1.50
  - id: q2
    type: judge
    stem: 看图作答 ![图](chart.png){width=100%}
    answer: true
";

const SECOND: &str = "section: {id: t, title: 第二章, order: 2}
questions:
  - {id: t1, type: judge, stem: 对吗, answer: false}
";

/// A bank with a cached warning (an untested note) and a figure warning checked on every run (a small
/// chart printed the full text width prints blurred).
fn bank(dir: &Dir) -> PathBuf {
    dir.create("bank/a.yaml", SECTION);
    let chart = image::RgbImage::from_pixel(120, 80, image::Rgb([200, 30, 30]));
    chart.save(dir.join("bank/chart.png")).unwrap();
    dir.join("bank")
}

fn cache_files(bank: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(bank.join(CACHE_DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    files.sort();
    files
}

/// The inode of the one cache file: a run that rewrites the cache renames a new file into place.
fn cache_inode(bank: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let files = cache_files(bank);
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::metadata(&files[0]).unwrap().ino()
}

fn check(dir: &Dir) -> (String, String) {
    let run = dir.run(&["check", "bank"]).success();
    (run.stdout, run.stderr)
}

#[test]
fn a_cached_run_prints_what_a_fresh_run_prints() {
    let dir = Dir::new();
    bank(&dir);
    let fresh = dir.run(&["check", "bank", "--no-cache"]).success();
    assert!(
        !dir.join("bank").join(CACHE_DIR).exists(),
        "--no-cache wrote a cache"
    );
    let first = check(&dir);
    let inode = cache_inode(&dir.join("bank"));
    let cached = check(&dir);
    assert_eq!(
        cache_inode(&dir.join("bank")),
        inode,
        "an unchanged bank rewrote its cache"
    );
    for run in [&first, &cached] {
        assert_eq!(run.0, fresh.stdout);
        assert_eq!(run.1, fresh.stderr);
    }
    assert!(
        fresh.stderr.contains("note `n2` is not tested") && fresh.stderr.contains("blurred"),
        "{}",
        fresh.stderr
    );
    assert!(
        fresh.stdout.contains("no errors, 2 warnings"),
        "{}",
        fresh.stdout
    );
    // The folder keeps itself out of git.
    let ignore =
        std::fs::read_to_string(dir.join("bank").join(CACHE_DIR).join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    // A paper from the cache is the same file as one from a fresh load.
    dir.create(
        "bank/exams/e.yaml",
        "title: 测验\nbank: ..\nparts:\n  - {title: 单选, type: single, count: 1, points: 1}\n  - {title: 判断, type: judge, count: 1, points: 1}\n",
    );
    let paper = |out: &str, extra: &[&str]| {
        let mut args = vec!["paper", "bank/exams/e.yaml", "--seed", "3", "-o", out];
        args.extend(extra);
        dir.run(&args).success();
        std::fs::read(dir.join(out).join("key-A.pdf")).unwrap()
    };
    assert_eq!(paper("cold", &["--no-cache"]), paper("warm", &[]));
}

#[test]
fn the_library_gets_the_same_bank_from_the_cache() {
    let dir = Dir::new();
    let root = bank(&dir);
    let cold = Bank::load(&root).unwrap();
    assert_eq!(cache_files(&root).len(), 1);
    let warm = Bank::load(&root).unwrap();
    assert_eq!(
        format!("{:?}", warm.sections),
        format!("{:?}", cold.sections)
    );
    assert_eq!(format!("{:?}", warm.notes), format!("{:?}", cold.notes));
    assert_eq!(
        format!("{:?}", warm.questions),
        format!("{:?}", cold.questions)
    );
    assert_eq!(warm.warnings, cold.warnings);
    assert_eq!(warm.leaks, cold.leaks);
    assert_eq!(warm.digest, cold.digest);
    assert_eq!(warm.images.files_read(), cold.images.files_read());
    // The spelling `0.50` comes back as written, the points as the decimal a fresh load reads.
    let q1 = warm.question("q1").unwrap();
    assert_eq!(q1.options[2], "0.50");
    assert_eq!(q1.points.unwrap().to_string(), "1.5");
}

#[test]
fn an_edited_added_or_removed_file_is_never_served_stale() {
    let dir = Dir::new();
    let root = bank(&dir);
    check(&dir);
    let mut inode = cache_inode(&root);
    let mut expect_rewrite = |why: &str| {
        let now = cache_inode(&root);
        assert_ne!(now, inode, "{why}: the cache was not rewritten");
        inode = now;
    };

    // One byte edited: the note's text now holds the quote no more, an error.
    let edited = SECTION.replace("每万人18人**配备", "每万人19人**配备");
    assert_eq!(edited.len(), SECTION.len());
    dir.create("bank/a.yaml", &edited);
    let run = dir.run(&["check", "bank"]).failure(1);
    assert!(
        run.stderr.contains("does not occur in note `n1`"),
        "{}",
        run.stderr
    );
    // A bank with errors is not cached: the old file stays, and is not used.
    dir.create("bank/a.yaml", SECTION);
    check(&dir);

    // One byte that changes a warning: question q2 now tests note n2, so only the figure warning remains.
    dir.create(
        "bank/a.yaml",
        SECTION.replace("answer: true\n", "answer: true\n    note: n2\n"),
    );
    let (out, _) = check(&dir);
    assert!(out.contains("1 warning"), "{out}");
    expect_rewrite("an edited file");

    dir.create("bank/b.yaml", SECOND);
    let (out, _) = check(&dir);
    assert!(out.contains("2 sections"), "{out}");
    expect_rewrite("an added file");

    std::fs::rename(dir.join("bank/b.yaml"), dir.join("bank/c.yaml")).unwrap();
    let (out, _) = check(&dir);
    assert!(out.contains("2 sections"), "{out}");
    expect_rewrite("a renamed file");

    std::fs::remove_file(dir.join("bank/c.yaml")).unwrap();
    let (out, _) = check(&dir);
    assert!(out.contains("1 sections"), "{out}");
    expect_rewrite("a removed file");

    // Another build of examgen (a copy of the binary has another modification time) does not trust it.
    let other = dir.join("examgen-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_examgen"), &other).unwrap();
    let run = std::process::Command::new(&other)
        .args(["check", "bank"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(String::from_utf8_lossy(&run.stdout), out);
    expect_rewrite("another examgen");
}

#[test]
fn a_damaged_or_foreign_cache_file_is_ignored_and_rewritten() {
    let dir = Dir::new();
    let root = bank(&dir);
    let fresh = check(&dir);
    let file = cache_files(&root).pop().unwrap();
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    for damage in [
        flipped,
        good[..good.len() / 3].to_vec(),
        Vec::new(),
        b"section: {id: s, title: S}\n".to_vec(),
    ] {
        std::fs::write(&file, &damage).unwrap();
        assert_eq!(check(&dir), fresh);
        assert_eq!(std::fs::read(&file).unwrap(), good, "not rewritten");
    }
    // The cache of the same bank under another name (copied with the folder) is not used: its messages
    // would name the other folder.
    let copy = dir.join("copy");
    crate::util::copy_tree(&root, &copy);
    // The file `examgen check copy` reads: named for the folder as written on the command line.
    let copied = dir.path().join(cache_file(Path::new("copy")));
    std::fs::copy(&file, &copied).unwrap();
    let run = dir.run(&["check", "copy"]).success();
    assert_eq!(run.stderr, fresh.1.replace("bank/", "copy/"));
    assert_ne!(std::fs::read(&copied).unwrap(), good);
}

#[test]
fn the_environment_variable_turns_the_cache_off() {
    let dir = Dir::new();
    bank(&dir);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["check", "bank"])
        .env("EXAMGEN_NO_CACHE", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(!dir.join("bank").join(CACHE_DIR).exists());
}

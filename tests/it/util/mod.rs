//! Shared helpers for the integration tests: temporary fixture folders and running the built binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod sheets;
pub use sheets::{fill_sheet, pencil, read_csv, render_gray};

/// A temporary folder that tests fill with files, removed when dropped.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("create temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes `contents` to `rel`, creating parent folders.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// Copies a folder from `tests/fixtures/` into this one under `rel`.
    pub fn copy_fixture(&self, fixture: &str, rel: &str) -> PathBuf {
        let from = fixtures().join(fixture);
        let to = self.join(rel);
        copy_tree(&from, &to);
        to
    }

    /// Runs examgen with `args` in this folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }

    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run examgen");
    Run::from(output)
}

/// Runs examgen from the repository root (where `question-bank/` is).
pub fn run_repo(args: &[&str]) -> Run {
    run_in(&repo(), args)
}

/// The page count of a PDF, from pdfinfo (installed by .ci/run).
pub fn pdf_pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(path)
        .output()
        .expect("pdfinfo (installed by .ci/run)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gives no page count for {}", path.display()))
}

/// Variant A of a blueprint's paper, drawn with `seed` as `examgen paper BLUEPRINT --seed SEED` draws it:
/// the bank and the data the templates see.
pub fn variant_a(
    blueprint: &Path,
    seed: u64,
) -> (examgen::input::bank::Bank, examgen::model::paper::PaperData) {
    use examgen::exam::draw::{DrawOptions, draw};
    let bp = examgen::input::blueprint::Blueprint::load(blueprint).expect("blueprint loads");
    let bank = examgen::input::bank::Bank::load(&bp.bank).expect("bank loads");
    let d = draw(
        &bank,
        &bp,
        &DrawOptions {
            seed,
            variants: 1,
            ..DrawOptions::default()
        },
    )
    .expect("draw");
    let data = examgen::model::paper::build(&bank, &bp, &d.variants[0], 1, false);
    (bank, data)
}

/// Runs an external tool the tests read outputs with (pdftotext, pdfimages...) and returns its stdout.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test (.ci/run installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?} failed");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Every part of a Word (zip) package by name.
pub fn docx_parts(docx: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(docx).unwrap_or_else(|e| panic!("{}: {e}", docx.display()));
    let mut zip = zip::ZipArchive::new(file).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// A choice question's key as its printed letters (`C`, `ACD`); empty for other questions.
pub fn key_letters(q: &examgen::input::manifest::QuestionRecord) -> String {
    q.key_letters()
        .iter()
        .map(|i| examgen::input::bank::letter(*i))
        .collect()
}

/// Variant `label`'s answer-sheet pages (their geometry) in a manifest's JSON: its own `sheet`, or the
/// one of the variant it names in `sheet_same_as` (a class batch records a geometry printed alike once).
pub fn sheet_pages<'m>(manifest: &'m serde_json::Value, label: &str) -> &'m serde_json::Value {
    let variant = |label: &str| {
        manifest["variants"]
            .as_array()
            .expect("a manifest has variants")
            .iter()
            .find(|v| v["label"] == label)
            .unwrap_or_else(|| panic!("no variant {label} in the manifest"))
    };
    let own = variant(label);
    match own["sheet_same_as"].as_str() {
        Some(owner) => &variant(owner)["sheet"],
        None => &own["sheet"],
    }
}

/// The answer bubbles of question `q` in a sheet page's geometry (manifest JSON): (printed letter, bubble).
pub fn answer_bubbles(geom: &serde_json::Value, q: u32) -> Vec<(String, serde_json::Value)> {
    geom["bubbles"]
        .as_array()
        .expect("a sheet page has bubbles")
        .iter()
        .filter(|b| b["kind"] == "answer" && b["question"] == q)
        .map(|b| (b["option"].as_str().unwrap().to_string(), b.clone()))
        .collect()
}

/// The 准考证号 grid's bubble for `digit` in column `column` of a sheet page's geometry (manifest JSON).
pub fn id_bubble(geom: &serde_json::Value, column: usize, digit: u32) -> &serde_json::Value {
    geom["bubbles"]
        .as_array()
        .expect("a sheet page has bubbles")
        .iter()
        .find(|b| b["kind"] == "id-digit" && b["column"] == column && b["digit"] == digit)
        .unwrap_or_else(|| panic!("no id bubble {digit} in column {column}"))
}

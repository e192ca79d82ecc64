//! Manifests written by an earlier examgen (tests/fixtures/manifests): they load, are written back byte for
//! byte, and grade to the very scores, item analysis and graded.json that examgen wrote then.

use examgen::input::manifest::Manifest;

use crate::util::{Dir, fixtures};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("manifests").join(name)).unwrap()
}

#[test]
fn an_old_manifest_is_written_back_byte_for_byte() {
    let path = fixtures().join("manifests/batch-76d63ca.json");
    let manifest = Manifest::read(&path).unwrap();
    assert_eq!(manifest.variants.len(), 2);
    assert_eq!(manifest.students.len(), 2);
    assert!(!manifest.variants[0].sheet.is_empty());
    assert_eq!(
        manifest.to_json(),
        String::from_utf8(fixture("batch-76d63ca.json")).unwrap()
    );
}

#[test]
fn an_old_manifest_grades_as_it_did() {
    let dir = Dir::new();
    dir.create("b5/manifest.json", fixture("batch-76d63ca.json"));
    dir.create("ans.csv", fixture("answers.csv"));
    dir.create("ans.csv.manual.csv", fixture("manual.csv"));
    dir.run(&[
        "grade",
        "b5/manifest.json",
        "ans.csv",
        "--manual",
        "ans.csv.manual.csv",
        "-o",
        "g",
    ])
    .success();
    for (written, then) in [
        ("scores.csv", "scores-76d63ca.csv"),
        ("items.csv", "items-76d63ca.csv"),
        ("graded.json", "graded-76d63ca.json"),
    ] {
        let now = std::fs::read(dir.join("g").join(written)).unwrap();
        assert!(
            now == fixture(then),
            "g/{written} differs from {then}:\n{}",
            String::from_utf8_lossy(&now)
        );
    }
}

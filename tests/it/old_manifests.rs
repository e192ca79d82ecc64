//! Manifests written by an earlier examgen (tests/fixtures/manifests): they load, are written back byte for
//! byte, and grade to the very scores, item analysis and graded.json that examgen wrote then.

use examgen::input::manifest::{MANIFEST_FORMAT_COMPACT, Manifest};

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

#[test]
fn an_old_per_student_manifest_written_compactly_resolves_to_the_same_keys_and_grades_alike() {
    let old_text = String::from_utf8(fixture("batch-per-student-1d48129.json")).unwrap();
    let old = Manifest::read(&fixtures().join("manifests/batch-per-student-1d48129.json")).unwrap();
    assert_eq!(old.format, "examgen-manifest/1");
    assert_eq!(old.variants[1].sheet_same_as.as_deref(), Some("A"));
    assert_eq!(old.to_json(), old_text, "written back as it was");

    // The same manifest as a batch writes it now: questions as id and option order, facts once.
    let compact_text = Manifest {
        format: MANIFEST_FORMAT_COMPACT.into(),
        ..old.clone()
    }
    .to_json();
    assert!(
        !compact_text.contains("\"option_order\"") && compact_text.contains("\"questions\": {"),
        "every question compact:\n{compact_text}"
    );
    assert!(
        compact_text.len() < old_text.len(),
        "{}",
        compact_text.len()
    );
    let compact: Manifest = serde_json::from_str(&compact_text).unwrap();
    for (then, now) in old.variants.iter().zip(&compact.variants) {
        let keys = |v: &examgen::input::manifest::VariantRecord| {
            v.questions
                .iter()
                .map(|q| {
                    (
                        q.number,
                        q.id.clone(),
                        q.part,
                        q.points,
                        q.option_order.clone(),
                        q.answer,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(then), keys(now), "variant {}", then.label);
    }
    assert_eq!(compact.variants, old.variants);
    assert_eq!(compact.students, old.students);
    assert_eq!(compact.draw_digest(), old.draw_digest());

    // And both grade alike.
    let dir = Dir::new();
    dir.create("ans.csv", fixture("answers.csv"));
    dir.create("ans.csv.manual.csv", fixture("manual.csv"));
    let graded = |name: &str, text: &str| {
        dir.create(&format!("{name}/b5/manifest.json"), text);
        dir.run(&[
            "grade",
            &format!("{name}/b5/manifest.json"),
            "ans.csv",
            "--manual",
            "ans.csv.manual.csv",
            "-o",
            &format!("{name}/g"),
        ])
        .success();
        ["scores.csv", "items.csv"]
            .map(|f| std::fs::read(dir.join(name).join("g").join(f)).unwrap())
    };
    assert_eq!(graded("then", &old_text), graded("now", &compact_text));
}

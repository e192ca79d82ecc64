//! Class batches and answer sheets: rosters in every encoding and xlsx, 40 named papers whose printed
//! variant matches the manifest, neighbours on different variants, rare name characters, combined print
//! files with duplex page starts, and answer sheets that fit the mock exam on one page.

use std::process::Command;

use crate::util::{Dir, fixtures, pdf_pages, repo};

fn text(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

const NAMES: [&str; 8] = [
    "张喆", "李堃", "王赟", "陈昇", "赵玥", "孙珺", "周翀", "吴敏",
];

fn class_of_40(dir: &Dir) -> String {
    let mut csv = String::from("学号,姓名,班级,座位号\n");
    // Seats are listed out of roster order on purpose: variants follow seats, files follow the roster.
    for i in 0..40 {
        let seat = (i * 7) % 40 + 1;
        csv.push_str(&format!(
            "2025{:04},{}{},社工一班,{seat}\n",
            i + 1,
            NAMES[i % 8],
            i + 1
        ));
    }
    dir.create("class.csv", csv).display().to_string()
}

#[test]
fn forty_students_get_named_papers_whose_variant_matches_the_manifest() {
    let dir = Dir::new();
    let roster = class_of_40(&dir);
    let out = dir.join("out").display().to_string();
    let mock = repo()
        .join("question-bank/exams/mock.yaml")
        .display()
        .to_string();
    dir.run(&[
        "batch",
        &mock,
        "--roster",
        &roster,
        "--seed",
        "4",
        "--variants",
        "3",
        "--duplex",
        "-o",
        &out,
    ])
    .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    let students = manifest["students"].as_array().unwrap();
    assert_eq!(students.len(), 40);
    assert_eq!(manifest["variants"].as_array().unwrap().len(), 3);

    let mut by_seat: Vec<(u32, String)> = Vec::new();
    let mut expected_pages = 0;
    for s in students {
        let (id, name, variant) = (
            s["id"].as_str().unwrap(),
            s["name"].as_str().unwrap(),
            s["variant"].as_str().unwrap(),
        );
        let paper = dir.join(&format!("out/papers/{id}-{name}.pdf"));
        let printed = text(&paper);
        assert!(
            printed.contains(&format!("（{variant}卷）")),
            "{id}: the paper does not say variant {variant}"
        );
        assert!(
            printed.contains(name) && printed.contains(id),
            "{id}: name or id missing on the paper"
        );
        let sheet = text(&dir.join(&format!("out/sheets/{id}-{name}.pdf")));
        assert!(
            sheet.contains(name) && sheet.contains(&format!("答题卡（{variant}卷）")),
            "{id}: sheet"
        );
        by_seat.push((
            s["seat"].as_str().unwrap().parse().unwrap(),
            variant.to_string(),
        ));
        let pages = pdf_pages(&paper);
        assert_eq!(pages % 2, 0, "duplex papers have even page counts");
        expected_pages += pages;
    }
    by_seat.sort();
    for pair in by_seat.windows(2) {
        assert_ne!(
            pair[0].1, pair[1].1,
            "seats {} and {} share a variant",
            pair[0].0, pair[1].0
        );
    }
    // The print file holds every paper, each starting on an odd page.
    assert_eq!(pdf_pages(&dir.join("out/print-papers.pdf")), expected_pages);
    for v in ["A", "B", "C"] {
        assert!(dir.join(&format!("out/key-{v}.pdf")).is_file());
    }
    // Rare name characters print.
    let all = text(&dir.join("out/print-papers.pdf"));
    for name in NAMES {
        assert!(all.contains(name), "{name} missing from the print file");
    }
    // The mock exam's 80 choice questions fit one answer-sheet page.
    assert_eq!(
        pdf_pages(&dir.join(&format!(
            "out/sheets/{}-{}.pdf",
            students[0]["id"].as_str().unwrap(),
            students[0]["name"].as_str().unwrap()
        ))),
        1
    );
}

#[test]
fn rosters_in_xlsx_gbk_and_bom_csv_give_the_same_students() {
    for (file, n) in [
        ("class.xlsx", 4),
        ("class-gbk.csv", 2),
        ("class-bom.csv", 2),
    ] {
        let dir = Dir::new();
        let roster = fixtures().join("rosters").join(file).display().to_string();
        let quiz = repo()
            .join("question-bank/exams/quiz.yaml")
            .display()
            .to_string();
        let out = dir.join("out").display().to_string();
        dir.run(&[
            "batch", &quiz, "--roster", &roster, "--seed", "1", "-o", &out,
        ])
        .success();
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
                .unwrap();
        let students = manifest["students"].as_array().unwrap();
        assert_eq!(students.len(), n, "{file}");
        assert_eq!(students[0]["id"], "2025001", "{file}");
        assert_eq!(students[0]["name"], "张喆", "{file}");
        assert_eq!(students[1]["name"], "李堃", "{file}");
        assert!(dir.join("out/papers/2025002-李堃.pdf").is_file(), "{file}");
    }
}

#[test]
fn bad_rosters_name_row_and_column() {
    let dir = Dir::new();
    let roster = fixtures()
        .join("rosters/class-bad.csv")
        .display()
        .to_string();
    let run = dir.run(&["batch", "--roster", &roster, "--seed", "1"]);
    let run = run.failure(1);
    assert!(
        run.stderr
            .contains("class-bad.csv:3:1: error: row 3: id 2025001 is already used in row 2"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("class-bad.csv:4:2: error: row 4, column 2: the name is empty"),
        "{}",
        run.stderr
    );
    dir.create("empty.csv", "");
    let run = dir.run(&["batch", "--roster", "empty.csv"]).failure(1);
    assert!(run.stderr.contains("has no students"), "{}", run.stderr);
}

#[test]
fn per_student_variants_and_blank_sheets() {
    let dir = Dir::new();
    dir.create("class.txt", "张喆\n李堃\n王赟\n");
    let quiz = repo()
        .join("question-bank/exams/quiz.yaml")
        .display()
        .to_string();
    dir.run(&[
        "batch",
        &quiz,
        "--roster",
        "class.txt",
        "--per-student",
        "--seed",
        "3",
        "-o",
        "out",
    ])
    .success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    let labels: Vec<&str> = manifest["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["variant"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["A", "B", "C"]);

    dir.run(&["sheet", &quiz, "--seed", "3", "-o", "sheets"])
        .success();
    let sheet = text(&dir.join("sheets/sheet-A.pdf"));
    assert!(
        sheet.contains("答题卡") && sheet.contains("准考证号") && sheet.contains("三、判断题"),
        "{sheet}"
    );
    assert!(
        sheet.contains("40√×"),
        "judge questions get √ and × bubbles: {sheet}"
    );
}

#[test]
fn a_per_student_manifest_written_record_by_record_is_the_whole_manifest_serialized() {
    // Roster order unlike seat order: variants follow seats, so their records are made out of order.
    let dir = Dir::new();
    let n = 9;
    let roster = class_of(&dir, n);
    dir.run(&[
        "batch",
        &quiz(),
        "--roster",
        &roster,
        "--per-student",
        "--seed",
        "6",
        "-o",
        "out",
    ])
    .success();
    let path = dir.join("out/manifest.json");
    let written = std::fs::read_to_string(&path).unwrap();
    // Byte for byte what serializing the whole manifest at once (serde_json's pretty printer) makes.
    let manifest = examgen::input::manifest::Manifest::read(&path).unwrap();
    assert_eq!(manifest.variants.len(), n);
    assert_eq!(manifest.students.len(), n);
    // Every student's sheet is printed alike: its geometry is recorded once, by the first student's
    // variant in roster order, and every other variant points to it.
    let first = &manifest.students[0].variant;
    for v in &manifest.variants {
        assert!(!manifest.sheet_of(v).is_empty(), "variant {}", v.label);
        if &v.label == first {
            assert!(!v.sheet.is_empty() && v.sheet_same_as.is_none());
        } else {
            assert!(
                v.sheet.is_empty(),
                "variant {} repeats the geometry",
                v.label
            );
            assert_eq!(v.sheet_same_as.as_ref(), Some(first));
        }
    }
    assert!(
        written == manifest.to_json(),
        "manifest.json differs from its serialization"
    );
    // Each variant arranged as it was needed is the one the whole draw makes.
    let draw = dir
        .run(&[
            "draw",
            &quiz(),
            "--seed",
            "6",
            "--variants",
            &n.to_string(),
            "--format",
            "json",
        ])
        .success()
        .stdout;
    let drawn: examgen::input::manifest::Manifest = serde_json::from_str(&draw).unwrap();
    for (batch, draw) in manifest.variants.iter().zip(&drawn.variants) {
        assert_eq!(batch.label, draw.label);
        assert_eq!(batch.questions, draw.questions, "variant {}", batch.label);
    }
    assert_eq!(manifest.draw_digest(), drawn.draw_digest());
}

/// A class of `n` named 张喆1, 李堃2 … with ids 2025001 …, roster order unlike seat order.
fn class_of(dir: &Dir, n: usize) -> String {
    let mut csv = String::from("学号,姓名,班级,座位号\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{},{}{},社工一班,{}\n",
            2025001 + i,
            NAMES[i % 8],
            i + 1,
            (i * 5) % n + 1
        ));
    }
    dir.create("class.csv", csv).display().to_string()
}

fn quiz() -> String {
    repo()
        .join("question-bank/exams/quiz.yaml")
        .display()
        .to_string()
}

/// Every file under `dir`, relative, with its bytes.
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        at: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn streamed_print_files_pass_qpdf_with_every_student_in_roster_order_and_the_same_bytes_each_run() {
    let dir = Dir::new();
    let n = 12;
    let roster = class_of(&dir, n);
    for out in ["one", "two"] {
        dir.run(&[
            "batch",
            &quiz(),
            "--roster",
            &roster,
            "--seed",
            "5",
            "--variants",
            "3",
            "--duplex",
            "-o",
            out,
        ])
        .success();
    }
    for name in ["print-papers.pdf", "print-sheets.pdf"] {
        let file = dir.join(&format!("one/{name}"));
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(&file)
            .output()
            .expect("qpdf");
        assert!(
            check.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        // Each student's documents in roster order: the ids as pdftotext reads the pages, in order.
        let printed = text(&file);
        let mut at = 0;
        for i in 0..n {
            let id = (2025001 + i).to_string();
            let name = format!("{}{}", NAMES[i % 8], i + 1);
            let found = printed[at..]
                .find(&id)
                .unwrap_or_else(|| panic!("{name}: student {id} missing or out of roster order"));
            at += found + id.len();
            assert!(printed.contains(&name), "{name}: {name} missing");
        }
    }
    // Duplex: every student's documents start on an odd page, so each one-page sheet but the last gets a
    // blank back; the papers have even page counts already.
    assert_eq!(pdf_pages(&dir.join("one/print-sheets.pdf")), 2 * n - 1);
    let papers: usize = (0..n)
        .map(|i| {
            pdf_pages(&dir.join(&format!(
                "one/papers/{}-{}{}.pdf",
                2025001 + i,
                NAMES[i % 8],
                i + 1
            )))
        })
        .sum();
    assert_eq!(pdf_pages(&dir.join("one/print-papers.pdf")), papers);
    // Page k of the sheets' print file is student k's sheet (pdftotext page by page).
    for i in [0, 5, n - 1] {
        let page = (2 * i + 1).to_string();
        let out = Command::new("pdftotext")
            .args(["-f", &page, "-l", &page])
            .arg(dir.join("one/print-sheets.pdf"))
            .arg("-")
            .output()
            .expect("pdftotext");
        let sheet = String::from_utf8_lossy(&out.stdout);
        assert!(
            sheet.contains(&format!("{}{}", NAMES[i % 8], i + 1)),
            "page {page}: {sheet}"
        );
    }
    let (one, two) = (files_of(&dir.join("one")), files_of(&dir.join("two")));
    assert_eq!(one.len(), two.len());
    for (name, bytes) in &one {
        assert!(
            two.get(name) == Some(bytes),
            "{name} differs between two runs"
        );
    }
}

#[test]
fn a_batch_that_fails_half_way_leaves_the_output_folder_as_it_was() {
    let dir = Dir::new();
    let n = 10;
    let roster = class_of(&dir, n);
    dir.create("out/manifest.json", "the last run's manifest");
    // A folder squats on the eighth student's paper: the batch fails after writing seven students.
    std::fs::create_dir_all(dir.join(&format!("out/papers/{}-{}8.pdf", 2025008, NAMES[7])))
        .unwrap();
    let run = dir
        .run(&[
            "batch",
            &quiz(),
            "--roster",
            &roster,
            "--seed",
            "5",
            "-o",
            "out",
        ])
        .failure(1);
    assert!(run.stderr.contains("2025008"), "{}", run.stderr);
    let left: Vec<String> = files_of(&dir.join("out")).into_keys().collect();
    assert_eq!(
        left,
        ["manifest.json"],
        "no new file, half-written or whole"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out/manifest.json")).unwrap(),
        "the last run's manifest"
    );
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("examgen"))
        .collect();
    assert!(beside.is_empty(), "staging folders left behind: {beside:?}");
}

/// The font programs (FontFile2 streams, as stored) a PDF embeds.
fn font_programs(pdf: &std::path::Path) -> Vec<Vec<u8>> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut programs = Vec::new();
    for object in doc.objects.values() {
        if let Ok(d) = object.as_dict()
            && let Ok(id) = d.get(b"FontFile2").and_then(|o| o.as_reference())
            && let Ok(lopdf::Object::Stream(s)) = doc.get_object(id)
        {
            programs.push(s.content.clone());
        }
    }
    programs
}

#[test]
fn a_per_student_class_shares_one_font_subset_per_document_kind_and_is_the_same_bytes_each_run() {
    let dir = Dir::new();
    let n = 9;
    let roster = class_of(&dir, n);
    for out in ["one", "two"] {
        dir.run(&[
            "batch",
            &quiz(),
            "--roster",
            &roster,
            "--per-student",
            "--seed",
            "6",
            "-o",
            out,
        ])
        .success();
    }
    assert!(files_of(&dir.join("one")) == files_of(&dir.join("two")));
    let listed = |folder: &str| -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(dir.join("one").join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        files.sort();
        files
    };
    let keys: Vec<_> = listed("")
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("key-"))
        .collect();
    assert_eq!(keys.len(), n);
    for (kind, files) in [
        ("papers", listed("papers")),
        ("sheets", listed("sheets")),
        ("keys", keys),
    ] {
        assert_eq!(files.len(), n, "{kind}");
        // Every variant's copy embeds the same subsets (body and heading face): cut once for the class.
        let first = font_programs(&files[0]);
        assert!(!first.is_empty(), "{kind}");
        for file in &files[1..] {
            assert!(
                font_programs(file) == first,
                "{} has its own subset",
                file.display()
            );
        }
    }
    // And each paper still shows its student's name and its own variant.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("one/manifest.json")).unwrap())
            .unwrap();
    for (student, paper) in manifest["students"]
        .as_array()
        .unwrap()
        .iter()
        .zip(listed("papers"))
    {
        let name = student["name"].as_str().unwrap();
        let shown = text(&paper);
        assert!(shown.contains(name), "{}: {shown}", paper.display());
        let label = student["variant"].as_str().unwrap();
        assert!(
            shown.contains(&format!("{label}卷")),
            "{}: {label}",
            paper.display()
        );
    }
}

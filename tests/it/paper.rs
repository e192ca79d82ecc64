//! Typesetting and PDF: a golden layout snapshot, layout rules checked on real papers (options grid,
//! headings kept with their questions, no question split), and end-to-end runs of `examgen paper` checked
//! with qpdf, pdffonts and pdftotext: fonts embedded as subsets, every stem and option extractable, nothing
//! outside the margins, byte-identical reruns, bookmarks; no line starting with closing punctuation.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::util::{Dir, fixtures, repo};
use examgen::input::bank::Bank;
use examgen::input::blueprint::Blueprint;
use examgen::render::fonts::FontSet;
use examgen::render::layout::{Item, Layout, PageSetup};
use examgen::render::{Template, Typesetter};
use examgen::util::chars::NO_LINE_START;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test (.ci/run installs it): {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Lays out the paper of variant A of `blueprint` with `seed` (no PDF).
fn paper_layout(blueprint: &Path, seed: u64, template: Template) -> (Layout, Bank) {
    let (bank, data) = crate::util::variant_a(blueprint, seed);
    let fonts = FontSet::builtin();
    let renderer = Typesetter::new(&fonts, None, PageSetup::a4()).unwrap();
    (renderer.layout(template, &data).unwrap(), bank)
}

#[test]
fn golden_layout_of_the_fixture_paper() {
    let (layout, _) = paper_layout(
        &fixtures().join("banks/good/exams/small.yaml"),
        2025,
        Template::Paper,
    );
    let got = layout.to_snapshot();
    let golden = repo().join("tests/golden/small-paper-layout.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .expect("golden file (run with UPDATE_GOLDEN=1 to create it)");
    assert!(
        got == want,
        "layout changed; if intended, rerun with UPDATE_GOLDEN=1 and review the diff of {}",
        golden.display()
    );
}

fn texts(layout: &Layout, page: usize) -> Vec<(f32, f32, String)> {
    layout.pages[page]
        .items
        .iter()
        .filter_map(|i| {
            if let Item::Text { x, y, text, .. } = i {
                Some((*x, *y, text.to_string()))
            } else {
                None
            }
        })
        .collect()
}

fn is_question_start(text: &str) -> bool {
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    !digits.is_empty() && text[digits.len()..].starts_with('．')
}

#[test]
fn real_papers_keep_questions_whole_and_headings_with_their_first_question() {
    for seed in [1, 2, 3, 4, 5] {
        let (layout, _) = paper_layout(
            &repo().join("question-bank/exams/mock.yaml"),
            seed,
            Template::Paper,
        );
        let setup = layout.setup;
        for page in 1..layout.pages.len() {
            // Body text of a page (the footer sits below the bottom margin).
            let body: Vec<_> = texts(&layout, page)
                .into_iter()
                .filter(|(_, y, _)| *y < setup.height - setup.bottom)
                .collect();
            // The first line of the page, its runs joined.
            let first: String = body
                .iter()
                .filter(|(_, y, _)| *y == body[0].1)
                .map(|(_, _, t)| t.as_str())
                .collect();
            let first = &first;
            assert!(
                is_question_start(first) || first.starts_with("二、") || first.starts_with("一、"),
                "seed {seed}: page {} starts mid-question with {first:?}",
                page + 1
            );
        }
        for b in &layout.bookmarks {
            let below = texts(&layout, b.page)
                .into_iter()
                .any(|(_, y, t)| y > b.y && is_question_start(&t));
            assert!(
                below,
                "seed {seed}: heading {} is alone at the bottom of page {}",
                b.title,
                b.page + 1
            );
        }
        assert_eq!(layout.bookmarks.len(), 2);
    }
}

/// 禁则, checked where lines are made: no printed line of real papers, keys and reviews starts with
/// closing punctuation. (pdftotext's line finding is no judge of this once paired marks are halved: a
/// halved mark's glyph box overlaps its neighbour, and pdftotext then starts a new line there — it does
/// the same on the Typst peer's output.)
#[test]
fn no_printed_line_starts_with_closing_punctuation() {
    for seed in [1, 11] {
        for template in [Template::Paper, Template::Key, Template::Review] {
            let (layout, _) = paper_layout(
                &repo().join("question-bank/exams/mock.yaml"),
                seed,
                template,
            );
            for page in 0..layout.pages.len() {
                let mut lines: Vec<(f32, f32, String)> = texts(&layout, page);
                lines.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
                let mut last_y = f32::NAN;
                for (_, y, text) in lines {
                    if y != last_y {
                        let c = text.chars().next().unwrap();
                        assert!(
                            !NO_LINE_START.contains(c),
                            "seed {seed} {template:?} page {}: a line starts with {c:?}: {text}",
                            page + 1
                        );
                    }
                    last_y = y;
                }
            }
        }
    }
}

#[test]
fn options_go_four_two_or_one_per_line_by_width() {
    let (layout, _) = paper_layout(
        &repo().join("question-bank/exams/mock.yaml"),
        1,
        Template::Paper,
    );
    let mut rows: HashMap<usize, usize> = HashMap::new();
    for page in 0..layout.pages.len() {
        let mut by_y: HashMap<i32, usize> = HashMap::new();
        for (_, y, t) in texts(&layout, page) {
            if t.len() > 3
                && t.chars().next().is_some_and(|c| ('A'..='H').contains(&c))
                && t.chars().nth(1) == Some('．')
            {
                *by_y.entry(y as i32).or_default() += 1;
            }
        }
        for n in by_y.values() {
            *rows.entry(*n).or_default() += 1;
        }
    }
    // The mock has 4-option single choice and 5-option multiple choice; all three layouts occur.
    assert!(rows.contains_key(&4), "{rows:?}");
    assert!(rows.contains_key(&2), "{rows:?}");
    assert!(rows.contains_key(&1), "{rows:?}");
    assert!(rows.keys().all(|n| [1, 2, 4, 5].contains(n)), "{rows:?}");
}

#[test]
fn key_and_review_lay_out_with_grid_explanations_and_key_phrases() {
    let (layout, bank) = paper_layout(
        &repo().join("question-bank/exams/mock.yaml"),
        1,
        Template::Key,
    );
    let all: String = (0..layout.pages.len())
        .map(|p| layout.page_text(p))
        .collect();
    assert!(all.contains("答案与解析"));
    assert!(
        all.contains("题号")
            && all.contains("【答案】")
            && all.contains("【解析】")
            && all.contains("【考点】")
    );
    assert!(all.contains("少选，所选的每个正确选项得0.5分"));
    let (layout, _) = paper_layout(
        &repo().join("question-bank/exams/mock.yaml"),
        1,
        Template::Review,
    );
    let heading_text: String = layout
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Text {
                font: examgen::render::fonts::FontRole::Heading,
                text,
                ..
            } => Some(&**text),
            _ => None,
        })
        .collect();
    // Some key phrase of the bank is set in the heading face.
    let phrase = bank
        .notes
        .iter()
        .flat_map(|n| examgen::input::bank::key_phrases(n.text.source()))
        .find(|p| p.chars().count() >= 6 && heading_text.contains(p.as_str()));
    assert!(
        phrase.is_some(),
        "no key phrase printed in the heading face"
    );
}

struct Made {
    dir: Dir,
}

impl Made {
    fn pdf(&self, name: &str) -> String {
        self.dir.join(&format!("out/{name}")).display().to_string()
    }
}

fn make(blueprint: &str, extra: &[&str]) -> Made {
    let dir = Dir::new();
    let mut args = vec!["paper", blueprint, "-o"];
    let out = dir.join("out").display().to_string();
    args.push(&out);
    args.extend_from_slice(extra);
    crate::util::run_repo(&args).success();
    Made { dir }
}

#[test]
fn shipped_mock_paper_passes_the_pdf_tools() {
    let made = make(
        "question-bank/exams/mock.yaml",
        &["--seed", "11", "--variants", "2"],
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(made.dir.join("out/manifest.json")).unwrap())
            .unwrap();
    let bank = Bank::load(&repo().join("question-bank")).unwrap();
    let setup = PageSetup::a4();
    for (v, variant) in manifest["variants"].as_array().unwrap().iter().enumerate() {
        let label = variant["label"].as_str().unwrap();
        for doc in ["paper", "key", "review"] {
            let file = made.pdf(&format!("{doc}-{label}.pdf"));
            assert!(
                tool("qpdf", &["--check", &file]).contains("No syntax or stream encoding errors")
            );
            let fonts = tool("pdffonts", &[&file]);
            let rows: Vec<&str> = fonts.lines().skip(2).collect();
            assert_eq!(rows.len(), 2, "{fonts}");
            for row in rows {
                let cells: Vec<&str> = row.split_whitespace().collect();
                assert!(cells[0].contains('+'), "not a subset: {row}");
                assert_eq!(
                    &cells[cells.len() - 5..cells.len() - 2],
                    ["yes", "yes", "yes"],
                    "emb/sub/uni: {row}"
                );
            }
        }
        let paper = made.pdf(&format!("paper-{label}.pdf"));
        let text = tool("pdftotext", &["-layout", &paper, "-"]);
        let flat = squeeze(&text);
        for q in variant["questions"].as_array().unwrap() {
            let bq = bank.question(q["id"].as_str().unwrap()).unwrap();
            for piece in bq.stem.source().split("___") {
                let piece = squeeze(piece.trim_matches('_'));
                assert!(
                    flat.contains(&piece),
                    "variant {label}: stem of {} not extractable: {piece}",
                    bq.id
                );
            }
            for option in &bq.options {
                assert!(
                    flat.contains(&squeeze(option.source())),
                    "variant {label}: option {option:?} of {} missing",
                    bq.id
                );
            }
        }
        // Every word lies inside the page margins (the footer inside the bottom margin's lower part).
        let bbox = tool("pdftotext", &["-bbox", &paper, "-"]);
        for word in bbox
            .lines()
            .filter(|l| l.trim_start().starts_with("<word "))
        {
            let attr = |name: &str| -> f32 {
                let start = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                word[start..].split('"').next().unwrap().parse().unwrap()
            };
            let (x0, x1, y0, y1) = (attr("xMin"), attr("xMax"), attr("yMin"), attr("yMax"));
            assert!(
                x0 >= setup.left - 0.5 && x1 <= setup.width - setup.right + 0.5,
                "word outside the side margins: {word}"
            );
            assert!(
                y0 >= setup.top - 8.0 && y1 <= setup.height - 20.0,
                "word outside the page: {word}"
            );
        }
        // Answers printed in the key match the manifest.
        if v == 0 {
            let key = squeeze(&tool(
                "pdftotext",
                &["-layout", &made.pdf("key-A.pdf"), "-"],
            ));
            let first = &variant["questions"][0];
            assert!(
                key.contains(&format!(
                    "1．【答案】{}（1分）",
                    first["answer"].as_str().unwrap()
                )),
                "key lacks answer of question 1"
            );
        }
    }
    let info = tool("pdfinfo", &[&made.pdf("paper-A.pdf")]);
    assert!(
        info.contains(
            "Title:           2025年全国社会工作者职业资格考试（增补内容）模拟试卷（A卷）"
        ),
        "{info}"
    );
    let outlines = tool(
        "qpdf",
        &["--json=2", "--json-key=outlines", &made.pdf("paper-A.pdf")],
    );
    assert!(
        outlines.contains("\"title\": \"一、单项选择题\"")
            && outlines.contains("\"title\": \"二、多项选择题\""),
        "{outlines}"
    );
    let footer = tool(
        "pdftotext",
        &["-f", "1", "-l", "1", &made.pdf("paper-A.pdf"), "-"],
    );
    let pages = crate::util::pdf_pages(Path::new(&made.pdf("paper-A.pdf")));
    assert!(
        squeeze(&footer).contains(&format!("第1页共{pages}页")),
        "footer missing"
    );
}

#[test]
fn the_same_inputs_and_seed_give_byte_identical_files() {
    let a = make(
        "tests/fixtures/banks/good/exams/small.yaml",
        &["--seed", "9"],
    );
    let b = make(
        "tests/fixtures/banks/good/exams/small.yaml",
        &["--seed", "9"],
    );
    for f in ["paper-A.pdf", "key-A.pdf", "review-A.pdf", "manifest.json"] {
        let x = std::fs::read(a.dir.join(&format!("out/{f}"))).unwrap();
        let y = std::fs::read(b.dir.join(&format!("out/{f}"))).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
    let c = make(
        "tests/fixtures/banks/good/exams/small.yaml",
        &["--seed", "10"],
    );
    assert_ne!(
        std::fs::read(a.dir.join("out/manifest.json")).unwrap(),
        std::fs::read(c.dir.join("out/manifest.json")).unwrap()
    );
}

#[test]
fn duplex_pads_the_paper_to_an_even_page_count() {
    // Two single-choice questions fit on one page.
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create(
        "bank/exams/two.yaml",
        "title: 小测\nbank: ..\nparts:\n  - type: single\n    count: 2\n",
    );
    let blueprint = dir.join("bank/exams/two.yaml").display().to_string();
    let plain = make(&blueprint, &["--seed", "1"]);
    let duplex = make(&blueprint, &["--seed", "1", "--duplex"]);
    let pages = |m: &Made| crate::util::pdf_pages(Path::new(&m.pdf("paper-A.pdf")));
    let n = pages(&plain);
    assert_eq!(
        n % 2,
        1,
        "the fixture paper should have an odd page count for this test to mean anything"
    );
    assert_eq!(pages(&duplex), n + 1);
    let last = tool(
        "pdftotext",
        &[
            "-f",
            &(n + 1).to_string(),
            "-l",
            &(n + 1).to_string(),
            &duplex.pdf("paper-A.pdf"),
            "-",
        ],
    );
    assert!(last.contains("（此页无试题）"), "{last}");
}

#[test]
fn templates_are_overridden_file_by_file_and_strict() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    let run = dir.run(&["init", "--templates", "tpl"]).success();
    assert!(run.stdout.contains("paper.hbs") && run.stdout.contains("review.hbs"));
    let paper = std::fs::read_to_string(dir.join("tpl/paper.hbs")).unwrap();
    std::fs::write(
        dir.join("tpl/paper.hbs"),
        paper.replace("绝密★启用前", "校内模拟 仅供练习"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("tpl/key.hbs")).unwrap();
    dir.run(&[
        "paper",
        "bank/exams/small.yaml",
        "--seed",
        "1",
        "-o",
        "out",
        "--templates",
        "tpl",
    ])
    .success();
    let text = tool(
        "pdftotext",
        &[&dir.join("out/paper-A.pdf").display().to_string(), "-"],
    );
    assert!(
        text.contains("校内模拟 仅供练习") && !text.contains("绝密"),
        "{text}"
    );
    // key.hbs was deleted from the folder: the built-in one is used.
    let key = tool(
        "pdftotext",
        &[&dir.join("out/key-A.pdf").display().to_string(), "-"],
    );
    assert!(key.contains("答案与解析"));

    std::fs::write(
        dir.join("tpl/paper.hbs"),
        paper.replace("{{title}}</p>", "{{titel}}</p>"),
    )
    .unwrap();
    let run = dir
        .run(&[
            "paper",
            "bank/exams/small.yaml",
            "--seed",
            "1",
            "-o",
            "out2",
            "--templates",
            "tpl",
        ])
        .failure(1);
    assert!(
        run.stderr.contains("the template tpl/paper.hbs at line"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the variable `titel` does not exist"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.join("out2").exists(),
        "nothing is written when a template fails"
    );
}

/// The fixture bank with the stem of short question cw-005 replaced, and a blueprint drawing both shorts.
fn bank_with_short_stem(stem: &str) -> Dir {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create(
        "bank/exams/shorts.yaml",
        "title: 简答\nbank: ..\nparts:\n  - type: short\n    count: 2\n    points: 5\n",
    );
    let file = dir.join("bank/a-community.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("简述社区工作者配备标准。", stem)).unwrap();
    dir
}

#[test]
fn a_character_missing_from_the_fonts_is_named_with_its_question() {
    let dir = bank_with_short_stem("简述社区工作者配备标准\u{E001}。");
    let run = dir
        .run(&[
            "paper",
            "bank/exams/shorts.yaml",
            "--seed",
            "1",
            "-o",
            "out",
        ])
        .failure(1);
    assert!(
        run.stderr
            .contains("`\u{E001}` (U+E001) in question cw-005 is not in the font"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("out").exists(), "no half-written output");
}

#[test]
fn rare_name_characters_print() {
    let dir = bank_with_short_stem("请喆、堃、赟、昇、玥、珺、翀简述社区工作者配备标准。");
    dir.run(&[
        "paper",
        "bank/exams/shorts.yaml",
        "--seed",
        "1",
        "-o",
        "out",
    ])
    .success();
    let text = tool(
        "pdftotext",
        &[&dir.join("out/paper-A.pdf").display().to_string(), "-"],
    );
    assert!(
        squeeze(&text).contains("请喆、堃、赟、昇、玥、珺、翀简述"),
        "{text}"
    );
}

/// A teacher's blueprint turns the Han–Western space off and asks for room to write; the command line's
/// `--density` wins over the blueprint's; a misspelt density is an error at its line and column.
#[test]
fn density_and_autospace_are_the_teachers_choice() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    let small = std::fs::read_to_string(fixtures().join("banks/good/exams/small.yaml")).unwrap();
    let plain = dir.create(
        "bank/exams/plain.yaml",
        format!("{small}density: roomy\ntypography:\n  autospace: false\n"),
    );
    let bp = Blueprint::load(&plain).unwrap();
    assert!(!bp.autospace);
    let look = examgen::workflow::Look::default();
    let roomy = look.page_setup(None, bp.density.as_deref()).unwrap();
    let compact = examgen::workflow::Look {
        density: Some("compact".into()),
        ..Default::default()
    }
    .page_setup(None, bp.density.as_deref())
    .unwrap();
    assert!(roomy.leading > PageSetup::a4().leading && compact.leading < PageSetup::a4().leading);

    // 「（共3题，…）」: with autospace the digit is set apart, so 共 and 3 are in different runs.
    let (off, _) = paper_layout(&plain, 1, Template::Paper);
    let (on, _) = paper_layout(
        &fixtures().join("banks/good/exams/small.yaml"),
        1,
        Template::Paper,
    );
    let has = |l: &Layout, s: &str| texts(l, 0).iter().any(|(_, _, t)| t.contains(s));
    assert!(has(&off, "共3题") && !has(&on, "共3题"));

    // The mock exam: roomy needs more pages than normal, compact no more.
    let (_bank, data) = crate::util::variant_a(&repo().join("question-bank/exams/mock.yaml"), 1);
    let fonts = FontSet::builtin();
    let pages = |density: &str| {
        let setup = examgen::workflow::Look::default()
            .page_setup(None, Some(density))
            .unwrap();
        let renderer = Typesetter::new(&fonts, None, setup).unwrap();
        renderer.layout(Template::Paper, &data).unwrap().pages.len()
    };
    let (c, n, r) = (pages("compact"), pages("normal"), pages("roomy"));
    assert!(c <= n && n < r, "compact {c}, normal {n}, roomy {r}");
    assert!(n <= 8, "the mock paper on {n} A4 pages");

    dir.create("bank/exams/tight.yaml", format!("{small}density: tight\n"));
    let run = dir
        .run(&["draw", "bank/exams/tight.yaml", "--seed", "1"])
        .failure(1);
    assert!(
        run.stderr
            .contains("bank/exams/tight.yaml:27:10: error: unknown density `tight`"),
        "{}",
        run.stderr
    );
}

/// A run's jobs made one at a time (what a run that writes each document as it is made does) give the
/// bytes of the whole run made at once, PDF and Word: the job list, not the order of making, decides them.
#[test]
fn each_job_made_on_its_own_gives_the_bytes_of_the_whole_run() {
    use examgen::render::DocKind;
    use examgen::workflow::drawn::{DrawRequest, Drawn};
    use examgen::workflow::jobs::{Backends, Format, PaperSet, Plan};
    let request = DrawRequest {
        blueprint: fixtures().join("banks/good/exams/small.yaml"),
        seed: Some(1),
        variants: 2,
        distinct: false,
        exclude_used: Vec::new(),
    };
    let drawn = Drawn::load(&request, &mut Vec::new()).unwrap();
    let fonts = FontSet::builtin();
    let set = PaperSet::new(&drawn, &[], false);
    let jobs = Plan {
        dir: Path::new("out"),
        formats: &[Format::Pdf, Format::Docx],
    }
    .paper_set(
        &set.labels(),
        &[DocKind::Teacher, DocKind::Key, DocKind::Review],
    );
    assert_eq!(jobs.len(), 12);
    let backends = || {
        let typeset = Typesetter::new(&fonts, None, PageSetup::a4())
            .unwrap()
            .with_images(drawn.bank.images.clone());
        Backends::new(typeset, &jobs).unwrap()
    };
    let one_by_one = backends();
    let alone: Vec<Vec<u8>> = jobs
        .iter()
        .map(|job| one_by_one.render_one(&set, job).unwrap().file.bytes)
        .collect();
    // The progress a batch shows: one step as each PDF is laid out and drawn and each Word file written,
    // reported from the worker threads, and every step reported by the end.
    let steps = std::sync::atomic::AtomicU64::new(0);
    let together = backends()
        .render_with_progress(&set, &jobs, true, &|| {
            steps.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
    assert_eq!(Backends::progress_steps(&jobs), 6 * 2 + 6);
    assert_eq!(steps.into_inner(), Backends::progress_steps(&jobs));
    for ((job, alone), made) in jobs.iter().zip(alone).zip(together) {
        assert_eq!(made.file.path, job.path);
        assert!(
            alone == made.file.bytes,
            "{} differs when made on its own",
            job.path.display()
        );
    }
}

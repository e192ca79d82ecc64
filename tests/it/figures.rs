//! Figures and tables (issue #19) on the fixture bank `banks/figures`: a PNG chart, four SVG image options,
//! an SVG diagram with text, a data table with a long cell, and a 4000×3000 phone photo made here (too big to
//! commit). Checked through the binary and the PDF tools: images inside the margins, the photo downsampled,
//! SVG drawn as vectors, table text in reading order, no raw markup, byte-identical reruns; and `check`
//! naming every broken figure at once with its line and column.

use std::path::{Path, PathBuf};

use crate::util::{Dir, pdf_pages};
use examgen::exam::draw::{DrawOptions, draw};
use examgen::input::bank::Bank;
use examgen::input::blueprint::Blueprint;
use examgen::model::paper;
use examgen::render::fonts::FontSet;
use examgen::render::layout::{Item, Layout};
use examgen::render::{Template, Typesetter};

/// The fixture bank plus a section whose question shows a phone photo: 4000×3000, noisy like a real one.
pub(crate) fn figure_bank(dir: &Dir) -> PathBuf {
    let bank = dir.copy_fixture("banks/figures", "bank");
    let mut seed: u32 = 12345;
    let photo = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 26) as u8;
        image::Rgb([
            (x / 16) as u8 ^ noise,
            (y / 12) as u8 ^ noise,
            ((x + y) / 28) as u8,
        ])
    });
    photo.save(bank.join("img/photo.jpg")).unwrap();
    dir.create(
        "bank/photo.yaml",
        "section:\n  id: photo\n  title: 现场照片\nquestions:\n  - id: photo-001\n    type: single\n    stem: |\n      下图是某社区活动现场照片，照片中开展的活动最可能是（　）。\n      ![活动现场](img/photo.jpg)\n    options: [\"义诊\", \"文艺汇演\", \"植树\", \"议事协商\"]\n    answer: B\n    difficulty: 1\n",
    );
    bank
}

fn layouts(bank_dir: &Path, variants: usize) -> (Vec<Layout>, Bank) {
    let bp = Blueprint::load(&bank_dir.join("exams/figures.yaml")).unwrap();
    let bank = Bank::load(&bp.bank).unwrap();
    let d = draw(
        &bank,
        &bp,
        &DrawOptions {
            seed: 7,
            variants,
            ..DrawOptions::default()
        },
    )
    .unwrap();
    let fonts = FontSet::builtin();
    let renderer = Typesetter::new(&fonts, None, examgen::render::layout::PageSetup::a4())
        .unwrap()
        .with_images(bank.images.clone());
    let mut out = Vec::new();
    for v in &d.variants {
        let mut data = paper::build(&bank, &bp, v, variants, false);
        out.push(renderer.layout(Template::Paper, &data).unwrap());
        data.teacher = true;
        out.push(renderer.layout(Template::Paper, &data).unwrap());
        out.push(renderer.layout(Template::Review, &data).unwrap());
    }
    (out, bank)
}

fn images(layout: &Layout) -> Vec<(usize, f32, f32, f32, f32, String)> {
    let mut out = Vec::new();
    for (p, page) in layout.pages.iter().enumerate() {
        for item in &page.items {
            if let Item::Image { x, y, w, h, src } = item {
                out.push((p, *x, *y, *w, *h, src.clone()));
            }
        }
    }
    out
}

#[test]
fn figures_lie_inside_the_margins_and_image_options_share_a_row() {
    let dir = Dir::new();
    let bank_dir = figure_bank(&dir);
    let (layouts, bank) = layouts(&bank_dir, 2);
    let paper = &layouts[0];
    let setup = paper.setup;
    let all = images(paper);
    // The chart, the photo, the diagram and the four signs.
    assert_eq!(all.len(), 7, "{all:?}");
    for (page, x, y, w, h, src) in &all {
        assert!(
            *x >= setup.left - 0.01
                && x + w <= setup.width - setup.right + 0.01
                && *y >= setup.top - 0.01
                && y + h <= setup.height - setup.bottom + 0.01,
            "{src} on page {page} at ({x}, {y}) {w}×{h} crosses the margins"
        );
    }
    // The photo has no width: its own size would be 677 mm, so it is fitted to the text width (less the
    // question number's indent).
    let photo = all.iter().find(|i| i.5.ends_with("photo.jpg")).unwrap();
    assert!(photo.3 > 0.95 * setup.column_width(), "{photo:?}");
    assert!((photo.4 / photo.3 - 0.75).abs() < 0.001);
    // The chart at 70% of the text width, centred.
    let chart = all.iter().find(|i| i.5.ends_with("chart.png")).unwrap();
    assert!((chart.3 - 0.7 * setup.column_width()).abs() < 0.5);
    let centre = chart.1 + chart.3 / 2.0;
    assert!(
        (centre - (setup.left + setup.column_width() / 2.0)).abs() < 12.0,
        "{chart:?}"
    );
    // Four 18 mm signs fit a quarter of the width each: one row, one baseline, left to right.
    let signs: Vec<_> = all.iter().filter(|i| i.5.contains("sign-")).collect();
    assert_eq!(signs.len(), 4);
    assert!(
        signs
            .iter()
            .all(|s| (s.2 + s.4 - (signs[0].2 + signs[0].4)).abs() < 0.01)
    );
    assert!(signs.windows(2).all(|w| w[1].1 > w[0].1 + w[0].3));
    assert!((signs[0].3 - 18.0 * examgen::render::layout::MM).abs() < 0.01);
    // Each label A．–D． sits beside its picture, on the row's baseline.
    let page = &paper.pages[signs[0].0];
    for (k, sign) in signs.iter().enumerate() {
        let label = format!("{}．", (b'A' + k as u8) as char);
        let found = page.items.iter().any(|i| {
            matches!(i, Item::Text { x, y, text, .. }
            if **text == *label && *x < sign.1 && (y - (sign.2 + sign.4)).abs() < 0.01)
        });
        assert!(found, "label {label} beside {sign:?}");
    }
    // The review handout prints the note's diagram; two variants × three documents read each file once.
    assert!(
        images(&layouts[2])
            .iter()
            .any(|i| i.5.ends_with("flow.svg"))
    );
    assert_eq!(bank.images.files_read(), 7);
}

#[test]
fn a_figure_paper_prints_downsampled_vectors_and_tables_reproducibly() {
    let dir = Dir::new();
    figure_bank(&dir);
    for out in ["out1", "out2"] {
        dir.run(&["paper", "bank/exams/figures.yaml", "--seed", "7", "-o", out])
            .success();
        dir.run(&[
            "paper",
            "bank/exams/figures.yaml",
            "--seed",
            "7",
            "--edition",
            "teacher",
            "-o",
            out,
        ])
        .success();
    }
    for file in ["paper-A.pdf", "key-A.pdf", "review-A.pdf", "teacher-A.pdf"] {
        let a = std::fs::read(dir.join("out1").join(file)).unwrap();
        let b = std::fs::read(dir.join("out2").join(file)).unwrap();
        assert!(a == b, "{file} differs between two runs with the same seed");
    }
    let paper = dir.join("out1/paper-A.pdf");
    let size = std::fs::metadata(&paper).unwrap().len();
    assert!(
        size < 1_500_000,
        "the paper with a phone photo is {size} bytes"
    );
    assert!(pdf_pages(&paper) >= 2);
    // Only the photo and the chart are bitmaps: the SVG signs and diagram are drawn as paths.
    let list = crate::util::tool("pdfimages", &["-list", paper.to_str().unwrap()]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{list}");
    let photo = rows
        .iter()
        .find(|r| r[8] == "jpeg")
        .expect("the photo, as JPEG");
    let (w, h): (u32, u32) = (photo[3].parse().unwrap(), photo[4].parse().unwrap());
    // 170 mm at 300 dpi is 2008 pixels: 4000×3000 comes down to that, keeping its shape.
    assert!(
        (1500..=2100).contains(&w) && (w * 3).abs_diff(h * 4) <= 4,
        "{w}×{h}"
    );
    let ppi: f32 = photo[12].parse().unwrap();
    assert!((250.0..=320.0).contains(&ppi), "{list}");
    let chart = rows.iter().find(|r| r[8] == "image").expect("the chart");
    assert_eq!((chart[3], chart[4]), ("720", "420"));

    let text = crate::util::tool("pdftotext", &[paper.to_str().unwrap(), "-"]);
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for raw in ["![", "](", "{width", "|---", "|项目"] {
        assert!(!flat.contains(raw), "raw markup {raw} printed:\n{text}");
    }
    // Table cells in reading order, header first, the long cell wrapped but whole.
    let order = [
        "项目",
        "服务人次",
        "主要内容",
        "长者助餐",
        "1200",
        "儿童托管",
        "860",
        "就业帮扶",
        "310",
    ];
    let mut at = 0;
    for cell in order {
        let found = flat[at..]
            .find(cell)
            .unwrap_or_else(|| panic!("{cell} out of order in:\n{text}"));
        at += found + cell.len();
    }
    assert!(flat.contains("并定期开展营养膳食讲座"));
    // The SVG diagram's labels are outlines, not text; the stem around it is text.
    assert!(flat.contains("下图所示的流程中"));
}

#[test]
fn check_names_every_broken_figure_with_its_line_and_column() {
    let dir = Dir::new();
    dir.copy_fixture("banks/figures", "bank");
    let stats = dir.join("bank/stats.yaml");
    let text = std::fs::read_to_string(&stats).unwrap();
    let text = text
        .replace(
            "img/chart.png){width=70%}",
            "img/chart-missing.png){width=70%}",
        )
        .replace(
            "| 儿童托管 | 860 | 课后托管与作业辅导 |",
            "| 儿童托管 | 860 |",
        )
        .replace(
            "img/sign-c.svg){width=18mm}",
            "img/sign-c.svg){width=300mm}",
        );
    dir.create("bank/stats.yaml", &text);
    dir.create("bank/img/notes.txt", "not a picture");
    let mut with_bad = text.clone();
    with_bad = with_bad.replace("img/sign-d.svg", "img/notes.txt");
    dir.create("bank/stats.yaml", &with_bad);
    let line_of = |needle: &str| with_bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let run = dir.run(&["check", "bank"]).failure(1);
    let err = &run.stderr;
    let missing = format!("stats.yaml:{}:7:", line_of("chart-missing.png"));
    assert!(err.contains(&missing), "{missing} not in:\n{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        err.contains(&format!("stats.yaml:{}:", line_of("| 儿童托管 | 860 |"))),
        "{err}"
    );
    assert!(err.contains("2 cells but the header row has 3"), "{err}");
    assert!(err.contains("300 mm wide"), "{err}");
    assert!(
        err.contains(&format!("stats.yaml:{}:", line_of("img/notes.txt"))),
        "{err}"
    );
    assert!(
        err.contains("is not a PNG, JPEG, SVG, WebP or BMP image"),
        "{err}"
    );
    assert!(err.contains("4 errors"), "{err}");
}

#[test]
fn moodle_export_embeds_the_images_as_moodle_does() {
    let dir = Dir::new();
    dir.copy_fixture("banks/figures", "bank");
    let run = dir
        .run(&["export", "bank", "--format", "moodle-xml"])
        .success();
    let xml = &run.stdout;
    let chart = std::fs::read(dir.join("bank/img/chart.png")).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&chart);
    assert!(
        xml.contains(&format!(
            "<file name=\"chart.png\" path=\"/\" encoding=\"base64\">{b64}</file>"
        )),
        "{}",
        &xml[..xml.len().min(3000)]
    );
    assert!(xml.contains("<questiontext format=\"html\"><text>"));
    assert!(xml.contains("@@PLUGINFILE@@/chart.png"));
    // Image options are HTML answers with their own files; the table is an HTML table.
    assert!(xml.contains("<answer fraction=\"100\" format=\"html\"><text>&lt;p&gt;&lt;img src=&quot;@@PLUGINFILE@@/sign-a.svg&quot;"));
    assert!(xml.contains("&lt;th&gt;服务人次&lt;/th&gt;"));
    assert!(!xml.contains("]("), "raw image markup left in the export");
    // Plain questions stay plain text.
    assert!(xml.contains("<questiontext format=\"plain_text\"><text>下列标志中"));
}

#[test]
fn spreadsheet_import_takes_an_image_column_and_markdown_images() {
    let dir = Dir::new();
    dir.create(
        "sheet/pics/chart.png",
        std::fs::read(crate::util::fixtures().join("banks/figures/img/chart.png")).unwrap(),
    );
    dir.create(
        "sheet/pics/a.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\"><rect width=\"20\" height=\"20\"/></svg>",
    );
    dir.create(
        "sheet/q.csv",
        "题型,题干,选项A,选项B,选项C,答案,图片\n单选,读图，服务人次最多的是（　）。,一季度,三季度,![](pics/a.svg),B,PICS/Chart.PNG\n",
    );
    dir.run(&["import", "sheet/q.csv", "-o", "bank"]).success();
    let yaml = std::fs::read_to_string(dir.join("bank/default.yaml")).unwrap();
    assert!(
        yaml.contains("读图，服务人次最多的是（　）。\\n![](img/chart.png)"),
        "{yaml}"
    );
    assert!(yaml.contains("\"![](img/a.svg)\""), "{yaml}");
    assert!(dir.join("bank/img/chart.png").is_file() && dir.join("bank/img/a.svg").is_file());
    dir.run(&["check", "bank"]).success();

    // A missing file is named at its cell; with another extension than the file's, the file is suggested.
    for (typed, said) in [
        ("pics/nope.png", "pics/nope.png does not exist"),
        ("pics/chart.jpg", "did you mean `chart.png`?"),
    ] {
        dir.create(
            "sheet/bad.csv",
            format!("题型,题干,选项A,选项B,答案,图片\n单选,看图（　）,甲,乙,A,{typed}\n"),
        );
        let run = dir
            .run(&["import", "sheet/bad.csv", "-o", "bank2"])
            .failure(1);
        assert!(run.stderr.contains("bad.csv:2:6"), "{}", run.stderr);
        assert!(run.stderr.contains(said), "{}", run.stderr);
    }
}

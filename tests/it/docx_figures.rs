//! Figures and tables in the Word output (issues #18 and #19) on the fixture bank `banks/figures` and its
//! generated phone photo: each picture embedded once as word/media, as a drawing in the paragraph where the
//! PDF prints it and at the PDF's size, the stem table as a Word table, byte-identical reruns; and
//! LibreOffice's rendering of the paper: the pictures in its PDF, the table's cells in reading order.

use std::path::{Path, PathBuf};

use crate::figures::figure_bank;
use crate::util::{Dir, pdf_pages};
use examgen::render::layout::{MM, PageSetup};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const EMU_PER_PT: f64 = 12_700.0;

/// The figure bank with its phone photo; its blueprint takes every question: the chart, the photo, the four
/// signs, the table and the diagram all print.
fn everything(dir: &Dir) -> PathBuf {
    figure_bank(dir)
}

/// `examgen paper` on the figure bank, seed 7, PDF and Word unless `extra` names a format.
fn paper(dir: &Dir, out: &str, extra: &[&str]) {
    let mut args = vec!["paper", "bank/exams/figures.yaml", "--seed", "7", "-o", out];
    if !extra.contains(&"--format") {
        args.extend(["--format", "pdf,docx"]);
    }
    args.extend_from_slice(extra);
    dir.run(&args).success();
}

/// Every file of a .docx package by name.

/// A block of the document body as the tests read it: a paragraph's text with each picture as
/// 「[alt width×height]」 (points), or a table's cell texts.
#[derive(Debug)]
enum Item {
    P(String),
    Table(Vec<String>),
}

fn body(docx: &Path) -> Vec<Item> {
    let parts = crate::util::docx_parts(docx);
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "body")))
        .unwrap();
    let para = |p: roxmltree::Node| -> String {
        p.descendants()
            .filter_map(|n| {
                if n.has_tag_name((W, "t")) {
                    n.text().map(str::to_string)
                } else if n.has_tag_name((WP, "inline")) {
                    let extent = n.children().find(|c| c.has_tag_name((WP, "extent")))?;
                    let size = |a: &str| extent.attribute(a).unwrap().parse::<f64>().unwrap();
                    let alt = n
                        .children()
                        .find(|c| c.has_tag_name((WP, "docPr")))?
                        .attribute("descr")
                        .unwrap_or("");
                    Some(format!(
                        "[{alt} {:.1}×{:.1}]",
                        size("cx") / EMU_PER_PT,
                        size("cy") / EMU_PER_PT
                    ))
                } else {
                    None
                }
            })
            .collect()
    };
    body.children()
        .filter_map(|n| {
            if n.has_tag_name((W, "p")) {
                Some(Item::P(para(n)))
            } else if n.has_tag_name((W, "tbl")) {
                Some(Item::Table(
                    n.descendants()
                        .filter(|c| c.has_tag_name((W, "tc")))
                        .map(para)
                        .collect(),
                ))
            } else {
                None
            }
        })
        .collect()
}

fn find<'a>(items: &'a [Item], what: &str, from: usize) -> (usize, &'a str) {
    items
        .iter()
        .enumerate()
        .skip(from)
        .find_map(|(i, item)| match item {
            Item::P(t) if t.contains(what) => Some((i, t.as_str())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no paragraph with {what} after block {from}: {items:#?}"))
}

/// The (width, height) of the picture `alt` in a paragraph's text, in points.
fn picture(text: &str, alt: &str) -> (f64, f64) {
    let start = text
        .find(&format!("[{alt} "))
        .unwrap_or_else(|| panic!("{alt} not in {text}"));
    let rest = &text[start + alt.len() + 2..];
    let size = &rest[..rest.find(']').unwrap()];
    let (w, h) = size.split_once('×').unwrap();
    (w.parse().unwrap(), h.parse().unwrap())
}

#[test]
fn word_papers_hold_each_figure_as_a_picture_where_the_pdf_prints_it_and_stem_tables_as_word_tables()
 {
    let dir = Dir::new();
    everything(&dir);
    paper(&dir, "out", &[]);
    let docx = dir.join("out/paper-A.docx");
    let parts = crate::util::docx_parts(&docx);
    let column = PageSetup::a4().column_width() as f64;

    // One media file per picture: the chart, the photo (a JPEG, downsampled), the diagram and four signs.
    let media: Vec<&String> = parts
        .keys()
        .filter(|n| n.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 7, "{media:?}");
    let photos: Vec<&&String> = media.iter().filter(|n| n.ends_with(".jpeg")).collect();
    assert_eq!(photos.len(), 1, "{media:?}");
    let photo = &parts[photos[0].as_str()];
    let decoded = image::load_from_memory(photo).unwrap();
    // Printed at most a column wide, at 300 dpi: ≤ 2008 pixels, not the camera's 4000.
    assert!(
        decoded.width() <= (column / 72.0 * 300.0).ceil() as u32 && decoded.width() > 1500,
        "{}×{}",
        decoded.width(),
        decoded.height()
    );
    assert!(
        photo.len() < 1_500_000,
        "the photo is {} bytes",
        photo.len()
    );
    let size = std::fs::metadata(&docx).unwrap().len();
    assert!(
        size < 1_500_000,
        "the paper with a phone photo is {size} bytes"
    );
    let types = String::from_utf8(parts["[Content_Types].xml"].clone()).unwrap();
    assert!(types.contains(r#"<Default ContentType="image/jpeg" Extension="jpeg" />"#));
    let rels = String::from_utf8(parts["word/_rels/document.xml.rels"].clone()).unwrap();
    for name in &media {
        let target = name.trim_start_matches("word/");
        assert!(
            rels.contains(&format!("Target=\"{target}\"")),
            "{target} in {rels}"
        );
    }
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let ids: Vec<&str> = xml
        .match_indices("<wp:docPr id=\"")
        .map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "drawing ids repeat: {ids:?}");

    let items = body(&docx);
    // The chart between the two halves of its stem, 70% of the text width, centred on its own line.
    let (lead, _) = find(&items, "某社区2024年各季度服务人次如下图所示", 0);
    let (at, chart) = find(&items, "[各季度服务人次柱状图", lead);
    assert_eq!(at, lead + 1);
    let (w, h) = picture(chart, "各季度服务人次柱状图");
    assert!((w - 0.7 * column).abs() < 0.1, "{w} vs {column}");
    assert!((h / w - 420.0 / 720.0).abs() < 0.001);
    let (ask, _) = find(&items, "服务人次最多的是", at);
    assert_eq!(ask, at + 1);
    // The photo fits the text width beside the question number, keeping its 4:3 shape.
    let (_, photo) = find(&items, "[活动现场", 0);
    let (w, h) = picture(photo, "活动现场");
    assert!(w > 0.9 * column && w <= column, "{w}");
    assert!((h / w - 0.75).abs() < 0.001);
    // The four signs: one line of options, each 18 mm, each after its label.
    let (_, signs) = find(&items, "[圆形红圈斜杠", 0);
    for label in ["A．[", "B．[", "C．[", "D．["] {
        assert!(signs.contains(label), "{label} in {signs}");
    }
    for alt in [
        "圆形红圈斜杠",
        "黄色三角叹号",
        "蓝色圆形箭头",
        "绿色方形波纹",
    ] {
        let (w, _) = picture(signs, alt);
        assert!((w - 18.0 * MM as f64).abs() < 0.1, "{alt}: {w}");
    }
    // The table: a Word table between its stem's two paragraphs, header then rows, the long cell whole.
    let (before, _) = find(&items, "各项目服务情况如下表", 0);
    let table = items[before..]
        .iter()
        .find_map(|i| match i {
            Item::Table(cells) if cells.first().is_some_and(|c| c == "项目") => Some(cells),
            _ => None,
        })
        .expect("the stem table as a Word table");
    assert_eq!(
        table,
        &[
            "项目",
            "服务人次",
            "主要内容",
            "长者助餐",
            "1200",
            "为辖区内六十周岁以上独居、空巢老人提供每日午餐配送与集中就餐服务，并定期开展营养膳食讲座",
            "儿童托管",
            "860",
            "课后托管与作业辅导",
            "就业帮扶",
            "310",
            "岗位推荐与技能培训",
        ]
    );
    let (after, _) = find(&items, "据此，服务人次最少的项目是", before);
    assert!(
        items[before + 1..after]
            .iter()
            .any(|i| matches!(i, Item::Table(c) if c[0] == "项目"))
    );
    assert!(
        !xml.contains("］图：") && !xml.contains("［表："),
        "placeholders left"
    );
    assert!(!xml.contains("]("), "raw image markup in the Word paper");
    // The header row in the heading face, bold; the table as wide as the text beside the number.
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let tbl = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .find(|t| t.descendants().any(|n| n.text() == Some("主要内容")))
        .unwrap();
    let first_row = tbl.children().find(|n| n.has_tag_name((W, "tr"))).unwrap();
    let runs: Vec<_> = first_row
        .descendants()
        .filter(|n| n.has_tag_name((W, "r")))
        .collect();
    assert_eq!(runs.len(), 3);
    for run in runs {
        let rpr = run.children().find(|c| c.has_tag_name((W, "rPr"))).unwrap();
        assert!(rpr.children().any(|c| c.has_tag_name((W, "b"))));
        let fonts = rpr
            .children()
            .find(|c| c.has_tag_name((W, "rFonts")))
            .unwrap();
        assert_eq!(fonts.attribute((W, "eastAsia")), Some("Noto Sans CJK SC"));
    }
    let width: f64 = tbl
        .descendants()
        .find(|n| n.has_tag_name((W, "tblW")))
        .and_then(|n| n.attribute((W, "w")))
        .unwrap()
        .parse()
        .unwrap();
    assert!(width / 20.0 > 0.9 * column && width / 20.0 <= column + 0.1);
    // The judge question's diagram: the bank gives no words after it, so it ends the question.
    let (_, flow) = find(&items, "[个案工作流程", 0);
    let (w, _) = picture(flow, "个案工作流程");
    assert!((w - 0.8 * column).abs() < 0.1);
}

#[test]
fn explanations_notes_and_the_cloze_key_carry_their_figures_and_counts_into_word() {
    let dir = Dir::new();
    everything(&dir);
    paper(&dir, "out", &["--edition", "teacher"]);
    paper(&dir, "out", &[]);
    let column = PageSetup::a4().column_width() as f64;
    // The teacher's edition and the key print the explanation's chart, 40% wide, after 【解析】.
    for doc in ["teacher-A.docx", "key-A.docx"] {
        let items = body(&dir.join("out").join(doc));
        let (at, _) = find(&items, "由图可知三季度为180人次", 0);
        let (next, chart) = find(&items, "[各季度服务人次柱状图", at);
        assert_eq!(next, at + 1, "{doc}");
        let (w, _) = picture(chart, "各季度服务人次柱状图");
        assert!((w - 0.4 * column).abs() < 0.1, "{doc}: {w}");
    }
    // The teacher's edition marks the correct image option.
    let teacher = body(&dir.join("out/teacher-A.docx"));
    let (_, signs) = find(&teacher, "[圆形红圈斜杠", 0);
    assert!(signs.contains("√"), "{signs}");
    // The review handout: the note's diagram between its sentences.
    let review = body(&dir.join("out/review-A.docx"));
    let (at, _) = find(&review, "流程如下", 0);
    let (next, _) = find(&review, "[个案工作流程", at);
    assert_eq!(next, at + 1);
    find(&review, "每个阶段都要与服务对象共同完成", next);

    dir.run(&[
        "handout",
        "bank",
        "--mode",
        "cloze",
        "--blank-ratio",
        "1",
        "--seed",
        "3",
        "-o",
        "hand",
        "--format",
        "pdf,docx",
    ])
    .success();
    let handout = body(&dir.join("hand/handout.docx"));
    find(&handout, "[个案工作流程", 0);
    let media = crate::util::docx_parts(&dir.join("hand/handout.docx"))
        .keys()
        .filter(|n| n.starts_with("word/media/"))
        .count();
    assert_eq!(media, 1);
    // The key states how many blanks there are, as the PDF key does.
    let pdf = crate::util::tool(
        "pdftotext",
        &[dir.join("hand/handout-key.pdf").to_str().unwrap(), "-"],
    );
    let flat: String = pdf.chars().filter(|c| !c.is_whitespace()).collect();
    let count = flat
        .split_once("共")
        .and_then(|(_, rest)| rest.split_once("处"))
        .map(|(n, _)| n.to_string())
        .expect("the PDF key's count line");
    let key = body(&dir.join("hand/handout-key.docx"));
    find(&key, &format!("共{count}处，按编号顺序排列。"), 0);
}

#[test]
fn the_same_figure_paper_gives_byte_identical_word_files() {
    let dir = Dir::new();
    everything(&dir);
    for out in ["one", "two"] {
        paper(&dir, out, &["--variants", "2", "--format", "docx"]);
        let teacher = [
            "--variants",
            "2",
            "--edition",
            "teacher",
            "--format",
            "docx",
        ];
        paper(&dir, out, &teacher);
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(dir.join("one")).unwrap() {
        let name = entry.unwrap().file_name();
        if !name.to_string_lossy().ends_with(".docx") {
            continue;
        }
        let a = std::fs::read(dir.join("one").join(&name)).unwrap();
        let b = std::fs::read(dir.join("two").join(&name)).unwrap();
        assert!(
            a == b,
            "{name:?} differs between two runs with the same seed"
        );
        compared += 1;
    }
    assert_eq!(compared, 8);
    // Variant B, made after A in the same run, numbers its pictures from 1 as A does.
    let b = String::from_utf8(
        crate::util::docx_parts(&dir.join("one/paper-B.docx"))["word/document.xml"].clone(),
    )
    .unwrap();
    assert!(b.contains("r:embed=\"rIdImage1\""));
}

#[test]
fn libreoffice_shows_the_pictures_and_the_table_of_a_word_figure_paper() {
    let Some(soffice) = crate::docx::soffice() else {
        return;
    };
    let dir = Dir::new();
    everything(&dir);
    paper(&dir, "out", &[]);
    let converted = dir.join("converted");
    let pdf = crate::docx::convert(&soffice, &dir.join("out/paper-A.docx"), &converted);
    let path = pdf.to_str().unwrap();
    let list = crate::util::tool("pdfimages", &["-list", path]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .filter(|r: &Vec<&str>| r[2] == "image")
        .collect();
    // Seven pictures: the chart, the photo, the diagram and four signs (their transparency is an smask).
    assert_eq!(rows.len(), 7, "{list}");
    let widths: Vec<u32> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
    assert_eq!(
        widths.iter().filter(|w| **w == 213).count(),
        4,
        "18 mm at 300 dpi: {list}"
    );
    assert!(widths.contains(&720), "the chart as it is: {list}");
    assert!(
        widths.iter().all(|w| *w <= 2008),
        "nothing over 300 dpi of the text width: {list}"
    );
    let text = crate::util::tool("pdftotext", &[path, "-"]);
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut at = 0;
    for cell in [
        "各项目服务情况如下表",
        "项目",
        "服务人次",
        "主要内容",
        "长者助餐",
        "1200",
        "儿童托管",
        "860",
        "课后托管与作业辅导",
        "就业帮扶",
        "310",
        "岗位推荐与技能培训",
        "据此，服务人次最少的项目是",
    ] {
        let found = flat[at..]
            .find(cell)
            .unwrap_or_else(|| panic!("{cell} out of order in:\n{text}"));
        at += found + cell.len();
    }
    assert!(flat.contains("并定期开展营养膳食讲座"));
    // The same pages as examgen's own PDF, give or take one.
    let ours = pdf_pages(&dir.join("out/paper-A.pdf"));
    let theirs = pdf_pages(&pdf);
    assert!(
        theirs.abs_diff(ours) <= 1,
        "LibreOffice {theirs} pages, examgen {ours}"
    );
}

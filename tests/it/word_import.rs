//! `examgen import` of Word papers, Moodle XML and GIFT: .docx files built here in each layout Chinese
//! papers use, asserted question by question; examgen's own Word paper and key imported back; ambiguous
//! input reported and left out, never guessed; Moodle XML and GIFT round trips.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::util::{Dir, repo};
use examgen::input::bank::{Answer, Bank, Question, QuestionType};

/// A tiny PNG for pictures (a 4×4 square of one grey).
fn png(shade: u8) -> Vec<u8> {
    let img = image::GrayImage::from_pixel(4, 4, image::Luma([shade]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Builds a .docx: each line is a paragraph, with `\t` as a tab, `[img]` as an inline picture (a new PNG
/// each time), `[blank]` as underlined spaces (how Word papers draw a blank) and `[math]` as an equation;
/// a line starting `[table]` is a Word table, rows separated by `;` and cells by `|`.
fn docx(dir: &Dir, name: &str, lines: &[&str]) -> PathBuf {
    let mut body = String::new();
    let mut pictures: Vec<Vec<u8>> = Vec::new();
    for line in lines {
        if let Some(table) = line.strip_prefix("[table]") {
            body.push_str("<w:tbl>");
            for row in table.split(';') {
                body.push_str("<w:tr>");
                for cell in row.split('|') {
                    body.push_str(&format!(
                        "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>",
                        esc(cell)
                    ));
                }
                body.push_str("</w:tr>");
            }
            body.push_str("</w:tbl>");
            continue;
        }
        body.push_str("<w:p>");
        let mut rest = *line;
        while !rest.is_empty() {
            let next = ["\t", "[img]", "[blank]", "[math]"]
                .iter()
                .filter_map(|m| rest.find(m).map(|i| (i, *m)))
                .min();
            let (at, marker) = next.unwrap_or((rest.len(), ""));
            if at > 0 {
                body.push_str(&format!(
                    "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                    esc(&rest[..at])
                ));
            }
            match marker {
                "\t" => body.push_str("<w:r><w:tab/></w:r>"),
                "[blank]" => body.push_str("<w:r><w:rPr><w:u w:val=\"single\"/></w:rPr><w:t xml:space=\"preserve\">      </w:t></w:r>"),
                "[math]" => body.push_str("<m:oMath><m:r><m:t>x^2</m:t></m:r></m:oMath>"),
                "[img]" => {
                    pictures.push(png(40 * (pictures.len() as u8 % 5)));
                    let n = pictures.len();
                    body.push_str(&format!(
                        "<w:r><w:drawing><wp:inline><wp:extent cx=\"720000\" cy=\"720000\"/><wp:docPr id=\"{n}\" name=\"p{n}\"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed=\"rIdImg{n}\"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
                    ));
                }
                _ => {}
            }
            rest = &rest[(at + marker.len()).min(rest.len())..];
        }
        body.push_str("</w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\" xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\"><w:body>{body}</w:body></w:document>"
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for n in 1..=pictures.len() {
        rels.push_str(&format!("<Relationship Id=\"rIdImg{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/image{n}.png\"/>"));
    }
    rels.push_str("</Relationships>");
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    add("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
    add("word/document.xml", document.as_bytes());
    add("word/_rels/document.xml.rels", rels.as_bytes());
    for (i, p) in pictures.iter().enumerate() {
        add(&format!("word/media/image{}.png", i + 1), p);
    }
    zip.finish().unwrap();
    path
}

/// Imports `inputs` into `dir/bank` and loads the bank as `check` does.
fn import(dir: &Dir, inputs: &[&Path]) -> (Bank, String) {
    let out = dir.join("bank");
    let mut args = vec!["import".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["-o".to_string(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = dir.run(&args).success();
    let bank = Bank::load(&out).unwrap_or_else(|e| panic!("{}", e.render()));
    let report = std::fs::read_to_string(out.join("import-report.csv")).unwrap();
    assert!(run.stdout.contains("imported cleanly"), "{}", run.stdout);
    (bank, report)
}

fn q<'a>(bank: &'a Bank, id: &str) -> &'a Question {
    bank.questions
        .iter()
        .find(|q| q.id == id)
        .unwrap_or_else(|| {
            panic!(
                "no question {id}: {:?}",
                bank.questions.iter().map(|q| &q.id).collect::<Vec<_>>()
            )
        })
}

#[test]
fn part_headings_numbering_options_and_inline_answers() {
    let dir = Dir::new();
    let paper = docx(
        &dir,
        "unit1.docx",
        &[
            "绝密★启用前",
            "七年级道德与法治第一单元测试",
            "一、单项选择题（每题2分，共6分）",
            "1．下列说法中，",
            "正确的是（    ）",
            "A．甲说法",
            "B．乙说法",
            "C．丙说法",
            "D．丁说法",
            "【答案】B",
            "【解析】乙说法符合教材原文。",
            "【考点】第一单元",
            "2.社区工作者配备标准是每万人（ ）人。",
            "A. 12\tB. 15",
            "C. 18\tD. 20",
            "答案：C　解析：意见规定18人。",
            "3、属于基本权利的是（　　）",
            "(A)选举权  (B)纳税  (C)服兵役  (D)守法",
            "【解析】选举权是基本权利，故选A。",
            "二、多项选择题（每小题3分）",
            "4．下列属于……的有（ ）",
            "A、甲\tB、乙\tC、丙\tD、丁",
            "【答案】ACD",
            "三、判断题（每题1分）",
            "5．社会工作者每三年培训一次。（ ）",
            "【答案】×",
            "6．志愿服务是自愿的。",
            "答案：正确",
            "四、填空题",
            "7．每万城镇常住人口配备社区工作者[blank]人，其中[blank]以上持证。",
            "【答案】18；一半",
            "8．社会工作以______为指导。",
            "【答案】利他主义/利他",
            "五、简答题（10分）",
            "9．简述社会工作的定义。",
            "【答案】以利他主义为指导；",
            "运用科学的专业方法。",
            "【解析】按要点给分。",
        ],
    );
    let (bank, report) = import(&dir, &[&paper]);
    assert_eq!(report.lines().count(), 1, "{report}");
    assert_eq!(bank.sections[0].title, "七年级道德与法治第一单元测试");
    assert_eq!(bank.questions.len(), 9);
    let q1 = q(&bank, "unit1-01");
    assert_eq!(q1.kind, QuestionType::Single);
    assert_eq!(q1.stem, "下列说法中，\n正确的是（　）");
    assert_eq!(q1.options, ["甲说法", "乙说法", "丙说法", "丁说法"]);
    assert_eq!(q1.answer, Answer::Single(1));
    assert_eq!(
        q1.explanation.as_ref().map(|e| e.source()),
        Some("乙说法符合教材原文。")
    );
    assert_eq!(q1.points.map(|p| p.to_string()), Some("2".into()));
    let q2 = q(&bank, "unit1-02");
    assert_eq!(q2.options, ["12", "15", "18", "20"]);
    assert_eq!(q2.answer, Answer::Single(2));
    assert_eq!(
        q2.explanation.as_ref().map(|e| e.source()),
        Some("意见规定18人。")
    );
    let q3 = q(&bank, "unit1-03");
    assert_eq!(q3.options, ["选举权", "纳税", "服兵役", "守法"]);
    assert_eq!(q3.answer, Answer::Single(0), "故选A states the answer");
    let q4 = q(&bank, "unit1-04");
    assert_eq!(
        (q4.kind, &q4.answer),
        (QuestionType::Multiple, &Answer::Multiple(vec![0, 2, 3]))
    );
    assert_eq!(q4.points.map(|p| p.to_string()), Some("3".into()));
    let q5 = q(&bank, "unit1-05");
    assert_eq!(
        (q5.kind, q5.stem.source()),
        (QuestionType::Judge, "社会工作者每三年培训一次。")
    );
    assert_eq!(q5.answer, Answer::Judge(false));
    assert_eq!(q(&bank, "unit1-06").answer, Answer::Judge(true));
    let q7 = q(&bank, "unit1-07");
    assert_eq!(
        q7.stem,
        "每万城镇常住人口配备社区工作者______人，其中______以上持证。"
    );
    assert_eq!(
        q7.answer,
        Answer::Blank(vec![vec!["18".into()], vec!["一半".into()]])
    );
    assert_eq!(
        q(&bank, "unit1-08").answer,
        Answer::Blank(vec![vec!["利他主义".into(), "利他".into()]])
    );
    let q9 = q(&bank, "unit1-09");
    assert_eq!(
        q9.answer,
        Answer::Short("以利他主义为指导；\n运用科学的专业方法。".into())
    );
    assert_eq!(
        q9.explanation.as_ref().map(|e| e.source()),
        Some("按要点给分。")
    );
    // The 考点 stays with its question as a comment (the bank links notes by id).
    let yaml = std::fs::read_to_string(dir.join("bank/unit1.yaml")).unwrap();
    assert!(
        yaml.contains("# 考点：第一单元\n  - id: \"unit1-01\""),
        "{yaml}"
    );
}

#[test]
fn answers_at_the_end_as_runs_pairs_and_a_table() {
    let dir = Dir::new();
    let lines_with = |key: &[&'static str]| -> Vec<&'static str> {
        let mut lines = vec![
            "期末复习卷",
            "一、选择题",
            "1．甲（ ）\tA．一\tB．二\tC．三\tD．四",
            "2．乙（ ）",
            "A．一 B．二 C．三 D．四",
            "3．丙（ ）",
            "A．一 B．二 C．三 D．四",
            "4．丁（ ）",
            "A．一 B．二 C．三 D．四",
            "5．戊（ ）",
            "A．一 B．二 C．三 D．四",
            "6．己（ ）",
            "A．一 B．二 C．三 D．四",
            "二、判断题",
            "7．说法一。",
            "8．说法二。",
        ];
        lines.extend_from_slice(key);
        lines
    };
    let runs = docx(
        &dir,
        "runs.docx",
        &lines_with(&["参考答案", "一、1-5 BCADB", "6．AC", "二、7．√ 8．×"]),
    );
    let pairs = docx(
        &dir,
        "pairs.docx",
        &lines_with(&["参考答案：", "1.B 2.C 3.A 4.D 5.B 6.AC", "7.对 8.错"]),
    );
    let table = docx(
        &dir,
        "table.docx",
        &lines_with(&[
            "参考答案",
            "[table]题号|1|2|3|4|5|6|7|8;答案|B|C|A|D|B|AC|√|×",
        ]),
    );
    for (file, name) in [(&runs, "runs"), (&pairs, "pairs"), (&table, "table")] {
        let sub = Dir::new();
        let (bank, report) = import(&sub, &[file]);
        assert_eq!(report.lines().count(), 1, "{name}: {report}");
        let answers: Vec<&Answer> = bank.questions.iter().map(|q| &q.answer).collect();
        assert_eq!(
            answers,
            [
                &Answer::Single(1),
                &Answer::Single(2),
                &Answer::Single(0),
                &Answer::Single(3),
                &Answer::Single(1),
                &Answer::Multiple(vec![0, 2]),
                &Answer::Judge(true),
                &Answer::Judge(false)
            ],
            "{name}"
        );
        // 选择题 alone: single or multiple by the number of letters.
        assert_eq!(bank.questions[5].kind, QuestionType::Multiple);
        assert_eq!(bank.questions[0].stem, "甲（　）");
        assert_eq!(bank.questions[0].options, ["一", "二", "三", "四"]);
    }
}

#[test]
fn bracket_numbering_pictures_tables_and_picture_options() {
    let dir = Dir::new();
    let paper = docx(
        &dir,
        "figs.docx",
        &[
            "看图识标志",
            "一、单项选择题",
            "（1）某社区各季度服务人次如下图所示。",
            "[img]",
            "服务人次最多的是（ ）",
            "A．一季度\tB．二季度\tC．三季度\tD．四季度",
            "【答案】C",
            "（2）下列标志中表示禁止通行的是（ ）",
            "A．[img]\tB．[img]\tC．[img]\tD．[img]",
            "【答案】A",
            "（3）下列标志中为圆形的是（ ）",
            "[img]  [img]  [img]",
            "A\u{3000}\u{3000}B\u{3000}\u{3000}C",
            "【答案】B",
            "二、判断题",
            "（4）各项目服务情况如下表：",
            "[table]项目|人次;助餐|1200;托管|860",
            "表中托管人次最多。",
            "【答案】错误",
        ],
    );
    let (bank, report) = import(&dir, &[&paper]);
    assert_eq!(report.lines().count(), 1, "{report}");
    let q1 = q(&bank, "figs-01");
    assert_eq!(
        q1.stem,
        "某社区各季度服务人次如下图所示。\n![](img/figs-1.png){width=20mm}\n服务人次最多的是（　）"
    );
    let q2 = q(&bank, "figs-02");
    assert_eq!(q2.options[0], "![](img/figs-2.png){width=20mm}");
    assert_eq!(q2.options[3], "![](img/figs-5.png){width=20mm}");
    let q3 = q(&bank, "figs-03");
    assert_eq!(q3.stem, "下列标志中为圆形的是（　）");
    assert_eq!(q3.options.len(), 3);
    assert_eq!(q3.options[1], "![](img/figs-7.png){width=20mm}");
    assert_eq!(q3.answer, Answer::Single(1));
    let q4 = q(&bank, "figs-04");
    assert_eq!(
        q4.stem,
        "各项目服务情况如下表：\n| 项目 | 人次 |\n|---|---|\n| 助餐 | 1200 |\n| 托管 | 860 |\n表中托管人次最多。"
    );
    assert_eq!(q4.answer, Answer::Judge(false));
    for n in 1..=8 {
        assert!(
            dir.join(&format!("bank/img/figs-{n}.png")).is_file(),
            "picture {n}"
        );
    }
}

#[test]
fn ambiguous_input_is_reported_and_left_out_never_guessed() {
    let dir = Dir::new();
    let paper = docx(
        &dir,
        "mixed.docx",
        &[
            "一、单项选择题",
            "1．没有答案的题（ ）",
            "A．一 B．二 C．三 D．四",
            "2．五个选项只标了四个（ ）",
            "A．一 B．二 C．三 D．四",
            "五",
            "【答案】A",
            "3．正常的题（ ）",
            "A．一 B．二 C．三 D．四",
            "【答案】D",
            "5．跳号的题（ ）",
            "A．一 B．二 C．三 D．四",
            "【答案】B",
            "6．答案超出选项（ ）",
            "A．一 B．二",
            "【答案】C",
            "7．含公式[math]的题（ ）",
            "A．一 B．二",
            "【答案】A",
            "8．单选给了两个答案（ ）",
            "A．一 B．二 C．三",
            "【答案】AB",
            "二、填空题",
            "9．两个空[blank]和[blank]。",
            "【答案】甲",
            "参考答案",
            "3．C",
        ],
    );
    let (bank, report) = import(&dir, &[&paper]);
    assert!(
        bank.questions.is_empty(),
        "only certain questions enter the bank"
    );
    let rows: Vec<&str> = report.lines().skip(1).collect();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r.contains(id))
            .copied()
            .unwrap_or_else(|| panic!("{id} not reported: {report}"))
    };
    assert!(row("mixed-01").contains("no answer found"));
    assert!(
        row("mixed-01").starts_with("mixed.docx,2,"),
        "{}",
        row("mixed-01")
    );
    assert!(row("mixed-02").contains("text after the options"));
    assert!(
        row("mixed-03").contains("differ"),
        "inline D and key C disagree"
    );
    assert!(row("mixed-05").contains("numbering gap: question 4 is missing"));
    assert!(row("mixed-06").contains("not there"));
    assert!(row("mixed-07").contains("equation"));
    assert!(row("mixed-08").contains("several letters"));
    assert!(row("mixed-09").contains("2 blank(s)"));
    let yaml = std::fs::read_to_string(dir.join("bank/mixed.yaml")).unwrap();
    assert!(
        yaml.contains("# TODO (import: mixed.docx paragraph 2): no answer found"),
        "{yaml}"
    );
    assert!(yaml.contains("  #   - id: \"mixed-01\""));
    // --strict refuses the whole import and writes nothing.
    let strict = dir.join("strict");
    let run = dir
        .run(&[
            "import",
            &paper.display().to_string(),
            "-o",
            &strict.display().to_string(),
            "--strict",
        ])
        .failure(1);
    assert!(run.stderr.contains("need a look"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("mixed.docx paragraph 2 (mixed-01): no answer found"),
        "{}",
        run.stderr
    );
    assert!(!strict.exists());
}

/// The bank's answer in words that survive shuffled options: the right options' texts, sorted.
fn answer_words(q: &Question) -> Vec<String> {
    let mut words = match &q.answer {
        Answer::Single(i) => vec![q.options[*i].source().to_string()],
        Answer::Multiple(v) => v
            .iter()
            .map(|i| q.options[*i].source().to_string())
            .collect(),
        Answer::Judge(t) => vec![t.to_string()],
        Answer::Blank(b) => b.iter().map(|alts| alts.join("|")).collect(),
        Answer::Short(s) => vec![s.clone()],
    };
    words.sort();
    words
}

fn without_pictures(text: &str) -> String {
    examgen::input::figures::strip_images(text)
        .replace('\n', "")
        .replace("（　）", "")
}

#[test]
fn examgens_own_word_paper_and_key_import_back() {
    let dir = Dir::new();
    dir.run(&["init", "sk"]).success();
    let cases: [(PathBuf, PathBuf); 2] = [
        (dir.join("sk/exams/paper.yaml"), dir.join("sk")),
        (
            repo().join("question-bank/exams/quiz.yaml"),
            repo().join("question-bank"),
        ),
    ];
    for (n, (blueprint, bank_dir)) in cases.iter().enumerate() {
        let out = dir.join(&format!("out{n}"));
        dir.run(&[
            "paper",
            &blueprint.display().to_string(),
            "--seed",
            "5",
            "--format",
            "docx",
            "-o",
            &out.display().to_string(),
        ])
        .success();
        let sub = Dir::new();
        let (imported, report) =
            import(&sub, &[&out.join("paper-A.docx"), &out.join("key-A.docx")]);
        assert_eq!(report.lines().count(), 1, "{report}");
        let original = Bank::load(bank_dir).unwrap();
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        let count = imported.questions.len();
        assert!(count >= 5, "{count}");
        for q in &imported.questions {
            let source = original
                .questions
                .iter()
                .find(|o| {
                    without_pictures(o.stem.source()) == without_pictures(q.stem.source())
                        && o.kind == q.kind
                })
                .unwrap_or_else(|| panic!("{} has no original: {:?}", q.id, q.stem));
            assert!(manifest.contains(&format!("\"{}\"", source.id)));
            let mut options: Vec<&str> = q.options.iter().map(|o| o.source()).collect();
            let mut expected: Vec<&str> = source.options.iter().map(|o| o.source()).collect();
            options.sort();
            expected.sort();
            assert_eq!(
                options
                    .iter()
                    .map(|o| without_pictures(o))
                    .collect::<Vec<_>>(),
                expected
                    .iter()
                    .map(|o| without_pictures(o))
                    .collect::<Vec<_>>(),
                "{}",
                source.id
            );
            assert_eq!(
                answer_words(q)
                    .iter()
                    .map(|w| without_pictures(w))
                    .collect::<Vec<_>>(),
                answer_words(source)
                    .iter()
                    .map(|w| without_pictures(w))
                    .collect::<Vec<_>>(),
                "{}",
                source.id
            );
            assert_eq!(
                q.explanation
                    .as_ref()
                    .map(|e| e.source())
                    .map(without_pictures),
                source
                    .explanation
                    .as_ref()
                    .map(|e| e.source())
                    .map(without_pictures),
                "{}",
                source.id
            );
        }
    }
}

#[test]
fn moodle_xml_round_trip_is_lossless_and_gift_reports_what_it_cannot_carry() {
    let dir = Dir::new();
    dir.run(&["init", "sk"]).success();
    for (format, file) in [("moodle-xml", "a.xml"), ("gift", "a.gift")] {
        dir.run(&["export", "sk", "--format", format, "-o", file])
            .success();
        let bank = dir.join(&format!("{file}-bank"));
        let run = dir
            .run(&["import", file, "-o", &bank.display().to_string()])
            .success();
        dir.run(&["check", &bank.display().to_string()]).success();
        let again = format!("b-{file}");
        dir.run(&[
            "export",
            &bank.display().to_string(),
            "--format",
            format,
            "-o",
            &again,
        ])
        .success();
        let first = std::fs::read_to_string(dir.join(file)).unwrap();
        let second = std::fs::read_to_string(dir.join(&again)).unwrap();
        if format == "moodle-xml" {
            assert!(
                run.stdout
                    .contains("10 question(s) imported cleanly, 0 need a look"),
                "{}",
                run.stdout
            );
            assert_eq!(first, second);
        } else {
            // GIFT has no reference answers for essays and carries no picture files.
            let report = std::fs::read_to_string(bank.join("import-report.csv")).unwrap();
            assert!(
                report.contains("an essay without a reference answer"),
                "{report}"
            );
            assert!(
                report.contains("the picture img/chart.png is not in the imported file"),
                "{report}"
            );
            for block in second.split("\n\n") {
                assert!(first.contains(block.trim()), "{block}");
            }
        }
    }
}

#[test]
fn moodles_own_questions_import_with_cloze_and_unsupported_types_reported() {
    let dir = Dir::new();
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/第一章//概述</text></category></question>
  <question type="description"><name><text>说明</text></name><questiontext format="html"><text>读下文</text></questiontext></question>
  <question type="multianswer"><name><text>填空</text></name>
    <questiontext format="html"><text><![CDATA[<p>首都是{1:SHORTANSWER:=北京~=Beijing#对}，最大城市是{1:SA:%100%上海}。</p>]]></text></questiontext>
  </question>
  <question type="shortanswer"><name><text>sa</text></name><idnumber>ch1-sa</idnumber>
    <questiontext format="plain_text"><text>长江的长度约为多少千米</text></questiontext>
    <defaultgrade>2.0000000</defaultgrade>
    <answer fraction="100"><text>6300</text></answer>
  </question>
  <question type="multichoice"><name><text>mc</text></name><idnumber>ch1-mc</idnumber>
    <questiontext format="html"><text><![CDATA[<p>选出正确的</p>]]></text></questiontext>
    <single>false</single><shuffleanswers>0</shuffleanswers>
    <answer fraction="50"><text>甲</text></answer><answer fraction="50"><text>乙</text></answer><answer fraction="-100"><text>丙</text></answer>
  </question>
  <question type="matching"><name><text>m</text></name><questiontext format="html"><text>配对</text></questiontext></question>
</quiz>"#;
    let file = dir.create("moodle.xml", xml);
    let (bank, report) = import(&dir, &[&file]);
    assert_eq!(bank.sections[0].title, "第一章/概述");
    let cloze = &bank.questions[0];
    assert_eq!(cloze.stem, "首都是______，最大城市是______。");
    assert_eq!(
        cloze.answer,
        Answer::Blank(vec![
            vec!["北京".into(), "Beijing".into()],
            vec!["上海".into()]
        ])
    );
    let sa = q(&bank, "ch1-sa");
    assert_eq!(
        (sa.stem.source(), sa.points.map(|p| p.to_string())),
        ("长江的长度约为多少千米______", Some("2".into()))
    );
    let mc = q(&bank, "ch1-mc");
    assert_eq!(
        (&mc.answer, mc.shuffle),
        (&Answer::Multiple(vec![0, 1]), false)
    );
    assert!(
        report.contains("Moodle type `matching` has no examgen equivalent"),
        "{report}"
    );
}

#[test]
fn the_documented_example_imports_cleanly() {
    let docs = std::fs::read_to_string(repo().join("docs/import-export.md")).unwrap();
    let start = docs
        .find("A small paper that imports cleanly:\n\n```\n")
        .unwrap();
    let body = &docs[start..];
    let body = &body[body.find("```\n").unwrap() + 4..];
    let body = &body[..body.find("```").unwrap()];
    let dir = Dir::new();
    let lines: Vec<&str> = body.lines().collect();
    let paper = docx(&dir, "unit1.docx", &lines);
    let (bank, report) = import(&dir, &[&paper]);
    assert_eq!(report.lines().count(), 1, "{report}");
    let answers: Vec<&Answer> = bank.questions.iter().map(|q| &q.answer).collect();
    assert_eq!(
        answers,
        [
            &Answer::Single(2),
            &Answer::Judge(false),
            &Answer::Blank(vec![vec!["利他主义".into()]])
        ]
    );
    assert_eq!(
        bank.questions[0].explanation.as_ref().map(|e| e.source()),
        Some("意见规定18人。")
    );
    assert_eq!(bank.sections[0].title, "七年级第一单元测试");
}

#[test]
fn numbering_restarting_in_each_part_joins_the_key_part_by_part() {
    let dir = Dir::new();
    let paper = docx(
        &dir,
        "english.docx",
        &[
            "一、单项选择题",
            "1．甲（ ）",
            "A．一 B．二 C．三",
            "2．乙（ ）",
            "A．一 B．二 C．三",
            "二、判断题",
            "1．说法一。",
            "2．说法二。",
            "参考答案",
            "一、单项选择题",
            "1．B 2．C",
            "二、判断题",
            "1．√ 2．×",
        ],
    );
    let (bank, report) = import(&dir, &[&paper]);
    assert_eq!(report.lines().count(), 1, "{report}");
    assert_eq!(q(&bank, "english-1-02").answer, Answer::Single(2));
    assert_eq!(q(&bank, "english-2-01").answer, Answer::Judge(true));
    // A key without the paper's parts cannot say which 1． it means: reported, not joined.
    let sub = Dir::new();
    let flat = docx(
        &sub,
        "flat.docx",
        &[
            "一、单项选择题",
            "1．甲（ ）",
            "A．一 B．二",
            "二、判断题",
            "1．说法一。",
            "参考答案",
            "1．B",
        ],
    );
    let (bank, report) = import(&sub, &[&flat]);
    assert!(bank.questions.is_empty());
    assert_eq!(report.matches("no answer found").count(), 2, "{report}");
}

#[test]
fn numbered_instructions_are_not_questions() {
    let dir = Dir::new();
    let paper = docx(
        &dir,
        "quiz.docx",
        &[
            "随堂小测",
            "注意事项：",
            "1．答题前填写姓名。",
            "2．考试结束交回试卷。",
            "1．甲（ ）",
            "A．一 B．二",
            "【答案】B",
            "2．乙（ ）",
            "A．一 B．二 C．三",
            "【答案】AC",
        ],
    );
    let (bank, report) = import(&dir, &[&paper]);
    assert_eq!(report.lines().count(), 1, "{report}");
    // No part heading: the options and the answer's letters show the type beyond doubt.
    let kinds: Vec<QuestionType> = bank.questions.iter().map(|q| q.kind).collect();
    assert_eq!(kinds, [QuestionType::Single, QuestionType::Multiple]);
    assert_eq!(bank.questions[0].stem, "甲（　）");
}

//! Issue 14 (trust), spreadsheets and rosters: option gaps, numbers Excel stored or shortened, title rows
//! and ids that lost their zeros are read as the teacher meant or refused at their cell.

use std::io::Write;
use std::path::Path;

use crate::util::Dir;
use examgen::input::bank::{Answer, Bank};
use examgen::input::roster;

/// One cell of a hand-built sheet: inline text, or a number with an optional style (1: format `00000`).
enum C<'a> {
    T(&'a str),
    N(f64, u32),
}

/// A minimal .xlsx as Excel writes it: one sheet, inline strings, style 1 = number format `00000`. When
/// `title` is set, row 1 holds it, merged across the sheet, and the table starts in row 2.
fn xlsx(path: &Path, title: Option<&str>, rows: &[Vec<C>]) {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let offset = usize::from(title.is_some());
    if let Some(t) = title {
        sheet.push_str(&format!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{t}</t></is></c></row>"#
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i + 1 + offset;
        sheet.push_str(&format!(r#"<row r="{r}">"#));
        for (j, cell) in row.iter().enumerate() {
            let col = (b'A' + j as u8) as char;
            match cell {
                C::T("") => {}
                C::T(t) => sheet.push_str(&format!(
                    r#"<c r="{col}{r}" t="inlineStr"><is><t>{t}</t></is></c>"#
                )),
                C::N(v, s) => sheet.push_str(&format!(r#"<c r="{col}{r}" s="{s}"><v>{v}</v></c>"#)),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData>");
    if title.is_some() {
        sheet.push_str(r#"<mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells>"#);
    }
    sheet.push_str("</worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/styles.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="00000"/></numFmts><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn an_empty_option_cell_before_a_filled_one_is_an_error_at_that_cell() {
    let dir = Dir::new();
    let src = dir.create(
        "q.csv",
        "题型,题干,选项A,选项B,选项C,选项D,答案\n单选,社区工作者每年至少培训（　）次。,一,二,,四,D\n",
    );
    let run = dir
        .run(&["import", src.to_str().unwrap(), "-o", "bank"])
        .failure(1);
    assert!(
        run.stderr.contains(
            "q.csv:2:5: error: row 2: 选项C (option C) is empty but a later option is filled"
        ),
        "{}",
        run.stderr
    );
    assert!(!dir.join("bank").exists(), "nothing is written");
}

#[test]
fn numbers_from_excel_are_read_as_meant_or_refused_in_plain_words() {
    let dir = Dir::new();
    // A CSV from Excel: 难度 typed 3.0, an id column Excel showed in scientific notation.
    let src = dir.create(
        "q.csv",
        "编号,题型,题干,选项A,选项B,答案,难度\n2.0250001E+07,单选,社区工作者每年至少培训（　）次。,一,二,A,3.0\n",
    );
    dir.run(&["import", src.to_str().unwrap(), "-o", "bank"])
        .success();
    let bank = Bank::load(&dir.join("bank")).unwrap();
    assert_eq!(bank.questions[0].id, "20250001");
    assert_eq!(bank.questions[0].difficulty, 3);

    let src = dir.create(
        "bad.csv",
        "编号,题型,题干,选项A,选项B,答案,难度\n2.03E+07,单选,每年至少培训（　）次。,一,二,A,3\nq2,单选,每年培训（　）次。,一,二,A,3.5\nq3,单选,培训由（　）组织。,县级,市级,A,中上\n",
    );
    let run = dir
        .run(&["import", src.to_str().unwrap(), "-o", "bank2"])
        .failure(1);
    for want in [
        "bad.csv:2:1: error: row 2: the id `2.03E+07` is a number Excel shortened to scientific notation",
        "bad.csv:3:7: error: row 3: 难度 (difficulty) `3.5` is not a level from 1 (easiest) to 5 (hardest), nor 易, 较易, 中, 较难, 难",
        "bad.csv:4:7: error: row 4: 难度 (difficulty) `中上` is not a level",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("expected u8"), "{}", run.stderr);
}

#[test]
fn xlsx_number_cells_and_a_merged_title_row_import_as_meant() {
    let dir = Dir::new();
    let src = dir.join("q.xlsx");
    xlsx(
        &src,
        Some("社会工作试题库（2025）"),
        &[
            vec![
                C::T("题型"),
                C::T("题干"),
                C::T("选项A"),
                C::T("选项B"),
                C::T("答案"),
                C::T("难度"),
            ],
            vec![
                C::T("单选"),
                C::T("每年至少培训（　）次。"),
                C::N(1.0, 0),
                C::N(2.0, 0),
                C::T("A"),
                C::N(3.0, 0),
            ],
            vec![
                C::T("判断"),
                C::T("培训由县级组织。"),
                C::T(""),
                C::T(""),
                C::T("对"),
                C::N(2.0, 0),
            ],
        ],
    );
    let run = dir
        .run(&["import", src.to_str().unwrap(), "-o", "bank"])
        .success();
    assert!(
        run.stderr
            .contains("row 1 (社会工作试题库（2025）) is above the header row; it was skipped"),
        "{}",
        run.stderr
    );
    let bank = Bank::load(&dir.join("bank")).unwrap();
    assert_eq!(bank.questions.len(), 2);
    assert_eq!(bank.questions[0].options, vec!["1", "2"]);
    assert_eq!(bank.questions[0].difficulty, 3);
    assert_eq!(bank.questions[1].answer, Answer::Judge(true));
}

#[test]
fn roster_ids_that_lost_zeros_or_went_scientific_are_restored_or_refused() {
    let dir = Dir::new();
    let book = dir.join("class.xlsx");
    xlsx(
        &book,
        None,
        &[
            vec![C::T("学号"), C::T("姓名")],
            vec![C::N(123.0, 1), C::T("张喆")],
            vec![C::N(20250002.0, 0), C::T("李堃")],
            vec![C::T("00125"), C::T("王芳")],
        ],
    );
    let students = roster::read(&book).unwrap();
    let ids: Vec<&str> = students.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["00123", "20250002", "00125"]);

    let csv = dir.create(
        "class.csv",
        "学号,姓名\n2.0250001E+07,张喆\n2.03E+07,李堃\n2.04E+07,王芳\n",
    );
    let err = roster::read(&csv).unwrap_err().render();
    assert!(
        err.contains("class.csv:3:1: error: row 3, column 1: the id of 李堃: `2.03E+07` is a number Excel shortened"),
        "{err}"
    );
    assert!(
        err.contains("class.csv:4:1: error: row 4, column 1: the id of 王芳"),
        "{err}"
    );
    assert!(!err.contains("张喆"), "{err}");
    let good = dir.create("good.csv", "学号,姓名\n2.0250001E+07,张喆\n");
    assert_eq!(roster::read(&good).unwrap()[0].id, "20250001");
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

#[test]
fn utf16_rosters_and_banks_from_notepad_are_read() {
    let dir = Dir::new();
    let csv = dir.create(
        "class.csv",
        utf16le("学号,姓名\r\n2025001,张喆\r\n2025002,李堃\r\n"),
    );
    let students = roster::read(&csv).unwrap();
    assert_eq!(students.len(), 2);
    assert_eq!(students[1].name, "李堃");
    assert_eq!(students[0].id, "2025001");

    // Without a byte-order mark too (NUL in every other byte), and a bank file saved as 「Unicode」.
    let mut no_bom = utf16le("姓名\n王芳\n");
    no_bom.drain(..2);
    let list = dir.create("names.txt", no_bom);
    assert_eq!(roster::read(&list).unwrap()[0].name, "王芳");
    dir.create(
        "bank/cw.yaml",
        utf16le("section:\n  id: cw\n  title: 社区工作\nquestions:\n  - id: cw-001\n    type: judge\n    stem: 社区工作者每年至少培训一次。\n    answer: true\n"),
    );
    let run = dir.run(&["check", "bank"]).success();
    assert!(
        run.stdout
            .contains("1 questions (0 single, 0 multiple, 1 judge"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("GBK"), "{}", run.stderr);
}

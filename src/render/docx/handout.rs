//! Study handouts (考点讲义, summary or cloze) and the cloze key as Word documents, from the data the
//! handout templates see.

use docx_rs::{Docx, FieldCharType, InstrText, Run, TabLeaderType, TabValueType};

use super::Ctx;
use super::paper::{Block, add, title_block};
use super::review::note_para;
use super::style::{self, BODY_SIZE, Para, Span};
use crate::model::handout::HandoutData;

/// Bookmark names of the section headings, for the contents' page references.
fn bookmark(i: usize) -> String {
    format!("_Toc_examgen_{i}")
}

pub fn handout(data: &HandoutData, cx: &Ctx) -> Docx {
    let width = cx.setup.column_width();
    let mut blocks = title_block(&[
        (16.0, 0.0, vec![Span::heading(&data.title)]),
        (14.0, 4.0, vec![Span::heading(&data.subtitle)]),
    ]);
    let mut fields = Vec::new();
    for (label, em, value) in [
        ("姓名", 7, &data.student.name),
        ("学号", 8, &data.student.id),
        ("班级", 6, &data.student.class),
    ] {
        if !fields.is_empty() {
            fields.push(Span::body("\u{3000}\u{3000}"));
        }
        fields.push(Span::body(format!("{label}：")));
        fields.push(Span::blank(em, value));
    }
    let mut para = Para::new(BODY_SIZE).center();
    para.line = 1.5 * 1.4;
    blocks.push(Block::p(para.with(&fields)));
    if data.cloze {
        blocks.push(Block::p(Para::new(9.0).center().before(2.0).with(&[
            Span::body(format!(
                "本讲义共{}处填空，按编号在横线上填写关键表述；答案见填空答案。",
                data.blank_count
            )),
        ])));
    }
    if data.show_toc {
        blocks.extend(contents(data, width));
    }
    // A picture in a note's text fits beside the paragraph's first-line indent.
    let room = width - 2.0 * BODY_SIZE;
    for (i, section) in data.sections.iter().enumerate() {
        let mut para = Para::new(12.0).left_aligned().before(10.0).keep();
        para.outline = Some(0);
        let mut p = para.with(&[Span::heading(&section.title)]);
        if data.show_toc {
            p = p.add_bookmark_start(i, bookmark(i)).add_bookmark_end(i);
        }
        blocks.push(Block::p(p));
        for note in &section.notes {
            blocks.push(Block::p(
                Para::new(BODY_SIZE)
                    .before(5.0)
                    .keep()
                    .with(&[Span::heading(&note.title)]),
            ));
            for runs in &note.paragraphs {
                let lone = matches!(runs.as_slice(), [r] if r.image.is_some());
                let mut spans = Vec::new();
                for r in runs {
                    if let Some(image) = &r.image {
                        spans.push(cx.picture(image, room));
                    } else if r.blank {
                        spans.push(Span::body(format!("（{}）", r.number)));
                        spans.push(Span::blank(r.em as usize, ""));
                    } else if r.key {
                        spans.push(Span::heading(&r.text));
                    } else {
                        spans.push(Span::body(&r.text));
                    }
                }
                blocks.push(Block::p(note_para(lone).with(&spans)));
            }
        }
    }
    add(style::document(cx.setup, Some(style::FOOTER)), blocks)
}

/// The contents (目录): each section's title, a dotted leader and a page reference to its heading's
/// bookmark, then a page break.
fn contents(data: &HandoutData, width: f32) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::p(
        Para::new(12.0)
            .center()
            .before(8.0)
            .keep()
            .with(&[Span::heading("目\u{3000}录")]),
    ));
    for (i, entry) in data.toc.iter().enumerate() {
        // A page reference to the section's bookmark: Word and LibreOffice fill in the page when they lay the
        // document out; the PDF's page stands in until then.
        let para = Para::new(BODY_SIZE).left_aligned();
        let tab = docx_rs::Tab::new()
            .val(TabValueType::Right)
            .leader(TabLeaderType::Dot)
            .pos(style::tw(width) as usize);
        let p = para
            .build()
            .tabs(&[tab])
            .add_run(style::run(&Span::body(&entry.title), BODY_SIZE))
            .add_run(style::tab(BODY_SIZE))
            .add_run(
                Run::new()
                    .add_field_char(FieldCharType::Begin, true)
                    .add_instr_text(InstrText::Unsupported(format!(
                        " PAGEREF {} \\h ",
                        bookmark(i)
                    )))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text(entry.page.clone())
                    .add_field_char(FieldCharType::End, false),
            );
        out.push(Block::p(p));
    }
    out.push(Block::p(
        docx_rs::Paragraph::new().add_run(Run::new().add_break(docx_rs::BreakType::Page)),
    ));
    out
}

pub fn handout_key(data: &HandoutData, cx: &Ctx) -> Docx {
    let title = if data.student.name.is_empty() {
        "填空答案".to_string()
    } else {
        format!("填空答案（{}）", data.student.name)
    };
    let mut blocks = title_block(&[
        (16.0, 0.0, vec![Span::heading(&data.title)]),
        (14.0, 4.0, vec![Span::heading(title)]),
        (
            9.0,
            2.0,
            vec![Span::body(format!(
                "共{}处，按编号顺序排列。",
                data.blank_count
            ))],
        ),
    ]);
    for section in &data.key {
        let mut para = Para::new(12.0).left_aligned().before(8.0).keep();
        para.outline = Some(0);
        blocks.push(Block::p(para.with(&[Span::heading(&section.title)])));
        for a in &section.answers {
            let mut para = Para::new(BODY_SIZE);
            para.left = 3.0 * BODY_SIZE;
            para.hanging = 3.0 * BODY_SIZE;
            blocks.push(Block::p(
                para.with(&[Span::body(format!("（{}）{}", a.number, a.text))]),
            ));
        }
    }
    add(style::document(cx.setup, Some(style::FOOTER)), blocks)
}

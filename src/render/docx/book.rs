//! The 错题本 as a Word document, from the same book model as review-book.hbs: the header, then per
//! knowledge point each missed question as printed on the student's paper (the paper writer's question
//! blocks) with their answer, the key and the 解析, the note with its key phrases in the heading face, the
//! practice questions, and their key at the end.

use docx_rs::Docx;

use super::Ctx;
use super::paper::{Block, add, number_hang, question, title_block};
use super::review::note_blocks;
use super::style::{self, BODY_SIZE, Para, Span};
use crate::model::review_book::{BookData, MissedQuestion};

pub fn book(data: &BookData, cx: &Ctx) -> Docx {
    let width = cx.setup.column_width();
    let mut blocks = title_block(&[
        (16.0, 0.0, vec![Span::heading(&data.title)]),
        (14.0, 4.0, vec![Span::heading("错题本")]),
        (
            BODY_SIZE,
            4.0,
            vec![Span::body(format!(
                "姓名：{}　学号：{}　班级：{}",
                data.student.name, data.student.id, data.student.class
            ))],
        ),
    ]);
    blocks.push(Block::t(style::grid_table(
        vec![
            ["得分", "班级位置", "错题", "涉及考点"]
                .map(Span::heading)
                .to_vec(),
            vec![
                Span::body(format!("{} / {}", data.score, data.total_points)),
                Span::body(&data.standing),
                Span::body(format!("{} / {}题", data.missed_count, data.question_count)),
                Span::body(format!("{}个", data.group_count)),
            ],
        ],
        width,
        0.9,
        BODY_SIZE,
        2.1,
        2,
    )));
    let room = width - 2.0 * BODY_SIZE;
    if data.groups.is_empty() {
        blocks.push(Block::p(
            Para::new(BODY_SIZE)
                .center()
                .before(8.0)
                .with(&[Span::body("本次考试没有错题，继续保持！")]),
        ));
    }
    for g in &data.groups {
        let mut para = Para::new(12.0).left_aligned().before(10.0).keep();
        para.outline = Some(0);
        blocks.push(Block::p(para.with(&[
            Span::heading(format!("考点{}　{}", g.numeral, g.title)),
            Span::body(format!("（{}）", g.section_title)),
        ])));
        for m in &g.missed {
            blocks.extend(missed(m, cx));
        }
        if !g.paragraphs.is_empty() {
            blocks.push(Block::p(
                Para::new(BODY_SIZE)
                    .before(4.0)
                    .keep()
                    .with(&[Span::heading(format!("【考点回顾】{}", g.title))]),
            ));
            note_blocks(&g.paragraphs, cx, room, &mut blocks);
        }
        if !g.practice.is_empty() {
            blocks.push(Block::p(
                Para::new(BODY_SIZE)
                    .before(4.0)
                    .keep()
                    .with(&[Span::heading("【巩固练习】")]),
            ));
            for q in &g.practice {
                blocks.extend(question(q, false, number_hang(cx, q.number), cx));
            }
        }
    }
    blocks.extend(practice_key(data));
    add(style::document(cx.setup, Some(style::FOOTER)), blocks)
}

/// A missed question as printed on the student's paper, with their answer, the key, points and 解析.
fn missed(m: &MissedQuestion, cx: &Ctx) -> Vec<Block> {
    // Each question hangs from its own number, as on the paper.
    let hang = number_hang(cx, m.question.number);
    let mut follow = Para::new(BODY_SIZE);
    follow.left = hang;
    let mut blocks = question(&m.question, false, hang, cx);
    let key = if m.question.answer.is_empty() {
        "见参考答案".to_string()
    } else {
        m.question.answer.clone()
    };
    blocks.push(Block::p(follow.with(&[
        Span::heading("你的答案："),
        Span::body(format!("{}　", m.given)),
        Span::heading("正确答案："),
        Span::body(format!("{key}　")),
        Span::heading("得分："),
        Span::body(format!(
            "{} / {}分{}",
            m.earned,
            m.question.points,
            if m.partly { "（部分得分）" } else { "" }
        )),
    ])));
    for line in &m.question.answer_lines {
        blocks.push(Block::p(follow.with(&[Span::body(line)])));
    }
    if let Some(e) = &m.question.explanation {
        blocks.push(Block::p(
            follow.with(&[Span::heading("【解析】"), Span::body(e)]),
        ));
    }
    blocks.extend(cx.body_blocks(&m.question.explanation_body, hang));
    blocks
}

/// The practice questions' key at the end of the book; nothing when there was no practice.
fn practice_key(data: &BookData) -> Vec<Block> {
    let mut blocks = Vec::new();
    if data.practice_key.is_empty() {
        return blocks;
    }
    let mut para = Para::new(12.0).left_aligned().before(12.0).keep();
    para.outline = Some(0);
    blocks.push(Block::p(para.with(&[Span::heading("巩固练习答案")])));
    for k in &data.practice_key {
        let mut spans = vec![
            Span::heading(format!("练{}．", k.number)),
            Span::body(&k.answer),
        ];
        for line in &k.answer_lines {
            spans.push(Span::body(format!("　{line}")));
        }
        if let Some(e) = &k.explanation {
            spans.push(Span::heading("　【解析】"));
            spans.push(Span::body(e));
        }
        blocks.push(Block::p(Para::new(BODY_SIZE).with(&spans)));
    }
    blocks
}

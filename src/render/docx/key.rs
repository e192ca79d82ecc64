//! The answer key (答案与解析) as a Word document: the answer grid per part as a table, then 【答案】,
//! 【解析】 and 【考点】 for every question.

use docx_rs::Docx;

use super::paper::{Block, add, keep_blocks, number_hang, numbered, spacer};
use super::style::{self, BODY_SIZE, Para, Span};
use super::{Ctx, frame};
use crate::model::paper::PaperData;
use crate::render::markup::Document;

/// The key: the title lines and footer in the template's words, then per part the answer grid and every
/// answer explained.
pub fn key(data: &PaperData, template: &Document, cx: &Ctx) -> Docx {
    let width = cx.setup.column_width();
    let mut blocks = frame::title_lines(&template.blocks);
    for part in &data.parts {
        let mut para = Para::new(BODY_SIZE).before(12.0).keep();
        para.outline = Some(0);
        blocks.push(Block::p(para.with(&[
            Span::heading(&part.heading),
            Span::body(format!("（共{}题，共{}分）", part.count, part.total)),
        ])));
        if !part.scoring.is_empty() {
            blocks.push(Block::p(
                Para::new(BODY_SIZE)
                    .before(2.0)
                    .keep()
                    .with(&[Span::body(format!("评分标准：{}。", part.scoring))]),
            ));
        }
        blocks.push(Block::p(spacer(4.0, true)));
        let mut rows = Vec::new();
        for row in &part.grid {
            rows.push(
                std::iter::once(Span::heading("题号"))
                    .chain(row.numbers.iter().map(Span::body))
                    .collect(),
            );
            rows.push(
                std::iter::once(Span::heading("答案"))
                    .chain(row.answers.iter().map(Span::body))
                    .collect(),
            );
        }
        blocks.push(Block::t(style::grid_table(
            rows, width, 1.0, BODY_SIZE, 1.9, 2,
        )));
        for q in &part.questions {
            let hang = number_hang(cx, q.number);
            let mut paras = vec![numbered(
                q.number,
                vec![
                    Span::heading("【答案】"),
                    Span::body(format!("{}（{}分）", q.answer, q.points)),
                ],
                hang,
            )];
            let mut follow = Para::new(BODY_SIZE);
            follow.left = hang;
            for line in &q.answer_lines {
                paras.push(follow.with(&[Span::body(line)]));
            }
            if let Some(e) = &q.explanation {
                paras.push(follow.with(&[Span::heading("【解析】"), Span::body(e)]));
            }
            let mut entry: Vec<Block> = paras.into_iter().map(Block::p).collect();
            entry.extend(cx.body_blocks(&q.explanation_body, hang));
            if let Some(note) = &q.note_title {
                entry.push(Block::p(follow.with(&[
                    Span::heading("【考点】"),
                    Span::body(format!("{}——{note}", q.section_title)),
                ])));
            }
            blocks.extend(keep_blocks(entry));
        }
    }
    add(
        style::document(cx.setup, template.footer.as_deref()),
        blocks,
    )
}

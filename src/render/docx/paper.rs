//! The exam paper and the teacher's edition as Word documents: header block, score table, 考生须知, part
//! headings and hanging-indented questions with their options laid out as the PDF lays them out.

use docx_rs::{Docx, Paragraph};

use std::collections::HashMap;

use super::style::{self, BODY_SIZE, Para, Span};
pub use super::style::{Block, add, spacer};
use super::{Ctx, frame};
use crate::model::paper::{PaperData, QuestionData};
use crate::render::markup::Document;

/// The title lines every document starts with.
pub fn title_block(lines: &[(f32, f32, Vec<Span>)]) -> Vec<Block> {
    lines
        .iter()
        .map(|(size, before, spans)| {
            Block::p(Para::new(*size).center().before(*before).with(spans))
        })
        .collect()
}

/// The hanging indent of a question: its number's width as the PDF measures it, since the PDF hangs each stem
/// from its own number.
pub fn number_hang(cx: &Ctx, number: usize) -> f32 {
    style::width(cx.metrics, &[Span::body(format!("{number}．"))], BODY_SIZE)
}

/// A question's first paragraph: the number, then `spans`, hanging from `hang`. The stem follows the number
/// as in the PDF, not after a tab: a tab to the indent would jump to the next default stop wherever the
/// number comes out a hair wider than the PDF measured it (a Latin face other than Times New Roman).
pub fn numbered(number: usize, spans: Vec<Span>, hang: f32) -> Paragraph {
    let mut para = Para::new(BODY_SIZE);
    para.left = hang;
    para.hanging = hang;
    // The PDF's gap above a question: 0.35 of a line.
    para.before = BODY_SIZE * 1.5 * 0.35;
    para.keep_next = true;
    let p = para
        .build()
        .add_run(style::run(&Span::body(format!("{number}．")), BODY_SIZE));
    spans
        .iter()
        .fold(p, |p, s| p.add_run(style::run(s, BODY_SIZE)))
}

/// Glues a question's blocks so Word keeps them on one page, as the PDF does (a table's own paragraphs
/// already keep with the next).
pub fn keep_blocks(blocks: Vec<Block>) -> Vec<Block> {
    let n = blocks.len();
    blocks
        .into_iter()
        .enumerate()
        .map(|(i, b)| match b {
            Block::P(p) => Block::p(p.keep_next(i + 1 < n)),
            t => t,
        })
        .collect()
}

/// The paper (the teacher's edition when `data.teacher`) in the template's words and order, each of the
/// template's questions written from the paper data.
pub fn paper(data: &PaperData, template: &Document, cx: &Ctx) -> Docx {
    let questions: HashMap<&str, &QuestionData> = data
        .parts
        .iter()
        .flat_map(|p| &p.questions)
        .map(|q| (q.id.as_str(), q))
        .collect();
    let blocks = frame::blocks(&template.blocks, cx, &mut |block| {
        match block.id.as_deref().and_then(|id| questions.get(id)) {
            Some(q) => question(q, data.teacher, number_hang(cx, q.number), cx),
            // A question the paper does not hold (a template's own example) has nothing to print.
            None => Vec::new(),
        }
    });
    add(
        style::document(cx.setup, template.footer.as_deref()),
        blocks,
    )
}

/// A question as Word blocks: the numbered stem, what follows it (figures, tables, more text), options
/// laid out as the PDF lays them out, lines to write on, and in the teacher's edition the answer and
/// explanation; glued so Word keeps the question on one page.
pub fn question(q: &QuestionData, teacher: bool, hang: f32, cx: &Ctx) -> Vec<Block> {
    let width = cx.setup.column_width() - hang;
    let mut blocks = vec![Block::p(numbered(
        q.number,
        cx.stem_spans(&q.stem, width),
        hang,
    ))];
    blocks.extend(cx.body_blocks(&q.body, hang));
    blocks.extend(options(q, teacher, hang, cx).into_iter().map(Block::p));
    if q.lines > 0 {
        blocks.extend(style::ruled_lines(q.lines, hang).into_iter().map(Block::p));
    }
    if teacher {
        let size = 9.5;
        let mut spans = vec![
            Span::heading("【答案】").accent(true),
            Span::body(format!("{}　", q.answer)).accent(true),
        ];
        for line in &q.answer_lines {
            spans.push(Span::body(format!("{line}　")).accent(true));
        }
        if let Some(e) = &q.explanation {
            spans.push(Span::heading("【解析】").accent(true));
            spans.push(Span::body(e).accent(true));
        }
        let mut para = Para::new(size);
        para.left = hang;
        blocks.push(Block::p(para.with(&spans)));
        blocks.extend(cx.body_blocks(&q.explanation_body, hang));
    }
    keep_blocks(blocks)
}

/// The options 4, 2 or 1 to a line by the PDF's rule (the widest option, label and picture included, and
/// a gap), on tab stops; an image option's picture fitted to its cell.
fn options(q: &QuestionData, teacher: bool, hang: f32, cx: &Ctx) -> Vec<Paragraph> {
    if q.options.is_empty() {
        return Vec::new();
    }
    let width = cx.setup.column_width() - hang;
    let gap = BODY_SIZE;
    let label = |o: &crate::model::paper::OptionData| Span::body(format!("{}．", o.label));
    let text = |o: &crate::model::paper::OptionData| {
        let marked = teacher && o.correct;
        let text = if marked {
            format!("{}√", o.text)
        } else {
            o.text.clone()
        };
        Span::body(text).accent(marked)
    };
    let widest = q
        .options
        .iter()
        .map(|o| {
            let picture = o.image.as_ref().map_or(0.0, |i| cx.picture_width(i, width));
            picture + style::width(cx.metrics, &[label(o), text(o)], BODY_SIZE)
        })
        .fold(0.0, f32::max);
    let per_line = crate::render::layout::options_per_line(q.options.len(), widest + gap, width);
    let cell = width / per_line as f32;
    // The spans of an option whose picture has `room` points beside its label.
    let spans = |o: &crate::model::paper::OptionData, room: f32| {
        let mut spans = vec![label(o)];
        if let Some(image) = &o.image {
            spans.push(cx.picture(image, room));
        }
        spans.push(text(o));
        spans
    };
    let label_width = |o| style::width(cx.metrics, &[label(o)], BODY_SIZE);
    if per_line == 1 {
        return q
            .options
            .iter()
            .map(|o| {
                let label = label_width(o);
                let mut para = Para::new(BODY_SIZE);
                para.left = hang + label;
                para.hanging = label;
                para.with(&spans(o, width - label))
            })
            .collect();
    }
    q.options
        .chunks(per_line)
        .map(|row| {
            let mut para = Para::new(BODY_SIZE).left_aligned();
            para.left = hang;
            para.tabs = (1..per_line).map(|k| hang + k as f32 * cell).collect();
            let mut p = para.build();
            for (k, o) in row.iter().enumerate() {
                if k > 0 {
                    p = p.add_run(style::tab(BODY_SIZE));
                }
                // Each option ends before the next tab stop, or Word would push it a stop further.
                for s in spans(o, cell - gap - label_width(o)) {
                    p = p.add_run(style::run(&s, BODY_SIZE));
                }
            }
            p
        })
        .collect()
}

//! The review handout (考点回顾) as a Word document: the notes the paper tested, by section, key phrases in
//! the heading face.

use docx_rs::Docx;

use super::paper::{Block, add};
use super::style::{self, BODY_SIZE, Para, Span};
use super::{Ctx, frame};
use crate::model::paper::{PaperData, TextRun};
use crate::render::markup::Document;

/// The review handout: the title lines and footer in the template's words, then the notes by section.
pub fn review(data: &PaperData, template: &Document, cx: &Ctx) -> Docx {
    let mut blocks = frame::title_lines(&template.blocks);
    // A picture in a note's text fits beside the paragraph's first-line indent.
    let room = cx.setup.column_width() - 2.0 * BODY_SIZE;
    for section in &data.review {
        let mut para = Para::new(12.0).left_aligned().before(10.0).keep();
        para.outline = Some(0);
        blocks.push(Block::p(para.with(&[Span::heading(&section.title)])));
        for note in &section.notes {
            blocks.push(Block::p(Para::new(BODY_SIZE).before(5.0).keep().with(&[
                Span::heading(&note.title),
                Span::body(format!("【第{}题】", note.numbers)),
            ])));
            note_blocks(&note.paragraphs, cx, room, &mut blocks);
        }
    }
    add(
        style::document(cx.setup, template.footer.as_deref()),
        blocks,
    )
}

/// A note's paragraphs as Word paragraphs: key phrases bold, pictures at most `room` wide.
pub fn note_blocks(paragraphs: &[Vec<TextRun>], cx: &Ctx, room: f32, blocks: &mut Vec<Block>) {
    for p in paragraphs {
        let lone = matches!(p.as_slice(), [r] if r.image.is_some());
        let spans: Vec<Span> = p
            .iter()
            .map(|r| match &r.image {
                Some(image) => cx.picture(image, room),
                None if r.key => Span::heading(&r.text),
                None => Span::body(&r.text),
            })
            .collect();
        blocks.push(Block::p(note_para(lone).with(&spans)));
    }
}

/// A note's paragraph: indented two characters, or a picture alone on its line, centred (as on the PDF).
pub fn note_para(lone_picture: bool) -> Para {
    let mut para = Para::new(BODY_SIZE);
    if lone_picture {
        para = para.center();
    } else {
        para.first_line = 2.0 * BODY_SIZE;
    }
    para
}

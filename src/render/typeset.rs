//! Typesetting: a template and its data → page markup → glyph check → layout (positioned boxes, no PDF
//! types). What is expensive to set up (templates compiled, pictures read) is made once per run and shared;
//! the PDF writer (render/pdf) draws the layouts, the Word writer (render/docx) measures with the same fonts
//! and page set-up.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::render::fonts::{FontRole, FontSet, MissingGlyph, missing_glyphs_error};
use crate::render::layout::{self, Layout, PageSetup, stamp};
use crate::render::markup::{self, Block, Document, Inline, QuestionBlock};
use crate::render::pictures::Pictures;
use crate::render::template::{Template, TemplateData, Templates};

/// The run's fonts, templates, page set-up and pictures, laying out one document after another.
pub struct Typesetter<'f> {
    fonts: &'f FontSet,
    templates: Templates,
    setup: PageSetup,
    pictures: Arc<Pictures>,
    /// Paragraphs set so far, reused by later documents (a class's papers and keys print the same ones).
    paras: layout::ParaCache,
    /// Question elements parsed so far whose characters the fonts all have, reused likewise.
    questions: markup::Questions,
}

impl<'f> Typesetter<'f> {
    /// The built-in templates (each overridden by a same-named file in `templates_dir`), on `setup`; no
    /// pictures until [`Typesetter::with_images`].
    pub fn new(
        fonts: &'f FontSet,
        templates_dir: Option<&Path>,
        setup: PageSetup,
    ) -> Result<Typesetter<'f>> {
        Ok(Typesetter {
            fonts,
            templates: Templates::load(templates_dir)?,
            setup,
            pictures: Arc::new(Pictures::new(fonts, Default::default())),
            paras: Default::default(),
            questions: Default::default(),
        })
    }

    /// Uses `images` (the bank's, already read by `check`) instead of reading image files again.
    pub fn with_images(mut self, images: Arc<crate::input::images::Images>) -> Self {
        self.pictures = Arc::new(Pictures::new(self.fonts, images));
        self
    }

    pub fn fonts(&self) -> &'f FontSet {
        self.fonts
    }

    pub fn setup(&self) -> &PageSetup {
        &self.setup
    }

    /// The run's pictures, for every backend.
    pub fn pictures(&self) -> &Arc<Pictures> {
        &self.pictures
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// `template` rendered with `data` and parsed into page markup, its pictures measured.
    pub fn markup<T: TemplateData + ?Sized>(
        &self,
        template: Template,
        data: &T,
    ) -> Result<Document> {
        let text = data.render_with(&self.templates, template)?;
        Ok(self.parse_markup(template, &text)?.0)
    }

    /// Page markup `text` (what `template` rendered) parsed, its pictures measured; and whether every
    /// question's characters are known to be in the fonts (then [`missing_glyphs`] need not read them).
    fn parse_markup(&self, template: Template, text: &str) -> Result<(Document, bool)> {
        let source = self.templates.source(template);
        let fonts_have = |q: &QuestionBlock| {
            let mut check = GlyphCheck {
                fonts: self.fonts,
                template: source,
                skip_questions: false,
                out: Vec::new(),
            };
            check.question(q, None);
            check.out.is_empty()
        };
        let (mut doc, questions_checked) =
            markup::parse_reusing(text, source, &self.questions, &fonts_have)?;
        let images = self.pictures.images();
        markup::for_each_picture(&mut doc.blocks, &mut |p| {
            let picture = images.get(Path::new(&p.src)).map_err(|message| {
                Error::input(message).because(format!(
                    "the image is named by `{source}`; run `examgen check` on the bank"
                ))
            })?;
            p.natural = picture.natural_width_pt();
            p.aspect = picture.aspect();
            Ok(())
        })?;
        Ok((doc, questions_checked))
    }

    /// Lays out `template` with `data`: every character checked against the fonts first.
    pub fn layout<T: TemplateData + ?Sized>(&self, template: Template, data: &T) -> Result<Layout> {
        let text = data.render_with(&self.templates, template)?;
        let (doc, checked) = self.parse_markup(template, &text)?;
        let missing = glyphs_missing(&doc, self.fonts, self.templates.source(template), checked);
        if !missing.is_empty() {
            return Err(missing_glyphs_error(missing));
        }
        Ok(self.lay_out(&doc))
    }

    /// Lays out `template` once for a whole class: `data` holds placeholders ([`stamp::NAME`] …) where each
    /// student's values go, and the layout reserves their boxes for [`Layout::stamped`]. None when the
    /// template prints a placeholder anywhere but a field's value, the 准考证号 grid or its QR code (a custom
    /// template with the name in its title, say): such a document is laid out for each student.
    pub fn prepare<T: TemplateData + ?Sized>(
        &self,
        template: Template,
        data: &T,
    ) -> Result<Option<Layout>> {
        let text = data.render_with(&self.templates, template)?;
        let printed = stamp::placeholders_in(&text);
        let (doc, checked) = self.parse_markup(template, &text)?;
        let in_head = doc
            .continued
            .as_ref()
            .map_or(0, |c| reserved_placeholders(&c.blocks));
        if reserved_placeholders(&doc.blocks) + in_head != printed {
            return Ok(None);
        }
        let missing: Vec<MissingGlyph> =
            glyphs_missing(&doc, self.fonts, self.templates.source(template), checked)
                .into_iter()
                .filter(|m| !stamp::is_placeholder(m.c))
                .collect();
        if !missing.is_empty() {
            return Err(missing_glyphs_error(missing));
        }
        Ok(Some(self.lay_out(&doc)))
    }

    /// Lays out page markup with the run's fonts and set-up, reusing the paragraphs set before.
    fn lay_out(&self, doc: &Document) -> Layout {
        layout::layout_reusing(doc, self.fonts, &self.setup, Some(&self.paras))
    }

    /// Lays out several documents, on every core when `parallel`; results in job order.
    pub fn layout_all<T: TemplateData + Sync>(
        &self,
        jobs: &[(Template, &T)],
        parallel: bool,
    ) -> Vec<Result<Layout>> {
        if parallel {
            crate::util::parallel::map(jobs, |(template, data)| self.layout(*template, *data))
        } else {
            jobs.iter()
                .map(|(template, data)| self.layout(*template, *data))
                .collect()
        }
    }
}

/// How many placeholders `blocks` hold where layout reserves a box for them: field values, the id grid's
/// digits and its QR code.
fn reserved_placeholders(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            Block::Fields { fields, .. } => fields
                .iter()
                .map(|f| stamp::placeholders_in(&f.value))
                .sum(),
            Block::Digits { value, qr, .. } => {
                stamp::placeholders_in(value) + stamp::placeholders_in(qr)
            }
            Block::Boxed { blocks, .. } => reserved_placeholders(blocks),
            Block::Question(q) => reserved_placeholders(&q.body) + reserved_placeholders(&q.after),
            _ => 0,
        })
        .sum()
}

/// Every character of the document that its font cannot show, with where it occurs: the question id, or
/// the text around it.
pub fn missing_glyphs(doc: &Document, fonts: &FontSet, template: &str) -> Vec<MissingGlyph> {
    glyphs_missing(doc, fonts, template, false)
}

/// [`missing_glyphs`], leaving out the questions when `questions_checked` (each was checked when it was
/// first parsed, and has none missing).
fn glyphs_missing(
    doc: &Document,
    fonts: &FontSet,
    template: &str,
    questions_checked: bool,
) -> Vec<MissingGlyph> {
    let mut check = GlyphCheck {
        fonts,
        template,
        skip_questions: questions_checked,
        out: Vec::new(),
    };
    check.blocks(&doc.blocks, None);
    let seal = body("密封线内不要答题学校班级姓名考号：\u{3000}".into());
    check.runs(&seal, &|| "the seal line".to_string());
    if let Some(footer) = &doc.footer {
        let runs = body(footer.replace("{page}", "1").replace("{pages}", "2"));
        check.runs(&runs, &|| format!("the footer of {template}"));
    }
    if let Some(continued) = &doc.continued {
        check.blocks(&continued.blocks, None);
        if let Some(footer) = &continued.footer {
            let runs = body(footer.replace("{page}", "1").replace("{pages}", "2"));
            check.runs(&runs, &|| format!("the page footer of {template}"));
        }
    }
    check.out
}

/// One run of body text.
fn body(text: String) -> Vec<Inline> {
    vec![Inline::Text {
        text,
        role: FontRole::Body,
    }]
}

/// The characters of one document found missing so far, in document order.
struct GlyphCheck<'a> {
    fonts: &'a FontSet,
    template: &'a str,
    /// Questions are known to have every character in the fonts.
    skip_questions: bool,
    out: Vec<MissingGlyph>,
}

impl GlyphCheck<'_> {
    /// Checks `runs`; `place` says where they are, asked only when a character is missing.
    fn runs(&mut self, runs: &[Inline], place: &dyn Fn() -> String) {
        for run in runs {
            if let Inline::Text { text, role } = run {
                self.text(text, *role, place);
            }
        }
    }

    /// Checks `text` in `role`'s face.
    fn text(&mut self, text: &str, role: FontRole, place: &dyn Fn() -> String) {
        let face = self.fonts.face(role);
        for c in text.chars().filter(|c| !face.has(*c)) {
            self.out.push(MissingGlyph {
                c,
                font: face.name.clone(),
                place: place(),
            });
        }
    }

    fn blocks(&mut self, blocks: &[Block], question: Option<&str>) {
        let tpl = self.template;
        for block in blocks {
            match block {
                Block::Para(p) | Block::Heading { para: p, .. } => {
                    self.runs(&p.runs, &|| place(tpl, &p.runs, question))
                }
                Block::Table(t) => {
                    for cell in t.rows.iter().flatten() {
                        self.runs(&cell.runs, &|| place(tpl, &cell.runs, question));
                    }
                }
                Block::Boxed { title, blocks, .. } => {
                    if let Some(title) = title {
                        let runs = vec![Inline::Text {
                            text: title.clone(),
                            role: FontRole::Heading,
                        }];
                        self.runs(&runs, &|| place(tpl, &runs, question));
                    }
                    self.blocks(blocks, question);
                }
                Block::Question(_) if self.skip_questions => {}
                Block::Question(q) => self.question(q, question),
                Block::Entry { runs, page, .. } => {
                    self.runs(runs, &|| place(tpl, runs, question));
                    self.runs(&body(page.clone()), &|| place(tpl, runs, question));
                }
                Block::Lines { .. } | Block::Space(_) | Block::PageBreak => {}
                widget => self.widget(widget, question),
            }
        }
    }

    fn question(&mut self, q: &QuestionBlock, outer: Option<&str>) {
        let tpl = self.template;
        let id = q.id.as_deref().or(outer);
        self.runs(&q.stem, &|| place(tpl, &q.stem, id));
        self.blocks(&q.body, id);
        for (label, runs) in &q.options {
            // The label, then the option's text, checked where they are (not copied into one list).
            self.text(label, FontRole::Body, &|| place(tpl, runs, id));
            self.runs(runs, &|| place(tpl, runs, id));
        }
        self.blocks(&q.after, id);
    }

    /// The text a widget prints of its own (field labels, bubble letters, digits, bar labels).
    fn widget(&mut self, block: &Block, question: Option<&str>) {
        let tpl = self.template;
        match block {
            Block::Fields { fields, .. } => {
                for f in fields {
                    let runs = [body(f.label.clone()), body(f.value.clone())].concat();
                    self.runs(&runs, &|| format!("the field {}", f.label));
                }
            }
            Block::Bubbles { questions, .. } => {
                for (n, choices) in questions {
                    let runs = body(format!("{n}{}", choices.concat()));
                    self.runs(&runs, &|| place(tpl, &runs, question));
                }
            }
            Block::Bars { bars, .. } => {
                for (label, _) in bars {
                    let runs = body(format!("{label}0123456789."));
                    self.runs(&runs, &|| place(tpl, &runs, question));
                }
            }
            Block::Digits {
                value, variants, ..
            } => {
                let runs = body(format!("0123456789{value}试卷类型{}", variants.concat()));
                self.runs(&runs, &|| format!("the id {value}"));
            }
            _ => {}
        }
    }
}

/// Where `runs` are: inside question `question`, or else their first characters in `template`.
fn place(template: &str, runs: &[Inline], question: Option<&str>) -> String {
    if let Some(id) = question {
        return format!("question {id}");
    }
    let text: String = runs
        .iter()
        .filter_map(|r| match r {
            Inline::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect::<String>()
        .chars()
        .take(24)
        .collect();
    format!("the text “{text}” from {template}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_the_fonts_lack_is_found_whether_its_question_was_parsed_before_or_not() {
        let fonts = FontSet::builtin();
        let typeset = Typesetter::new(&fonts, None, PageSetup::a4()).unwrap();
        let doc = |lacking: &str, outside: &str| {
            format!(
                r#"<document title="t"><p>前言{outside}</p><question number="1．" id="q1"><stem>甲{lacking}</stem></question><question number="2．" id="q2"><stem>乙</stem></question></document>"#
            )
        };
        let missing = |text: &str| {
            let (doc, checked) = typeset.parse_markup(Template::Paper, text).unwrap();
            let found = glyphs_missing(&doc, &fonts, "t", checked);
            assert_eq!(
                found.iter().map(|m| m.c).collect::<Vec<_>>(),
                missing_glyphs(&doc, &fonts, "t")
                    .iter()
                    .map(|m| m.c)
                    .collect::<Vec<_>>()
            );
            (found.len(), checked)
        };
        // Each time, and under another number: the question with the lacking character is never taken
        // as checked.
        let lacking = doc("\u{E000}", "");
        assert_eq!(missing(&lacking), (1, false));
        assert_eq!(missing(&lacking), (1, false));
        assert_eq!(missing(&lacking.replace("1．", "7．")), (1, false));
        // Questions with every character, parsed before: only the rest of the document is read.
        let clean = doc("", "");
        assert_eq!(missing(&clean), (0, true));
        assert_eq!(missing(&clean.replace("2．", "12．")), (0, true));
        assert_eq!(missing(&doc("", "\u{E001}")), (1, true));
    }
}

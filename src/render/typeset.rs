//! Typesetting: a template and its data → page markup → glyph check → layout (positioned boxes, no PDF
//! types). What is expensive to set up (templates compiled, pictures read) is made once per run and shared;
//! the PDF writer (render/pdf) draws the layouts, the Word writer (render/docx) measures with the same fonts
//! and page set-up.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::render::fonts::{FontSet, MissingGlyph, missing_glyphs_error};
use crate::render::layout::{self, Layout, PageSetup};
use crate::render::markup::{self, Block, Document, Inline};
use crate::render::pictures::Pictures;
use crate::render::template::{Template, Templates};

/// The run's fonts, templates, page set-up and pictures, laying out one document after another.
pub struct Typesetter<'f> {
    fonts: &'f FontSet,
    templates: Templates,
    setup: PageSetup,
    pictures: Arc<Pictures>,
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
    pub fn markup<T: Serialize>(&self, template: Template, data: &T) -> Result<Document> {
        let source = self.templates.source(template);
        let text = self.templates.render(template, data)?;
        let mut doc = markup::parse(&text, source)?;
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
        Ok(doc)
    }

    /// Lays out `template` with `data`: every character checked against the fonts first.
    pub fn layout<T: Serialize>(&self, template: Template, data: &T) -> Result<Layout> {
        let doc = self.markup(template, data)?;
        let missing = missing_glyphs(&doc, self.fonts, self.templates.source(template));
        if !missing.is_empty() {
            return Err(missing_glyphs_error(missing));
        }
        Ok(layout::layout(&doc, self.fonts, &self.setup))
    }

    /// Lays out several documents, on every core when `parallel`; results in job order.
    pub fn layout_all<T: Serialize + Sync>(
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

/// Every character of the document that its font cannot show, with where it occurs: the question id, or
/// the text around it.
pub fn missing_glyphs(doc: &Document, fonts: &FontSet, template: &str) -> Vec<MissingGlyph> {
    let mut out = Vec::new();
    let mut check = |runs: &[Inline], place: &dyn Fn() -> String| {
        for run in runs {
            if let Inline::Text { text, role } = run {
                let face = fonts.face(*role);
                for c in text.chars().filter(|c| !face.has(*c)) {
                    out.push(MissingGlyph {
                        c,
                        font: face.name.clone(),
                        place: place(),
                    });
                }
            }
        }
    };
    let around = |runs: &[Inline]| -> String {
        let text: String = runs
            .iter()
            .filter_map(|r| {
                if let Inline::Text { text, .. } = r {
                    Some(text.as_str())
                } else {
                    None
                }
            })
            .collect::<String>()
            .chars()
            .take(24)
            .collect();
        format!("the text “{text}” from {template}")
    };
    fn walk(
        blocks: &[Block],
        question: Option<&str>,
        check: &mut dyn FnMut(&[Inline], &dyn Fn() -> String),
        around: &dyn Fn(&[Inline]) -> String,
    ) {
        for block in blocks {
            let place = |runs: &[Inline]| match question {
                Some(id) => format!("question {id}"),
                None => around(runs),
            };
            match block {
                Block::Para(p) | Block::Heading { para: p, .. } => {
                    check(&p.runs, &|| place(&p.runs))
                }
                Block::Fields { fields, .. } => {
                    for f in fields {
                        let runs = vec![
                            Inline::Text {
                                text: f.label.clone(),
                                role: crate::render::fonts::FontRole::Body,
                            },
                            Inline::Text {
                                text: f.value.clone(),
                                role: crate::render::fonts::FontRole::Body,
                            },
                        ];
                        let label = f.label.clone();
                        check(&runs, &|| format!("the field {label}"));
                    }
                }
                Block::Table(t) => {
                    for cell in t.rows.iter().flatten() {
                        check(&cell.runs, &|| place(&cell.runs));
                    }
                }
                Block::Boxed { title, blocks, .. } => {
                    if let Some(title) = title {
                        let runs = vec![Inline::Text {
                            text: title.clone(),
                            role: crate::render::fonts::FontRole::Heading,
                        }];
                        check(&runs, &|| place(&runs));
                    }
                    walk(blocks, question, check, around);
                }
                Block::Question(q) => {
                    let id = q.id.as_deref().or(question);
                    let own = |runs: &[Inline]| match id {
                        Some(id) => format!("question {id}"),
                        None => around(runs),
                    };
                    check(&q.stem, &|| own(&q.stem));
                    walk(&q.body, id, check, around);
                    for (label, runs) in &q.options {
                        let with_label = [
                            vec![Inline::Text {
                                text: label.clone(),
                                role: crate::render::fonts::FontRole::Body,
                            }],
                            runs.clone(),
                        ]
                        .concat();
                        check(&with_label, &|| own(runs));
                    }
                    walk(&q.after, id, check, around);
                }
                Block::Bubbles { questions, .. } => {
                    for (n, choices) in questions {
                        let runs = vec![Inline::Text {
                            text: format!("{n}{}", choices.concat()),
                            role: crate::render::fonts::FontRole::Body,
                        }];
                        check(&runs, &|| place(&runs));
                    }
                }
                Block::Bars { bars, .. } => {
                    for (label, _) in bars {
                        let runs = vec![Inline::Text {
                            text: format!("{label}0123456789."),
                            role: crate::render::fonts::FontRole::Body,
                        }];
                        check(&runs, &|| place(&runs));
                    }
                }
                Block::Digits {
                    value, variants, ..
                } => {
                    let runs = vec![Inline::Text {
                        text: format!("0123456789{value}试卷类型{}", variants.concat()),
                        role: crate::render::fonts::FontRole::Body,
                    }];
                    check(&runs, &|| format!("the id {value}"));
                }
                Block::Entry { runs, page, .. } => {
                    check(runs, &|| place(runs));
                    let page_runs = vec![Inline::Text {
                        text: page.clone(),
                        role: crate::render::fonts::FontRole::Body,
                    }];
                    check(&page_runs, &|| place(runs));
                }
                Block::Lines { .. } | Block::Space(_) | Block::PageBreak => {}
            }
        }
    }
    walk(&doc.blocks, None, &mut check, &around);
    let seal = vec![Inline::Text {
        text: "密封线内不要答题学校班级姓名考号：\u{3000}".into(),
        role: crate::render::fonts::FontRole::Body,
    }];
    check(&seal, &|| "the seal line".to_string());
    if let Some(footer) = &doc.footer {
        let runs = vec![Inline::Text {
            text: footer.replace("{page}", "1").replace("{pages}", "2"),
            role: crate::render::fonts::FontRole::Body,
        }];
        check(&runs, &|| format!("the footer of {template}"));
    }
    out
}

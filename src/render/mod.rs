//! Rendering one document: template → page markup → glyph check → layout → PDF, with everything that is
//! expensive to set up (fonts parsed for embedding, templates compiled) made once and shared.

pub mod docx;
pub mod embed;
pub mod fonts;
pub mod layout;
pub mod markup;
pub mod pdf;
pub mod pictures;
pub mod template;

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use fonts::{FontSet, MissingGlyph, missing_glyphs_error};
use layout::{Layout, PageSetup};
use markup::{Block, Document, Inline};
use pdf::PdfFonts;
use template::Templates;

pub struct Renderer<'f> {
    pub fonts: &'f FontSet,
    pub pdf_fonts: PdfFonts<'f>,
    pub templates: Templates,
    pub setup: PageSetup,
}

/// A rendered document: its layout (for tests and page counts) and its PDF bytes.
pub struct Rendered {
    pub layout: Layout,
    pub pdf: Vec<u8>,
}

impl<'f> Renderer<'f> {
    pub fn new(
        fonts: &'f FontSet,
        templates_dir: Option<&Path>,
        setup: PageSetup,
    ) -> Result<Renderer<'f>> {
        Ok(Renderer {
            fonts,
            pdf_fonts: PdfFonts::new(fonts)?,
            templates: Templates::load(templates_dir)?,
            setup,
        })
    }

    /// Uses `images` (the bank's, already read by `check`) instead of reading image files again.
    pub fn with_images(mut self, images: std::sync::Arc<crate::input::images::Images>) -> Self {
        self.pdf_fonts.pictures = pictures::PictureCache::new(self.fonts, images);
        self
    }

    /// Renders template `name` with `data` to a layout, stopping before the PDF (fast; for tests).
    pub fn layout<T: Serialize>(&self, name: &str, data: &T) -> Result<Layout> {
        let markup = self.templates.render(name, data)?;
        let mut doc = markup::parse(&markup, &self.templates.source(name))?;
        let images = &self.pdf_fonts.pictures.images;
        markup::for_each_picture(&mut doc.blocks, &mut |p| {
            let picture = images.get(Path::new(&p.src)).map_err(|message| {
                crate::error::Error::input(message).because(format!(
                    "the image is named by `{}`; run `examgen check` on the bank",
                    self.templates.source(name)
                ))
            })?;
            p.natural = picture.natural_width_pt();
            p.aspect = picture.aspect();
            Ok(())
        })?;
        let missing = missing_glyphs(&doc, self.fonts, &self.templates.source(name));
        if !missing.is_empty() {
            return Err(missing_glyphs_error(missing));
        }
        Ok(layout::layout(&doc, self.fonts, &self.setup))
    }

    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<Rendered> {
        let layout = self.layout(name, data)?;
        let pdf = self.draw(&layout)?;
        Ok(Rendered { layout, pdf })
    }

    /// Draws a laid-out document as PDF. Every picture is made (decoded, downsampled) first, so a broken
    /// file is an error here.
    pub fn draw(&self, layout: &Layout) -> Result<Vec<u8>> {
        for item in layout.pages.iter().flat_map(|p| &p.items) {
            if let layout::Item::Image { w, src, .. } = item {
                self.pdf_fonts
                    .pictures
                    .xobject(src, *w)
                    .map_err(crate::error::Error::input)?;
            }
        }
        Ok(pdf::render(layout, &self.pdf_fonts))
    }

    /// Renders several documents (template, data): all laid out first, the fonts cut down to their glyphs
    /// once, then each drawn, on every core when `parallel`; so no document's subset reads the whole font.
    pub fn render_all<T: Serialize + Sync>(
        &self,
        jobs: &[(&str, &T)],
        parallel: bool,
    ) -> Vec<Result<Rendered>> {
        let run = |f: &(dyn Fn(usize) -> Result<Vec<u8>> + Sync)| -> Vec<Result<Vec<u8>>> {
            let idx: Vec<usize> = (0..jobs.len()).collect();
            if parallel {
                crate::util::parallel::map(&idx, |i| f(*i))
            } else {
                idx.iter().map(|i| f(*i)).collect()
            }
        };
        let layouts: Vec<Result<Layout>> = if parallel {
            crate::util::parallel::map(jobs, |(name, data)| self.layout(name, data))
        } else {
            jobs.iter()
                .map(|(name, data)| self.layout(name, data))
                .collect()
        };
        self.pdf_fonts
            .narrow_to(layouts.iter().filter_map(|l| l.as_ref().ok()));
        let pdfs = run(&|i| match &layouts[i] {
            Ok(layout) => self.draw(layout),
            // The layout's own error is returned below.
            Err(_) => Ok(Vec::new()),
        });
        layouts
            .into_iter()
            .zip(pdfs)
            .map(|(layout, pdf)| {
                Ok(Rendered {
                    layout: layout?,
                    pdf: pdf?,
                })
            })
            .collect()
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

//! Templates: handlebars files that turn paper data into the page markup of docs/templates.md.
//!
//! The built-in templates are compiled into the binary; a file of the same name in a templates folder
//! overrides just that one (as mdBook's themes do). Strict mode: a misspelt variable is an error naming the
//! template, line and variable, never a silently empty field.

use std::path::{Path, PathBuf};

pub use handlebars::Context;
use handlebars::{Handlebars, RenderErrorReason};
use serde::Serialize;

use crate::error::{Error, Result};

/// (file name, built-in text) of every template examgen knows.
#[rustfmt::skip]
pub const BUILTIN: &[(&str, &str)] = &[
    ("paper.hbs", include_str!("../../templates/paper.hbs")),
    ("key.hbs", include_str!("../../templates/key.hbs")),
    ("review.hbs", include_str!("../../templates/review.hbs")),
    ("handout.hbs", include_str!("../../templates/handout.hbs")),
    ("handout-key.hbs", include_str!("../../templates/handout-key.hbs")),
    ("answer-sheet.hbs", include_str!("../../templates/answer-sheet.hbs")),
    ("report.hbs", include_str!("../../templates/report.hbs")),
    ("review-book.hbs", include_str!("../../templates/review-book.hbs")),
    ("review-book-class.hbs", include_str!("../../templates/review-book-class.hbs")),
];

/// Every template examgen knows, in the order of [`BUILTIN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    Paper,
    Key,
    Review,
    Handout,
    HandoutKey,
    AnswerSheet,
    Report,
    ReviewBook,
    ReviewBookClass,
}

impl Template {
    pub const ALL: [Template; 9] = [
        Template::Paper,
        Template::Key,
        Template::Review,
        Template::Handout,
        Template::HandoutKey,
        Template::AnswerSheet,
        Template::Report,
        Template::ReviewBook,
        Template::ReviewBookClass,
    ];

    /// The file that overrides it in a templates folder (`paper.hbs`).
    pub fn file(self) -> &'static str {
        BUILTIN[self as usize].0
    }

    fn builtin(self) -> &'static str {
        BUILTIN[self as usize].1
    }

    /// The name it is registered under: its file name without `.hbs`.
    fn name(self) -> &'static str {
        self.file().trim_end_matches(".hbs")
    }
}

/// What a template is rendered with: any serializable data, or data that keeps its own handlebars
/// context so that several documents serialize it once.
pub trait TemplateData {
    /// `template` rendered with this data.
    fn render_with(&self, templates: &Templates, template: Template) -> Result<String>;
}

impl<T: Serialize> TemplateData for T {
    fn render_with(&self, templates: &Templates, template: Template) -> Result<String> {
        templates.render(template, self)
    }
}

pub struct Templates {
    registry: Handlebars<'static>,
    /// Where each template came from, for messages, in the order of [`Template::ALL`].
    sources: Vec<String>,
}

/// Escapes text for the page markup (XML).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab/newline are not allowed in XML; nothing printable is lost.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

impl Templates {
    /// The built-in templates, each overridden by a same-named file in `dir` if given.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(escape_markup);
        let mut sources = Vec::new();
        if let Some(dir) = dir
            && !dir.is_dir()
        {
            return Err(Error::input(format!(
                "the templates folder {} does not exist",
                dir.display()
            ))
            .because(
                "`examgen init --templates DIR` writes the built-in templates there for editing",
            ));
        }
        for template in Template::ALL {
            let (file, builtin, name) = (template.file(), template.builtin(), template.name());
            let (text, source) = match dir.map(|d| d.join(file)).filter(|p| p.is_file()) {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| Error::io("read the template", &path, e))?;
                    (text, path.display().to_string())
                }
                None => (builtin.to_string(), format!("built-in {file}")),
            };
            registry
                .register_template_string(name, &text)
                .map_err(|e| {
                    let at = e
                        .pos()
                        .map_or(String::new(), |(l, c)| format!(" at line {l}, column {c}"));
                    Error::input(format!("the template {source} has a syntax error{at}"))
                        .because(e.reason())
                })?;
            sources.push(source);
        }
        Ok(Templates { registry, sources })
    }

    /// Renders `template` with `data`.
    pub fn render<T: Serialize>(&self, template: Template, data: &T) -> Result<String> {
        self.registry
            .render(template.name(), data)
            .map_err(|e| self.failed(template, e))
    }

    /// Renders `template` with data already made into a handlebars context (serialized once for
    /// several documents).
    pub fn render_context(&self, template: Template, context: &Context) -> Result<String> {
        self.registry
            .render_with_context(template.name(), context)
            .map_err(|e| self.failed(template, e))
    }

    /// The error of rendering `template`, with the template's line and column.
    fn failed(&self, template: Template, e: handlebars::RenderError) -> Error {
        {
            let source = self.source(template);
            let at = match (e.line_no, e.column_no) {
                (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
                _ => String::new(),
            };
            let what = match e.reason() {
                RenderErrorReason::MissingVariable(Some(var)) => {
                    format!("the variable `{var}` does not exist")
                }
                other => other.to_string(),
            };
            Error::input(format!("the template {source}{at}: {what}"))
                .because("docs/templates.md lists the data every template receives")
        }
    }

    /// Where `template` came from: `built-in paper.hbs` or the school's file.
    pub fn source(&self, template: Template) -> &str {
        &self.sources[template as usize]
    }
}

/// Writes the built-in templates into `dir` for editing; existing files are left alone.
pub fn write_defaults(dir: &Path) -> Result<Vec<PathBuf>> {
    let missing: Vec<(PathBuf, &[u8])> = BUILTIN
        .iter()
        .map(|(file, text)| (dir.join(file), text.as_bytes()))
        .filter(|(path, _)| !path.exists())
        .collect();
    // All templates or none, so a full disk never leaves a half-written one to override the built-in.
    let items: Vec<(&Path, &[u8])> = missing.iter().map(|(p, t)| (p.as_path(), *t)).collect();
    crate::util::fs::write_run(dir, &items)?;
    Ok(missing.into_iter().map(|(p, _)| p).collect())
}

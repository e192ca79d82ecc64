//! Templates: handlebars files that turn paper data into the page markup of docs/templates.md.
//!
//! The built-in templates are compiled into the binary; a file of the same name in a templates folder
//! overrides just that one (as mdBook's themes do). Strict mode: a misspelt variable is an error naming the
//! template, line and variable, never a silently empty field.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use handlebars::Context;
use handlebars::{Handlebars, RenderErrorReason};
use serde::Serialize;

use crate::error::{Error, Result};

mod block_cache;

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
    /// Each template's text, in the order of [`Template::ALL`]: what [`Templates::mentions`] reads.
    texts: Vec<String>,
    /// The rendered question blocks kept for reuse (see [`block_cache`]).
    #[cfg_attr(not(test), allow(dead_code))]
    cache: Arc<Mutex<block_cache::Cache>>,
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
        Templates::load_with(dir, true)
    }

    /// [`Templates::load`], with question blocks cached when `cache` and their template allows it (the
    /// output is the same either way).
    fn load_with(dir: Option<&Path>, cache: bool) -> Result<Templates> {
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
        let mut compiled = Vec::new();
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
            let parsed =
                handlebars::Template::compile_with_name(&text, name.to_string()).map_err(|e| {
                    let at = e
                        .pos()
                        .map_or(String::new(), |(l, c)| format!(" at line {l}, column {c}"));
                    Error::input(format!("the template {source} has a syntax error{at}"))
                        .because(e.reason())
                })?;
            compiled.push((name, text, parsed));
            sources.push(source);
        }
        let shared = Arc::new(Mutex::new(block_cache::Cache::default()));
        // A partial renders one template inside another: no block is cached when any template has one.
        let cache = cache
            && !compiled
                .iter()
                .any(|(_, _, t)| block_cache::uses_partials(t));
        let mut next_id = 0;
        let mut texts = Vec::with_capacity(compiled.len());
        for (name, text, mut parsed) in compiled {
            if cache {
                for (helper, def) in block_cache::rewrite(&mut parsed, &text, &mut next_id, &shared)
                {
                    registry.register_helper(&helper, Box::new(def));
                }
            }
            registry.register_template(name, parsed);
            texts.push(text);
        }
        Ok(Templates {
            registry,
            sources,
            texts,
            cache: shared,
        })
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

    /// Whether `template`'s text has `word` anywhere (a variable, a path, a string, a comment): when it
    /// has not, the template cannot read a field of that name, and the data may leave the field empty.
    pub fn mentions(&self, template: Template, word: &str) -> bool {
        self.texts[template as usize].contains(word)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `text` as the given template files of a folder made for the test.
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in files {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        dir
    }

    fn cached_blocks(t: &Templates) -> usize {
        t.cache.lock().unwrap().len()
    }

    #[test]
    fn cached_question_blocks_render_as_handlebars_does_for_the_built_in_templates() {
        let request = crate::workflow::drawn::DrawRequest {
            blueprint: Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/exams/mock.yaml"),
            seed: Some(5),
            variants: 4,
            distinct: false,
            exclude_used: Vec::new(),
        };
        let drawn = crate::workflow::drawn::Drawn::load(&request, &mut std::io::sink()).unwrap();
        let cached = Templates::load(None).unwrap();
        let plain = Templates::load_with(None, false).unwrap();
        let mut blocks = 0;
        // Twice over: the second round is all reuse.
        for _ in 0..2 {
            for v in 0..4 {
                let mut data = crate::model::paper::build(
                    &drawn.bank,
                    &drawn.blueprint,
                    &drawn.variant(v),
                    4,
                    false,
                );
                data.student.name = "张三".into();
                for teacher in [false, true] {
                    data.teacher = teacher;
                    for t in [
                        Template::Paper,
                        Template::Key,
                        Template::AnswerSheet,
                        Template::Review,
                    ] {
                        assert_eq!(
                            cached.render(t, &data).unwrap(),
                            plain.render(t, &data).unwrap(),
                            "{t:?}, variant {v}, teacher {teacher}"
                        );
                    }
                    blocks += 3 * data.question_count;
                }
            }
        }
        let kept = cached_blocks(&cached);
        assert!(kept > 0, "the built-in question blocks are cached");
        assert!(kept < blocks / 4, "{kept} kept of {blocks} rendered");
        assert_eq!(cached_blocks(&plain), 0);
    }

    #[test]
    fn a_schools_own_templates_render_the_same_cached_or_not() {
        let dir = folder(&[
            // The number in a condition: part of the key.
            (
                "paper.hbs",
                "<document>{{#each parts}}{{#each questions}}<p>{{number}}．{{id}}{{#if (eq number 2)}}第二{{/if}}（{{@root.variant}}）{{#each options}}{{label}}{{text}}{{#if correct}}√{{/if}}{{/each}}</p>{{/each}}{{/each}}</document>",
            ),
            // Only printed: spliced; a root value read inside a nested block.
            (
                "key.hbs",
                "<document>{{#each parts}}{{#each questions}}<p>{{number}}:{{answer}}{{#each answer_lines}}{{this}}{{@root.title}}{{@index}}{{/each}}{{{number}}}</p>{{/each}}{{/each}}</document>",
            ),
            // @index of the questions' loop: left to handlebars.
            (
                "answer-sheet.hbs",
                "<document>{{#each parts}}{{#each questions}}<p>{{@index}}/{{number}}</p>{{/each}}{{/each}}</document>",
            ),
        ]);
        let request = crate::workflow::drawn::DrawRequest {
            blueprint: Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/exams/quiz.yaml"),
            seed: Some(2),
            variants: 3,
            distinct: false,
            exclude_used: Vec::new(),
        };
        let drawn = crate::workflow::drawn::Drawn::load(&request, &mut std::io::sink()).unwrap();
        let cached = Templates::load(Some(dir.path())).unwrap();
        let plain = Templates::load_with(Some(dir.path()), false).unwrap();
        for _ in 0..2 {
            for v in 0..3 {
                let data = crate::model::paper::build(
                    &drawn.bank,
                    &drawn.blueprint,
                    &drawn.variant(v),
                    3,
                    false,
                );
                for t in [Template::Paper, Template::Key, Template::AnswerSheet] {
                    let got = cached.render(t, &data).unwrap();
                    assert_eq!(got, plain.render(t, &data).unwrap(), "{t:?}, variant {v}");
                    assert!(got.contains(&format!("<p>{}", data.parts[0].questions[0].number)));
                }
            }
        }
        assert!(cached_blocks(&cached) > 0);
    }

    #[test]
    fn questions_differing_in_anything_their_block_reads_never_share_a_rendering() {
        let dir = folder(&[(
            "paper.hbs",
            "{{#each questions}}[{{number}}|{{stem}}|{{#if @root.teacher}}{{answer}}{{/if}}]{{/each}}",
        )]);
        let templates = Templates::load(Some(dir.path())).unwrap();
        let render = |data: serde_json::Value| templates.render(Template::Paper, &data).unwrap();
        let questions = json!([
            {"number": 1, "stem": "甲", "answer": "A"},
            {"number": 2, "stem": "乙", "answer": "A"},
            {"number": 3, "stem": "甲", "answer": "B"},
            {"number": 4, "stem": "甲", "answer": "A", "id": "not read"},
            {"number": 5, "stem": "甲\u{FDD0}", "answer": "A"},
            {"number": "6a", "stem": "甲", "answer": "A"},
            {"number": 7, "stem": ["甲"], "answer": "A"},
        ]);
        assert_eq!(
            render(json!({"teacher": false, "questions": questions})),
            "[1|甲|][2|乙|][3|甲|][4|甲|][5|甲\u{FDD0}|][6a|甲|][7|[甲]|]"
        );
        assert_eq!(
            render(json!({"teacher": true, "questions": questions})),
            "[1|甲|A][2|乙|A][3|甲|B][4|甲|A][5|甲\u{FDD0}|A][6a|甲|A][7|[甲]|A]"
        );
        // A missing field is still the error it is without the cache.
        let e = templates
            .render(
                Template::Paper,
                &json!({"teacher": true, "questions": [{"number": 1, "stem": "甲"}]}),
            )
            .unwrap_err();
        assert!(e.to_string().contains("answer"), "{e}");
    }
}

//! Questions read from another tool's file (Word, Moodle XML, GIFT) before they become YAML: each one
//! either certain or carrying what is missing, written as a bank where the uncertain ones are commented
//! out under a `# TODO` (so they are never drawn) and listed in `import-report.csv`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::bank::{self, Bank, QuestionType};

/// An answer as the source states it, already read into the bank's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftAnswer {
    /// Option indices, ascending.
    Letters(Vec<usize>),
    Judge(bool),
    /// Per blank, the accepted alternatives.
    Blanks(Vec<Vec<String>>),
    Text(String),
}

/// Where a question came from, for the report.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub document: String,
    /// 1-based paragraph (Word) or line (GIFT) or question number (Moodle XML).
    pub paragraph: usize,
}

/// One imported question; `problems` empty means it was read with certainty.
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: String,
    pub kind: Option<QuestionType>,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Option<DraftAnswer>,
    pub explanation: Option<String>,
    pub points: Option<String>,
    pub tags: Vec<String>,
    pub shuffle: Option<bool>,
    /// Answer lines of a short question, when the source says (Moodle's response field).
    pub lines: Option<u32>,
    /// Lines written as YAML comments above the question (a 【考点】 the bank cannot link to a note).
    pub comments: Vec<String>,
    /// What could not be determined: each one keeps the question out of the bank until fixed.
    pub problems: Vec<String>,
    pub origin: Origin,
}

impl Draft {
    pub fn new(id: String, origin: Origin) -> Draft {
        Draft {
            id,
            kind: None,
            stem: String::new(),
            options: Vec::new(),
            answer: None,
            explanation: None,
            points: None,
            tags: Vec::new(),
            shuffle: None,
            lines: None,
            comments: Vec::new(),
            problems: Vec::new(),
            origin,
        }
    }

    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The question's YAML entry (list item under `questions:`), without comments.
    pub fn yaml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "  - id: {}", quoted(&self.id));
        let kind = self.kind.unwrap_or(QuestionType::Short);
        let _ = writeln!(out, "    type: {}", kind.name());
        let _ = writeln!(out, "    stem: {}", quoted(&self.stem));
        if !self.options.is_empty() || kind.has_options() {
            let list: Vec<String> = self.options.iter().map(|o| quoted(o)).collect();
            let _ = writeln!(out, "    options: [{}]", list.join(", "));
        }
        let answer = match &self.answer {
            None => "\"\"".to_string(),
            Some(DraftAnswer::Letters(v)) if kind == QuestionType::Single && v.len() == 1 => {
                quoted(&bank::letter(v[0]).to_string())
            }
            Some(DraftAnswer::Letters(v)) => {
                let letters: Vec<String> = v.iter().map(|i| bank::letter(*i).to_string()).collect();
                format!("[{}]", letters.join(", "))
            }
            Some(DraftAnswer::Judge(t)) => t.to_string(),
            Some(DraftAnswer::Blanks(blanks)) => {
                let list: Vec<String> = blanks.iter().map(|alts| quoted(&alts.join("|"))).collect();
                format!("[{}]", list.join(", "))
            }
            Some(DraftAnswer::Text(t)) => quoted(t),
        };
        let _ = writeln!(out, "    answer: {answer}");
        if let Some(e) = self.explanation.as_deref().filter(|e| !e.trim().is_empty()) {
            let _ = writeln!(out, "    explanation: {}", quoted(e));
        }
        if !self.tags.is_empty() {
            let list: Vec<String> = self.tags.iter().map(|t| quoted(t)).collect();
            let _ = writeln!(out, "    tags: [{}]", list.join(", "));
        }
        if let Some(s) = self.shuffle {
            let _ = writeln!(out, "    shuffle: {s}");
        }
        if let Some(l) = self
            .lines
            .filter(|l| kind == QuestionType::Short && (1..=40).contains(l))
        {
            let _ = writeln!(out, "    lines: {l}");
        }
        if let Some(p) = &self.points {
            let _ = writeln!(out, "    points: {p}");
        }
        out
    }
}

/// A section being imported: a Word document, a Moodle category, a GIFT `$CATEGORY`.
#[derive(Debug, Clone)]
pub struct DraftSection {
    pub id: String,
    pub title: String,
    pub questions: Vec<Draft>,
}

/// A picture taken out of the source, to be written as `img/<name>`.
#[derive(Debug, Clone)]
pub struct DraftImage {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything one import run read.
#[derive(Debug, Default)]
pub struct Imported {
    pub sections: Vec<DraftSection>,
    pub images: Vec<DraftImage>,
    /// Said to the user, not errors: a document without questions that was left out.
    pub notes: Vec<String>,
}

/// YAML double-quoted string.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A bank id from any name: lower-case ASCII letters and digits joined by `-`; `fallback` (plus a short
/// hash of the name, so two Chinese file names differ) when nothing of the name is left.
pub fn id_from_name(name: &str, fallback: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        use sha2::{Digest, Sha256};
        let hash = Sha256::digest(name.as_bytes());
        format!("{fallback}-{:02x}{:02x}{:02x}", hash[0], hash[1], hash[2])
    } else {
        id
    }
}

/// Runs `check`'s own validation on each clean question alone; what it refuses becomes the question's
/// problem, so the clean part of an import always passes `check`.
pub fn validate(imported: &mut Imported) {
    let names: Vec<String> = imported
        .images
        .iter()
        .map(|i| format!("img/{}", i.name))
        .collect();
    for section in &mut imported.sections {
        for q in section.questions.iter_mut().filter(|q| q.is_clean()) {
            missing_pictures(q, &names);
            if !q.is_clean() {
                continue;
            }
            let yaml = format!(
                "section:\n  id: probe\n  title: probe\nquestions:\n{}",
                q.yaml()
            );
            let (_, diags) = bank::load_bytes(Path::new("probe.yaml"), yaml.as_bytes());
            for d in diags.into_iter().filter(crate::diag::Diagnostic::is_error) {
                q.problems.push(d.message);
            }
        }
    }
}

/// A picture the text names that the source did not carry (GIFT has no files) is a problem, not a broken bank.
fn missing_pictures(q: &mut Draft, names: &[String]) {
    let mut texts: Vec<&str> = vec![q.stem.as_str()];
    texts.extend(q.options.iter().map(String::as_str));
    texts.extend(q.explanation.as_deref());
    if let Some(DraftAnswer::Text(t)) = &q.answer {
        texts.push(t);
    }
    for text in texts {
        for image in crate::input::figures::images(text) {
            if !names.contains(&image.path) {
                q.problems.push(format!(
                    "the picture {} is not in the imported file: add it to img/",
                    image.path
                ));
            }
        }
    }
}

/// The section file: clean questions as YAML, the others commented out below a `# TODO` naming what is
/// missing, so `check` passes and nothing uncertain is drawn until the teacher fixes and uncomments it.
pub fn section_yaml(section: &DraftSection, order: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "section:\n  id: {}\n  title: {}\n  order: {order}\nquestions:",
        section.id,
        quoted(&section.title)
    );
    if section.questions.iter().all(|q| !q.is_clean()) {
        out.truncate(out.len() - 1);
        out.push_str(" []\n");
    }
    for q in &section.questions {
        for c in &q.comments {
            let _ = writeln!(out, "  # {}", c.replace('\n', " "));
        }
        if q.is_clean() {
            out.push_str(&q.yaml());
        } else {
            let _ = writeln!(
                out,
                "  # TODO (import: {} paragraph {}): {}",
                q.origin.document,
                q.origin.paragraph,
                q.problems.join("; ").replace('\n', " ")
            );
            out.push_str("  # Fix the question, remove the `# ` before its lines, and run `examgen check`.\n");
            for line in q.yaml().lines() {
                let _ = writeln!(out, "  # {line}");
            }
        }
    }
    out
}

/// `import-report.csv`: one row per question that needs a look.
pub fn report_csv(imported: &Imported) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["document", "paragraph", "id", "text", "missing"]);
    for q in imported.sections.iter().flat_map(|s| &s.questions) {
        if q.is_clean() {
            continue;
        }
        let first: String = q.stem.chars().take(30).collect();
        let _ = w.write_record([
            q.origin.document.as_str(),
            &q.origin.paragraph.to_string(),
            &q.id,
            &first.replace('\n', " "),
            &q.problems.join("; "),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // A BOM so Excel on Chinese Windows reads the UTF-8.
    let mut out = String::from("\u{FEFF}");
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

/// How an import ended: files written and the counts the summary prints.
pub struct Written {
    pub files: Vec<PathBuf>,
    pub clean: usize,
    pub needs_look: usize,
}

/// Writes the section files, the images and the report into `dir` together; refuses (writing nothing)
/// when a file would be overwritten, or under `strict` when any question needs a look.
pub fn write_bank(imported: &mut Imported, dir: &Path, strict: bool) -> Result<Written> {
    validate(imported);
    let clean = imported
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .filter(|q| q.is_clean())
        .count();
    let total: usize = imported.sections.iter().map(|s| s.questions.len()).sum();
    if total == 0 {
        return Err(Error::input("no questions were found".to_string()).because(
            "questions start with their number (1．, 1., 1、 or （1）); see docs/import-export.md",
        ));
    }
    let needs_look = total - clean;
    if strict && needs_look > 0 {
        let mut lines = String::new();
        for q in imported.sections.iter().flat_map(|s| &s.questions) {
            if !q.is_clean() {
                let _ = writeln!(
                    lines,
                    "{} paragraph {} ({}): {}",
                    q.origin.document,
                    q.origin.paragraph,
                    q.id,
                    q.problems.join("; ")
                );
            }
        }
        return Err(Error::input(format!(
            "--strict: {needs_look} of {total} question(s) need a look; nothing was written"
        ))
        .because(lines.trim_end()));
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (i, s) in imported.sections.iter().enumerate() {
        files.push((
            dir.join(format!("{}.yaml", s.id)),
            section_yaml(s, i + 1).into_bytes(),
        ));
    }
    for image in &imported.images {
        files.push((dir.join("img").join(&image.name), image.bytes.clone()));
    }
    files.push((
        dir.join("import-report.csv"),
        report_csv(imported).into_bytes(),
    ));
    for (path, _) in &files {
        if path.exists() {
            return Err(Error::input(format!(
                "{} already exists; import into an empty folder or remove it",
                path.display()
            )));
        }
    }
    // The clean part must load as a bank exactly as `check` loads it, before anything is written.
    let tmp = tempfile::tempdir()
        .map_err(|e| Error::internal("cannot create a temporary folder").because(e))?;
    for (path, bytes) in &files {
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let target = tmp.path().join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io("write", &target, e))?;
    }
    if let Err(e) = Bank::load(tmp.path()) {
        return Err(
            Error::input("the imported questions do not make a valid bank".to_string())
                .because(e.render()),
        );
    }
    let items: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    crate::util::fs::write_run(dir, &items)?;
    Ok(Written {
        files: files.into_iter().map(|(p, _)| p).collect(),
        clean,
        needs_look,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncertain_questions_are_commented_out_under_a_todo() {
        let mut q = Draft::new(
            "d-01".into(),
            Origin {
                document: "a.docx".into(),
                paragraph: 7,
            },
        );
        q.kind = Some(QuestionType::Single);
        q.stem = "问（　）。".into();
        q.options = vec!["甲".into(), "乙".into()];
        q.problems.push("no answer found".into());
        let s = DraftSection {
            id: "a".into(),
            title: "标题".into(),
            questions: vec![q],
        };
        let yaml = section_yaml(&s, 1);
        assert!(yaml.contains("questions: []"), "{yaml}");
        assert!(yaml.contains("# TODO (import: a.docx paragraph 7): no answer found"));
        assert!(yaml.contains("  #   - id: \"d-01\""), "{yaml}");
        assert_eq!(id_from_name("Paper-A 2024", "doc"), "paper-a-2024");
        assert!(id_from_name("期中试卷", "doc").starts_with("doc-"));
    }
}

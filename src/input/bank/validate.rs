//! Checks that span files: unique ids, note references and quotes, and the warnings about coverage.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::load::FileItems;
use super::{Bank, Origin, normalize_for_match};
use crate::diag::Diagnostic;
use crate::diag::Pos;
use crate::input::yaml::{YamlDoc, join_path};

/// Answer-leak pairs reported one by one; more are counted in one warning.
pub const MAX_LEAK_WARNINGS: usize = 200;

/// Joins the files' items into one bank, adding cross-file diagnostics to `diags`.
pub(super) fn assemble(
    root: &Path,
    mut files: Vec<FileItems>,
    docs: &[YamlDoc],
    digest: String,
    diags: &mut Vec<Diagnostic>,
) -> Bank {
    // Bank order: explicit `order` first (ascending), then by file name (files arrive sorted by name).
    files.sort_by_key(|f| f.section.order.unwrap_or(i64::MAX));
    let (sections, notes, mut questions, refs) = merge(files, docs, diags);
    resolve_notes(&notes, &mut questions, refs, docs, diags);
    warn_untested_notes(&notes, &questions, docs, diags);
    let leaks = leak_warnings(&questions, docs, diags);
    // Cross-file diagnostics are made from origins; show the offending line like the per-file ones.
    for d in diags.iter_mut().filter(|d| d.source_line.is_none()) {
        if let Some(doc) = docs.iter().find(|doc| doc.file == d.file) {
            *d = d.clone().with_source(&doc.text);
        }
    }
    Bank {
        root: root.to_path_buf(),
        sections,
        notes,
        questions,
        digest,
        warnings: Vec::new(),
        leaks,
        images: Default::default(),
    }
}

/// Where an item starts in its file.
fn locate(docs: &[YamlDoc], o: &Origin) -> Pos {
    docs.iter()
        .find(|d| d.file == o.file)
        .map_or(Pos::START, |d| d.pos(&o.path))
}

/// `file:line` of an item, for messages that point at another place.
fn where_(docs: &[YamlDoc], o: &Origin) -> String {
    format!("{}:{}", o.file.display(), locate(docs, o).line)
}

/// A question's reference to a note, with the question's index in the bank.
type QuestionRef = (usize, super::load::PendingRef);

/// The files' sections, notes and questions in bank order, each id used once (a second use is an error).
fn merge(
    files: Vec<FileItems>,
    docs: &[YamlDoc],
    diags: &mut Vec<Diagnostic>,
) -> (
    Vec<super::Section>,
    Vec<super::Note>,
    Vec<super::Question>,
    Vec<QuestionRef>,
) {
    let locate = |o: &Origin| locate(docs, o);
    let where_ = |o: &Origin| where_(docs, o);
    let mut sections = Vec::new();
    let mut notes = Vec::new();
    let mut questions = Vec::new();
    let mut refs = Vec::new();
    let mut first_seen: HashMap<String, Origin> = HashMap::new();
    let mut section_seen: HashMap<String, Origin> = HashMap::new();
    for file in files {
        if let Some(first) = section_seen.get(&file.section.id) {
            let first = where_(first);
            diags.push(
                Diagnostic::error(
                    &file.section.origin.file,
                    locate(&file.section.origin),
                    format!("section id `{}` is already used", file.section.id),
                )
                .with_help(format!(
                    "first used at {first}; give each section file its own id"
                )),
            );
        }
        section_seen.insert(file.section.id.clone(), file.section.origin.clone());
        let section_index = sections.len();
        sections.push(file.section);
        for mut note in file.notes {
            if check_unique(&mut first_seen, &note.id, &note.origin, diags, &locate) {
                note.section = section_index;
                notes.push(note);
            }
        }
        for r in file.refs {
            let mut q = file.questions[r.question].clone();
            if check_unique(&mut first_seen, &q.id, &q.origin, diags, &locate) {
                q.section = section_index;
                refs.push((questions.len(), r));
                questions.push(q);
            }
        }
    }

    (sections, notes, questions, refs)
}

/// Each question's note reference resolved to the note, its quote checked against the note's text.
fn resolve_notes(
    notes: &[super::Note],
    questions: &mut [super::Question],
    refs: Vec<QuestionRef>,
    docs: &[YamlDoc],
    diags: &mut Vec<Diagnostic>,
) {
    let note_index: HashMap<&str, usize> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let normalized: Vec<String> = notes
        .iter()
        .map(|n| normalize_for_match(&n.text.plain_text()))
        .collect();
    let mut resolved = Vec::new();
    for (qi, r) in refs {
        let doc = &docs[r.doc];
        let Some(note_id) = r.note else { continue };
        let Some(&ni) = note_index.get(note_id.as_str()) else {
            let mut d = doc.error_at(
                &join_path(&r.path, "note"),
                format!("note `{note_id}` does not exist"),
            );
            let ids: Vec<&str> = note_index.keys().copied().collect();
            if let Some(best) = crate::input::yaml::closest(&note_id, &ids) {
                d = d.with_help(format!("did you mean `{best}`?"));
            } else {
                d = d.with_help("notes are listed under `notes:` in a section file; check the id");
            }
            diags.push(d);
            continue;
        };
        if let Some(quote) = &r.quote
            && !normalized[ni].contains(&normalize_for_match(quote))
        {
            diags.push(
                doc.error_at(&join_path(&r.path, "quote"),
                    format!("the quote of question `{}` does not occur in note `{note_id}`", questions[qi].id))
                    .with_help("copy the quote verbatim from the note's text (spaces and ** markers are ignored)"),
            );
        }
        resolved.push((qi, ni, r.quote));
    }
    for (qi, ni, quote) in resolved {
        questions[qi].note = Some(ni);
        questions[qi].quote = quote;
    }
}

/// A warning at every note that no question tests.
fn warn_untested_notes(
    notes: &[super::Note],
    questions: &[super::Question],
    docs: &[YamlDoc],
    diags: &mut Vec<Diagnostic>,
) {
    let locate = |o: &Origin| locate(docs, o);
    let tested: HashSet<usize> = questions.iter().filter_map(|q| q.note).collect();
    for (i, note) in notes.iter().enumerate() {
        if !tested.contains(&i) {
            diags.push(
                Diagnostic::warning(
                    &note.origin.file,
                    locate(&note.origin),
                    format!("note `{}` is not tested by any question", note.id),
                )
                .with_help(
                    "add a question with `note: ".to_string()
                        + &note.id
                        + "`, or ignore this if the note is background",
                ),
            );
        }
    }
}

/// Answer-leak pairs `(q, r)` of the bank, the first `MAX_LEAK_WARNINGS` reported at both questions.
fn leak_warnings(
    questions: &[super::Question],
    docs: &[YamlDoc],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(usize, usize)> {
    let locate = |o: &Origin| locate(docs, o);
    let where_ = |o: &Origin| where_(docs, o);
    // Pairs are found over the whole bank first; only the reported ones are located, which is what indexes a
    // file's positions and copies its lines. A bank with more pairs than anyone reads in one go (a generated
    // one) gets the first ones and a count, so check stays fast. Each pair is reported at both questions:
    // at the one whose answer is given away, and at the stem or option that gives it.
    let found = super::find_leaks(&questions);
    let locate_field = |o: &Origin, field: &str| -> Pos {
        docs.iter()
            .find(|d| d.file == o.file)
            .map_or(Pos::START, |d| d.pos(&join_path(&o.path, field)))
    };
    for leak in found.iter().take(MAX_LEAK_WARNINGS) {
        let (q, r) = (&questions[leak.q], &questions[leak.r]);
        let (field, label) = match leak.option {
            None => ("stem".to_string(), "its stem".to_string()),
            Some(i) => (
                format!("options[{i}]"),
                format!("option {}", super::letter(i)),
            ),
        };
        let r_pos = locate_field(&r.origin, &field);
        diags.push(
            Diagnostic::warning(
                &q.origin.file,
                locate(&q.origin),
                format!(
                    "the answer of question `{}` is printed in question `{}` ({}:{}), so one answers the other on a paper: {label} prints {} `{}`",
                    q.id,
                    r.id,
                    r.origin.file.display(),
                    r_pos.line,
                    leak.kind.describe(),
                    leak.printed
                ),
            )
            .with_help(
                "rewrite one of them, or give both the same `group:` so no paper holds both (the draw already keeps them apart)",
            ),
        );
        diags.push(
            Diagnostic::warning(
                &r.origin.file,
                r_pos,
                format!(
                    "question `{}` gives away the answer of question `{}` ({}): {label} prints {} `{}`",
                    r.id,
                    q.id,
                    where_(&q.origin),
                    leak.kind.describe(),
                    leak.printed
                ),
            )
            .with_help("reword this stem or option so it no longer prints that answer, or group the two questions"),
        );
    }
    let leaks: Vec<(usize, usize)> = found.iter().map(|l| (l.q, l.r)).collect();
    if leaks.len() > MAX_LEAK_WARNINGS {
        let first = &questions[leaks[MAX_LEAK_WARNINGS].0];
        diags.push(
            Diagnostic::warning(
                &first.origin.file,
                locate(&first.origin),
                format!(
                    "{} more answer-leak pairs like the {MAX_LEAK_WARNINGS} above, from question `{}` on",
                    leaks.len() - MAX_LEAK_WARNINGS,
                    first.id
                ),
            )
            .with_help("fix the pairs above and run check again to see the next ones"),
        );
    }

    leaks
}

/// Records `id`; a second use is an error that points back at the first.
fn check_unique(
    seen: &mut HashMap<String, Origin>,
    id: &str,
    origin: &Origin,
    diags: &mut Vec<Diagnostic>,
    locate: &dyn Fn(&Origin) -> Pos,
) -> bool {
    if let Some(first) = seen.get(id) {
        let first = format!("{}:{}", first.file.display(), locate(first).line);
        diags.push(
            Diagnostic::error(
                &origin.file,
                locate(origin),
                format!("id `{id}` is used twice"),
            )
            .with_help(format!(
                "first used at {first}; notes and questions share one id space"
            )),
        );
        return false;
    }
    seen.insert(id.to_string(), origin.clone());
    true
}

//! `examgen import FILE.docx`: Chinese question papers in Word into a bank, one section per document.
//! `package` reads the .docx, `rules` holds the recognition patterns, `parse` walks the paragraphs with
//! them, `resolve` decides each question's type and answer or says what is missing.

pub mod package;
pub mod parse;
pub mod resolve;
pub mod rules;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interchange::drafts::{self, DraftImage, DraftSection, Imported};
use package::{Block, PIC_CLOSE, PIC_OPEN, Package};

/// A paper and, when its answers are in a separate document, that key.
struct Paper {
    path: PathBuf,
    package: Package,
    key: Option<(PathBuf, Package)>,
}

/// Reads the Word documents: keys (答案与解析, 参考答案 at the top, or 答案/key in the name) are joined to the
/// paper of the same name (`key-A` to `paper-A`, `期中答案` to `期中`), or to the only paper.
pub fn import(files: &[PathBuf]) -> Result<Imported> {
    let mut papers: Vec<Paper> = Vec::new();
    let mut keys: Vec<(PathBuf, Package)> = Vec::new();
    for file in files {
        let package = package::read(file)?;
        if is_key_document(&package.blocks, file) {
            keys.push((file.clone(), package));
        } else {
            papers.push(Paper {
                path: file.clone(),
                package,
                key: None,
            });
        }
    }
    for (path, key) in keys {
        let stem = base_name(&path);
        let at = papers
            .iter()
            .position(|p| p.key.is_none() && base_name(&p.path) == stem)
            .or_else(|| (papers.len() == 1 && papers[0].key.is_none()).then_some(0));
        let Some(at) = at else {
            return Err(Error::input(format!(
                "{} is an answer key, but no paper of the same name was given",
                path.display()
            ))
            .because("give the paper with it (key-A.docx with paper-A.docx, 期中答案.docx with 期中.docx)"));
        };
        papers[at].key = Some((path, key));
    }
    let mut imported = Imported::default();
    for paper in papers {
        let name = paper.path.display().to_string();
        let section = section_of(paper, &mut imported)?;
        if section.questions.is_empty() {
            // A handout or cover sheet in a folder of papers.
            imported
                .notes
                .push(format!("{name}: no numbered questions found; left out"));
            continue;
        }
        imported.sections.push(section);
    }
    Ok(imported)
}

fn section_of(paper: Paper, imported: &mut Imported) -> Result<DraftSection> {
    let doc_name = file_name(&paper.path);
    let mut id = drafts::id_from_name(&stem_of(&paper.path), "doc");
    let mut n = 2;
    while imported.sections.iter().any(|s| s.id == id) {
        id = format!("{}-{n}", drafts::id_from_name(&stem_of(&paper.path), "doc"));
        n += 1;
    }
    let mut package = paper.package;
    let mut key_blocks = Vec::new();
    if let Some((_, key)) = paper.key {
        let offset = package.pictures.len();
        key_blocks = key
            .blocks
            .into_iter()
            .map(|b| shift_pictures(b, offset))
            .collect();
        package.pictures.extend(key.pictures);
    }
    let parsed = parse::parse(&package.blocks, &key_blocks);
    let names: Vec<String> = package
        .pictures
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{id}-{}.{}", i + 1, p.ext))
        .collect();
    let widths: Vec<Option<u32>> = package.pictures.iter().map(|p| p.width_mm).collect();
    let unprintable: Vec<usize> = package
        .pictures
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p.ext.as_str(), "png" | "jpg" | "jpeg" | "svg"))
        .map(|(i, _)| i)
        .collect();
    let pictures = resolve::Pictures {
        names: &names,
        widths: &widths,
        unprintable: &unprintable,
    };
    let questions = resolve::drafts(&parsed, &doc_name, &id, &pictures);
    for (name, picture) in names.iter().zip(package.pictures) {
        imported.images.push(DraftImage {
            name: name.clone(),
            bytes: picture.bytes,
        });
    }
    Ok(DraftSection {
        id,
        title: parsed.title.unwrap_or_else(|| stem_of(&paper.path)),
        questions,
    })
}

/// A key document says so at its top (答案与解析, 参考答案) or in its name.
fn is_key_document(blocks: &[Block], path: &Path) -> bool {
    let name = stem_of(path).to_lowercase();
    if name.contains("答案") || name.starts_with("key") || name.ends_with("key") {
        return true;
    }
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para { text, .. } if !text.trim().is_empty() => Some(text.trim()),
            _ => None,
        })
        .take(4)
        .any(|t| {
            matches!(
                rules::classify(t),
                Some((rules::LineKind::AnswerSection, _))
            )
        })
}

/// The name a paper and its key share: without 答案/解析/key/paper and separators.
fn base_name(path: &Path) -> String {
    let mut name = stem_of(path).to_lowercase();
    for word in [
        "参考答案",
        "答案与解析",
        "答案",
        "解析",
        "key",
        "paper",
        "试卷",
        "试题",
    ] {
        name = name.replace(word, "");
    }
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '（' | '）' | '(' | ')' | '　' | '.'))
        .collect()
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().to_string())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |s| s.to_string_lossy().to_string())
}

/// A key document's picture markers, renumbered after the paper's pictures.
fn shift_pictures(block: Block, offset: usize) -> Block {
    let shift = |text: String| {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find(PIC_OPEN) {
            let after = &rest[open + PIC_OPEN.len_utf8()..];
            let Some(close) = after.find(PIC_CLOSE) else {
                break;
            };
            let index: usize = after[..close].parse().unwrap_or(0);
            out.push_str(&rest[..open]);
            out.push(PIC_OPEN);
            out.push_str(&(index + offset).to_string());
            out.push(PIC_CLOSE);
            rest = &after[close + PIC_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    };
    match block {
        Block::Para {
            number,
            text,
            auto_numbered,
        } => Block::Para {
            number,
            text: shift(text),
            auto_numbered,
        },
        Block::Table { number, rows } => Block::Table {
            number,
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(&shift).collect())
                .collect(),
        },
    }
}

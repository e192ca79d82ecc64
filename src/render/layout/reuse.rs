//! Paragraphs laid out once per run: a run's documents print the same stems, options and explanations
//! again and again (a class's papers and keys, one variant per student, differ in order and numbering),
//! so a paragraph's lines are kept by what decides them — its text, size, indents, where it stands and
//! how wide — and copied for the next document that sets the same paragraph. A question's stem starts
//! with its number: a number whose digits are as wide as another's breaks the stem's lines in the same
//! places, so the lines are kept under the number's shape and the digits put back on the way out.

use std::sync::{Arc, Mutex};

use crate::render::layout::Metrics;
use crate::render::layout::frame::Item;
use crate::render::layout::paginate::Chunk;
use crate::render::markup::{Inline, Para};
use crate::util::keymap::KeyMap;

/// The lines of paragraphs set so far in one run, shared by its threads. Only valid for one set of fonts
/// and one page set-up: a typesetter keeps its own.
#[derive(Default)]
pub struct ParaCache {
    kept: Mutex<KeyMap<Vec<u8>, Arc<[Line]>>>,
    /// Options set in rows: each option's width by [`ParaCache::option_key`] (with a number standing for
    /// that key), and its cell's items by that number and where the cell stands. A variant per student
    /// prints the same options in other orders, so an option comes back under each label at each place in
    /// its row.
    option_widths: Mutex<OptionWidths>,
    option_cells: Mutex<KeyMap<(u64, u32, u32, u32), Arc<[Item]>>>,
}

/// Options' widths by key, each with the number its cells are kept under: numbers are never given twice
/// in a run (a cell kept under a forgotten key's number is never asked for again).
#[derive(Default)]
struct OptionWidths {
    by_key: KeyMap<Vec<u8>, (f32, u64)>,
    next: u64,
}

/// What stands for an option in [`ParaCache::option_cell`]: given by [`ParaCache::option_width`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::render::layout) struct OptionId(u64);

/// How many paragraphs (and option widths, and option cells) a cache keeps before it starts again. A
/// paper, its key and its answer sheet set well under a thousand; but with a variant per student a
/// question's explanation and its options stand after every number the question is drawn under, and
/// numbers are as wide as their digits (some 30 widths for 1–80), so a class's papers and keys set about
/// 6,500 paragraphs at 100 students and 8,000 at 1,000 (about 20 MB). At 4,096 the cache started again
/// every few students and missed 140 paragraphs a student.
const KEPT: usize = 32_768;

/// One line of a paragraph as [`Engine::para_chunks`](super::Engine) made it: a chunk without what only
/// pagination adds (a table header is never part of a paragraph).
struct Line {
    height: f32,
    items: Vec<Item>,
    space_before: f32,
    glue_next: bool,
}

/// What identifies a paragraph's lines ([`ParaCache::key`]) and the digits its number printed.
pub(in crate::render::layout) struct ParaKey {
    key: Vec<u8>,
    /// The paragraph's leading digits, each written in the key as the first digit as wide: put back in
    /// the first line's text when lines set for another number are reused.
    digits: Vec<char>,
}

/// Appends `value`'s bits to a key: every number of a key is a fixed four bytes, so no two keys' parts
/// can be read apart differently.
fn push_f32(key: &mut Vec<u8>, value: f32) {
    key.extend_from_slice(&value.to_bits().to_le_bytes());
}

/// Appends a run of text's face and length to a key (lengths first, so no text can pass for another
/// run's end).
fn push_text_head(key: &mut Vec<u8>, role: crate::render::fonts::FontRole, text: &str) {
    key.push(b'T');
    key.push(role as u8);
    key.extend_from_slice(&(text.len() as u64).to_le_bytes());
}

/// Appends a run that is not text to a key; false for a picture or a formula, which are never kept.
fn push_other(key: &mut Vec<u8>, run: &Inline) -> bool {
    match run {
        Inline::Blank { em } => {
            key.push(b'B');
            push_f32(key, *em);
        }
        Inline::Break => key.push(b'N'),
        Inline::Text { .. } | Inline::Image(_) | Inline::Math { .. } => return false,
    }
    true
}

impl ParaCache {
    /// The key of `para` set at `x`, `width` wide: None when its lines cannot be reused (a picture or
    /// a formula, which the document's engine numbers as it meets them).
    pub(in crate::render::layout) fn key(
        para: &Para,
        x: f32,
        width: f32,
        autospace: bool,
        metrics: &dyn Metrics,
    ) -> Option<ParaKey> {
        let text_len: usize = para
            .runs
            .iter()
            .map(|run| match run {
                Inline::Text { text, .. } => text.len() + 10,
                _ => 5,
            })
            .sum();
        let mut key = Vec::with_capacity(30 + text_len);
        for value in [
            x,
            width,
            para.size,
            para.first_indent,
            para.rest_indent,
            para.space_before,
            para.space_after,
        ] {
            push_f32(&mut key, value);
        }
        key.push(para.align as u8);
        key.push(u8::from(autospace));
        let mut digits = Vec::new();
        for (k, run) in para.runs.iter().enumerate() {
            match run {
                Inline::Text { text, role } => {
                    push_text_head(&mut key, *role, text);
                    let mut rest = text.as_bytes();
                    if k == 0 {
                        // ASCII digits stand for one byte each, so the text keeps its length.
                        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                        for &b in &rest[..n] {
                            let c = char::from(b);
                            key.push(same_width_digit(metrics, *role, c) as u8);
                            digits.push(c);
                        }
                        rest = &rest[n..];
                    }
                    key.extend_from_slice(rest);
                }
                other => {
                    if !push_other(&mut key, other) {
                        return None;
                    }
                }
            }
        }
        Some(ParaKey { key, digits })
    }

    /// What identifies an option (its label and text) in a row of options at `size`: None when its
    /// width or items cannot be reused (a picture or a formula, which the engine numbers as it meets them).
    pub(in crate::render::layout) fn option_key(
        label: &str,
        runs: &[Inline],
        size: f32,
        autospace: bool,
    ) -> Option<Vec<u8>> {
        let mut key = Vec::with_capacity(32);
        push_f32(&mut key, size);
        key.push(u8::from(autospace));
        key.push(b'L');
        key.extend_from_slice(&(label.len() as u64).to_le_bytes());
        key.extend_from_slice(label.as_bytes());
        for run in runs {
            match run {
                Inline::Text { text, role } => {
                    push_text_head(&mut key, *role, text);
                    key.extend_from_slice(text.as_bytes());
                }
                other => {
                    if !push_other(&mut key, other) {
                        return None;
                    }
                }
            }
        }
        Some(key)
    }

    /// The width of the option `key`, measured by `measure` the first time, and what stands for the
    /// option in [`ParaCache::option_cell`].
    pub(in crate::render::layout) fn option_width(
        &self,
        key: &[u8],
        measure: impl FnOnce() -> f32,
    ) -> (f32, OptionId) {
        if let Some(&(width, id)) = self.lock_widths().by_key.get(key) {
            return (width, OptionId(id));
        }
        let width = measure();
        let mut kept = self.lock_widths();
        if let Some(&(width, id)) = kept.by_key.get(key) {
            // Another thread measured it meanwhile: the same width.
            return (width, OptionId(id));
        }
        if kept.by_key.len() >= KEPT {
            kept.by_key.clear();
        }
        let id = kept.next;
        kept.next += 1;
        kept.by_key.insert(key.to_vec(), (width, id));
        (width, OptionId(id))
    }

    /// The items of the option `id` set in the cell at `x`, `cell` wide, on `baseline`; set by `set` the
    /// first time.
    pub(in crate::render::layout) fn option_cell(
        &self,
        id: OptionId,
        (x, cell, baseline): (f32, f32, f32),
        set: impl FnOnce() -> Vec<Item>,
    ) -> Vec<Item> {
        let at = (id.0, x.to_bits(), cell.to_bits(), baseline.to_bits());
        let kept = || self.option_cells.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(items) = kept().get(&at) {
            return items.to_vec();
        }
        let items = set();
        let mut cells = kept();
        if cells.len() >= KEPT {
            cells.clear();
        }
        cells.insert(at, items.as_slice().into());
        items
    }

    fn lock_widths(&self) -> std::sync::MutexGuard<'_, OptionWidths> {
        self.option_widths.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The lines kept under `key`, with its number's digits.
    pub(in crate::render::layout) fn get(&self, key: &ParaKey) -> Option<Vec<Chunk>> {
        let lines = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(kept.get(&key.key)?)
        };
        let mut chunks: Vec<Chunk> = lines
            .iter()
            .map(|line| Chunk {
                height: line.height,
                items: line.items.clone(),
                space_before: line.space_before,
                glue_next: line.glue_next,
                ..Chunk::default()
            })
            .collect();
        if !key.digits.is_empty() {
            put_digits(&mut chunks[0].items, &key.digits)?;
        }
        Some(chunks)
    }

    /// Keeps the lines `chunks` of the paragraph `key`.
    pub(in crate::render::layout) fn put(&self, key: ParaKey, chunks: &[Chunk]) {
        if chunks.is_empty()
            || chunks
                .iter()
                .any(|c| c.header.is_some() || c.bookmark.is_some())
        {
            return;
        }
        let lines: Arc<[Line]> = chunks
            .iter()
            .map(|c| Line {
                height: c.height,
                items: c.items.clone(),
                space_before: c.space_before,
                glue_next: c.glue_next,
            })
            .collect();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.insert(key.key, lines);
    }
}

/// The first digit as wide as `c` in `role`'s face: numbers whose digits are pairwise as wide set their
/// paragraphs alike (digits are one class for line breaking and spacing).
fn same_width_digit(metrics: &dyn Metrics, role: crate::render::fonts::FontRole, c: char) -> char {
    let width = metrics.advance(role, c).to_bits();
    ('0'..=c)
        .find(|d| metrics.advance(role, *d).to_bits() == width)
        .unwrap_or(c)
}

/// Writes `digits` over the first characters of a line's text (the number its paragraph starts with);
/// None when the line does not start with as many digits.
fn put_digits(items: &mut [Item], digits: &[char]) -> Option<()> {
    let mut rest = digits;
    for item in items.iter_mut() {
        if rest.is_empty() {
            break;
        }
        let Item::Text { text, .. } = item else {
            return None;
        };
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match rest.split_first() {
                Some((&d, tail)) if c.is_ascii_digit() => {
                    out.push(d);
                    rest = tail;
                }
                Some(_) => return None,
                None => out.push(c),
            }
        }
        *text = out.into();
    }
    rest.is_empty().then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;
    use crate::render::layout::{Metrics, PageSetup, layout, layout_reusing};
    use crate::render::markup;
    use crate::util::keymap::KeyHasher;
    use std::hash::Hasher;

    /// A paper of long stems, numbered as `numbers` says, with a key-like paragraph under each.
    fn paper(numbers: &[usize]) -> markup::Document {
        let stems = [
            "社会工作者在开展个案工作时，首先要与服务对象建立专业关系，下列做法中最恰当的是（　）。",
            "某社区开展老年人互助小组，2025年共有36名老人参加，社会工作者在小组后期的主要任务是（　）。",
            "关于社会救助制度中最低生活保障的说法，正确的是（　）。",
        ];
        let mut xml = String::from(r#"<document autospace="true" title="t">"#);
        for (k, n) in numbers.iter().enumerate() {
            xml.push_str(&format!(
                r#"<question number="{n}．" id="q{k}"><stem>{}</stem><option label="A．">建立信任</option><option label="B．">评估需要</option><p>【解析】本题考查专业关系的建立，社会工作者应当以服务对象为中心，尊重其自决权。</p></question>"#,
                stems[k % stems.len()]
            ));
        }
        xml.push_str("</document>");
        markup::parse(&xml, "test").unwrap()
    }

    #[test]
    fn paragraphs_set_before_give_the_pages_a_fresh_layout_gives_whatever_the_numbers() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let cache = ParaCache::default();
        // The first document keeps its paragraphs; the others find them under other numbers (one
        // digit or two, in another order) and must come out exactly as laid out afresh.
        for numbers in [
            vec![1, 2, 3, 12, 13],
            vec![13, 12, 3, 1, 2],
            vec![47, 5, 98, 7, 30],
        ] {
            let doc = paper(&numbers);
            let fresh = layout(&doc, &fonts, &setup);
            let reused = layout_reusing(&doc, &fonts, &setup, Some(&cache));
            assert_eq!(reused.pages, fresh.pages, "numbers {numbers:?}");
        }
        let kept = cache.kept.lock().unwrap().len();
        assert!(kept > 0);
        // Numbers whose digits are as wide as the last document's share its stems' lines: a document
        // numbered so adds no paragraph, and still comes out as laid out afresh.
        let twin = |n: usize| -> usize {
            let twin_digit = |c: char| {
                let width = |d: char| {
                    fonts
                        .advance(crate::render::fonts::FontRole::Body, d)
                        .to_bits()
                };
                ('0'..='9')
                    .find(|d| *d != c && width(*d) == width(c))
                    .unwrap_or(c)
            };
            let digits: String = n.to_string().chars().map(twin_digit).collect();
            // A leading 0 would print another number (30 → 03 is 3).
            if digits.starts_with('0') {
                n
            } else {
                digits.parse().unwrap()
            }
        };
        let last = [47, 5, 98, 7, 30];
        let twins: Vec<usize> = last.iter().map(|n| twin(*n)).collect();
        assert_ne!(twins, last, "the fonts have digits of one width");
        let doc = paper(&twins);
        let reused = layout_reusing(&doc, &fonts, &setup, Some(&cache));
        assert_eq!(reused.pages, layout(&doc, &fonts, &setup).pages);
        assert_eq!(cache.kept.lock().unwrap().len(), kept);
    }

    #[test]
    fn options_set_in_rows_come_out_as_a_fresh_layout_sets_them_in_any_order() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let cache = ParaCache::default();
        let texts = ["建立信任", "评估需要（2025）", "制定计划", "结案评估"];
        // Four short options share a row; each document prints them in another order, so each option
        // comes back under other labels in other cells.
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [0, 1, 2, 3]] {
            let options: String = order
                .iter()
                .zip(["A", "B", "C", "D"])
                .map(|(k, label)| format!(r#"<option label="{label}．">{}</option>"#, texts[*k]))
                .collect();
            let xml = format!(
                r#"<document autospace="true" title="t"><question number="1．" id="q"><stem>下列说法正确的是（　）。</stem>{options}</question></document>"#
            );
            let doc = markup::parse(&xml, "test").unwrap();
            let fresh = layout(&doc, &fonts, &setup);
            let reused = layout_reusing(&doc, &fonts, &setup, Some(&cache));
            assert_eq!(reused.pages, fresh.pages, "order {order:?}");
            let text = fresh.page_text(0);
            assert!(text.contains(&format!("A．{}", texts[order[0]])), "{text}");
            // One row: every option on the same baseline.
            let baselines: std::collections::BTreeSet<u32> = fresh.pages[0]
                .items
                .iter()
                .filter_map(|item| match item {
                    crate::render::layout::Item::Text { text, y, .. }
                        if texts
                            .iter()
                            .any(|t| t.starts_with(&**text) || text.contains(t)) =>
                    {
                        Some(y.to_bits())
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(baselines.len(), 1, "{:?}", fresh.pages[0].items);
        }
        // The first and last documents are the same: the last took every cell from the cache.
        assert_eq!(cache.option_cells.lock().unwrap().len(), 12);
        assert_eq!(cache.option_widths.lock().unwrap().by_key.len(), 12);
    }

    #[test]
    fn keys_tell_apart_whatever_sets_a_paragraph_differently() {
        use crate::render::fonts::FontRole::{Body, Heading};
        let fonts = FontSet::builtin();
        let text = |t: &str, role| Inline::Text {
            text: t.into(),
            role,
        };
        let para = |runs: Vec<Inline>| Para {
            runs,
            size: 10.5,
            align: crate::render::markup::Align::Justify,
            first_indent: 0.0,
            rest_indent: 0.0,
            space_before: 0.0,
            space_after: 0.0,
        };
        let key = |p: &Para, x: f32| ParaCache::key(p, x, 400.0, true, &fonts).unwrap().key;
        let base = para(vec![text("12．社会工作", Body)]);
        let others = [
            // The same characters split otherwise, or in another face.
            para(vec![text("12．社会", Body), text("工作", Body)]),
            para(vec![text("12．社会", Body), text("工作", Heading)]),
            para(vec![text("12．社会工作", Heading)]),
            // A blank or a break between them, blanks of other widths.
            para(vec![
                text("12．社会", Body),
                Inline::Blank { em: 2.0 },
                text("工作", Body),
            ]),
            para(vec![
                text("12．社会", Body),
                Inline::Blank { em: 3.0 },
                text("工作", Body),
            ]),
            para(vec![
                text("12．社会", Body),
                Inline::Break,
                text("工作", Body),
            ]),
            Para {
                align: crate::render::markup::Align::Left,
                ..base.clone()
            },
            Para {
                rest_indent: 1.5,
                ..base.clone()
            },
        ];
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(key(&base, 0.0)));
        assert!(seen.insert(key(&base, 10.0)), "another place");
        for other in &others {
            assert!(seen.insert(key(other, 0.0)), "{:?}", other.runs);
        }
        // The key is the same for the same paragraph, and so is its hash.
        let hash = |k: &[u8]| {
            let mut h = KeyHasher::default();
            h.write(k);
            h.finish()
        };
        assert_eq!(key(&base, 0.0), key(&base.clone(), 0.0));
        assert_eq!(hash(&key(&base, 0.0)), hash(&key(&base, 0.0)));
        // Keys one byte apart anywhere (also past the last whole word) hash apart.
        let k = key(&base, 0.0);
        for i in 0..k.len() {
            let mut changed = k.clone();
            changed[i] ^= 1;
            assert_ne!(hash(&changed), hash(&k), "byte {i}");
        }
        // Option keys: the label and the text are told apart, and the face.
        let option = |label: &str, runs: &[Inline]| ParaCache::option_key(label, runs, 10.5, true);
        let a = option("A．", &[text("建立信任", Body)]).unwrap();
        assert_ne!(a, option("A．建", &[text("立信任", Body)]).unwrap());
        assert_ne!(a, option("A．", &[text("建立信任", Heading)]).unwrap());
        assert_ne!(a, option("B．", &[text("建立信任", Body)]).unwrap());
    }

    #[test]
    fn a_paragraph_with_a_formula_or_a_picture_is_set_afresh() {
        let fonts = FontSet::builtin();
        let para = |runs| Para {
            runs,
            size: 10.5,
            align: crate::render::markup::Align::Justify,
            first_indent: 0.0,
            rest_indent: 0.0,
            space_before: 0.0,
            space_after: 0.0,
        };
        let text = Inline::Text {
            text: "12．已知".into(),
            role: crate::render::fonts::FontRole::Body,
        };
        let math = Inline::Math {
            tex: "x^2".into(),
            display: false,
            role: crate::render::fonts::FontRole::Body,
        };
        assert!(
            ParaCache::key(&para(vec![text.clone(), math]), 0.0, 400.0, true, &fonts).is_none()
        );
        let key = ParaCache::key(&para(vec![text]), 0.0, 400.0, true, &fonts).unwrap();
        assert_eq!(key.digits, ['1', '2']);
        assert!(key.key.ends_with("．已知".as_bytes()));
    }
}

//! A question: number and stem with a hanging indent, options 4/2/1 per line by width, answer lines.

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::Item;
use crate::render::layout::linebreak::LineSpan;
use crate::render::layout::paginate::Chunk;
use crate::render::layout::paragraph::LineBox;
use crate::render::markup::{Align, Inline, Para, QuestionBlock};

impl Engine<'_> {
    /// A question: number and stem with a hanging indent, options in a grid by width, answer lines, and
    /// whatever follows (key entries) — all glued so the question stays on one page.
    pub(in crate::render::layout) fn question(
        &self,
        q: &QuestionBlock,
        x: f32,
        width: f32,
    ) -> Vec<Chunk> {
        let size = q.size;
        let number_w = self.text_width(&q.number, FontRole::Body, size);
        let mut runs = vec![Inline::Text {
            text: q.number.clone(),
            role: FontRole::Body,
        }];
        runs.extend(q.stem.iter().cloned());
        let stem = Para {
            runs,
            size,
            align: Align::Justify,
            first_indent: 0.0,
            rest_indent: number_w / size,
            space_before: 0.0,
            space_after: 0.0,
        };
        let mut chunks = self.para_chunks(&stem, x, width);
        chunks[0].space_before = self.line_height(size) * self.setup.question_gap;
        for b in &q.body {
            // A table in a stem keeps a little air above and below it.
            let table = matches!(b, crate::render::markup::Block::Table(_));
            let start = chunks.len();
            self.block(b, x + number_w, width - number_w, &mut chunks);
            if table && start < chunks.len() {
                chunks[start].space_before += size * 0.3;
                chunks.push(Chunk {
                    height: size * 0.3,
                    ..Chunk::default()
                });
            }
        }
        if !q.options.is_empty() {
            chunks.extend(self.options(&q.options, x + number_w, width - number_w, size));
        }
        if q.lines > 0 {
            chunks.extend(self.ruled_lines(q.lines, x + number_w, width - number_w, size));
        }
        for b in &q.after {
            self.block(b, x + number_w, width - number_w, &mut chunks);
        }
        let n = chunks.len();
        for (i, c) in chunks.iter_mut().enumerate() {
            c.glue_next = i + 1 < n;
        }
        chunks
    }

    /// Options 4, 2 or 1 per line, whichever the widest option allows, aligned in columns.
    pub(in crate::render::layout) fn options(
        &self,
        options: &[(String, Vec<Inline>)],
        x: f32,
        width: f32,
        size: f32,
    ) -> Vec<Chunk> {
        let lh = self.line_height(size);
        // Options of text alone are measured and set once a run, by label and text (their cells by where
        // they stand too): kept in the run's paragraph cache.
        let kept: Option<(&crate::render::layout::ParaCache, Vec<Vec<u8>>)> =
            self.paras.and_then(|cache| {
                let keys = options
                    .iter()
                    .map(|(label, runs)| {
                        crate::render::layout::ParaCache::option_key(
                            label,
                            runs,
                            size,
                            self.autospace,
                        )
                    })
                    .collect::<Option<Vec<Vec<u8>>>>()?;
                Some((cache, keys))
            });
        let measure = |(label, runs): &(String, Vec<Inline>)| {
            let mut styled = self.styled(runs, size);
            crate::render::layout::paragraph::fit_pictures(&mut styled, width);
            self.text_width(label, FontRole::Body, size)
                + styled.iter().map(|s| s.piece.width).sum::<f32>()
        };
        // With the cache, each option's width comes with what its cells are kept under.
        let (widths, ids): (Vec<f32>, Vec<_>) = match &kept {
            Some((cache, keys)) => options
                .iter()
                .zip(keys)
                .map(|(option, key)| {
                    let (width, id) = cache.option_width(key, || measure(option));
                    (width, Some(id))
                })
                .unzip(),
            None => options.iter().map(|o| (measure(o), None)).unzip(),
        };
        let widest = widths.iter().cloned().fold(0.0, f32::max);
        let n = options.len();
        let gap = size;
        let per_line = options_per_line(n, widest + gap, width);
        let baseline = lh / 2.0 + size * 0.35;
        let mut chunks = Vec::new();
        if per_line == 1 {
            for (label, runs) in options {
                let label_w = self.text_width(label, FontRole::Body, size);
                let mut all = vec![Inline::Text {
                    text: label.clone(),
                    role: FontRole::Body,
                }];
                all.extend(runs.iter().cloned());
                let para = Para {
                    runs: all,
                    size,
                    align: Align::Justify,
                    first_indent: 0.0,
                    rest_indent: label_w / size,
                    space_before: 0.0,
                    space_after: 0.0,
                };
                chunks.extend(self.para_chunks(&para, x, width));
            }
            return chunks;
        }
        let cell = width / per_line as f32;
        for (r, row) in options.chunks(per_line).enumerate() {
            let mut items = Vec::new();
            // A row of picture options is as tall as its tallest picture; every label sits on one baseline.
            // Text alone (every option kept) has neither pictures nor formulas: the row is a plain line.
            let (height, baseline) = if kept.is_some() {
                (lh, baseline)
            } else {
                let row_pieces: Vec<_> = row
                    .iter()
                    .flat_map(|(_, runs)| {
                        let mut styled = self.styled(runs, size);
                        crate::render::layout::paragraph::fit_pictures(&mut styled, cell - gap);
                        styled
                    })
                    .collect();
                crate::render::layout::paragraph::picture_line(&row_pieces, lh, baseline, size)
            };
            for (k, (label, runs)) in row.iter().enumerate() {
                let at = x + k as f32 * cell;
                let set = || {
                    let mut all = vec![Inline::Text {
                        text: label.clone(),
                        role: FontRole::Body,
                    }];
                    all.extend(runs.iter().cloned());
                    let mut styled = self.styled(&all, size);
                    crate::render::layout::paragraph::fit_pictures(&mut styled, cell - gap);
                    let natural = styled.iter().map(|s| s.piece.width).sum();
                    let span = LineSpan {
                        start: 0,
                        end: styled.len(),
                        width: natural,
                        last: true,
                    };
                    self.line_items(
                        &styled,
                        &span,
                        LineBox {
                            x: at,
                            y: baseline,
                            avail: cell,
                            align: Align::Left,
                            size,
                        },
                    )
                };
                match (&kept, ids[r * per_line + k]) {
                    (Some((cache, _)), Some(id)) => {
                        items.extend(cache.option_cell(id, (at, cell, baseline), set))
                    }
                    _ => items.extend(set()),
                }
            }
            chunks.push(Chunk {
                height,
                items,
                ..Chunk::default()
            });
        }
        chunks
    }

    pub(in crate::render::layout) fn ruled_lines(
        &self,
        count: u32,
        x: f32,
        width: f32,
        size: f32,
    ) -> Vec<Chunk> {
        let h = self.line_height(size) * 1.6;
        (0..count)
            .map(|_| Chunk {
                height: h,
                items: vec![Item::Line {
                    x1: x,
                    y1: h - 3.0,
                    x2: x + width,
                    y2: h - 3.0,
                    width: 0.4,
                    dashed: false,
                }],
                glue_next: true,
                ..Chunk::default()
            })
            .collect()
    }
}

/// How many options share a line: all of them (up to 4, or 5–6 when they fit in that many cells), else 2,
/// else 1, judged by the widest option (label included) plus a gap.
pub fn options_per_line(count: usize, widest_with_gap: f32, width: f32) -> usize {
    if count <= 4 && widest_with_gap <= width / 4.0 {
        return count.max(1);
    }
    if (5..=6).contains(&count) && widest_with_gap <= width / count as f32 {
        return count;
    }
    if widest_with_gap <= width / 2.0 {
        return 2;
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_columns_follow_the_widest_option() {
        assert_eq!(options_per_line(4, 100.0, 480.0), 4);
        assert_eq!(options_per_line(4, 130.0, 480.0), 2);
        assert_eq!(options_per_line(4, 300.0, 480.0), 1);
        assert_eq!(options_per_line(5, 90.0, 480.0), 5);
        assert_eq!(options_per_line(5, 110.0, 480.0), 2);
        assert_eq!(options_per_line(2, 50.0, 480.0), 2);
    }
}

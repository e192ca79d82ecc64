//! On a photo of a screen (see [`super::spectrum`]), a box read empty that still holds what a light
//! stroke or a dot on the printed letter leaves goes to a person.
//!
//! The screen's pixel grid beats with the camera's into a moiré of about a millimetre over the whole
//! page; it lightens and darkens each box by its own phase, so a light stroke or a dot is measured
//! against the moiré's noise rather than against a scanner's grain, and the sheet-wide cuts made for
//! grain leave such marks silently empty. Two facts the moiré does not change are used instead: every
//! box printed with the same letter holds the same print, so the letter's own print adds the same
//! segment score to all of them (a "D"'s bowl scores higher than an "A"'s strokes: the page-wide band
//! mixes them); and a dot made on the letter darkens the letter's area against the box's own paper,
//! whatever phase of the moiré the box sits in.

use super::faint;

/// How far a box's faint-stroke score must stand above the median of the boxes printed with the same
/// letter on a blind screen photo, in their deviations below that median, to go to a person. Tuning
/// seeds 21–26 (third field check, 13 blind screen photos): light tick-outs and slashes read as empty
/// stand 6.3–6.6 over their letter's boxes (3.2–5.2 over the page's, where unmarked "D" boxes reach
/// 5.3); unmarked boxes stand at most 7.4, 6 or more in 4 questions read right (one a clear fill).
/// 5.5 sent the same 3 silent marks and 7 questions read right to a person, 7 none of the marks. (In
/// the scanner 2 of the 3 went to a person, 25 p028 q79 stayed just under the cut, and 2 questions
/// read right.)
pub(super) const STROKE_DEVIATIONS: f32 = 6.0;

/// How far a box's printed letter must be darker than its label's unmarked boxes (in their deviations),
/// both against the page's paper and against the box's own paper round the letter, to go to a person.
/// Tuning seeds 21–26, screen photos: dots and traces on the letter read as empty stand 4.5–4.7 on
/// both; of the unmarked boxes read empty none stands 4 or more on both (up to 7.6 on one alone:
/// the moiré darkens a letter's area or its box's paper, seldom one against the other); at 3.5, 5
/// questions read right went to a person and no further mark.
pub(super) const LETTER_DEVIATIONS: f32 = 4.0;

/// A sample inside the box is its paper where the template of the unmarked boxes (their 25th
/// percentile) is lighter than this: half the print cut, away from the letter and its blur.
pub(super) const PAPER_TEMPLATE: f32 = 0.06;

/// Which boxes' faint-stroke scores (`scores`, NaN where not judged) stand out of the scores of the
/// boxes printed with the same label (`labels`) by [`STROKE_DEVIATIONS`]; none for a label with fewer
/// than 20 judged boxes or no spread.
pub(super) fn strokes_by_label(scores: &[f32], labels: &[&str]) -> Vec<bool> {
    let mut out = vec![false; scores.len()];
    let mut seen: Vec<&str> = Vec::new();
    for &l in labels {
        if seen.contains(&l) {
            continue;
        }
        seen.push(l);
        let of_label: Vec<f32> = scores
            .iter()
            .zip(labels)
            .map(|(&s, &m)| if m == l { s } else { f32::NAN })
            .collect();
        let Some((median, spread, _)) = faint::page_level(&of_label) else {
            continue;
        };
        if spread <= 0.0 {
            continue;
        }
        let cut = median + STROKE_DEVIATIONS * spread;
        for (o, &s) in out.iter_mut().zip(&of_label) {
            *o |= s.is_finite() && s >= cut;
        }
    }
    out
}

/// The middle's darkness (`centre`, where the letter prints) over the box's own paper: the median
/// darkness `d` of the inside samples (`inner`) whose template `t` is under [`PAPER_TEMPLATE`]. NaN
/// where no such sample is.
pub(super) fn middle_over_paper(centre: f32, d: &[f32], t: &[f32], inner: &[bool]) -> f32 {
    let mut paper: Vec<f32> = d
        .iter()
        .zip(t)
        .zip(inner)
        .filter(|((_, t), i)| **i && **t < PAPER_TEMPLATE)
        .map(|((d, _), _)| *d)
        .collect();
    if paper.is_empty() || !centre.is_finite() {
        return f32::NAN;
    }
    let mid = paper.len() / 2;
    centre - *paper.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Each value's distance from the median of the `counted` values of its label, in their median
/// absolute deviation; NaN where its label has fewer than 8 counted values or the value is NaN.
pub(super) fn deviations_by_label(values: &[f32], labels: &[&str], counted: &[bool]) -> Vec<f32> {
    let mut out = vec![f32::NAN; values.len()];
    let mut seen: Vec<&str> = Vec::new();
    for &l in labels {
        if seen.contains(&l) {
            continue;
        }
        seen.push(l);
        let mut v: Vec<f32> = (0..values.len())
            .filter(|&i| labels[i] == l && counted[i] && values[i].is_finite())
            .map(|i| values[i])
            .collect();
        if v.len() < 8 {
            continue;
        }
        let mid = v.len() / 2;
        let median = *v.select_nth_unstable_by(mid, f32::total_cmp).1;
        let mut dev: Vec<f32> = v.iter().map(|x| (x - median).abs()).collect();
        let spread = *dev.select_nth_unstable_by(mid, f32::total_cmp).1;
        for i in 0..values.len() {
            if labels[i] == l && values[i].is_finite() {
                out[i] = (values[i] - median) / spread.max(1e-6);
            }
        }
    }
    out
}

/// Whether a box's letter is darker by [`LETTER_DEVIATIONS`] both against its label's boxes on the page
/// (`on_page`) and against its own paper (`own`), in deviations.
pub(super) fn dot_on_letter(on_page: f32, own: f32) -> bool {
    on_page.min(own) >= LETTER_DEVIATIONS
}

/// How many boxes of the same letter, the nearest on the sheet, a box's letter is compared with by
/// [`deviations_from_nearest`].
pub(super) const NEAREST: usize = 10;

/// How far a box's printed letter must be darker than the median of its [`NEAREST`] boxes of the same
/// letter (in their own deviations), and than its label's boxes over the page (in theirs), to go to a
/// person. The moiré's level drifts slowly over the page (the photo's perspective bends its beat), so
/// a box's near neighbours of the same letter carry nearly the same moiré and print, while a dot or a
/// highlighter on the letter darkens that one box. Tuning seeds 21–26 (third field check, 18 screen
/// photos): the two dots and the highlighter read silently empty stand 9.7–10.6 over their ten nearest
/// and 5.1–19.1 over the page, and go to a person; of the 3,745 boxes read empty that hold no mark, none
/// stands over both cuts (at 7 over the nearest one does: an erased box's double, graphite left on the
/// letter). Traces of the letter stand 2.0–5.0 over the nearest and are left. The nearest ten's spread
/// is a small sample's: nine or eleven neighbours move single boxes over the cuts both ways (with
/// nine, a trace and four unmarked boxes).
pub(super) const NEAR_DEVIATIONS: f32 = 8.0;
pub(super) const PAGE_DEVIATIONS: f32 = 3.7;

/// Each value's distance from the median of the [`NEAREST`] `counted` values of the same label nearest
/// to it on the sheet (`at`, in mm; itself left out), in their median absolute deviation; NaN where
/// the value is NaN or fewer such values are found.
pub(super) fn deviations_from_nearest(
    values: &[f32],
    labels: &[&str],
    at: &[(f32, f32)],
    counted: &[bool],
) -> Vec<f32> {
    let mut out = vec![f32::NAN; values.len()];
    for i in 0..values.len() {
        if !values[i].is_finite() {
            continue;
        }
        let mut near: Vec<(f32, f32)> = (0..values.len())
            .filter(|&j| j != i && labels[j] == labels[i] && counted[j] && values[j].is_finite())
            .map(|j| {
                let d = (at[j].0 - at[i].0).hypot(at[j].1 - at[i].1);
                (d, values[j])
            })
            .collect();
        if near.len() < NEAREST {
            continue;
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut v: Vec<f32> = near[..NEAREST].iter().map(|n| n.1).collect();
        let mid = v.len() / 2;
        let median = *v.select_nth_unstable_by(mid, f32::total_cmp).1;
        let mut dev: Vec<f32> = v.iter().map(|x| (x - median).abs()).collect();
        let spread = *dev.select_nth_unstable_by(mid, f32::total_cmp).1;
        out[i] = (values[i] - median) / spread.max(1e-6);
    }
    out
}

/// Whether a box's letter is darker by [`PAGE_DEVIATIONS`] than its label's boxes over the page
/// (`on_page`) and by [`NEAR_DEVIATIONS`] than its nearest boxes of the same letter (`near`).
pub(super) fn darker_than_near(on_page: f32, near: f32) -> bool {
    on_page >= PAGE_DEVIATIONS && near >= NEAR_DEVIATIONS
}

/// How far the edges of a box's printed letter must be darker than those of its label's boxes over
/// the page, and than those of its [`NEAREST`] boxes of the same letter (each in their deviations), to
/// go to a person. A letter traced over in pencil, or crossed by a slash, is inked a little off the
/// print: the strokes' edges, half grey in the print, turn dark, while the moiré moves the edges of
/// every box of the letter alike (a screen's beat of a millimetre spans a stroke and both its edges).
/// Tuning seeds 21–26 (third field check, 18 screen photos): three light traces read silently empty or
/// dropped stand 6.0–7.0 over the page and 6.4–10.3 over the nearest; of the 3,745 boxes read empty
/// that hold no mark, 2 stand over both cuts (a dot question's other box, an erased box's double). At
/// 5 over the page a green slash (5.3) went to a person too, and 3 more unmarked boxes.
pub(super) const EDGE_PAGE_DEVIATIONS: f32 = 5.5;
pub(super) const EDGE_NEAR_DEVIATIONS: f32 = 5.0;

/// The edges of the printed letter: the inside samples whose template (`t`) lies between a fifth and
/// seven tenths of the way from the paper's level (the template's 40th percentile inside the box) to
/// its darkest point; fewer than this many such samples give no measure.
const EDGE_LOW: f32 = 0.2;
const EDGE_HIGH: f32 = 0.7;
const EDGE_MIN_SAMPLES: usize = 5;

/// The mean darkness over the template (`d` − `t`) on the printed letter's edges (see [`EDGE_LOW`])
/// among the `inner` samples; NaN where fewer than 40 inside samples are measured or too few edges.
pub(super) fn letter_edge_excess(d: &[f32], t: &[f32], inner: &[bool]) -> f32 {
    let inside: Vec<usize> = (0..d.len().min(t.len()).min(inner.len()))
        .filter(|&k| inner[k] && d[k].is_finite() && t[k].is_finite())
        .collect();
    if inside.len() < 40 {
        return f32::NAN;
    }
    let mut ts: Vec<f32> = inside.iter().map(|&k| t[k]).collect();
    let at = ts.len() * 2 / 5;
    let paper = *ts.select_nth_unstable_by(at, f32::total_cmp).1;
    let darkest = ts.iter().copied().fold(f32::MIN, f32::max);
    let (low, high) = (
        paper + EDGE_LOW * (darkest - paper),
        paper + EDGE_HIGH * (darkest - paper),
    );
    let edges: Vec<f32> = inside
        .iter()
        .filter(|&&k| t[k] > low && t[k] < high)
        .map(|&k| d[k] - t[k])
        .collect();
    if edges.len() < EDGE_MIN_SAMPLES {
        return f32::NAN;
    }
    edges.iter().sum::<f32>() / edges.len() as f32
}

/// Whether a box's letter edges are darker by [`EDGE_PAGE_DEVIATIONS`] than its label's boxes over the
/// page (`on_page`) and by [`EDGE_NEAR_DEVIATIONS`] than its nearest boxes of the same letter (`near`).
pub(super) fn edges_inked(on_page: f32, near: f32) -> bool {
    on_page >= EDGE_PAGE_DEVIATIONS && near >= EDGE_NEAR_DEVIATIONS
}

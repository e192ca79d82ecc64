//! A page whose print mask covers every box's inside (a scan shown on a screen and photographed: the
//! screen's pixel grid beats with the camera's into a moiré of about a millimetre) is read blind by the
//! masked residuals; its faint strokes are looked for against the page's own paper instead.
//!
//! The moiré darkens and lightens the paper by a tenth of white or more, a different phase in every
//! box, so the 75th percentile of the unmarked boxes (the print mask) and even their 25th (the
//! template) lie above the print cut at every point of the inside: each sample of each box is taken
//! for print and left out, and a light pencil stroke is no sample at all (third field check, seed 21,
//! screen photo: 132 of 132 inside samples masked in every box; 50–60 % on a copier page, the letter).
//! There only the letter's strokes, darker than the page's own inside level by the print cut, are
//! print; what is left is the box's ink with the moiré's noise on it, which the faint-stroke score
//! ([`super::faint`]) already judges against the same page's empty boxes.

/// A page is blind where at least this share of its answer boxes' inside samples is masked as print:
/// the letter and the outline's blur cover half of the inside (copier pages 0.45–0.65), a moiré
/// all of it.
pub(super) const BLIND_SHARE: f32 = 0.9;

/// The share of inside samples (`inner`) whose template `t` or mask `m` reach `print`, over the boxes
/// given as (t, m, inner) triples.
pub(super) fn masked_share<'a>(
    boxes: impl Iterator<Item = (&'a [f32], &'a [f32], &'a [bool])>,
    print: f32,
) -> f32 {
    let (mut masked, mut n) = (0u64, 0u64);
    for (t, m, inner) in boxes {
        for ((t, m), &i) in t.iter().zip(m).zip(inner) {
            if i {
                n += 1;
                masked += (*t >= print || *m >= print) as u64;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        masked as f32 / n as f32
    }
}

/// A box's residuals against its template on a blind page: the samples of the inside (`inner`) whose
/// template is darker than the box's own typical inside template (its median: the paper, the letter
/// covering less than half) by less than `print`, as `d − t` (not below 0); the letter's strokes and
/// everything outside NaN.
pub(super) fn residuals_on_blind_page(
    d: &[f32],
    t: &[f32],
    inner: &[bool],
    print: f32,
) -> Vec<f32> {
    let mut inside: Vec<f32> = t
        .iter()
        .zip(inner)
        .filter(|(_, i)| **i)
        .map(|(t, _)| *t)
        .collect();
    if inside.is_empty() {
        return vec![f32::NAN; d.len()];
    }
    let mid = inside.len() / 2;
    let paper = *inside.select_nth_unstable_by(mid, f32::total_cmp).1;
    d.iter()
        .zip(t)
        .zip(inner)
        .map(|((d, t), &i)| {
            if i && *t < paper + print {
                (d - t).max(0.0)
            } else {
                f32::NAN
            }
        })
        .collect()
}

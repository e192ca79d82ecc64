//! Pages cut to black and white (a copier's 1-bit mode, #23): every pixel black or white, so a thin
//! pencil or ballpoint dash that survives the threshold is as black as the print, and the print's own
//! edges can break into black pixels that no template of the label takes away exactly.
//!
//! How many such pixels a page leaves depends on how its print falls on the pixel grid: a page
//! skewed by a degree breaks every outline and letter into steps that differ from box to box (a
//! dozen stray pixels in a box), a page copied square leaves the same steps in every box of a label,
//! which the template takes away whole. Most boxes on any sheet hold no mark (a student answers one
//! letter of four or five, one digit of ten in each id column), so the page's own boxes tell how
//! much the print leaves behind.

/// The share of a box's inside a few dark specks may cover without being a mark, on any page: paper
/// grain, dust, a pixel of print left over.
pub(super) const SPECK: f32 = 0.04;
/// What a page cut to black and white may add to [`SPECK`] at most, per unit of pencil level past 0.6
/// (its pencil level is near 1: every ink sample is black): print edges broken into black pixels, as
/// many as a thin tick leaves, on a page skewed against the pixel grid.
const SPECK_PER_PENCIL: f32 = 0.12;
/// How many median deviations past the median box a box's black share must lie to stand out from the
/// print the page leaves in its boxes (the same six as the sheet's visible level).
const DEVIATIONS: f32 = 6.0;

/// The share of a box's inside that dark specks may cover on this page without being a mark: the
/// print's broken edges as far as this page's boxes show them (`print_noise`, see [`print_noise`]),
/// up to what a page skewed against the pixel grid leaves, on a page whose pencil is as dark as print
/// (`pencil` near 1).
pub(super) fn speck(pencil: f32, print_noise: f32) -> f32 {
    SPECK + (SPECK_PER_PENCIL * (pencil - 0.6).max(0.0)).min(print_noise.max(0.0))
}

/// Fewer boxes of a label than this tell nothing of its print: such boxes keep the whole allowance.
const MIN_GROUP: usize = 8;

/// How much of a box's inside the print left behind covers on this page at the stroke cut, per box
/// (`dark`: per box, the share of its inside at least that dark once the print is taken away), from
/// the boxes printed alike (`group`: the same label on the same grid; a "B"'s curves break into more
/// steps than an "A"'s strokes): the group's median box (a box with no mark: most are) and six of the
/// group's median deviations from it. 0 where the templates take the print away whole in every box
/// of the group; infinite for a group of fewer than [`MIN_GROUP`] boxes.
pub(super) fn print_noise<K: std::hash::Hash + Eq>(group: &[K], dark: &[f32]) -> Vec<f32> {
    use std::collections::HashMap;
    let mut members: HashMap<&K, Vec<f32>> = HashMap::new();
    for (k, &d) in group.iter().zip(dark) {
        if d.is_finite() {
            members.entry(k).or_default().push(d);
        }
    }
    let noise: HashMap<&K, f32> = members
        .into_iter()
        .map(|(k, mut v)| {
            if v.len() < MIN_GROUP {
                return (k, f32::INFINITY);
            }
            let mid = v.len() / 2;
            let (_, &mut median, _) = v.select_nth_unstable_by(mid, f32::total_cmp);
            let mut dev: Vec<f32> = v.iter().map(|d| (d - median).abs()).collect();
            let (_, &mut spread, _) = dev.select_nth_unstable_by(mid, f32::total_cmp);
            (k, median + DEVIATIONS * spread)
        })
        .collect();
    group
        .iter()
        .map(|k| noise.get(k).copied().unwrap_or(f32::INFINITY))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_copied_square_keeps_only_the_plain_speck() {
        // 300 boxes of one label: 240 with nothing left of the print, 60 marked.
        let dark: Vec<f32> = (0..300).map(|k| if k < 240 { 0.0 } else { 0.5 }).collect();
        let noise = print_noise(&[0; 300], &dark);
        assert_eq!(noise[0], 0.0);
        assert_eq!(speck(1.0, noise[0]), SPECK);
    }

    #[test]
    fn a_label_whose_print_breaks_keeps_the_whole_allowance() {
        // Two labels, 150 boxes each: the first's print leaves nothing, the second's steps leave
        // 3–9 % of each unmarked box black (a page skewed against the pixel grid); 30 of each marked.
        let group: Vec<u8> = (0..300).map(|k| (k % 2) as u8).collect();
        let dark: Vec<f32> = (0..300)
            .map(|k| match (k % 2, k < 240) {
                (_, false) => 0.5,
                (0, true) => 0.0,
                _ => 0.03 + (k % 7) as f32 * 0.01,
            })
            .collect();
        let noise = print_noise(&group, &dark);
        assert_eq!(noise[0], 0.0);
        assert!(noise[1] > 0.1);
        assert!((speck(1.0, noise[1]) - (SPECK + 0.048)).abs() < 1e-6);
        // A grey page's pencil adds nothing, whatever its boxes show.
        assert_eq!(speck(0.5, noise[1]), SPECK);
        // Too few boxes of a label to tell: the whole allowance.
        let few = print_noise(&[7u8, 7, 7], &[0.0, 0.0, 0.0]);
        assert!((speck(1.0, few[0]) - (SPECK + 0.048)).abs() < 1e-6);
    }
}

//! QR codes as the `qrcode` crate makes them, module for module, with its mask chosen by a faster
//! evaluation of the same penalty score: the crate scores each of the eight masked symbols through
//! bounds-checked lookups and a boxed closure per position, which cost more than the rest of the code
//! together, and a class's answer sheets each carry a code of their own.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

/// The masks in the crate's order: of two masks with the same score, the earlier is taken.
const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of `data`'s QR code at error correction level M, in rows (dark true), and the number of
/// modules a side: exactly `QrCode::with_error_correction_level(data, EcLevel::M)`'s. None when the data
/// is too long for a code.
pub fn modules(data: &[u8]) -> Option<(usize, Vec<bool>)> {
    let ec = EcLevel::M;
    let bits = qrcode::bits::encode_auto(data, ec).ok()?;
    let version = bits.version();
    let (codewords, ec_codewords) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec_codewords);
    let width = version.width() as usize;
    let dark = |canvas: Canvas| -> Vec<bool> {
        canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect()
    };
    if !matches!(version, Version::Normal(_)) {
        // Micro codes are scored by another rule; `encode_auto` never makes one.
        return Some((width, dark(canvas.apply_best_mask())));
    }
    let mut best: Option<(u16, Vec<bool>)> = None;
    for pattern in PATTERNS {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let modules = dark(masked);
        let score = penalty(&modules, width);
        if best.as_ref().is_none_or(|(least, _)| score < *least) {
            best = Some((score, modules));
        }
    }
    best.map(|(_, modules)| (width, modules))
}

/// The crate's penalty score of a masked symbol (`width` modules a side, in rows), in its `u16`
/// arithmetic: runs of five or more alike in a row or column (length − 2 each), 2×2 blocks alike (3
/// each), finder-like runs `#.###.#` with four light modules (or the edge) on either side (40 each, less
/// the 360 the three finder patterns score), and the distance of the dark share from half, in percent
/// of 200.
fn penalty(modules: &[bool], width: usize) -> u16 {
    let at = |x: usize, y: usize| modules[y * width + x];
    let mut runs: u32 = 0;
    let mut finders: u32 = 0;
    for horizontal in [true, false] {
        let get = |i: usize, j: usize| if horizontal { at(j, i) } else { at(i, j) };
        for i in 0..width {
            let mut line = [false; 177];
            for (j, m) in line.iter_mut().enumerate().take(width) {
                *m = get(i, j);
            }
            let line = &line[..width];
            let mut run = 1;
            for j in 1..=width {
                if j < width && line[j] == line[j - 1] {
                    run += 1;
                    continue;
                }
                if run >= 5 {
                    runs += run - 2;
                }
                run = 1;
            }
            const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
            for j in 0..width.saturating_sub(6) {
                if line[j..j + 7] != PATTERN {
                    continue;
                }
                let left = line[j.saturating_sub(4)..j].iter().any(|&d| d);
                let right = line[j + 7..(j + 11).min(width)].iter().any(|&d| d);
                if !left || !right {
                    finders += 40;
                }
            }
        }
    }
    let mut blocks: u32 = 0;
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let m = at(x, y);
            if at(x + 1, y) == m && at(x, y + 1) == m && at(x + 1, y + 1) == m {
                blocks += 3;
            }
        }
    }
    let dark = modules.iter().filter(|&&d| d).count();
    let ratio = dark * 200 / modules.len();
    let balance = ratio.abs_diff(100) as u32;
    // The crate sums in u16, wrapping in a release build (its scores stay far below that).
    (runs + blocks + finders + balance).wrapping_sub(360) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crates(data: &[u8]) -> Option<(usize, Vec<bool>)> {
        let code = qrcode::QrCode::with_error_correction_level(data, EcLevel::M).ok()?;
        Some((
            code.width(),
            code.to_colors().iter().map(|c| *c == Color::Dark).collect(),
        ))
    }

    #[test]
    fn codes_are_the_crates_module_for_module() {
        let mut texts: Vec<String> = Vec::new();
        // Answer sheets' codes: draw digest, variant, page, student id.
        for i in 0..300u32 {
            texts.push(format!(
                "EXAMGEN|{:016x}|{}|{}|2025{:06}",
                u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                ["A", "B", "AB", "ZZ"][i as usize % 4],
                i % 3 + 1,
                i * 37
            ));
        }
        // Every mode and many versions: digits, upper-case, bytes, Chinese, long text.
        for n in [0, 1, 7, 20, 41, 77, 120, 250, 600, 1200, 2300] {
            texts.push("0123456789".chars().cycle().take(n).collect());
            texts.push("EXAMGEN 2025/".chars().cycle().take(n).collect());
            texts.push("张喆 a|b".chars().cycle().take(n).collect());
            texts.push(
                (0..n)
                    .map(|k| char::from(b'!' + (k * 7 % 90) as u8))
                    .collect(),
            );
        }
        for text in &texts {
            assert_eq!(modules(text.as_bytes()), crates(text.as_bytes()), "{text}");
        }
        // Too long for any code: none, as the crate refuses it.
        let long = "x".repeat(4000);
        assert_eq!(modules(long.as_bytes()), None);
        assert_eq!(crates(long.as_bytes()), None);
    }

    #[test]
    fn the_penalty_counts_runs_blocks_finder_shapes_and_balance() {
        // A 21-module symbol all light: each of 42 lines is one run of 21 (19 each), 400 blocks of 3,
        // no finder shape, no dark modules (balance 100), less the 360 a real symbol's finders score.
        let light = vec![false; 21 * 21];
        assert_eq!(
            penalty(&light, 21),
            (42 * 19 + 400 * 3 + 100u32).wrapping_sub(360) as u16
        );
        // One row `#.###.#` at the left edge, the rest light. Runs: that row's light 14 (12), the other
        // rows (20 × 19), the five columns through a dark module (light 10, dark, light 10: 16 each) and
        // the other sixteen (19 each); blocks: 360 away from the row and 26 beside its light tail; the
        // shape, the edge on its left, 40; 5 dark of 441, ratio 2: 98.
        let mut one = vec![false; 21 * 21];
        for (x, d) in [true, false, true, true, true, false, true]
            .iter()
            .enumerate()
        {
            one[10 * 21 + x] = *d;
        }
        let runs = 12 + 20 * 19 + 5 * 16 + 16 * 19;
        assert_eq!(penalty(&one, 21), (runs + 386 * 3 + 40 + 98 - 360) as u16);
    }
}

//! Whether a page is a photo of a screen, told by the beat its pixel grid leaves on blank paper: a
//! sharp peak of the paper's averaged power spectrum at periods of 6–25 px.
//!
//! A screen's pixel stripes beat with the camera's pixels into a moiré of one period and direction
//! over the whole page (about a millimetre, 6–25 camera pixels); paper, toner, a copier's grain, a
//! stain or a phone's lamp have no such period, and JPEG's own 8 × 8 blocks put theirs on the 1/8
//! frequency lines, left out here. Averaged over 16 windows of blank paper, the spectrum's highest
//! point in that ring stands 1,300–12,100 times over the ring's median on the tuning seeds' 18 screen
//! photos (21–26, third field check) and at most 31 on their 222 other pages (a JPEG of quality 30 the
//! highest; 1-bit pages 0). 5 of those screen photos have so light a moiré that only 64–80 % of their
//! box insides are masked as print, under [`super::moire::BLIND_SHARE`]: read as copier pages, their
//! light strokes were left out with the print, and most of their marks went to a person.

use image::GrayImage;

/// Side of the square windows the spectrum is taken over: 128 px hold 5–21 periods of the beat.
const WINDOW: usize = 128;
/// How many windows are looked at, and how many of the blankest are kept: fewer kept (4, 8) let one
/// window's letter or edge into the average (margin 4.8× and 26× instead of 16× or more).
const CANDIDATES: usize = 300;
const KEPT: usize = 16;
/// A window's blankness: the spread of its 8 × 8 px block means (a beat of 6–25 px averages out in a
/// block of 8 more than a printed edge does).
const RANK_BLOCK: usize = 8;
/// A window holds print or ink when one of its 16 × 16 px blocks is this many grey levels under the
/// window's median block, or its median is under [`DARK_WINDOW`] of the page's.
const INK_BLOCK: usize = 16;
const INK_DROP: f32 = 40.0;
const DARK_WINDOW: f32 = 0.6;
/// The beat's ring, in periods (px).
const SHORTEST: f32 = 6.0;
const LONGEST: f32 = 25.0;
/// A page whose beat peak stands this many times over the ring's median is a screen photo: the
/// log-midpoint of the tuning seeds' gap (screen photos 509 and up, other pages 35 and down).
pub(super) const SCREEN_PEAK: f32 = 150.0;

/// A beat must also be this deep (its sine's amplitude, grey levels) to be a screen's: the tuning
/// seeds' screen photos beat 4.4–12.4 deep, their other pages' highest point in the ring is 0.2 deep
/// or less; a page drawn without grain (the unit tests' sheets) has so low a median that a resampling's
/// faint pattern, 0.8 deep, stands 155 times over it.
pub(super) const SCREEN_DEPTH: f32 = 2.0;

/// Whether `img` is a photo of a screen (see the module's doc): a beat [`SCREEN_PEAK`] times over the
/// ring's median and [`SCREEN_DEPTH`] deep.
pub(super) fn is_screen_photo(img: &GrayImage) -> bool {
    beat(img).is_some_and(|(peak, depth)| peak >= SCREEN_PEAK && depth >= SCREEN_DEPTH)
}

/// The averaged blank-paper power spectrum's highest point in the beat's ring over the ring's median
/// (0 where no blank window is found or the paper is flat, as on a page cut to black and white): what
/// the tests measure pages by.
#[cfg(test)]
pub(super) fn beat_peak(img: &GrayImage) -> f32 {
    beat(img).map_or(0.0, |(peak, _)| peak)
}

/// The beat's peak over the ring's median, and its depth: the amplitude of a sine at the peak's
/// frequency that gives its power (each window's spectrum is the sine's amplitude times half the
/// Hann window's sum, squared). `None` where no blank window is found or the ring is flat.
fn beat(img: &GrayImage) -> Option<(f32, f32)> {
    let windows = blank_windows(img);
    if windows.is_empty() {
        return None;
    }
    let power = averaged_power(img, &windows);
    let mut v: Vec<f64> = ring_bins().iter().map(|&k| power[k]).collect();
    let max = v.iter().copied().fold(0.0f64, f64::max);
    let median = median_f64(&mut v);
    if median <= 0.0 || !max.is_finite() {
        return None;
    }
    let hann_sum: f64 = hann().iter().map(|&w| w as f64).sum();
    let depth = 2.0 * max.sqrt() / (hann_sum * hann_sum);
    Some(((max / median) as f32, depth as f32))
}

/// The Hann window over [`WINDOW`] samples.
fn hann() -> Vec<f32> {
    (0..WINDOW)
        .map(|n| 0.5 - 0.5 * (std::f32::consts::TAU * n as f32 / (WINDOW - 1) as f32).cos())
        .collect()
}

/// The [`KEPT`] blankest windows among [`CANDIDATES`] placed pseudo-randomly (a fixed seed: the same
/// page reads the same), as their top-left corners.
fn blank_windows(img: &GrayImage) -> Vec<(usize, usize)> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < WINDOW || h < WINDOW {
        return Vec::new();
    }
    let px = img.as_raw();
    let page_median = {
        let mut hist = [0u32; 256];
        let mut n = 0u32;
        for y in (0..h).step_by(8) {
            for x in (0..w).step_by(8) {
                hist[px[y * w + x] as usize] += 1;
                n += 1;
            }
        }
        median_of_hist(&hist, n)
    };
    let mut rng = 0x5eed_5bec_7a11_u64;
    let mut ranked: Vec<(f32, usize, usize)> = Vec::with_capacity(CANDIDATES);
    const R: usize = WINDOW / RANK_BLOCK;
    const STEP: usize = INK_BLOCK / RANK_BLOCK;
    for _ in 0..CANDIDATES {
        let y = (splitmix(&mut rng) % (h - WINDOW + 1) as u64) as usize;
        let x = (splitmix(&mut rng) % (w - WINDOW + 1) as u64) as usize;
        // Sums of the 8 × 8 blocks; the 16 × 16 blocks are four of them.
        let mut sums = [0u32; R * R];
        for dy in 0..WINDOW {
            let row = &px[(y + dy) * w + x..(y + dy) * w + x + WINDOW];
            let s = &mut sums[(dy / RANK_BLOCK) * R..(dy / RANK_BLOCK + 1) * R];
            for (bx, chunk) in row.chunks_exact(RANK_BLOCK).enumerate() {
                s[bx] += chunk.iter().map(|&v| v as u32).sum::<u32>();
            }
        }
        let mut ink: Vec<f32> = Vec::with_capacity((R / STEP) * (R / STEP));
        for by in (0..R).step_by(STEP) {
            for bx in (0..R).step_by(STEP) {
                let mut s = 0u32;
                for j in 0..STEP {
                    for i in 0..STEP {
                        s += sums[(by + j) * R + bx + i];
                    }
                }
                ink.push(s as f32 / (INK_BLOCK * INK_BLOCK) as f32);
            }
        }
        let lowest = ink.iter().copied().fold(f32::INFINITY, f32::min);
        let window_median = median_f32(&mut ink);
        if window_median < DARK_WINDOW * page_median || lowest < window_median - INK_DROP {
            continue;
        }
        let n = (RANK_BLOCK * RANK_BLOCK) as f32;
        let mean = sums.iter().map(|&s| s as f32 / n).sum::<f32>() / (R * R) as f32;
        let var = sums
            .iter()
            .map(|&s| (s as f32 / n - mean).powi(2))
            .sum::<f32>()
            / (R * R) as f32;
        ranked.push((var.sqrt(), y, x));
    }
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    ranked
        .into_iter()
        .take(KEPT)
        .map(|(_, y, x)| (y, x))
        .collect()
}

/// The windows' power spectra (each less its mean, under a Hann window) averaged, row-major with the
/// frequencies in FFT order.
fn averaged_power(img: &GrayImage, windows: &[(usize, usize)]) -> Vec<f64> {
    let w = img.width() as usize;
    let px = img.as_raw();
    let hann = hann();
    let tw = twiddles(WINDOW);
    let mut power = vec![0.0f64; WINDOW * WINDOW];
    let mut re = vec![0.0f32; WINDOW * WINDOW];
    let mut im = vec![0.0f32; WINDOW * WINDOW];
    let (mut cre, mut cim) = (vec![0.0f32; WINDOW], vec![0.0f32; WINDOW]);
    for &(y, x) in windows {
        let mut sum = 0u64;
        for dy in 0..WINDOW {
            sum += px[(y + dy) * w + x..(y + dy) * w + x + WINDOW]
                .iter()
                .map(|&v| v as u64)
                .sum::<u64>();
        }
        let mean = sum as f32 / (WINDOW * WINDOW) as f32;
        for dy in 0..WINDOW {
            let row = &px[(y + dy) * w + x..(y + dy) * w + x + WINDOW];
            for dx in 0..WINDOW {
                re[dy * WINDOW + dx] = (row[dx] as f32 - mean) * hann[dy] * hann[dx];
                im[dy * WINDOW + dx] = 0.0;
            }
        }
        for r in 0..WINDOW {
            fft(
                &mut re[r * WINDOW..(r + 1) * WINDOW],
                &mut im[r * WINDOW..(r + 1) * WINDOW],
                &tw,
            );
        }
        for c in 0..WINDOW {
            for r in 0..WINDOW {
                cre[r] = re[r * WINDOW + c];
                cim[r] = im[r * WINDOW + c];
            }
            fft(&mut cre, &mut cim, &tw);
            for r in 0..WINDOW {
                power[r * WINDOW + c] += (cre[r] as f64).powi(2) + (cim[r] as f64).powi(2);
            }
        }
    }
    let n = windows.len() as f64;
    power.iter_mut().for_each(|p| *p /= n);
    power
}

/// The spectrum's bins in the beat's ring, less those within a bin of JPEG's 1/8-frequency lines
/// (and of the axes) in either direction.
fn ring_bins() -> Vec<usize> {
    let bin = |k: usize| k.min(WINDOW - k) as f32;
    let eighth = (WINDOW / 8) as f32;
    let on_jpeg_line = |b: f32| (b - (b / eighth).round() * eighth).abs() <= 1.0;
    let (lo, hi) = (WINDOW as f32 / LONGEST, WINDOW as f32 / SHORTEST);
    let mut out = Vec::new();
    for ky in 0..WINDOW {
        for kx in 0..WINDOW {
            let (by, bx) = (bin(ky), bin(kx));
            let r = (bx * bx + by * by).sqrt();
            if r >= lo && r <= hi && !on_jpeg_line(bx) && !on_jpeg_line(by) {
                out.push(ky * WINDOW + kx);
            }
        }
    }
    out
}

/// The FFT's twiddle factors for length `n`: e^(−2πik/n) for k < n/2.
fn twiddles(n: usize) -> (Vec<f32>, Vec<f32>) {
    (0..n / 2)
        .map(|k| {
            let a = -std::f64::consts::TAU * k as f64 / n as f64;
            (a.cos() as f32, a.sin() as f32)
        })
        .unzip()
}

/// In-place radix-2 FFT of `re` + i`im` with the [`twiddles`] of their length (a power of two; any
/// other length, or tables of another, is left alone).
pub(super) fn fft(re: &mut [f32], im: &mut [f32], tw: &(Vec<f32>, Vec<f32>)) {
    let n = re.len();
    if n < 2 || !n.is_power_of_two() || im.len() != n || tw.0.len() != n / 2 || tw.1.len() != n / 2
    {
        return;
    }
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let stride = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (wr, wi) = (tw.0[k * stride], tw.1[k * stride]);
                let (a, b) = (start + k, start + k + len / 2);
                let (xr, xi) = (re[b] * wr - im[b] * wi, re[b] * wi + im[b] * wr);
                re[b] = re[a] - xr;
                im[b] = im[a] - xi;
                re[a] += xr;
                im[a] += xi;
            }
        }
        len <<= 1;
    }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn median_of_hist(hist: &[u32; 256], n: u32) -> f32 {
    let (mut seen, half) = (0u32, n.div_ceil(2));
    for (k, c) in hist.iter().enumerate() {
        seen += c;
        if seen >= half.max(1) {
            return k as f32;
        }
    }
    255.0
}

/// The median (the mean of the middle two of an even count), as numpy takes it.
fn median_f32(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 0 {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

fn median_f64(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 0 {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

//! A line drawn under a bubble (the student underlines the letter): a straight stroke along the bottom
//! of the box or in the gap below it, told from the next row's marks by where its ink lies — it ends,
//! with paper again, before the box below, and it does not run on round that box's sides as a circle
//! drawn round the next bubble does.

/// Across the contour (mm from the box's outline, outwards): where the samples start inside the box, and
/// how far down from the bottom edge the line itself must lie (a pen or pencil line drawn up to about
/// 0.6 mm below the box, its centre; a 0.75 mm pencil reaches 1 mm down).
const FROM: f32 = -0.35;
const LINE_TO: f32 = 0.65;
/// Share of the stations along the bottom edge the line must run under.
const SHARE: f32 = 0.5;
/// How far below the box, at most, the line may still be ending where no box lies below (the samples
/// end at 1.5 mm), and how far short of the box below it must have ended: its outline, taken away as
/// print, reads as paper, and a fill spilling up from that box reaches it with ink all the way.
const END_ALONE: f32 = 1.45;
const END_SHORT: f32 = 0.15;
/// The line has ended where its ink falls below this share of its darkest sample (its edge), or below
/// the ink level, whichever is darker: a broad dark line blurred by the scan fades slowly through the
/// low ink level.
const EDGE: f32 = 0.5;

/// Whether a line runs under box `a`: along at least half of the stations on its bottom edge a run of
/// ink lies from just inside the box to [`LINE_TO`] below it, and ends — the samples go back to paper —
/// before the box below (`gap_below` mm away, when a bubble lies there). `residual` holds the samples
/// across the contour, `depths` per station `step` mm apart, and `stations` the sides each station faces (bit 1: the
/// bottom) and where its samples begin (mm, along the normal); samples `claimed` by a marked
/// neighbour's ink are left out, and a station with any of them says nothing.
pub(crate) fn under_line(
    residual: &[f32],
    (depths, step): (usize, f32),
    stations: &[(u8, f32)],
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    gap_below: Option<f32>,
    claimed: impl Fn(f32, f32) -> bool,
) -> bool {
    let end = gap_below.map_or(END_ALONE, |g| (g - END_SHORT).min(END_ALONE));
    let (mut lined, mut along) = (0, 0);
    for (station, &(sides, from)) in stations.iter().enumerate() {
        if sides != 2 {
            continue;
        }
        along += 1;
        let row = &residual[station * depths..(station + 1) * depths];
        let offset = |d: usize| -from + d as f32 * step;
        // The darkest sample of the line's own stretch sets where its edge is.
        let peak = (0..depths)
            .filter(|&d| (FROM..=LINE_TO).contains(&offset(d)))
            .map(|d| row[d])
            .filter(|v| !v.is_nan())
            .fold(0.0f32, f32::max);
        let edge = ink.max(EDGE * peak);
        let (mut run, mut line, mut hidden, mut clear, mut ended) = (0, false, false, 0, false);
        for (d, &v) in row.iter().enumerate() {
            let o = offset(d);
            if o < FROM || o > end {
                continue;
            }
            if o <= LINE_TO {
                let (x, y) = at(station, d);
                hidden |= claimed(x, y);
                run = if !v.is_nan() && v >= ink { run + 1 } else { 0 };
                line |= run >= 2;
            }
            // Paper again below the line before the box below (a fill spilling up from that box, or
            // a line drawn over its outline, does not leave any).
            clear = if line && !v.is_nan() && v < edge {
                clear + 1
            } else {
                0
            };
            ended |= clear >= 2;
        }
        lined += (line && ended && !hidden) as usize;
    }
    along > 0 && lined as f32 >= SHARE * along as f32
}

/// How far below a box (mm, from its outline) ink must begin to lie against it: a line drawn under it
/// starts there (the outline, taken away as print, ends about 0.2 mm out); a fill's overshoot from the
/// box below, a pencil's strokes running on past their own outline by up to about 1 mm, stops short of
/// it across the 1.4 mm gap.
pub(crate) const TOUCH: f32 = 0.4;
/// How far (mm) a fill's overshoot runs out of its box at most: only across a gap wider than this and
/// [`TOUCH`] together (the answer rows; not the id grid's tighter columns) does it stop short.
pub(crate) const OVERSHOOT: f32 = 0.9;

/// Whether ink lies against the bottom of box `a` all along it: along at least half of the stations on
/// its bottom edge a run of ink (two samples at least `ink`) begins within [`TOUCH`] of the outline and
/// runs on down into the gap. Where the box below is filled and its ink runs on up to this box without
/// a break, the line under this box and that fill's overshoot cannot be told apart: something reached
/// this box from below, or was drawn under it, and a person decides. Samples `claimed` by another
/// marked neighbour's ink are left out, and a station with any of them says nothing.
pub(crate) fn ink_against_bottom(
    residual: &[f32],
    (depths, step): (usize, f32),
    stations: &[(u8, f32)],
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    claimed: impl Fn(f32, f32) -> bool,
) -> bool {
    let (mut against, mut along) = (0, 0);
    for (station, &(sides, from)) in stations.iter().enumerate() {
        if sides != 2 {
            continue;
        }
        along += 1;
        let row = &residual[station * depths..(station + 1) * depths];
        let (mut run, mut start, mut hidden, mut found) = (0, 0.0f32, false, false);
        for (d, &v) in row.iter().enumerate() {
            let o = -from + d as f32 * step;
            if !(FROM..=LINE_TO).contains(&o) {
                continue;
            }
            let (x, y) = at(station, d);
            hidden |= claimed(x, y);
            if !v.is_nan() && v >= ink {
                if run == 0 {
                    start = o;
                }
                run += 1;
            } else {
                run = 0;
            }
            // Ink begun against the outline (or inside the box, running out of it).
            found |= run >= 2 && start <= TOUCH && o > 0.0;
        }
        against += (found && !hidden) as usize;
    }
    along > 0 && against as f32 >= SHARE * along as f32
}

/// How far (mm) the middle of a line across a station may lie off the straight line fitted along the
/// top (or the bottom) of the box and still be that line: a hand's line wavers by about 0.1 mm, a broad
/// one's middle is found within a sample or two; a circle round the box bends away from its top by
/// 0.5–0.9 mm at the corners and runs down the sides far from both.
const STRAIGHT: f32 = 0.35;
/// Stations with a line off both straight lines that make the ink round a box more than two lines.
const OFF_LINES: usize = 2;

/// One run of samples at least as dark as the ink level across a station: depths `start..end`, the sum
/// and the darkest of its samples, and the lightest counted sample between it and the run before.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InkRun {
    pub start: usize,
    pub end: usize,
    pub sum: f32,
    pub peak: f32,
    pub low_before: f32,
}

impl InkRun {
    pub fn len(&self) -> usize {
        self.end - self.start
    }
}

/// The runs of ink across one station's samples (`row`, inside out): samples at least `ink` dark, not
/// NaN (print taken away) and within the part of the row `counted(depth)` looks at. Every run is kept,
/// a single sample too: the callers decide how long a line must be. Shared by the rules reading lines
/// under a box (this file's and [`super::arm_tip`]), so they see the same runs.
pub(crate) fn ink_runs(row: &[f32], ink: f32, counted: impl Fn(usize) -> bool) -> Vec<InkRun> {
    let mut runs = Vec::new();
    let (mut start, mut sum, mut peak, mut low) = (None::<usize>, 0.0f32, 0.0f32, f32::INFINITY);
    for d in 0..=row.len() {
        let v = row.get(d).copied().unwrap_or(f32::NAN);
        let inside = d < row.len() && counted(d);
        if inside && !v.is_nan() && v >= ink {
            start.get_or_insert(d);
            sum += v;
            peak = peak.max(v);
            continue;
        }
        if let Some(s0) = start.take() {
            runs.push(InkRun {
                start: s0,
                end: d,
                sum,
                peak,
                low_before: low,
            });
            low = f32::INFINITY;
        }
        sum = 0.0;
        peak = 0.0;
        if inside && !v.is_nan() {
            low = low.min(v);
        }
    }
    runs
}

/// Whether the lines round a box are only a straight line over its top and one under its bottom: the
/// underline of the box above (in the gap over this one) and this box's own, when the same letter is
/// underlined on rows one under the other. Seen station by station they line the top, the bottom and,
/// where they run on past the box, the corners: a circle's share, though nothing runs down the sides or
/// bends round the corners as a circle drawn round the box does. Lines (two samples in a row at least
/// `ink`) must cross at least half the stations along the top and along the bottom (`stations`: the
/// sides each faces, bit 3 the top, bit 1 the bottom), and each line's middle across a station (`at`:
/// the sheet point of a sample) must lie on one of the two straight lines fitted through them, but at
/// fewer than [`OFF_LINES`] stations.
pub(crate) fn two_lines_only(
    residual: &[f32],
    depths: usize,
    stations: &[(u8, f32)],
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
) -> bool {
    // The middle of every line across each station, with how much ink it holds.
    let lines: Vec<Vec<((f32, f32), f32)>> = (0..stations.len())
        .map(|k| {
            ink_runs(&residual[k * depths..(k + 1) * depths], ink, |_| true)
                .into_iter()
                .filter(|r| r.len() >= 2)
                .map(|r| (at(k, (r.start + r.end - 1) / 2), r.sum))
                .collect()
        })
        .collect();
    // The straight line through the heaviest line's middle at each station along one side, where at
    // least half of them have one: y = c + m x, least squares.
    let fit = |side: u8| -> Option<(f32, f32)> {
        let along: Vec<&Vec<((f32, f32), f32)>> = stations
            .iter()
            .zip(&lines)
            .filter(|((sides, _), _)| *sides == side)
            .map(|(_, l)| l)
            .collect();
        let pts: Vec<(f32, f32)> = along
            .iter()
            .filter_map(|l| l.iter().max_by(|p, q| p.1.total_cmp(&q.1)).map(|p| p.0))
            .collect();
        if along.is_empty() || pts.len() * 2 < along.len() || pts.len() < 2 {
            return None;
        }
        let n = pts.len() as f32;
        let (mx, my) = pts
            .iter()
            .fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x / n, sy + y / n));
        let (sxx, sxy) = pts.iter().fold((0.0, 0.0), |(a, b), &(x, y)| {
            (a + (x - mx) * (x - mx), b + (x - mx) * (y - my))
        });
        let m = if sxx > 1e-6 { sxy / sxx } else { 0.0 };
        Some((my - m * mx, m))
    };
    let (Some(top), Some(bottom)) = (fit(8), fit(2)) else {
        return false;
    };
    let on = |(c, m): (f32, f32), (x, y): (f32, f32)| (y - (c + m * x)).abs() <= STRAIGHT;
    let off = lines
        .iter()
        .filter(|l| l.iter().any(|&(p, _)| !on(top, p) && !on(bottom, p)))
        .count();
    off < OFF_LINES
}

/// Whether the lines round a bubble run down its left or right side (stations facing that side alone,
/// `sides` bit 0 or 2): a circle drawn round it does, a line under the bubble above it or its own
/// underline does not. `lined[k]` says whether station `k` has a line.
pub(crate) fn lined_down_a_side(stations: &[(u8, f32)], lined: &[bool]) -> bool {
    [1u8, 4].iter().any(|&side| {
        let (mut n, mut with) = (0, 0);
        for (&(sides, _), &l) in stations.iter().zip(lined) {
            if sides == side {
                n += 1;
                with += l as usize;
            }
        }
        n > 0 && with * 2 >= n
    })
}

/// How low on a ring (as a share of its half-height below its centre) a crossing lies on its lower
/// arc, the part that passes under the box: 0.7 takes the arc within about 45° of straight down.
const LOWER_ARC: f32 = 0.7;
/// Share of the stations along a box's bottom edge a line must cross for it to pass under the box.
const UNDER_SHARE: f32 = 0.25;

/// Whether a ring fitted round a box passes under it: a closed line drawn round the box runs below it
/// as well as above it, while a line drawn under the box above lies only above it (and a ring fitted
/// through it finds no line on its lower arc). `crossings` are where the ring crosses the stations it
/// is judged at (mm) and whether a line runs there, `cy` and `ry` its centre's height and its
/// half-height: at least two crossings on the lower arc hold a line, and no fewer than lack one.
pub(crate) fn ring_passes_under(crossings: &[(f32, f32, bool)], cy: f32, ry: f32) -> bool {
    let (mut on, mut off) = (0, 0);
    for &(_, y, line) in crossings {
        if y - cy >= LOWER_ARC * ry {
            if line {
                on += 1;
            } else {
                off += 1;
            }
        }
    }
    on >= 2 && on >= off
}

/// Whether the ring fitted round a box holds the arc of the circle drawn round the box below and
/// nothing of its own over or under the box: a circle drawn round a box passes over it as well as
/// under it, and the circle round the next box down runs its top arc through the gap under this one.
/// Fitted through that arc and whatever lines the box's sides (its printed outline's residue on a dim
/// or blurred page), the ring is the box below's circle lent to this box. `crossings` are where the
/// ring crosses the stations it is judged at (mm) and whether a line runs there, `cy` and `ry` its
/// centre's height and half-height, `on_ring_below(x, y)` whether a point lies on the ring of the
/// circle round the box below: no line on the ring's upper arc (as [`LOWER_ARC`] takes the lower one),
/// and every line on its lower arc, one at least, on that circle.
pub(crate) fn arc_lent_from_below(
    crossings: &[(f32, f32, bool)],
    cy: f32,
    ry: f32,
    on_ring_below: impl Fn(f32, f32) -> bool,
) -> bool {
    let (mut lent, mut own) = (0, 0);
    for &(x, y, line) in crossings {
        if !line {
            continue;
        }
        if y - cy <= -LOWER_ARC * ry {
            own += 1;
        } else if y - cy >= LOWER_ARC * ry {
            if on_ring_below(x, y) {
                lent += 1;
            } else {
                own += 1;
            }
        }
    }
    lent > 0 && own == 0
}

/// Whether lines cross at least a quarter of the stations on a box's bottom edge (`stations`: the
/// sides each faces, bit 1 the bottom; `lined[k]`: whether station `k` has a line): a circle round the
/// box passes under it, though pressed tight on the outline much of it is taken away with the print; an
/// underline of the box above leaves its bottom clear.
pub(crate) fn lined_under(stations: &[(u8, f32)], lined: &[bool]) -> bool {
    let (mut n, mut with) = (0, 0);
    for (&(sides, _), &l) in stations.iter().zip(lined) {
        if sides == 2 {
            n += 1;
            with += l as usize;
        }
    }
    n > 0 && with as f32 >= UNDER_SHARE * n as f32
}

/// Per station: whether a line crosses it (two samples in a row at least `ink`), in the samples not
/// `claimed` by a marked neighbour's own ink (`residual` holds `depths` samples per station, `at` their
/// place). A fill in the next box along the row, 1.0–1.4 mm off a bubble's side, lies within those
/// samples: it lines the side as a circle round the bubble would.
pub(crate) fn unclaimed_lines(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    claimed: impl Fn(f32, f32) -> bool,
) -> Vec<bool> {
    (0..residual.len() / depths)
        .map(|station| {
            let mut run = 0;
            (0..depths).any(|d| {
                let v = residual[station * depths + d];
                let (x, y) = at(station, d);
                run = if !v.is_nan() && v >= ink && !claimed(x, y) {
                    run + 1
                } else {
                    0
                };
                run >= 2
            })
        })
        .collect()
}

/// How far apart (mm) the middles of two runs of ink across a station must lie to be two strokes: a
/// hand's single line, pencil or ballpoint, is at most about 0.75 mm wide and its grain leaves no gap
/// that far inside it; a circle's two ends, where the pen comes round and overlaps its start, run
/// within a line's width of each other.
const TWO_APART: f32 = 0.4;
/// How light the paper between the two runs must go, as a share of the lighter run's darkest sample.
const TWO_PAPER: f32 = 0.5;
/// Stations along the box's bottom edge (the straight run between its rounded corners) with two
/// strokes in the gap, at least.
const TWO_AT: usize = 2;

/// Whether two strokes lie one over the other in the gap under a box, at [`TWO_AT`] stations or more
/// along its bottom edge (`stations`: sides, bit 1 the bottom, and where the samples begin): a run of
/// ink (two samples at least `ink`) beginning within [`LINE_TO`] of the outline, paper again (no
/// darker than [`TWO_PAPER`] of the lighter run), then a second run whose middle lies [`TWO_APART`]
/// further down, before the box below (`gap` mm away). A circle drawn round the box below passes
/// through the gap as one stroke, bowed up over that box; a line drawn under this box is a second
/// stroke, straight along its bottom, and where the circle's arc falls away from it (towards the
/// box's corners, or all along when the circle is drawn lower) paper shows between them. Only the
/// straight run under the box is looked at: the samples of its rounded corners reach out under the
/// neighbours, where their own circles pass. NaN samples (print) are no paper.
pub(crate) fn two_strokes_in_gap(
    residual: &[f32],
    (depths, step): (usize, f32),
    stations: &[(u8, f32)],
    ink: f32,
    gap: f32,
) -> bool {
    let mut two = 0;
    for (station, &(sides, from)) in stations.iter().enumerate() {
        if sides != 2 {
            continue;
        }
        let row = &residual[station * depths..(station + 1) * depths];
        // Runs in the gap: (first offset, middle offset, darkest), and the lightest sample since the
        // run before.
        let in_gap = |d: usize| (FROM..=gap - END_SHORT).contains(&(-from + d as f32 * step));
        let runs: Vec<(f32, f32, f32, f32)> = ink_runs(row, ink, in_gap)
            .into_iter()
            .filter(|r| r.len() >= 2)
            .map(|r| {
                let mid = -from + (r.start + r.end - 1) as f32 / 2.0 * step;
                (-from + r.start as f32 * step, mid, r.peak, r.low_before)
            })
            .collect();
        let found = runs.windows(2).any(|w| {
            let ((first, mid0, peak0, _), (_, mid1, peak1, between)) = (w[0], w[1]);
            first <= LINE_TO && mid1 - mid0 >= TWO_APART && between <= TWO_PAPER * peak0.min(peak1)
        });
        two += found as usize;
    }
    two >= TWO_AT
}

/// Where (mm below the outline) the line drawn under a box has its middle, at most: drawn along the
/// bottom, touching it or just below (a 0.75 mm pencil line's middle lies 0.4 mm out when its edge
/// touches the outline). The outline itself, taken away as print, leaves a faint residue within
/// [`CREST_FROM`] of it, no crest of a stroke.
const CREST_FIRST: f32 = 0.45;
const CREST_FROM: f32 = 0.1;
/// How low the ink between two crests must fall, as a share of the lower crest: two strokes side by
/// side, blurred into one band, still leave a trough between their middles; one stroke, pencil or
/// ballpoint, has one crest across it (its grain moves the crest, it does not split it).
const CREST_DIP: f32 = 0.8;
/// How much wider and heavier, at least, the band in the gap must be than the stroke of the circle
/// round the box below (see [`gap_over_ring`]) for its two crests to be a line and that circle's arc:
/// two strokes side by side, partly overlapping, make it 1.8-2.3 times (first field check); loops
/// drawn round the box below with several turns of a soft pencil lay about as much under their box as
/// over it (1.0-1.55 times, second field check).
const CREST_BAND: f32 = 1.7;

/// Whether one station's samples (`row`, starting `from` mm inside the box, `step` apart) hold two
/// crests one over the other between the offsets `lo` and `hi` (mm out from the outline): a crest (a
/// sample at least `ink`, no lighter than either neighbour) whose middle lies no further out than
/// `first`, a second [`TWO_APART`] further out, and between them a trough no darker than
/// [`CREST_DIP`] of the lower crest. NaN samples (print) are neither crest nor trough.
fn two_crests(
    row: &[f32],
    from: f32,
    step: f32,
    (lo, hi): (f32, f32),
    first: f32,
    ink: f32,
) -> bool {
    let offset = |d: usize| -from + d as f32 * step;
    let value = |d: usize| row.get(d).copied().filter(|v| !v.is_nan());
    let crests: Vec<(usize, f32)> = (1..row.len().saturating_sub(1))
        .filter(|&d| (lo..=hi).contains(&offset(d)))
        .filter_map(|d| {
            let v = value(d)?;
            let crest = v >= ink
                && value(d - 1).is_some_and(|u| v >= u)
                && value(d + 1).is_some_and(|u| v >= u);
            crest.then_some((d, v))
        })
        .collect();
    crests.iter().any(|&(a, va)| {
        offset(a) <= first
            && crests.iter().any(|&(b, vb)| {
                b > a
                    && (b - a) as f32 * step + 1e-4 >= TWO_APART
                    && (a..=b).filter_map(value).fold(f32::INFINITY, f32::min)
                        <= CREST_DIP * va.min(vb)
            })
    })
}

/// Whether the band in the gap under box `a` shows two crests, one over the other, at [`TWO_AT`]
/// stations or more along its bottom edge, the upper one against the box (its middle within
/// [`CREST_FIRST`] of the outline; see [`two_crests`]), before the box below (`gap` mm away), while
/// the circle round box `b` below crosses that box's bottom stations as one stroke (two crests at
/// fewer than [`TWO_AT`] of them). A line drawn under the box, merged with the top arc of a circle
/// round the box below, leaves a trough between them where [`two_strokes_in_gap`] finds no paper: the
/// line along the bottom, the arc lower down, bowed up over the box below. That arc alone, tight
/// under this box or lower, is one crest; where the pen came round and overlapped its start the two
/// ends lie lower, not against this box. Loops drawn round the box below, several turns of the pen,
/// lay as many strokes under it as over it: the gap's crests are theirs, and their band in the gap is
/// no wider or heavier than under their box; the band must be [`CREST_BAND`] times the circle's own
/// stroke (see [`gap_over_ring`]). Each box is given as its
/// samples (`residual`, `depths` per station, `step` mm apart), its stations (sides, bit 1 the bottom;
/// where the samples begin) and its ink level.
pub(crate) fn two_crests_in_gap(
    a: (&[f32], &[(u8, f32)], f32),
    b: (&[f32], &[(u8, f32)], f32),
    (depths, step): (usize, f32),
    gap: f32,
) -> bool {
    let count = |(residual, stations, ink): (&[f32], &[(u8, f32)], f32), span, first| {
        stations
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 == 2)
            .filter(|&(k, &(_, from))| {
                residual
                    .get(k * depths..(k + 1) * depths)
                    .is_some_and(|row| two_crests(row, from, step, span, first, ink))
            })
            .count()
    };
    count(a, (CREST_FROM, gap - END_SHORT), CREST_FIRST) >= TWO_AT
        && count(b, (CREST_FROM, f32::INFINITY), f32::INFINITY) < TWO_AT
        && gap_over_ring((a.0, a.1), b, (depths, step), gap)
            .is_some_and(|(wide, heavy)| wide >= CREST_BAND && heavy >= CREST_BAND)
}

/// How much wider and how much more ink the band in the gap under a box must hold than the stroke of
/// the circle drawn round the box below, seen across that box's bottom: a circle is drawn with one
/// pen at one pressure, so its top arc, lying alone in the gap, crosses the stations there about as
/// its bottom arc crosses the stations under its box (up to 1.9 times as wide and heavy where its
/// two ends overlap or the sampling cuts its bottom short). A line drawn under the box above, merged
/// with that arc, makes the band as wide as the two strokes side by side and as heavy as both.
const BAND_WIDER: f32 = 2.1;
const BAND_HEAVIER: f32 = 2.0;
/// Share of the stations along the box below's bottom edge its circle's stroke must cross.
const RING_SEEN: f32 = 0.5;

/// Across one station's samples (`row`, starting `from` mm inside the box, `step` apart) between the
/// offsets `lo` and `hi` (mm out from the outline): the ink it holds (darkness × mm), the width of
/// the samples at least half its darkest (mm), and that darkest sample. NaN samples (print) hold none.
fn band(row: &[f32], from: f32, step: f32, (lo, hi): (f32, f32)) -> (f32, f32, f32) {
    let within = |d: usize| (lo..=hi).contains(&(-from + d as f32 * step));
    let samples = || {
        row.iter()
            .enumerate()
            .filter(move |&(d, v)| within(d) && !v.is_nan())
            .map(|(_, &v)| v)
    };
    let peak = samples().fold(0.0f32, f32::max);
    let sum = samples().sum::<f32>() * step;
    let wide = samples().filter(|&v| v >= 0.5 * peak).count() as f32 * step;
    (sum, wide, peak)
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    v.sort_by(f32::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// How many times as wide and as heavy the band of ink in the gap under box `a` is as the stroke of
/// the circle drawn round the box below (`b`): along `a`'s bottom edge (stations with `sides` 2) the
/// median band across the gap (`gap` mm, short of the box below's outline) against the median band
/// the circle's stroke makes across the stations under box `b`, where at least [`RING_SEEN`] of them
/// reach the ink level `ink_b` (`None` when fewer do, or nothing is measured). Each box is given as
/// its samples (`residual`, `depths` per station, `step` mm apart) and its stations (sides, where the
/// samples begin).
fn gap_over_ring(
    a: (&[f32], &[(u8, f32)]),
    b: (&[f32], &[(u8, f32)], f32),
    (depths, step): (usize, f32),
    gap: f32,
) -> Option<(f32, f32)> {
    let in_gap = bottom_bands(a.0, a.1, (depths, step), (FROM, gap - END_SHORT));
    let (b_res, b_st, ink_b) = b;
    let under_b = bottom_bands(b_res, b_st, (depths, step), (FROM, f32::INFINITY));
    let ring: Vec<&(f32, f32, f32)> = under_b.iter().filter(|t| t.2 >= ink_b).collect();
    if in_gap.is_empty() || (ring.len() as f32) < RING_SEEN * under_b.len() as f32 {
        return None;
    }
    let gap_sum = median(in_gap.iter().map(|t| t.0).collect())?;
    let gap_wide = median(in_gap.iter().map(|t| t.1).collect())?;
    let ring_sum = median(ring.iter().map(|t| t.0).collect())?;
    let ring_wide = median(ring.iter().map(|t| t.1).collect())?;
    (ring_sum > 0.0 && ring_wide > 0.0).then(|| (gap_wide / ring_wide, gap_sum / ring_sum))
}

/// The [`band`] of ink in `span` (mm out from the box) at each of a box's bottom stations (side 2),
/// from its samples (`residual`, `depths` per station, `step` mm apart).
fn bottom_bands(
    residual: &[f32],
    stations: &[(u8, f32)],
    (depths, step): (usize, f32),
    span: (f32, f32),
) -> Vec<(f32, f32, f32)> {
    stations
        .iter()
        .enumerate()
        .filter(|(_, s)| s.0 == 2)
        .filter_map(|(k, &(_, from))| {
            residual
                .get(k * depths..(k + 1) * depths)
                .map(|row| band(row, from, step, span))
        })
        .collect()
}

/// Whether the band of ink in the gap under box `a` holds two strokes, not only the top arc of the
/// circle drawn round the box below (`b`): the band is [`BAND_WIDER`] times as wide and
/// [`BAND_HEAVIER`] times as heavy as the circle's own stroke (see [`gap_over_ring`]).
pub(crate) fn gap_holds_two_strokes(
    a: (&[f32], &[(u8, f32)]),
    b: (&[f32], &[(u8, f32)], f32),
    depths_step: (usize, f32),
    gap: f32,
) -> bool {
    gap_over_ring(a, b, depths_step, gap)
        .is_some_and(|(wide, heavy)| wide >= BAND_WIDER && heavy >= BAND_HEAVIER)
}

/// How many times darker, at least, the line in the gap under a box must be than the stroke of the
/// mark below, seen under that box, to be a stroke of its own: a circle drawn round the box below is
/// drawn with one pen at one pressure, so its arc in the gap is about as dark as its arc under its box
/// (twice, where its two ends overlap); a thumb's smear or a screen's moiré greys both alike. A line
/// drawn under this box with a firmer hand is several times darker than either.
const DARKER: f32 = 2.5;

/// Whether the ink in the gap under box `a` is [`DARKER`] times as dark as the stroke of the mark
/// round box `b` below: along `a`'s bottom edge the median of the darkest sample across the gap (`gap`
/// mm, short of the box below's outline), against the median darkest sample across `b`'s bottom
/// stations that reach its ink level `ink_b`, where at least [`RING_SEEN`] of them do (a stroke seen
/// under its box: otherwise nothing is known of it, and the answer is no). Each box is given as its
/// samples (`residual`, `depths` per station, `step` mm apart) and its stations (sides, where the
/// samples begin).
pub(crate) fn gap_darker_than_ring(
    a: (&[f32], &[(u8, f32)]),
    b: (&[f32], &[(u8, f32)], f32),
    (depths, step): (usize, f32),
    gap: f32,
) -> bool {
    let peaks = |residual: &[f32], stations: &[(u8, f32)], span: (f32, f32)| {
        let bands = bottom_bands(residual, stations, (depths, step), span);
        bands.into_iter().map(|t| t.2).collect::<Vec<f32>>()
    };
    let in_gap = peaks(a.0, a.1, (FROM, gap - END_SHORT));
    let (b_res, b_st, ink_b) = b;
    let under_b = peaks(b_res, b_st, (FROM, f32::INFINITY));
    let ring: Vec<f32> = under_b.iter().copied().filter(|&p| p >= ink_b).collect();
    if (ring.len() as f32) < RING_SEEN * under_b.len() as f32 {
        return false;
    }
    match (median(in_gap), median(ring)) {
        (Some(line), Some(stroke)) => stroke > 0.0 && line >= DARKER * stroke,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs are split by paper and by print (NaN), counted only inside the window, and each knows the
    /// lightest counted sample since the run before.
    #[test]
    fn ink_runs_split_by_paper_and_print() {
        let row = [0.1, 0.5, 0.6, 0.2, 0.05, 0.7, f32::NAN, 0.8, 0.9, 0.4];
        let runs = ink_runs(&row, 0.3, |_| true);
        let spans: Vec<(usize, usize)> = runs.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(spans, vec![(1, 3), (5, 6), (7, 10)]);
        assert!(
            (runs[0].sum - 1.1).abs() < 1e-6 && runs[0].peak == 0.6 && runs[0].low_before == 0.1
        );
        assert_eq!(runs[1].low_before, 0.05);
        assert_eq!(runs[2].low_before, f32::INFINITY, "print is no paper");
        assert_eq!(runs[2].peak, 0.9);
        // A window cuts the last run short and leaves the first out.
        let spans: Vec<(usize, usize)> = ink_runs(&row, 0.3, |d| (3..9).contains(&d))
            .iter()
            .map(|r| (r.start, r.end))
            .collect();
        assert_eq!(spans, vec![(5, 6), (7, 9)]);
    }

    /// Eight stations along a bottom edge (sides 2) and one on the left side, samples every 0.08 mm
    /// from 0.35 mm inside the box; `profile(o)` gives the residual at offset `o` below the box.
    fn bottom(profile: impl Fn(f32) -> f32) -> (Vec<f32>, Vec<(u8, f32)>, usize) {
        let depths = 24;
        let mut stations = vec![(2u8, 0.35f32); 8];
        stations.push((4, 0.35));
        let mut r = Vec::new();
        for (k, _) in stations.iter().enumerate() {
            for d in 0..depths {
                let o = -0.35 + d as f32 * 0.08;
                r.push(if k < 8 { profile(o) } else { 0.0 });
            }
        }
        (r, stations, depths)
    }

    fn read(profile: impl Fn(f32) -> f32, gap: Option<f32>) -> bool {
        let (r, st, depths) = bottom(profile);
        under_line(
            &r,
            (depths, 0.08),
            &st,
            |_, d| (0.0, d as f32),
            0.12,
            gap,
            |_, _| false,
        )
    }

    #[test]
    fn a_broad_line_in_the_gap_below_the_box_is_an_underline() {
        // A 0.75 mm pencil line centred 0.6 mm below the box, blurred: ink to 1.1 mm, faint tail beyond.
        let broad = |o: f32| {
            let t = (o - 0.6).abs();
            if t < 0.4 {
                0.6
            } else if t < 0.6 {
                0.1
            } else {
                0.0
            }
        };
        assert!(read(broad, Some(1.4)));
        assert!(read(broad, None));
        // A thin one at the bottom edge.
        assert!(read(
            |o| if (o - 0.1).abs() < 0.15 { 0.4 } else { 0.0 },
            Some(1.4)
        ));
    }

    #[test]
    fn ink_running_on_to_the_box_below_or_nothing_is_no_underline() {
        // A fill from the box below spilling up into the gap: ink to the box's outline.
        assert!(!read(|o| if o > 0.3 { 0.5 } else { 0.0 }, Some(1.4)));
        assert!(!read(|_| 0.0, Some(1.4)));
        // Too far below the box (nearer the next row): not under this box.
        assert!(!read(
            |o| if (o - 1.0).abs() < 0.2 { 0.5 } else { 0.0 },
            Some(1.4)
        ));
    }

    #[test]
    fn a_fill_in_the_next_box_along_the_row_does_not_line_a_side() {
        // The box below an underline: three stations down its left side (sides 4), whose samples run
        // out 1.5 mm to the left, where the next box's fill begins 1.2 mm away (x < -1.2), and one on
        // its top. Seen whole, the fill lines the side as a circle would; its samples left out as that
        // neighbour's, the side is clear, and the underline above is no line from this box.
        let depths = 24;
        let stations = [(4u8, 0.35f32), (4, 0.35), (4, 0.35), (8, 0.35)];
        let at = |k: usize, d: usize| -> (f32, f32) {
            let o = -0.35 + d as f32 * 0.08;
            if k < 3 { (-o, k as f32) } else { (1.0, -o) }
        };
        let r: Vec<f32> = (0..stations.len() * depths)
            .map(|n| {
                let (x, _) = at(n / depths, n % depths);
                if n / depths < 3 && x < -1.2 { 0.6 } else { 0.0 }
            })
            .collect();
        let whole = unclaimed_lines(&r, depths, at, 0.2, |_, _| false);
        assert!(lined_down_a_side(&stations, &whole));
        let own = unclaimed_lines(&r, depths, at, 0.2, |x, _| x < -1.2 + 0.7);
        assert_eq!(own, vec![false; 4]);
        assert!(!lined_down_a_side(&stations, &own));
    }

    #[test]
    fn only_lines_down_a_side_make_a_circle_s_sides() {
        let st = [(8u8, 0.0), (1, 0.0), (1, 0.0), (2, 0.0), (4, 0.0), (4, 0.0)];
        assert!(!lined_down_a_side(
            &st,
            &[true, false, false, true, false, false]
        ));
        assert!(lined_down_a_side(
            &st,
            &[true, true, false, true, false, false]
        ));
    }
}

//! A mark on the printed letter of a screen photo (a trace, a dot, a highlighter) is told from the
//! moiré by comparing the letter, and the printed letter's edges, with the page's and with the nearest
//! boxes of the same letter, which share the moiré's slowly drifting level.

use super::screen::{
    NEAREST, darker_than_near, deviations_by_label, deviations_from_nearest, dot_on_letter,
};

/// A multiple-choice block as the sheet prints it: 30 rows of A–D boxes, 8 mm apart across and 5 mm
/// down, and each box's letter darkness: the print (a "D" darker than an "A"), a moiré band darkening
/// the top eight rows by up to 0.03 (fading over 40 mm) and a box's own small noise.
fn block() -> (Vec<f32>, Vec<&'static str>, Vec<(f32, f32)>) {
    let letters = ["A", "B", "C", "D"];
    let (mut values, mut labels, mut at) = (Vec::new(), Vec::new(), Vec::new());
    for row in 0..30 {
        for (k, l) in letters.iter().enumerate() {
            let print = 0.2 + 0.01 * k as f32;
            let drift = 0.03 * ((8.0 - row as f32) / 8.0).max(0.0);
            // A fixed spread of ±0.003, in no order the drift follows.
            let noise = 0.003 * (((row * 7 + k * 3) % 11) as f32 / 5.0 - 1.0);
            values.push(print + drift + noise);
            labels.push(*l);
            at.push((10.0 + 8.0 * k as f32, 20.0 + 5.0 * row as f32));
        }
    }
    (values, labels, at)
}

/// A trace over the letter "C" of row 20, darkening its letter by 0.02 (two thirds of the moiré
/// band's): over its ten nearest "C"s it stands far out, over the page's "C"s less far than the blank
/// ones in the band do; it goes to a person, and no blank box does.
#[test]
fn a_trace_on_the_letter_stands_out_of_its_nearest_boxes_not_the_moire_s_drift() {
    let (mut values, labels, at) = block();
    let traced = 20 * 4 + 2;
    values[traced] += 0.02;
    let counted: Vec<bool> = (0..values.len()).map(|i| i != traced).collect();
    let on_page = deviations_by_label(&values, &labels, &counted);
    let near = deviations_from_nearest(&values, &labels, &at, &counted);
    // The box's own paper round the letter is no darker than any other's: the dot rule misses it.
    assert!(!dot_on_letter(on_page[traced], 0.0));
    assert!(
        darker_than_near(on_page[traced], near[traced]),
        "page {} near {}",
        on_page[traced],
        near[traced]
    );
    let blank_flagged: Vec<usize> = (0..values.len())
        .filter(|&i| i != traced && darker_than_near(on_page[i], near[i]))
        .collect();
    assert!(blank_flagged.is_empty(), "{blank_flagged:?}");
    // The band alone puts blanks further over the page's median than the trace.
    let darkest_blank = (0..values.len())
        .filter(|&i| i != traced && labels[i] == "C")
        .map(|i| on_page[i])
        .fold(f32::MIN, f32::max);
    assert!(darkest_blank > on_page[traced], "{darkest_blank}");
}

/// A label with fewer than [`NEAREST`] other boxes has no near comparison: nothing to flag by it.
#[test]
fn too_few_boxes_of_a_letter_give_no_near_comparison() {
    let values = vec![0.2; NEAREST];
    let labels = vec!["E"; NEAREST];
    let at: Vec<(f32, f32)> = (0..NEAREST).map(|k| (0.0, 5.0 * k as f32)).collect();
    let near = deviations_from_nearest(&values, &labels, &at, &vec![true; NEAREST]);
    assert!(near.iter().all(|v| v.is_nan()));
}

// ---- A letter traced over: its printed edges turn dark ----

use super::screen::{edges_inked, letter_edge_excess};

const NX: usize = 20;
const NY: usize = 13;

fn inner() -> Vec<bool> {
    (0..NX * NY)
        .map(|k| {
            let (i, j) = ((k % NX) as f32 - 9.5, (k / NX) as f32 - 6.0);
            (i / 9.0).powi(2) + (j / 5.5).powi(2) <= 1.0
        })
        .collect()
}

/// A letter's stroke down the middle as the unmarked boxes print it: 0.6 on its two middle columns,
/// 0.3 on the edge column either side (the print's blur, half grey), paper 0 elsewhere.
fn printed() -> Vec<f32> {
    (0..NX * NY)
        .map(|k| match k % NX {
            9 | 10 => 0.6,
            8 | 11 => 0.3,
            _ => 0.0,
        })
        .collect()
}

/// One box photographed off a screen: the print under a moiré of about a millimetre (4.3 and 3.7
/// samples) 0.03 deep at its own phase; `traced`: the letter gone over in light pencil a little off
/// the print, darkening its edge columns by 0.08 over most of its height.
fn screen_box(phase: (f32, f32), traced: bool) -> Vec<f32> {
    let tau = std::f32::consts::TAU;
    printed()
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let (i, j) = ((k % NX) as f32, (k / NX) as f32);
            let wave =
                0.03 * ((i * tau / 4.3 + phase.0).sin() + (j * tau / 3.7 + phase.1).sin()) / 2.0;
            let trace = if traced && matches!(k % NX, 8 | 11) && (2..=10).contains(&(k / NX)) {
                0.08
            } else {
                0.0
            };
            t + wave + trace
        })
        .collect()
}

/// 30 rows of A–D boxes of one screen photo, each at its own phase of the moiré, the "C" of row 20
/// traced over: its letter's edges stand out of the page's and of its nearest "C"s' and it goes to a
/// person; no unmarked box does, wherever the moiré's phase darkens its edges.
#[test]
fn a_letter_traced_over_on_a_screen_photo_goes_to_a_person() {
    let (t, inner) = (printed(), inner());
    let traced = 20 * 4 + 2;
    let (mut edges, mut labels, mut at) = (Vec::new(), Vec::new(), Vec::new());
    for row in 0..30 {
        for (k, l) in ["A", "B", "C", "D"].iter().enumerate() {
            let n = row * 4 + k;
            let d = screen_box((n as f32 * 0.77, n as f32 * 1.31), n == traced);
            edges.push(letter_edge_excess(&d, &t, &inner));
            labels.push(*l);
            at.push((10.0 + 8.0 * k as f32, 20.0 + 5.0 * row as f32));
        }
    }
    assert!(edges.iter().all(|e| e.is_finite()));
    let counted: Vec<bool> = (0..edges.len()).map(|i| i != traced).collect();
    let on_page = deviations_by_label(&edges, &labels, &counted);
    let near = deviations_from_nearest(&edges, &labels, &at, &counted);
    assert!(
        edges_inked(on_page[traced], near[traced]),
        "page {} near {}",
        on_page[traced],
        near[traced]
    );
    let blank_flagged: Vec<usize> = (0..edges.len())
        .filter(|&i| i != traced && edges_inked(on_page[i], near[i]))
        .collect();
    assert!(blank_flagged.is_empty(), "{blank_flagged:?}");
}

/// A box with too few inside samples or no printed letter has no edge measure.
#[test]
fn a_box_without_a_letter_has_no_edge_measure() {
    let inner = inner();
    let blank = vec![0.0f32; NX * NY];
    assert!(letter_edge_excess(&blank, &blank, &inner).is_nan());
    assert!(letter_edge_excess(&blank, &printed(), &[false; NX * NY]).is_nan());
}

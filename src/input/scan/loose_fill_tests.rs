//! A light hand's loose fills send no clear fill to a person (#23, the field check's punch-staple
//! page: an HB-light writer's fill-spirals read as light strokes beside each other).

use super::geometry::{BubbleMeaning, ChoiceKind};
use super::group_passes::light_strokes_alone;
use super::reading::{BubbleReading, BubbleState, MarkShape};
use super::synth;

fn read_as(shape: MarkShape, state: BubbleState, cover: f32) -> BubbleReading {
    BubbleReading {
        darkness: 0.1,
        cover,
        around: 0.0,
        shape,
        state,
    }
}

/// A light hand's loose fill-spirals in a multiple-choice question, read as strokes only this sheet's
/// light pencil lets through: each covers more of its box than one line can, so each is the student's
/// own mark, read beside the others (field check seed 26: 11 clear fills sent to a person). A light
/// line covering no more than one line does, beside another mark, still goes to a person.
#[test]
fn a_light_hand_s_loose_fills_read_beside_each_other() {
    let geom = synth::mock_geometry();
    let q = geom
        .questions
        .iter()
        .find(|q| q.kind == ChoiceKind::Multiple)
        .expect("a multiple-choice question")
        .number;
    let of_q: Vec<usize> = (0..geom.bubbles.len())
        .filter(|&i| matches!(&geom.bubbles[i].meaning, BubbleMeaning::Answer { question, .. } if *question == q))
        .collect();
    let empty = read_as(MarkShape::None, BubbleState::Empty, 0.0);
    let mut readings = vec![empty; geom.bubbles.len()];
    // The hand's own fills elsewhere on the sheet, as light as its spirals (0.1 dark).
    let elsewhere = (0..geom.bubbles.len())
        .find(|&i| matches!(&geom.bubbles[i].meaning, BubbleMeaning::Answer { question, .. } if *question != q))
        .expect("another question");
    readings[elsewhere] = BubbleReading {
        darkness: 0.16,
        ..read_as(MarkShape::Fill, BubbleState::Filled, 0.8)
    };
    let mut light = vec![false; geom.bubbles.len()];
    for (&i, cover) in of_q.iter().zip([0.47, 0.40]) {
        readings[i] = read_as(MarkShape::Stroke, BubbleState::Filled, cover);
        light[i] = true;
    }
    let out = light_strokes_alone(&geom, readings.clone(), &light);
    for &i in &of_q[..2] {
        assert_eq!(out[i].state, BubbleState::Filled, "loose fill {i}");
    }
    // As before the loose fills were told from one line: both went to a person.
    super::group_passes::LOOSE_OFF.with(|c| c.set(true));
    let before = light_strokes_alone(&geom, readings.clone(), &light);
    super::group_passes::LOOSE_OFF.with(|c| c.set(false));
    for &i in &of_q[..2] {
        assert_eq!(
            before[i].state,
            BubbleState::Doubtful,
            "before: loose fill {i}"
        );
    }
    // One line's worth beside the other fill: a person decides.
    readings[of_q[1]] = read_as(MarkShape::Stroke, BubbleState::Filled, 0.28);
    let out = light_strokes_alone(&geom, readings.clone(), &light);
    assert_eq!(out[of_q[0]].state, BubbleState::Filled);
    assert_eq!(out[of_q[1]].state, BubbleState::Doubtful);
    // A firm hand's faint strokes, a fraction of its fills, however much they cover: a person decides
    // (a faint dot beside them may be lost).
    readings[of_q[1]] = read_as(MarkShape::Stroke, BubbleState::Filled, 0.47);
    readings[elsewhere].darkness = 0.56;
    let out = light_strokes_alone(&geom, readings, &light);
    assert_eq!(out[of_q[0]].state, BubbleState::Doubtful);
    assert_eq!(out[of_q[1]].state, BubbleState::Doubtful);
}

//! What a bubble was read as: its state, the shape of its ink, its measurements, and the sheet's pencil
//! levels they were judged against. Shared by the passes that read bubbles alone and in groups.

use serde::{Deserialize, Serialize};

/// What one bubble was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BubbleState {
    Empty,
    /// A mark: a fill, light or dark, or a tick, cross or circle (see [`MarkShape`]).
    Filled,
    /// Ink that is no clear mark: a light smudge, an erasure, a half fill, a partial circle. A person
    /// decides.
    Doubtful,
}

/// What the ink in and round a bubble looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkShape {
    /// No ink beyond the print.
    None,
    /// The box covered: a fill, light or dark, or a scribble.
    Fill,
    /// Thin strokes across the box: a tick or a cross.
    Stroke,
    /// A line round the box.
    Circle,
    /// A small mark of pencil-dark ink: a dot, a short dash, a small tick, a line under the letter. The
    /// only ink in its question (id column, variant row) it is read; beside other ink a person decides.
    Small,
    /// Ink that is none of these: faint, rubbed out, half a fill.
    Smudge,
}

/// One bubble's measurement, in the order of [`SheetGeometry::bubbles`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BubbleReading {
    /// Mean darkness the pencil added inside the box (print taken away): 0 none, 1 black.
    pub darkness: f32,
    /// Share of the inside covered by ink at least about a third as dark as this sheet's pencil.
    pub cover: f32,
    /// Share of the contour round the box a pencil line runs along (a circle drawn round the bubble: most
    /// of it), leaving out where a marked neighbour's own ink may reach.
    pub around: f32,
    pub shape: MarkShape,
    pub state: BubbleState,
}

/// This sheet's pencil and the cuts derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Mean darkness of an unmarked bubble once the print is taken away (near 0).
    pub empty: f32,
    /// Typical darkness of the filled bubbles; `None` when nothing on the sheet is a fill.
    pub filled: Option<f32>,
    /// Typical darkness of this sheet's pencil where it touches the paper (faint writers: 0.2,
    /// dark ones: 0.6–0.8).
    pub pencil: f32,
    /// Mean darkness above which a bubble holds visible ink.
    pub visible: f32,
}

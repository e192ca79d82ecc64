//! What is decided about an exam: seeded dice, the draw of each paper, grading and the bank's statistics.

pub mod dice;
pub mod draw;
pub mod grade;
pub mod stats;

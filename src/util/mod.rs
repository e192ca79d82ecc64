//! Small shared helpers below every stage: atomic file writing, a parallel map, CSV writing, character classes,
//! UTF-16 text, handing freed memory back between a run's phases.

pub mod chars;
pub mod csv;
pub mod fs;
pub mod keymap;
pub mod memory;
pub mod names;
pub mod parallel;
pub mod utf16;

//! Small shared helpers below every stage: atomic file writing, a parallel map, CSV writing, character classes,
//! UTF-16 text.

pub mod chars;
pub mod csv;
pub mod fs;
pub mod parallel;
pub mod utf16;

//! The scan fabricator, shared: the very files the unit tests use (src/input/scan/synth.rs, which draws
//! and marks sheets, and synth_damage.rs, which damages them), compiled here against the library's public
//! types, so unit and integration tests fabricate scans with one fabricator.
#![allow(dead_code)]

pub use examgen::input::scan::{PageReading, geometry, homography, read_page};

#[path = "../../src/input/scan/synth.rs"]
pub mod synth;
#[path = "../../src/input/scan/synth_damage.rs"]
pub mod synth_damage;

//! examgen: YAML question bank → randomised, section-balanced Chinese exam papers, keys and handouts.
//!
//! The pipeline runs one way: [`bank`] (load, validate) → blueprint + draw → paper model → templates →
//! layout (positioned boxes) → pdf. Each stage is a module that only depends on the ones before it.

pub mod app;
pub mod bank;
pub mod batch;
pub mod blueprint;
pub mod cli;
pub mod diag;
pub mod dice;
pub mod draw;
pub mod error;
pub mod fonts;
pub mod grade;
pub mod handout;
pub mod interchange;
pub mod layout;
pub mod manifest;
pub mod markup;
pub mod paper;
pub mod parallel;
pub mod pdf;
pub mod render;
pub mod report;
pub mod roster;
pub mod stats;
pub mod template;
pub mod yaml;

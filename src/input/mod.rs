//! Reading what teachers hand in: YAML with positions, the bank, blueprints, manifests, rosters, tables and
//! scanned answer sheets.

pub mod bank;
pub mod blueprint;
pub mod calibration;
pub mod columns;
pub mod figures;
pub mod graded;
pub mod images;
pub mod manifest;
pub mod roster;
pub mod scan;
pub mod tables;
pub mod typed;
pub mod yaml;

//! Reading what teachers type: YAML with positions, the bank, blueprints, manifests, rosters and tables.

pub mod bank;
pub mod blueprint;
pub mod figures;
pub mod images;
pub mod manifest;
pub mod roster;
pub mod tables;
pub mod yaml;

//! The page's widgets, one file each: what a markup block becomes once measured.

mod bars;
mod boxed;
mod bubbles;
mod entry;
mod fields;
mod image;
mod qr;
mod question;
mod score_box;
mod seal;
mod table;

pub(in crate::render::layout) use bubbles::qr_fills;
pub use image::picture_size;
pub use question::options_per_line;

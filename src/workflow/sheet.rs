//! `examgen sheet` as a job: a blank answer sheet (答题卡) per variant, always on A4.

use std::path::Path;

use crate::error::Result;
use crate::model::paper;
use crate::render::Renderer;
use crate::render::layout::PageSetup;
use crate::workflow::drawn::Drawn;
use crate::workflow::{Look, OutFile, load_fonts, render_parallel};

pub fn blank_sheets(drawn: &Drawn, look: &Look, dir: &Path) -> Result<Vec<OutFile>> {
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    let renderer = Renderer::new(&fonts, look.templates(&drawn.blueprint), PageSetup::a4())?;
    let jobs: Vec<_> = drawn
        .draw
        .variants
        .iter()
        .map(|v| {
            let data = paper::build(
                &drawn.bank,
                &drawn.blueprint,
                v,
                drawn.draw.variants.len(),
                false,
            );
            (
                dir.join(format!("sheet-{}.pdf", v.label)),
                "answer-sheet",
                data,
            )
        })
        .collect();
    render_parallel(&renderer, jobs)
}

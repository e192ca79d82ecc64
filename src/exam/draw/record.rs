//! Recording a draw as the manifest: which bank, blueprint and seed, and per variant every question's
//! number, option order and answer.

use rust_decimal::Decimal;

use crate::exam::draw::{Draw, Variant};
use crate::input::bank::Bank;
use crate::input::blueprint::Blueprint;
use crate::input::manifest::{
    BankRef, BlueprintRef, MANIFEST_FORMAT, Manifest, PartInfo, QuestionRecord, VariantRecord,
    slash_path,
};

pub fn manifest(bank: &Bank, blueprint: &Blueprint, draw: &Draw) -> Manifest {
    Manifest {
        variants: draw
            .variants
            .iter()
            .map(|v| variant_record(bank, v))
            .collect(),
        ..head(
            bank,
            blueprint,
            draw.seed,
            draw.distinct,
            draw.variants
                .first()
                .map_or(Decimal::ZERO, |v| v.total_points()),
        )
    }
}

/// A manifest without its variants and students: what a run that records variants one by one (a batch with
/// a variant per student) writes before them. `total_points` is the first variant's.
pub fn head(
    bank: &Bank,
    blueprint: &Blueprint,
    seed: u64,
    distinct: bool,
    total_points: Decimal,
) -> Manifest {
    let parts = blueprint
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| PartInfo {
            number: i + 1,
            title: p.title.clone(),
            kind: p.kind,
            count: p.count,
            points: p.points,
            scoring: p.scoring,
        })
        .collect();
    Manifest {
        format: MANIFEST_FORMAT.into(),
        tool: format!("examgen {}", env!("CARGO_PKG_VERSION")),
        bank: BankRef {
            path: slash_path(&bank.root),
            digest: bank.digest.clone(),
        },
        blueprint: BlueprintRef {
            path: slash_path(&blueprint.path),
            digest: blueprint.digest.clone(),
            title: blueprint.title.clone(),
        },
        seed,
        distinct,
        parts,
        total_points,
        variants: Vec::new(),
        students: Vec::new(),
    }
}

/// One variant's record: its questions as printed, without sheet geometry.
pub fn variant_record(bank: &Bank, v: &Variant) -> VariantRecord {
    VariantRecord {
        label: v.label.clone(),
        total_points: v.total_points(),
        questions: v
            .parts
            .iter()
            .flat_map(|p| p.questions.iter().map(move |q| (p.part, q)))
            .map(|(part, dq)| {
                let q = &bank.questions[dq.question];
                QuestionRecord {
                    number: dq.number,
                    id: q.id.clone(),
                    part: part + 1,
                    section: bank.sections[q.section].id.clone(),
                    points: dq.points,
                    option_order: dq.option_order.clone(),
                    answer: dq.answer.clone(),
                }
            })
            .collect(),
        sheet: Vec::new(),
        sheet_same_as: None,
    }
}

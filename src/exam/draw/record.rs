//! Recording a draw as the manifest: which bank, blueprint and seed, and per variant every question's
//! number, option order and answer.

use rust_decimal::Decimal;

use crate::exam::draw::Draw;
use crate::input::bank::Bank;
use crate::input::blueprint::Blueprint;
use crate::input::manifest::{
    BankRef, BlueprintRef, MANIFEST_FORMAT, Manifest, PartInfo, QuestionRecord, VariantRecord,
    slash_path,
};

pub fn manifest(bank: &Bank, blueprint: &Blueprint, draw: &Draw) -> Manifest {
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
    let variants = draw
        .variants
        .iter()
        .map(|v| VariantRecord {
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
        seed: draw.seed,
        distinct: draw.distinct,
        parts,
        total_points: draw
            .variants
            .first()
            .map_or(Decimal::ZERO, |v| v.total_points()),
        variants,
        students: Vec::new(),
    }
}

//! Writing `manifest.json`: whole (`examgen-manifest/1`, every question spelled out), or for a class batch
//! record by record, compactly (`examgen-manifest/2`): each variant's record is serialized when it is made
//! and spilled to a scratch file, and the manifest is put together from the spill at the end — the bytes
//! [`Manifest::to_json`] makes of the whole manifest — so a batch with a variant per student never holds the
//! class's records in memory. What the variants' questions share (type, section, answer in the bank's
//! terms) is gathered as they are spilled and written once, in the `questions` table before the variants.

use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::input::manifest::compact::CompactWriter;
use crate::input::manifest::question::{PartInfo, QuestionRecord};
use crate::input::manifest::record::{
    BankRef, BlueprintRef, MANIFEST_FORMAT_COMPACT, Manifest, StudentRecord, VariantRecord,
};
use crate::input::scan::SheetGeometry;

impl Manifest {
    /// The manifest as written: every question whole (`examgen-manifest/1`), or compactly when its format
    /// is `examgen-manifest/2`.
    pub fn to_json(&self) -> String {
        if self.format == MANIFEST_FORMAT_COMPACT {
            let mut spill = VariantSpill::new(std::io::Cursor::new(Vec::new()), self);
            let mut out = Vec::new();
            self.variants
                .iter()
                .enumerate()
                .try_for_each(|(v, record)| spill.put_record(v, record))
                .and_then(|()| spill.write_manifest(self, self.students.iter().cloned(), &mut out))
                .expect("a manifest writes into memory");
            return String::from_utf8(out).expect("JSON is UTF-8") + "\n";
        }
        serde_json::to_string_pretty(&WholeJson::of(self)).expect("manifest serializes") + "\n"
    }
}

/// A manifest with every question whole, as `examgen-manifest/1` spells it.
#[derive(Serialize)]
struct WholeJson<'a> {
    format: &'a str,
    tool: &'a str,
    bank: &'a BankRef,
    blueprint: &'a BlueprintRef,
    seed: u64,
    distinct: bool,
    parts: &'a [PartInfo],
    total_points: Decimal,
    variants: Vec<WholeVariantJson<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    students: &'a [StudentRecord],
}

#[derive(Serialize)]
struct WholeVariantJson<'a> {
    label: &'a str,
    total_points: Decimal,
    questions: Vec<QuestionRecord>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sheet: &'a [SheetGeometry],
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet_same_as: &'a Option<String>,
}

impl<'a> WholeJson<'a> {
    fn of(m: &'a Manifest) -> WholeJson<'a> {
        WholeJson {
            format: &m.format,
            tool: &m.tool,
            bank: &m.bank,
            blueprint: &m.blueprint,
            seed: m.seed,
            distinct: m.distinct,
            parts: &m.parts,
            total_points: m.total_points,
            variants: m
                .variants
                .iter()
                .map(|v| WholeVariantJson {
                    label: &v.label,
                    total_points: v.total_points,
                    questions: v.questions.iter().collect(),
                    sheet: &v.sheet,
                    sheet_same_as: &v.sheet_same_as,
                })
                .collect(),
            students: &m.students,
        }
    }
}

/// The manifest's head fields without variants and students, as the pretty printer spells them: what
/// [`VariantSpill`] writes before the rest.
#[derive(Serialize)]
struct HeadJson<'a> {
    format: &'a str,
    tool: &'a str,
    bank: &'a BankRef,
    blueprint: &'a BlueprintRef,
    seed: u64,
    distinct: bool,
    parts: &'a [PartInfo],
    total_points: Decimal,
}

impl<'a> HeadJson<'a> {
    fn of(m: &'a Manifest) -> HeadJson<'a> {
        HeadJson {
            format: &m.format,
            tool: &m.tool,
            bank: &m.bank,
            blueprint: &m.blueprint,
            seed: m.seed,
            distinct: m.distinct,
            parts: &m.parts,
            total_points: m.total_points,
        }
    }
}

/// How the pretty printer indents one level (two spaces); an element of `variants` or `students` is two
/// levels deep.
const ELEMENT_INDENT: &str = "    ";

/// A value as the pretty printer writes it as an element of one of the manifest's top-level arrays: its
/// lines after the first indented two levels. JSON strings escape their line breaks, so every raw `\n` of
/// the text is the printer's own, and indenting after each gives exactly what it prints at that depth.
pub fn element_json(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let flat = serde_json::to_vec_pretty(value).map_err(io::Error::from)?;
    Ok(indented(&flat, ELEMENT_INDENT))
}

/// `text` with every line after the first indented by `indent`.
fn indented(text: &[u8], indent: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for &b in text {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(indent.as_bytes());
        }
    }
    out
}

/// Variant records spilled to a scratch file as they are made, in any order, and where each one is.
pub struct VariantSpill<F: Write + Read + Seek> {
    file: BufWriter<F>,
    /// Bytes written so far.
    end: u64,
    /// Per variant, where its record starts in the spill and how long it is; None until it is put.
    spans: Vec<Option<(u64, u64)>>,
    /// The manifest's parts, which compact questions' numbers, parts and points follow from.
    parts: Vec<PartInfo>,
    compact: CompactWriter,
}

impl<F: Write + Read + Seek> VariantSpill<F> {
    /// A spill for the records of `head`'s variants (as many as `head.variants` has, or `variants`) into
    /// `file` (empty, read back at the end).
    pub fn new(file: F, head: &Manifest) -> VariantSpill<F> {
        VariantSpill::with_variants(file, head, head.variants.len())
    }

    /// A spill for `variants` records of the manifest `head` heads.
    pub fn with_variants(file: F, head: &Manifest, variants: usize) -> VariantSpill<F> {
        VariantSpill {
            file: BufWriter::with_capacity(1 << 16, file),
            end: 0,
            spans: vec![None; variants],
            parts: head.parts.clone(),
            compact: CompactWriter::default(),
        }
    }

    /// Whether variant `v`'s record has been put.
    pub fn has(&self, v: usize) -> bool {
        self.spans[v].is_some()
    }

    /// Spills variant `v`'s record.
    pub fn put_record(&mut self, v: usize, record: &VariantRecord) -> io::Result<()> {
        let element = indented(&self.variant_json(record)?, ELEMENT_INDENT);
        self.file.write_all(&element)?;
        self.spans[v] = Some((self.end, element.len() as u64));
        self.end += element.len() as u64;
        Ok(())
    }

    /// A variant's record as the pretty printer lays out an object, its questions compact, one a line.
    fn variant_json(&mut self, record: &VariantRecord) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        write!(
            out,
            "{{\n  \"label\": {},\n  \"total_points\": {},\n  \"questions\": [",
            json(&record.label)?,
            json(&record.total_points)?
        )?;
        for (k, q) in record.questions.iter().enumerate() {
            out.extend_from_slice(if k == 0 { b"\n    " } else { b",\n    " });
            let line = self
                .compact
                .question_json(&self.parts, k, &q)
                .map_err(io::Error::from)?;
            out.extend_from_slice(line.as_bytes());
        }
        out.extend_from_slice(if record.questions.is_empty() {
            b"]"
        } else {
            b"\n  ]"
        });
        if !record.sheet.is_empty() {
            out.extend_from_slice(b",\n  \"sheet\": ");
            out.extend_from_slice(&indented(&pretty(&record.sheet)?, "  "));
        }
        if let Some(owner) = &record.sheet_same_as {
            write!(out, ",\n  \"sheet_same_as\": {}", json(owner)?)?;
        }
        out.extend_from_slice(b"\n}");
        Ok(out)
    }

    /// Writes the manifest: `head` (whose variants and students are ignored), the `questions` table, every
    /// variant's record in variant order from the spill, then `students` — the bytes of
    /// [`Manifest::to_json`] without its final line break. Every variant must have been put.
    pub fn write_manifest(
        self,
        head: &Manifest,
        students: impl IntoIterator<Item = StudentRecord>,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let text = pretty(&HeadJson::of(head))?;
        let Some(before) = text.strip_suffix(b"\n}") else {
            return Err(io::Error::other(
                "the manifest's head is not a JSON object; VariantSpill must follow its fields",
            ));
        };
        out.write_all(before)?;
        write!(
            out,
            ",\n  \"questions\": {},\n  \"variants\": ",
            self.compact.table_json("  ").map_err(io::Error::from)?
        )?;
        let mut spill = self.file.into_inner().map_err(|e| e.into_error())?;
        let mut empty = true;
        out.write_all(b"[")?;
        for (v, span) in self.spans.iter().enumerate() {
            let Some((start, len)) = *span else {
                return Err(io::Error::other(format!(
                    "variant {v}'s record was never made"
                )));
            };
            out.write_all(if empty { b"\n" } else { b",\n" })?;
            out.write_all(ELEMENT_INDENT.as_bytes())?;
            spill.seek(SeekFrom::Start(start))?;
            let copied = io::copy(&mut (&mut spill).take(len), out)?;
            if copied != len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the spilled manifest records were cut short",
                ));
            }
            empty = false;
        }
        if !empty {
            out.write_all(b"\n  ")?;
        }
        out.write_all(b"]")?;
        let mut students = students.into_iter().peekable();
        if students.peek().is_some() {
            out.write_all(b",\n  \"students\": [")?;
            for (k, s) in students.enumerate() {
                out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
                out.write_all(ELEMENT_INDENT.as_bytes())?;
                out.write_all(&element_json(&s)?)?;
            }
            out.write_all(b"\n  ]")?;
        }
        out.write_all(b"\n}")
    }
}

fn json(value: &impl Serialize) -> io::Result<String> {
    serde_json::to_string(value).map_err(io::Error::from)
}

fn pretty(value: &impl Serialize) -> io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(io::Error::from)
}

/// The distinct answer-sheet geometries a batch has recorded so far (a few), so that a variant whose
/// sheet is printed exactly like an earlier one's records `sheet_same_as` instead of another copy: with a
/// variant per student every sheet is usually alike, and each copy is ~50 KB of JSON.
#[derive(Default)]
pub struct SharedSheets {
    recorded: Vec<(String, Vec<SheetGeometry>)>,
}

impl SharedSheets {
    /// How many distinct geometries are remembered; a batch whose sheets differ more than this records the
    /// rest in full (correct, only larger).
    const REMEMBERED: usize = 8;

    /// Replaces `record`'s sheet by a reference to the first recorded variant printed alike, or remembers
    /// it as recorded in full.
    pub fn share(&mut self, record: &mut VariantRecord) {
        if record.sheet.is_empty() || record.sheet_same_as.is_some() {
            return;
        }
        if let Some((label, _)) = self.recorded.iter().find(|(_, g)| *g == record.sheet) {
            record.sheet = Vec::new();
            record.sheet_same_as = Some(label.clone());
        } else if self.recorded.len() < Self::REMEMBERED {
            self.recorded
                .push((record.label.clone(), record.sheet.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::bank::Answer;
    use crate::input::manifest::QuestionRecord;
    use rust_decimal::Decimal;

    fn order(v: usize, n: usize) -> Vec<usize> {
        if n == 2 {
            Vec::new()
        } else {
            [vec![2, 0, 1, 3], vec![0, 1, 2, 3]][v % 2].clone()
        }
    }

    fn manifest(variants: usize, students: usize) -> Manifest {
        let text = format!(
            r#"{{"format":"examgen-manifest/2","tool":"examgen 0.1.0","bank":{{"path":"b","digest":"d"}},"blueprint":{{"path":"p","digest":"e","title":"模拟\n卷 \"一\""}},"seed":7,"distinct":false,"parts":[{{"number":1,"title":"单选","type":"single","count":2,"points":"1","scoring":"all-or-nothing"}},{{"number":2,"title":"判断","type":"judge","count":1,"points":"1","scoring":"all-or-nothing"}}],"total_points":"2","variants":[]}}"#
        );
        let mut m: Manifest = serde_json::from_str(&text).unwrap();
        m.variants = (0..variants)
            .map(|v| VariantRecord {
                label: crate::exam::draw::variant_label(v),
                total_points: Decimal::new(2, 0),
                // Variants share some questions (q0, q1: one table entry each) and not others; the third
                // question, when there is one, is worth more than its part says.
                questions: (0..2 + v % 2)
                    .map(|n| QuestionRecord {
                        number: n + 1,
                        id: if n < 2 {
                            format!("q{n}")
                        } else {
                            format!("q{v}-{n}")
                        },
                        part: if n < 2 { 1 } else { 2 },
                        section: "s\t1".into(),
                        points: Decimal::new(1 + n as i64 / 2, 0),
                        option_order: order(v, n),
                        // Bank option n is right; printed where the order puts it.
                        answer: if n == 2 {
                            Answer::Judge(true)
                        } else {
                            Answer::Single(order(v, n).iter().position(|&i| i == n).unwrap())
                        },
                    })
                    .collect(),
                sheet: Vec::new(),
                sheet_same_as: None,
            })
            .collect();
        m.students = (0..students)
            .map(|i| StudentRecord {
                id: format!("2025{i:03}"),
                name: format!("张{i}"),
                class: if i == 1 {
                    String::new()
                } else {
                    "一班".into()
                },
                seat: i.to_string(),
                variant: crate::exam::draw::variant_label(i % variants.max(1)),
            })
            .collect();
        m
    }

    /// The streamed manifest, its records put in `order`.
    fn streamed(m: &Manifest, order: &[usize]) -> String {
        let mut spill = VariantSpill::new(io::Cursor::new(Vec::new()), m);
        for &v in order {
            assert!(!spill.has(v));
            spill.put_record(v, &m.variants[v]).unwrap();
        }
        let mut out = Vec::new();
        spill
            .write_manifest(m, m.students.clone(), &mut out)
            .unwrap();
        String::from_utf8(out).unwrap() + "\n"
    }

    #[test]
    fn a_streamed_manifest_is_the_pretty_printers_bytes_whatever_order_records_come_in() {
        for (variants, students, order) in [
            (1, 0, vec![0]),
            (2, 3, vec![1, 0]),
            (3, 3, vec![2, 0, 1]),
            (5, 1, vec![0, 1, 2, 3, 4]),
        ] {
            let m = manifest(variants, students);
            let json = m.to_json();
            assert_eq!(streamed(&m, &order), json, "{variants} {students}");
            // Compact: shared questions in the table once, each variant's as id and order.
            assert!(json.contains(r#""questions": {"#), "{json}");
            assert!(json.contains(r#"["q0",[2,0,1,3]]"#), "{json}");
            if variants > 1 {
                assert!(json.contains(r#"["q1-2",[],"2"]"#), "{json}");
            }
            let read: Manifest = serde_json::from_str(&json).unwrap();
            assert_eq!(read, m, "{json}");
        }
        let none = manifest(0, 0);
        assert_eq!(streamed(&none, &[]), none.to_json());
    }

    #[test]
    fn a_record_never_put_is_an_error_not_a_gap() {
        let m = manifest(2, 0);
        let mut spill = VariantSpill::new(io::Cursor::new(Vec::new()), &m);
        spill.put_record(1, &m.variants[1]).unwrap();
        let err = spill
            .write_manifest(&m, Vec::new(), &mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().contains("variant 0"), "{err}");
    }
}

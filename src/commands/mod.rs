//! Runs a parsed command line: each subcommand wires the pipeline stages together and prints the result.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Command, DrawArgs, Format, HandoutMode};
use crate::diag;
use crate::error::{Error, Result};
use crate::exam::draw::{self, Draw, DrawOptions};
use crate::exam::stats;
use crate::input::bank::{Bank, QuestionType};
use crate::input::blueprint::Blueprint;
use crate::input::manifest::{self, Manifest};
use crate::model::{handout, paper};
use crate::render::Renderer;
use crate::render::fonts::FontSet;
use crate::render::layout::PageSetup;
use crate::render::{layout, pdf, template};
use std::path::{Path, PathBuf};

/// Runs one command; all output goes to `out` (stdout) and `err` (stderr, for warnings and progress).
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Check {
            bank,
            deny_warnings,
        } => {
            let bank = Bank::load(&bank)?;
            print_warnings(&bank, err);
            if deny_warnings && !bank.warnings.is_empty() {
                return Err(Error::input(format!(
                    "{} warning(s) and --deny-warnings was given",
                    bank.warnings.len()
                )));
            }
            writeln!(out, "{}", summary(&bank)).map_err(write_failed)?;
            Ok(())
        }
        Command::Stats { bank, format } => {
            let bank = Bank::load(&bank)?;
            let stats = stats::compute(&bank);
            let text = match format {
                Format::Text => stats::render_text(&stats),
                Format::Json => stats::render_json(&stats),
            };
            out.write_all(text.as_bytes()).map_err(write_failed)
        }
        Command::Draw { draw: args, format } => {
            let drawn = draw_from_args(&args, err)?;
            let text = match format {
                Format::Json => drawn.manifest().to_json(),
                Format::Text => render_draw_text(&drawn),
            };
            out.write_all(text.as_bytes()).map_err(write_failed)
        }
        Command::Paper {
            draw: args,
            out: dir,
            look,
        } => {
            let drawn = draw_from_args(&args, err)?;
            let fonts = load_fonts(look_paths(&look, &drawn.blueprint).0)?;
            let (renderer, duplex) = paper_renderer(&fonts, &look, &drawn.blueprint)?;
            // Render everything before writing anything: a bad template or a missing glyph leaves no files.
            let teacher = look.edition == crate::cli::Edition::Teacher;
            let mut jobs = Vec::new();
            for variant in &drawn.draw.variants {
                let mut data = paper::build(
                    &drawn.bank,
                    &drawn.blueprint,
                    variant,
                    drawn.draw.variants.len(),
                    duplex,
                );
                data.teacher = teacher;
                for name in ["paper", "key", "review"] {
                    // The teacher's edition is a different document: never let it overwrite the students' paper.
                    let file = if name == "paper" && teacher {
                        "teacher"
                    } else {
                        name
                    };
                    jobs.push((
                        dir.join(format!("{file}-{}.pdf", variant.label)),
                        name,
                        data.clone(),
                    ));
                }
            }
            let files = render_parallel(&renderer, jobs)?;
            let manifest = drawn.manifest().to_json();
            for (path, bytes, _) in &files {
                pdf::write_atomically(path, bytes)?;
            }
            let manifest_path = dir.join("manifest.json");
            pdf::write_atomically(&manifest_path, manifest.as_bytes())?;
            for (path, bytes, pages) in &files {
                writeln!(
                    out,
                    "wrote {} ({pages} pages, {} KB)",
                    path.display(),
                    bytes.len().div_ceil(1024)
                )
                .map_err(write_failed)?;
            }
            let v = &drawn.draw.variants[0];
            writeln!(
                out,
                "wrote {}: {} questions, {} points, seed {}",
                manifest_path.display(),
                v.questions().count(),
                paper::points_text(v.total_points()),
                drawn.draw.seed
            )
            .map_err(write_failed)
        }
        Command::Handout {
            bank,
            sections,
            tags,
            mode,
            seed,
            blank_ratio,
            title,
            toc,
            roster,
            vary,
            out: dir,
            look,
        } => {
            let bank = Bank::load(&bank)?;
            print_warnings(&bank, err);
            let notes = handout::select_notes(&bank, &handout::Selection { sections, tags })?;
            let mode = match mode {
                HandoutMode::Summary => handout::Mode::Summary,
                HandoutMode::Cloze => handout::Mode::Cloze,
            };
            let students = match &roster {
                Some(path) => Some(crate::input::roster::read(path)?),
                None => None,
            };
            if vary && students.is_none() {
                return Err(Error::usage(
                    "--vary gives each student their own blanks; it needs --roster",
                ));
            }
            let seed = seed.unwrap_or_else(|| {
                let seed = crate::exam::dice::random_seed();
                if mode == handout::Mode::Cloze {
                    let _ = writeln!(
                        err,
                        "seed: {seed} (pass --seed {seed} to choose the same blanks again)"
                    );
                }
                seed
            });
            let title = title.unwrap_or_else(|| default_handout_title(&bank));
            let fonts = load_fonts(look.font_dir.as_deref())?;
            let renderer =
                Renderer::new(&fonts, look.templates.as_deref(), look.page_setup(None)?)?;
            let total = handout::key_phrase_count(&bank, &notes);
            let mut dice = crate::exam::dice::Dice::new(seed);
            let shared_blanks = handout::choose_blanks(total, blank_ratio, &mut dice.fork());
            let people: Vec<Option<crate::input::roster::Student>> = match &students {
                Some(list) => list.iter().cloned().map(Some).collect(),
                None => vec![None],
            };
            let mut copies = Vec::new();
            for (i, student) in people.iter().enumerate() {
                let blanks = if vary {
                    // Each student's stream depends only on the seed and their place in the roster.
                    handout::choose_blanks(
                        total,
                        blank_ratio,
                        &mut crate::exam::dice::Dice::new(
                            seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        ),
                    )
                } else {
                    shared_blanks.clone()
                };
                let data_student = student
                    .as_ref()
                    .map_or_else(paper::StudentData::default, |s| paper::StudentData {
                        name: s.name.clone(),
                        id: s.id.clone(),
                        class: s.class.clone(),
                    });
                copies.push(handout::build(
                    &bank,
                    &notes,
                    &title,
                    mode,
                    &blanks,
                    data_student,
                    toc,
                    look.duplex,
                ));
            }
            let handouts =
                crate::util::parallel::map(&copies, |data| render_handout(&renderer, data));
            let keys = if mode == handout::Mode::Cloze {
                let needed = if vary { copies.len() } else { 1 };
                crate::util::parallel::map(&copies[..needed], |data| {
                    renderer.layout("handout-key", data)
                })
            } else {
                Vec::new()
            };
            let handouts: Vec<layout::Layout> = handouts.into_iter().collect::<Result<_>>()?;
            let keys: Vec<layout::Layout> = keys.into_iter().collect::<Result<_>>()?;
            let mut files: Vec<(PathBuf, layout::Layout)> = Vec::new();
            match &students {
                None => {
                    files.push((dir.join("handout.pdf"), handouts[0].clone()));
                    if let Some(k) = keys.first() {
                        files.push((dir.join("handout-key.pdf"), k.clone()));
                    }
                }
                Some(list) => {
                    let names: Vec<String> = list
                        .iter()
                        .map(|s| format!("{} {}", s.id, s.name))
                        .collect();
                    for (s, l) in list.iter().zip(&handouts) {
                        let stem =
                            crate::input::roster::safe_file_name(&format!("{}-{}", s.id, s.name));
                        files.push((dir.join("handouts").join(format!("{stem}.pdf")), l.clone()));
                    }
                    files.push((
                        dir.join("handout-all.pdf"),
                        layout::concat(&handouts, &names, look.duplex),
                    ));
                    if vary {
                        for (s, k) in list.iter().zip(&keys) {
                            let stem = crate::input::roster::safe_file_name(&format!(
                                "{}-{}",
                                s.id, s.name
                            ));
                            files.push((
                                dir.join("handouts").join(format!("{stem}-key.pdf")),
                                k.clone(),
                            ));
                        }
                        files.push((
                            dir.join("handout-key-all.pdf"),
                            layout::concat(&keys, &names, false),
                        ));
                    } else if let Some(k) = keys.first() {
                        files.push((dir.join("handout-key.pdf"), k.clone()));
                    }
                }
            }
            let pdfs =
                crate::util::parallel::map(&files, |(_, l)| pdf::render(l, &renderer.pdf_fonts));
            for ((path, _), bytes) in files.iter().zip(&pdfs) {
                pdf::write_atomically(path, bytes)?;
            }
            for ((path, l), bytes) in files.iter().zip(&pdfs) {
                writeln!(
                    out,
                    "wrote {} ({} pages, {} KB)",
                    path.display(),
                    l.pages.len(),
                    bytes.len().div_ceil(1024)
                )
                .map_err(write_failed)?;
            }
            writeln!(
                out,
                "{} notes in {} sections; {} key phrases{}",
                notes.iter().map(|(_, n)| n.len()).sum::<usize>(),
                notes.len(),
                total,
                if mode == handout::Mode::Cloze {
                    format!(", {} blanked, seed {seed}", copies[0].blank_count)
                } else {
                    String::new()
                }
            )
            .map_err(write_failed)
        }
        Command::Batch {
            draw: args,
            roster,
            per_student,
            out: dir,
            look,
        } => {
            let students = crate::input::roster::read(&roster)?;
            let variants = if per_student {
                students.len()
            } else {
                args.variants.unwrap_or(2) as usize
            };
            let drawn = draw_with_variants(&args, Some(variants), err)?;
            let fonts = load_fonts(look_paths(&look, &drawn.blueprint).0)?;
            let (renderer, duplex) = paper_renderer(&fonts, &look, &drawn.blueprint)?;
            let assignment = crate::workflow::batch::assign(&students, variants);
            let (files, manifest) = crate::workflow::batch::render(
                &drawn,
                &students,
                &assignment,
                &renderer,
                &dir,
                duplex,
            )?;
            for f in &files {
                pdf::write_atomically(&f.path, &f.bytes)?;
            }
            let manifest_path = dir.join("manifest.json");
            pdf::write_atomically(&manifest_path, manifest.to_json().as_bytes())?;
            let pages: usize = files.iter().map(|f| f.pages).sum();
            writeln!(
                out,
                "wrote {} files ({pages} pages) for {} students in {}: papers/, sheets/, print-papers.pdf, print-sheets.pdf, {} key(s), manifest.json",
                files.len(),
                students.len(),
                dir.display(),
                variants
            )
            .map_err(write_failed)?;
            writeln!(out, "{} variant(s), seed {}", variants, drawn.draw.seed).map_err(write_failed)
        }
        Command::Grade {
            manifest,
            responses,
            out: dir,
            lenient,
            pass,
            manual,
            explain,
        } => crate::model::report::run(
            &crate::model::report::GradeArgs {
                manifest: &manifest,
                responses: &responses,
                out: &dir,
                lenient,
                pass: pass.as_deref(),
                manual: manual.as_deref(),
                explain: explain.as_deref(),
            },
            out,
            err,
        ),
        Command::Sheet {
            draw: args,
            out: dir,
            look,
        } => {
            let drawn = draw_from_args(&args, err)?;
            let (font_dir, templates) = look_paths(&look, &drawn.blueprint);
            let fonts = load_fonts(font_dir)?;
            let renderer = Renderer::new(&fonts, templates, PageSetup::a4())?;
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
            let files = render_parallel(&renderer, jobs)?;
            for (path, bytes, _) in &files {
                pdf::write_atomically(path, bytes)?;
            }
            for (path, bytes, pages) in &files {
                writeln!(
                    out,
                    "wrote {} ({pages} pages, {} KB)",
                    path.display(),
                    bytes.len().div_ceil(1024)
                )
                .map_err(write_failed)?;
            }
            Ok(())
        }
        Command::Init { dir, templates } => {
            if dir.is_none() && templates.is_none() {
                return Err(Error::usage(
                    "say what to create: a bank folder (examgen init my-subject) and/or --templates DIR",
                ));
            }
            let mut written = Vec::new();
            if let Some(dir) = &dir {
                written.extend(crate::interchange::write_skeleton(dir)?);
            }
            if let Some(t) = &templates {
                written.extend(template::write_defaults(t)?);
            }
            for path in &written {
                writeln!(out, "wrote {}", path.display()).map_err(write_failed)?;
            }
            if written.is_empty() {
                writeln!(out, "every file already exists; nothing was overwritten")
                    .map_err(write_failed)?;
            }
            if let Some(dir) = &dir {
                writeln!(
                    out,
                    "next: examgen check {0} && examgen paper {0}/exams/paper.yaml",
                    dir.display()
                )
                .map_err(write_failed)?;
            }
            Ok(())
        }
        Command::Import {
            file,
            out: dir,
            section_column,
        } => {
            let (files, count) =
                crate::interchange::import(&file, &dir, section_column.as_deref())?;
            for f in &files {
                writeln!(out, "wrote {}", f.display()).map_err(write_failed)?;
            }
            writeln!(
                out,
                "{count} questions in {} section file(s); check passes",
                files.len()
            )
            .map_err(write_failed)
        }
        Command::Export {
            bank,
            format,
            out: target,
        } => {
            let bank = Bank::load(&bank)?;
            let bytes = match format {
                crate::cli::ExportFormat::MoodleXml => {
                    crate::interchange::export_moodle(&bank).into_bytes()
                }
                crate::cli::ExportFormat::Gift => {
                    crate::interchange::export_gift(&bank).into_bytes()
                }
                crate::cli::ExportFormat::Csv => crate::interchange::export_csv(&bank),
            };
            match target {
                Some(path) => {
                    pdf::write_atomically(&path, &bytes)?;
                    writeln!(
                        out,
                        "wrote {} ({} questions)",
                        path.display(),
                        bank.questions.len()
                    )
                    .map_err(write_failed)
                }
                None => out.write_all(&bytes).map_err(write_failed),
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "examgen", out);
            Ok(())
        }
    }
}

fn print_warnings(bank: &Bank, err: &mut dyn Write) {
    if !bank.warnings.is_empty() {
        // Warnings are advice; failing to print them must not fail the command.
        let _ = writeln!(err, "{}", diag::render_all(&bank.warnings));
    }
}

/// `question-bank: 6 sections, 120 notes, 295 questions (182 single, ...); no errors, 3 warnings`
pub fn summary(bank: &Bank) -> String {
    let by_type: Vec<String> = QuestionType::ALL
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                bank.questions.iter().filter(|q| q.kind == *t).count(),
                t
            )
        })
        .collect();
    format!(
        "{}: {} sections, {} notes, {} questions ({}); no errors, {} warning{}",
        bank.root.display(),
        bank.sections.len(),
        bank.notes.len(),
        bank.questions.len(),
        by_type.join(", "),
        bank.warnings.len(),
        if bank.warnings.len() == 1 { "" } else { "s" }
    )
}

fn write_failed(e: std::io::Error) -> Error {
    Error::internal("cannot write the output").because(e)
}

/// A blueprint, its bank and the draw made from them: what every paper-making command starts from.
pub struct Drawn {
    pub bank: Bank,
    pub blueprint: Blueprint,
    pub draw: Draw,
}

impl Drawn {
    pub fn manifest(&self) -> Manifest {
        manifest::build(&self.bank, &self.blueprint, &self.draw)
    }
}

/// Loads the blueprint and its bank and draws; warnings and a generated seed are reported on `err`.
pub fn draw_from_args(args: &DrawArgs, err: &mut dyn Write) -> Result<Drawn> {
    draw_with_variants(args, None, err)
}

/// As `draw_from_args`, with the number of variants decided by the caller (batch: per student).
pub fn draw_with_variants(
    args: &DrawArgs,
    variants: Option<usize>,
    err: &mut dyn Write,
) -> Result<Drawn> {
    let blueprint = Blueprint::load(&args.blueprint)?;
    let bank = Bank::load(&blueprint.bank).map_err(|e| {
        let message = format!(
            "{} (the bank of blueprint {})",
            e.message,
            args.blueprint.display()
        );
        Error { message, ..e }
    })?;
    print_warnings(&bank, err);
    let mut exclude = std::collections::HashSet::new();
    for file in &args.exclude_used {
        exclude.extend(read_used_ids(file)?);
    }
    let seed = match args.seed {
        Some(seed) => seed,
        None => {
            let seed = crate::exam::dice::random_seed();
            let _ = writeln!(
                err,
                "seed: {seed} (pass --seed {seed} to draw the same paper again)"
            );
            seed
        }
    };
    let options = DrawOptions {
        seed,
        variants: variants.unwrap_or(args.variants.unwrap_or(1) as usize),
        distinct: args.distinct,
        exclude,
    };
    let draw = draw::draw(&bank, &blueprint, &options)?;
    for w in &draw.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    Ok(Drawn {
        bank,
        blueprint,
        draw,
    })
}

/// Question ids from a manifest.json, or from a text file with one id per line (`#` starts a comment).
fn read_used_ids(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io("read the list of used questions", path, e))?;
    if text.trim_start().starts_with('{') {
        let manifest = Manifest::read(path)?;
        return Ok(manifest.used_ids().map(str::to_string).collect());
    }
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

fn render_draw_text(drawn: &Drawn) -> String {
    let Drawn {
        bank,
        blueprint,
        draw,
    } = drawn;
    let mut out = String::new();
    let total = draw.variants[0].total_points();
    out.push_str(&format!(
        "{}\nseed {}, {} variant(s){}, {} questions, {} points\n",
        blueprint.title,
        draw.seed,
        draw.variants.len(),
        if draw.distinct {
            " with distinct questions"
        } else {
            ""
        },
        draw.variants[0].questions().count(),
        total.normalize()
    ));
    for v in &draw.variants {
        out.push_str(&format!("\n== variant {} ==\n", v.label));
        for part in &v.parts {
            let p = &blueprint.parts[part.part];
            out.push_str(&format!(
                "{} ({} × {} points)\n",
                p.title,
                part.questions.len(),
                p.points.normalize()
            ));
            for dq in &part.questions {
                let q = &bank.questions[dq.question];
                let answer = crate::input::bank::answer_text(&dq.answer).replace('\n', " / ");
                let answer: String = answer.chars().take(40).collect();
                out.push_str(&format!(
                    "{:>4}  {:<14} {:<8} d{}  {}\n",
                    dq.number, q.id, bank.sections[q.section].id, q.difficulty, answer
                ));
            }
        }
    }
    out
}

/// The built-in fonts, or a school's own from a folder.
pub fn load_fonts(dir: Option<&Path>) -> Result<FontSet> {
    match dir {
        Some(dir) => FontSet::from_dir(dir),
        None => Ok(FontSet::builtin()),
    }
}

/// Renders documents (on every core when there are many); results come back in job order, the first error wins.
pub fn render_parallel<T: serde::Serialize + Sync>(
    renderer: &Renderer,
    jobs: Vec<(PathBuf, &str, T)>,
) -> Result<Vec<(PathBuf, Vec<u8>, usize)>> {
    // A few documents render one after another: in parallel they finish about 10 ms sooner but every
    // document holds its own font subsets at once (+10 MB for paper + key + review). Classes go parallel.
    let rendered: Vec<_> = if jobs.len() <= 3 {
        jobs.iter()
            .map(|(_, name, data)| renderer.render(name, data))
            .collect()
    } else {
        crate::util::parallel::map(&jobs, |(_, name, data)| renderer.render(name, data))
    };
    jobs.into_iter()
        .zip(rendered)
        .map(|((path, _, _), r)| {
            let r = r?;
            let pages = r.layout.pages.len();
            Ok((path, r.pdf, pages))
        })
        .collect()
}

/// Lays out a handout; with a table of contents, twice: the second pass fills in the page numbers that the
/// first pass found (the contents keep their length, so the pages do not move).
fn render_handout(renderer: &Renderer, data: &handout::HandoutData) -> Result<layout::Layout> {
    let first = renderer.layout("handout", data)?;
    if !data.show_toc {
        return Ok(first);
    }
    let mut data = data.clone();
    for entry in &mut data.toc {
        if let Some(b) = first.bookmarks.iter().find(|b| b.title == entry.title) {
            entry.page = (b.page + 1).to_string();
        }
    }
    renderer.layout("handout", &data)
}

/// 「考点讲义」 titles default to the bank's first section title when there is one section, else a generic one.
fn default_handout_title(bank: &Bank) -> String {
    match bank.sections.as_slice() {
        [only] => only.title.clone(),
        _ => "考点汇编".to_string(),
    }
}

/// The fonts and templates folder for a paper-making command: the command line wins over the blueprint.
fn look_paths<'a>(
    look: &'a crate::cli::LookArgs,
    blueprint: &'a Blueprint,
) -> (Option<&'a Path>, Option<&'a Path>) {
    (
        look.font_dir.as_deref().or(blueprint.fonts.as_deref()),
        look.templates.as_deref().or(blueprint.templates.as_deref()),
    )
}

/// The renderer and duplex setting of the commands that print papers: command line over blueprint.
fn paper_renderer<'f>(
    fonts: &'f FontSet,
    look: &crate::cli::LookArgs,
    blueprint: &Blueprint,
) -> Result<(Renderer<'f>, bool)> {
    let templates = look_paths(look, blueprint).1;
    let renderer = Renderer::new(fonts, templates, look.page_setup(Some(&blueprint.layout))?)?;
    Ok((renderer, look.duplex || blueprint.duplex))
}

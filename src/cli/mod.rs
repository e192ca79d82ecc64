//! The command line: subcommands, their arguments and their help texts (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub const DEFAULT_BANK: &str = "question-bank";

#[derive(Debug, Parser)]
#[command(
    name = "examgen",
    version,
    about = "Turn a YAML question bank into printable Chinese exam papers, answer keys and handouts (PDF).",
    after_help = "Examples:\n  examgen check                       validate the bank in ./question-bank\n  examgen stats --format json         counts by section, type and difficulty\n  examgen completions bash > examgen.bash\n\nExit codes: 0 ok, 1 bad input (bank, blueprint, roster...), 2 usage error, 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Neither read nor write the bank's cache (.examgen-cache/ in the bank folder, which spares
    /// repeated runs on an unchanged bank the parsing); EXAMGEN_NO_CACHE=1 does the same
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a question bank and print a one-line summary
    #[command(
        after_help = "Examples:\n  examgen check\n  examgen check path/to/my-bank\n\nEvery problem in the bank is listed as file:line:column with the offending line."
    )]
    Check {
        /// The bank folder (every *.yaml directly in it is one section)
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        /// Treat warnings as errors
        #[arg(long)]
        deny_warnings: bool,
        /// Folder with body.ttf and heading.ttf: check every character against these fonts instead of
        /// the built-in ones
        #[arg(long, value_name = "DIR")]
        font_dir: Option<PathBuf>,
        /// Also say what was done to the files without a problem: photos turned upright by their EXIF
        /// orientation
        #[arg(long, short = 'v')]
        verbose: bool,
    },
    /// Count a bank's questions by section, type and difficulty
    #[command(
        after_help = "Examples:\n  examgen stats\n  examgen stats question-bank --format json > stats.json"
    )]
    Stats {
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Draw a paper from a blueprint and print its questions and answers (no PDF)
    #[command(
        after_help = "Examples:\n  examgen draw question-bank/exams/mock.yaml --seed 2025\n  examgen draw question-bank/exams/quiz.yaml --seed 7 --variants 2 --format json > manifest.json\n  examgen draw question-bank/exams/quiz.yaml --exclude-used last-week/manifest.json"
    )]
    Draw {
        #[command(flatten)]
        draw: DrawArgs,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Make the paper, answer key and review handout PDFs and manifest.json from a blueprint
    #[command(
        after_help = "Examples:\n  examgen paper                                   mock exam from question-bank/exams/mock.yaml into out/\n  examgen paper question-bank/exams/quiz.yaml --seed 7 --variants 2 -o quiz\n  examgen paper --duplex --font-dir /usr/share/fonts/school --templates my-templates\n\nPer variant X it writes paper-X.pdf, key-X.pdf and review-X.pdf, plus one manifest.json."
    )]
    Paper {
        #[command(flatten)]
        draw: DrawArgs,
        /// Output folder
        #[arg(short = 'o', long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        look: LookArgs,
        /// File formats to write, comma-separated: pdf, docx (editable Word), or both
        #[arg(long, value_enum, value_delimiter = ',', default_value = "pdf")]
        format: Vec<OutputFormat>,
    },
    /// Score a class's answers against a manifest, rank the class and show which questions it missed
    #[command(
        after_help = "Examples:\n  examgen grade out/manifest.json answers.csv              scores.csv, items.csv, report.pdf in grades/\n  examgen grade out/manifest.json answers.xlsx --pass 60% --lenient\n  examgen grade out/manifest.json answers.csv --manual marks.csv   merge hand-marked short answers\n  examgen grade out/manifest.json answers.csv --explain 2025001    one student's paper, question by question\n\nanswers.csv: a header `id,variant,1,2,3,...` (学号, 姓名, 试卷类型, 第1题 or Q1 work too; variant may be left out with a batch manifest), one row per student. Choices as letters in any order or case (ACD, a c d, C,A,D); judge as T/F, 对/错, √/×, 1/0; several blanks separated by ；. Empty cells are unanswered. A manual.csv left in the output folder by an earlier run is read, never overwritten."
    )]
    Grade {
        /// The manifest.json written with the papers
        manifest: PathBuf,
        /// The answers: CSV (UTF-8 or GBK) or .xlsx
        responses: PathBuf,
        /// Output folder
        #[arg(short = 'o', long, default_value = "grades")]
        out: PathBuf,
        /// Score bad cells as wrong (listed as warnings) instead of stopping
        #[arg(long)]
        lenient: bool,
        /// Pass mark: points (60) or a share of the total (60%); default 60%
        #[arg(long, value_name = "MARK")]
        pass: Option<String>,
        /// Hand-marked short answers: a CSV `id,<question number>,...` with the points awarded
        #[arg(long, value_name = "FILE")]
        manual: Option<PathBuf>,
        /// Print one student's paper question by question (answer, key, points) instead of writing files
        #[arg(long, value_name = "ID")]
        explain: Option<String>,
        /// Folder whose report.hbs overrides the built-in one (default: the blueprint's `templates`)
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Make a 错题本 for every graded student: their missed questions as printed, by knowledge point, with practice
    #[command(
        after_help = "Examples:\n  examgen review-book grades                         books/ID-NAME.pdf, print-books.pdf and class.pdf in review-books/\n  examgen review-book grades --practice 3 --seed 7 -o books\n  examgen review-book grades --rank                  the exact rank instead of the rank band\n\nGRADES_DIR is the folder `examgen grade` wrote (its graded.json names the manifest; the bank and blueprint\nare found from the manifest). Practice questions come from the missed questions' notes (then their tags),\nnever from the student's own paper, drawn from --seed (default: the manifest's seed) and the student id."
    )]
    ReviewBook {
        /// The folder `examgen grade` wrote
        grades: PathBuf,
        /// Practice questions per missed knowledge point
        #[arg(long, value_name = "N", default_value_t = 2)]
        practice: usize,
        /// Output folder
        #[arg(short = 'o', long, default_value = "review-books")]
        out: PathBuf,
        /// Print each student's exact rank instead of the rank band (前25%, 25%～50%, …)
        #[arg(long)]
        rank: bool,
        /// Seed of the practice draw (default: the manifest's seed)
        #[arg(long)]
        seed: Option<u64>,
        /// The manifest the class was graded against, when it is no longer where `grade` was told
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// Folder whose review-book.hbs / review-book-class.hbs override the built-in ones (default: the blueprint's `templates`)
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Folder with body.ttf and heading.ttf (default: the blueprint's `fonts`, else the built-in fonts)
        #[arg(long, value_name = "DIR")]
        font_dir: Option<PathBuf>,
        /// Formats of each student's book, comma-separated: pdf, docx (editable Word), or both;
        /// print-books.pdf and class.pdf are always PDF
        #[arg(long, value_enum, value_delimiter = ',', default_value = "pdf")]
        format: Vec<OutputFormat>,
    },
    /// Measure every question's facility and discrimination from graded exams, for the bank and the next draw
    #[command(
        after_help = "Examples:\n  examgen calibrate grades                       one graded class\n  examgen calibrate class-1/grades class-2/grades --bank question-bank\n\nWrites .calibration.yaml in the bank folder (n, p and discrimination per question; the section files are\nnever changed) from exactly the folders given, and prints the questions with negative discrimination\n(likely a wrong key or an ambiguous stem), worst first, then those far from their labelled difficulty.\np is pooled by counts; discrimination is each exam's own value averaged weighted by n."
    )]
    Calibrate {
        /// Folders `examgen grade` wrote
        #[arg(required = true, value_name = "GRADES_DIR")]
        grades: Vec<PathBuf>,
        /// The bank to calibrate (default: the bank of the first exam's manifest)
        #[arg(long, value_name = "DIR")]
        bank: Option<PathBuf>,
    },
    /// Read scanned answer sheets (a copier's PDF, photos, folders of images) into the answers grade takes
    #[command(
        after_help = "Examples:\n  examgen scan out/manifest.json scans.pdf -o scanned             a copier's PDF of the class's sheets\n  examgen scan class/manifest.json photos/ extra.jpg -o scanned   a folder of phone photos and one more\n  examgen grade out/manifest.json scanned/responses.csv            then grade what was read\n\nWrites responses.csv (id, variant, one column per question; `?` where a mark is doubtful, the best\nreading in the note column), scan-report.csv (per page: file, page, id, variant, doubtful count,\nproblems) and review.pdf (each sheet with doubtful marks, bubbles outlined blue filled, green empty,\nred doubtful). Pages that cannot be read are reported, never guessed; the other pages still read."
    )]
    Scan {
        /// The manifest.json written with the sheets (examgen sheet or examgen batch)
        manifest: PathBuf,
        /// Scans: PDF files, PNG/JPEG/TIFF images, or folders of them
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// Output folder
        #[arg(short = 'o', long, default_value = "scanned")]
        out: PathBuf,
    },
    /// Make blank answer sheets (答题卡) for a blueprint, one per variant
    #[command(
        after_help = "Examples:\n  examgen sheet                                   sheet-A.pdf for the mock exam\n  examgen sheet question-bank/exams/quiz.yaml --seed 7 --variants 2 -o quiz\n\nThe sheet has bubbles for every choice question in blocks of five, a 准考证号 grid, a 试卷类型 row, a QR\ncode and corner marks; manifest.json records where each is printed, for examgen scan."
    )]
    Sheet {
        #[command(flatten)]
        draw: DrawArgs,
        /// Output folder
        #[arg(short = 'o', long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        look: LookArgs,
    },
    /// Print a whole class's mock exam: a named paper and answer sheet per student, neighbours on different variants
    #[command(
        after_help = "Examples:\n  examgen batch --roster class.csv                 mock exam, variants A/B alternating by seat\n  examgen batch question-bank/exams/quiz.yaml --roster class.xlsx --variants 3 --duplex -o class-3\n  examgen batch --roster class.csv --per-student   a different variant for every student\n\nThe roster is CSV (学号,姓名,班级,座位号 or id,name,class,seat; UTF-8 or GBK) or .xlsx. Writes papers/ and\nsheets/ (one PDF per student), print-papers.pdf and print-sheets.pdf in roster order, key-X.pdf per\nvariant, and manifest.json with every student's variant."
    )]
    Batch {
        #[command(flatten)]
        draw: DrawArgs,
        /// The class roster (.csv or .xlsx)
        #[arg(long, value_name = "FILE")]
        roster: PathBuf,
        /// A variant of its own for every student (instead of --variants, assigned round-robin by seat)
        #[arg(long, conflicts_with = "variants")]
        per_student: bool,
        /// Output folder
        #[arg(short = 'o', long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        look: LookArgs,
        /// File formats to write, comma-separated: pdf, docx (editable Word), or both
        #[arg(long, value_enum, value_delimiter = ',', default_value = "pdf")]
        format: Vec<OutputFormat>,
    },
    /// Make a study handout (考点讲义) of the bank's notes: a summary, or a fill-in-the-blank (填空) version
    #[command(
        after_help = "Examples:\n  examgen handout                                  summary of every note in question-bank/\n  examgen handout --mode cloze --blank-ratio 0.5 --seed 3\n  examgen handout --sections cw,vs --toc --title 社区与志愿服务考点\n  examgen handout --mode cloze --roster class.csv --vary -o class-handouts\n\nWrites handout.pdf (and handout-key.pdf in cloze mode); with --roster, one copy per student in handouts/\nplus handout-all.pdf to print in one go."
    )]
    Handout {
        /// The bank folder
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        /// Only these sections (ids, comma-separated)
        #[arg(long, value_delimiter = ',')]
        sections: Vec<String>,
        /// Only notes with one of these tags (comma-separated)
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        #[arg(long, value_enum, default_value_t = HandoutMode::Summary)]
        mode: HandoutMode,
        /// Seed for choosing the blanks; without it a random seed is used and printed
        #[arg(long)]
        seed: Option<u64>,
        /// Share of key phrases turned into blanks in cloze mode (0.0 to 1.0)
        #[arg(long, default_value_t = 1.0, value_parser = parse_ratio)]
        blank_ratio: f64,
        /// Title printed at the top (default: the bank folder's name, or 考点讲义)
        #[arg(long)]
        title: Option<String>,
        /// Add a table of contents with page numbers
        #[arg(long)]
        toc: bool,
        /// One copy per student: a CSV roster (学号,姓名,班级) or a list of names, one per line
        #[arg(long, value_name = "FILE")]
        roster: Option<PathBuf>,
        /// With --roster: each student gets their own seeded choice of blanks
        #[arg(long)]
        vary: bool,
        /// Output folder
        #[arg(short = 'o', long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        look: LookArgs,
        /// File formats to write, comma-separated: pdf, docx (editable Word), or both
        #[arg(long, value_enum, value_delimiter = ',', default_value = "pdf")]
        format: Vec<OutputFormat>,
    },
    /// Start a new subject (a sample section and blueprint) and/or write the built-in templates out for editing
    #[command(
        after_help = "Examples:\n  examgen init my-subject                      a bank that passes `check` and prints a paper at once\n  examgen paper my-subject/exams/paper.yaml\n  examgen init --templates my-templates        the built-in templates, to edit\n  examgen init my-subject --templates my-subject/templates\n\nExisting files are never overwritten. A file in the templates folder overrides the built-in template of\nthe same name; delete it to go back."
    )]
    Init {
        /// Folder for a new bank: example.yaml and exams/paper.yaml
        dir: Option<PathBuf>,
        /// Folder to write the built-in templates into
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Import questions from a spreadsheet, Word papers, Moodle XML or GIFT into a bank folder of YAML section files
    #[command(
        after_help = "Examples:\n  examgen import questions.xlsx -o my-bank\n  examgen import 期中试卷.docx 期中答案.docx -o my-bank\n  examgen import papers/ -o my-bank --strict\n  examgen import moodle-export.xml -o my-bank\n  examgen import 题库.csv -o my-bank --section-column 单元\n\nColumns (Chinese or English headers): 题型/type, 题干/stem, 选项A … 选项H (or A … H), 答案/answer,\n难度/difficulty, 解析/explanation, 章节/section, 标签/tags, and optionally id, group, points. Types: 单选 多选 判断\n填空 简答 (or single multiple judge blank short). Several blanks: answers separated by ；, alternatives by |."
    )]
    Import {
        /// A spreadsheet (.csv or .xlsx), Word papers (.docx, with their answer keys), Moodle XML (.xml),
        /// GIFT (.gift, .txt), or a folder of Word, Moodle or GIFT files
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// The bank folder to create
        #[arg(short = 'o', long, value_name = "BANKDIR")]
        out: PathBuf,
        /// The header of the column that names each question's section (default 章节/section)
        #[arg(long, value_name = "NAME")]
        section_column: Option<String>,
        /// Word, Moodle and GIFT: refuse the whole import when any question needs a look
        #[arg(long)]
        strict: bool,
    },
    /// Export a bank to CSV (the import layout), Moodle XML or GIFT
    #[command(
        after_help = "Examples:\n  examgen export question-bank --format moodle-xml -o bank.xml\n  examgen export question-bank --format gift -o bank.gift.txt\n  examgen export question-bank --format csv -o bank.csv\n  examgen export question-bank --format csv --headers en -o bank-en.csv\n\nThe CSV has the notes as rows of type 考点 and every question's note and quote, so `examgen import` gives the\nbank back. GIFT leaves out questions with several blanks (GIFT has no Cloze); Moodle XML has them as Cloze,\nwhere Moodle gives one mark per blank."
    )]
    Export {
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Output file (default: standard output)
        #[arg(short = 'o', long)]
        out: Option<PathBuf>,
        /// CSV header row: zh (题型, 题干, 选项A …, the default) or en (type, stem, A …)
        #[arg(long, value_enum, value_name = "LANG")]
        headers: Option<HeaderLanguage>,
    },
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  examgen completions bash > ~/.local/share/bash-completion/completions/examgen\n  examgen completions zsh > ~/.zfunc/_examgen\n  examgen completions fish > ~/.config/fish/completions/examgen.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Moodle XML (multichoice, truefalse, shortanswer, multianswer, essay), a category per section
    MoodleXml,
    /// Moodle's GIFT text format
    Gift,
    /// The import layout, UTF-8 with BOM
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderLanguage {
    /// 章节, 题型, 题干, 选项A …, 答案 (types 单选, 多选, 判断, 填空, 简答)
    Zh,
    /// section, type, stem, A …, answer (types single, multiple, judge, blank, short)
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HandoutMode {
    /// Notes with key phrases in bold
    Summary,
    /// Key phrases become numbered blanks; a separate key lists the answers
    Cloze,
}

fn parse_ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("`{text}` is not a share between 0.0 and 1.0")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Pdf,
    /// Editable Word documents (.docx)
    Docx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub const DEFAULT_BLUEPRINT: &str = "question-bank/exams/mock.yaml";

/// The arguments every command that draws a paper shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DrawArgs {
    /// The blueprint (default: question-bank/exams/mock.yaml)
    #[arg(default_value = DEFAULT_BLUEPRINT)]
    pub blueprint: PathBuf,
    /// Seed for the draw; without it a random seed is used, printed and recorded in the manifest
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of variants (A, B, C, ...): the same questions in another order, options shuffled
    /// [default: 1; 2 for batch]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=26))]
    pub variants: Option<u16>,
    /// Give each variant its own question set, reusing no question while the bank can avoid it
    #[arg(long)]
    pub distinct: bool,
    /// Keep out questions used before: a manifest.json, or a text file with one question id per line
    #[arg(long, value_name = "FILE")]
    pub exclude_used: Vec<PathBuf>,
}

/// How documents look: templates, fonts, duplex printing.
#[derive(Debug, Clone, clap::Args)]
pub struct LookArgs {
    /// Folder whose .hbs files override the built-in templates of the same name
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Folder with body.ttf (宋体-style) and heading.ttf (黑体-style) to use instead of the built-in Noto fonts
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
    /// Make the paper's page count even for double-sided printing (adds 「（此页无试题）」)
    #[arg(long)]
    pub duplex: bool,
    /// Page format: a4, b5, 16k (portrait), a3-2col or b4-2col (landscape, two columns, seal line);
    /// default: the blueprint's `layout`, else a4
    #[arg(long, value_name = "NAME")]
    pub layout: Option<String>,
    /// Margins in millimetres (the seal line's binding margin stays wider)
    #[arg(long, value_name = "MM")]
    pub margin: Option<f32>,
    /// Vertical rhythm: compact, normal or roomy (more room to write); default: the blueprint's
    /// `density`, else normal
    #[arg(long, value_name = "NAME", value_parser = ["compact", "normal", "roomy"])]
    pub density: Option<String>,
    /// `teacher`: the paper with the correct options marked and the answer and explanation under each question, in red
    #[arg(long, value_enum, default_value_t = Edition::Student)]
    pub edition: Edition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Edition {
    Student,
    Teacher,
}

impl LookArgs {
    /// The look these arguments ask for (PDF only); the blueprint fills in what they leave open.
    pub fn look(&self) -> crate::workflow::Look {
        self.look_as(&[OutputFormat::Pdf])
    }

    /// The look these arguments ask for, written in `formats`.
    pub fn look_as(&self, formats: &[OutputFormat]) -> crate::workflow::Look {
        crate::workflow::Look {
            pdf: formats.contains(&OutputFormat::Pdf),
            docx: formats.contains(&OutputFormat::Docx),
            templates: self.templates.clone(),
            font_dir: self.font_dir.clone(),
            duplex: self.duplex,
            layout: self.layout.clone(),
            margin: self.margin,
            density: self.density.clone(),
            teacher: self.edition == Edition::Teacher,
        }
    }
}

impl DrawArgs {
    /// The draw these arguments ask for, with `variants` when the command decides the count itself.
    pub fn request(&self) -> crate::workflow::drawn::DrawRequest {
        crate::workflow::drawn::DrawRequest {
            blueprint: self.blueprint.clone(),
            seed: self.seed,
            variants: self.variants.unwrap_or(1) as usize,
            distinct: self.distinct,
            exclude_used: self.exclude_used.clone(),
        }
    }
}

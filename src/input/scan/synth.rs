//! Test-only fabricated scans: an answer sheet drawn from a [`SheetGeometry`], marked the way students mark
//! (textured pencil ellipses, heavy scribbles, light marks, erasures), then turned, scaled, warped, blurred,
//! made noisy and JPEG-compressed the way copiers and phones do.

use image::GrayImage;

use super::PageReading;
use super::geometry::{
    BoxMm, Bubble, BubbleMeaning, ChoiceKind, Corner, CornerMark, QuestionSlot, SheetGeometry,
};
use super::homography::Homography;

/// A small deterministic generator (xorshift64*), so every fabricated scan is reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.unit()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A sheet shaped like examgen's A4 答题卡 for the mock exam: marks 5 mm at 8 mm from the edges, a 10-digit
/// id grid, a variant row, 60 single (A–D) and 20 multiple (A–E) choice questions in blocks of five, and
/// 5 judge questions (√ ×) to cover that kind too.
pub fn mock_geometry() -> SheetGeometry {
    let (pw, ph) = (210.0f32, 297.0f32);
    let (inset, size) = (8.0f32, 5.0f32);
    let corner_marks = Corner::CLOCKWISE
        .iter()
        .map(|&corner| {
            let left = matches!(corner, Corner::TopLeft | Corner::BottomLeft);
            let top = matches!(corner, Corner::TopLeft | Corner::TopRight);
            CornerMark {
                corner,
                centre_x: if left {
                    inset + size / 2.0
                } else {
                    pw - inset - size / 2.0
                },
                centre_y: if top {
                    inset + size / 2.0
                } else {
                    ph - inset - size / 2.0
                },
                size,
            }
        })
        .collect();
    let bubble = |x: f32, y: f32, meaning: BubbleMeaning| Bubble {
        area: BoxMm {
            x,
            y,
            w: 5.0,
            h: 3.2,
        },
        meaning,
    };
    let mut bubbles = Vec::new();
    for (i, letter) in ["A", "B"].iter().enumerate() {
        bubbles.push(bubble(
            150.0 + i as f32 * 6.2,
            38.0,
            BubbleMeaning::Variant {
                letter: letter.to_string(),
            },
        ));
    }
    let x0 = 20.0 + (170.0 - 62.0) / 2.0;
    for column in 0..10u32 {
        for digit in 0..10u8 {
            bubbles.push(bubble(
                x0 + column as f32 * 6.2,
                50.0 + 7.5 + digit as f32 * 4.2 + 0.5,
                BubbleMeaning::IdDigit { column, digit },
            ));
        }
    }
    let mut questions = Vec::new();
    let mut block_rows = |first: u32,
                          count: u32,
                          options: &[&str],
                          kind: ChoiceKind,
                          top: f32,
                          bubbles: &mut Vec<Bubble>| {
        let block_w = 7.0 + options.len() as f32 * 6.2;
        let per_row = ((174.0 / (block_w + 4.0)) as u32).max(1);
        for q in 0..count {
            let block = q / 5;
            let (row, col) = (block / per_row, block % per_row);
            let bx = 20.0 + col as f32 * (block_w + 4.0);
            let ry = top + row as f32 * 26.0 + 1.0 + (q % 5) as f32 * 4.6;
            let number = first + q;
            questions.push(QuestionSlot { number, kind });
            for (k, o) in options.iter().enumerate() {
                bubbles.push(bubble(
                    bx + 7.0 + k as f32 * 6.2,
                    ry + 0.7,
                    BubbleMeaning::Answer {
                        question: number,
                        option: o.to_string(),
                    },
                ));
            }
        }
    };
    block_rows(
        1,
        60,
        &["A", "B", "C", "D"],
        ChoiceKind::Single,
        105.0,
        &mut bubbles,
    );
    block_rows(
        61,
        20,
        &["A", "B", "C", "D", "E"],
        ChoiceKind::Multiple,
        188.0,
        &mut bubbles,
    );
    block_rows(81, 5, &["√", "×"], ChoiceKind::Judge, 220.0, &mut bubbles);
    SheetGeometry {
        page_width_mm: pw,
        page_height_mm: ph,
        corner_marks,
        qr_code: BoxMm {
            x: 168.0,
            y: 16.0,
            w: 22.0,
            h: 22.0,
        },
        questions,
        bubbles,
    }
}

/// How a student marked a bubble.
// Some styles are drawn only by the integration tests (tests/it/scan_marks.rs).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A 2B pencil ellipse filling most of the box, grainy.
    Pencil,
    /// Heavy back-and-forth strokes, overshooting the box.
    Scribble,
    /// A faint mark.
    Light,
    /// A mark rubbed out: a grey haze left behind.
    Erased,
    /// A tick (√) drawn over the bubble in pencil strokes.
    Tick,
    /// A cross (×) over the bubble.
    Cross,
    /// A circle drawn round the bubble, the bubble itself left empty.
    Circle,
    /// A circle pressed tight against the box, running over its outline.
    CircleTight,
    /// A circle drawn large, out over the next bubble's box.
    CircleLarge,
    /// A circle drawn off-centre: tight or over the box on one side, loose on the other.
    CircleOffCentre,
    /// An open circle: a third to a sixth of it left undrawn.
    CircleOpen,
    /// A fill scribbled over hard to cancel it (the student then marks another bubble).
    ScribbledOut,
    /// A whole fill in light 2B pencil: mean grey about 150.
    LightFill,
    /// A fill covering only one half of the bubble.
    Half,
    /// A faint writer's half fill: one half in their light grey.
    HalfFaint,
    /// A faint writer's fill: light grey, but the same on every mark of the sheet.
    Faint,
    /// A tick in ballpoint: a thin even line, black, or blue as a colour scan turned grey shows it
    /// (lighter than the pencil).
    PenTick,
    /// A cross in ballpoint, black or blue.
    PenCross,
    /// A circle round the bubble in ballpoint, black or blue.
    PenCircle,
    /// The box filled with a ballpoint: thin lines hatched back and forth, black or blue.
    PenFill,
    /// A dot in the bubble: a small round blob of pencil.
    Dot,
    /// A short dash across the middle of the bubble.
    Dash,
    /// One slash (/) through the bubble.
    Slash,
    /// A fill spilling well out of the box, out towards the next bubbles.
    Spill,
    /// A line under the printed letter: low in the box, on its bottom edge or just below it.
    Underline,
    /// A line drawn in the gap under the box, 0.2–0.6 mm below it, as long as the box and a little
    /// more or less, in a broad pencil (0.45–0.75 mm) or a ballpoint: its ink reaches to about 1 mm
    /// below the box, 0.4 mm short of the next row's.
    UnderlineBelow,
    /// A heavy 6B fill, black, its graphite smeared out sideways into the next bubble.
    Heavy,
    /// A very small tick, well inside the box.
    SmallTick,
    /// A tick drawn up one side of the box, the other half of it left bare, its long arm leaving by the
    /// top and ending in the gap above.
    TickAside,
    /// A faint writer's tick, slash, cross or dot: the same strokes in a light grey (a light hand's
    /// pencil, about 0.25–0.35 dark), greying the box far less than any fill.
    FaintTick,
    FaintSlash,
    FaintCross,
    FaintDot,
    /// A grey band (grey about 150) along the lower edges of every bubble of the question, as a ruler or
    /// a sleeve smudges them: ink the student did not mean as a mark, which a person must still see.
    /// Recorded on the question's first bubble; drawn across the whole row.
    Band,
    /// A fill crossed out: the box filled in pencil, then an × drawn over it from corner to corner in
    /// two fast straight strokes, each running on past the box's corners by 0.7–1.6 mm (placed by hand, a
    /// few tenths off the corners), in pencil or ballpoint: the student cancelling the answer.
    CrossedFill,
}

/// What a fabricated student wrote on the sheet.
#[derive(Debug, Clone)]
pub struct Student {
    pub id: String,
    pub variant: String,
    /// Per question number: the options meant, e.g. "B" or "ACD" ("" = left blank).
    pub answers: Vec<(u32, String)>,
    /// Bubbles (index into the geometry) and how they are marked.
    pub marks: Vec<(usize, Mark)>,
}

impl Student {
    /// A sheet with its id and variant marked and no answer: the page a test draws its own marks on.
    pub fn unmarked(id: &str, variant: &str) -> Student {
        Student {
            id: id.into(),
            variant: variant.into(),
            answers: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// The options the student meant for question `q` ("" when left blank or not on the sheet).
    pub fn answer(&self, q: u32) -> &str {
        self.answers
            .iter()
            .find(|(n, _)| *n == q)
            .map_or("", |(_, a)| a.as_str())
    }
}

/// Pixels per mm the scan tests draw upright sheets at (8 ≈ 203 dpi); distortions scale them.
pub const PPM: f32 = 8.0;

/// The student's sheet drawn upright at [`PPM`], its QR code saying who the student is.
pub fn draw(geom: &SheetGeometry, student: &Student, seed: u64) -> GrayImage {
    render(geom, student, &qr_text_for(student), PPM, seed)
}

/// A page read; one that does not read fails the test, naming its seed.
pub fn read_or_fail(img: &GrayImage, geom: &SheetGeometry, seed: u64) -> PageReading {
    super::read_page(img, geom).unwrap_or_else(|e| panic!("page {seed}: {e}"))
}

/// A page distorted by `d` (its noise seeded from `seed`) and read.
pub fn read_distorted(
    page: &GrayImage,
    geom: &SheetGeometry,
    d: &Distortion,
    seed: u64,
) -> PageReading {
    read_or_fail(&distort(page, d, seed + 1), geom, seed)
}

/// A page turned by `turn` degrees at `scale` (0.75: about a 150 dpi scan) and read.
pub fn read_turned(
    page: &GrayImage,
    geom: &SheetGeometry,
    seed: u64,
    turn: f32,
    scale: f32,
) -> PageReading {
    read_distorted(
        page,
        geom,
        &Distortion::turned(turn, scale, (0.0, 0.0)),
        seed,
    )
}

/// A student who leaves every other question blank (so a line, an edge or a shade across the answers
/// crosses blank boxes as well as marked ones), marking the rest with `mark`; the id and variant as usual.
pub fn every_other_blank(geom: &SheetGeometry, seed: u64, mark: Mark) -> Student {
    let mut rng = Rng::new(seed);
    let mut s = random_student(geom, &mut rng);
    for (k, (_, a)) in s.answers.iter_mut().enumerate() {
        if k % 2 == 1 {
            a.clear();
        }
    }
    s.marks = clear_marks(geom, &s, &mut rng)
        .into_iter()
        .map(|(i, m)| {
            let answer = matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. });
            (i, if answer { mark } else { m })
        })
        .collect();
    s
}

/// Question `question`'s marks taken off and one option of it picked at random for a mark the test
/// draws by hand: its bubble and letter, the student's answer that letter (`answered`) or none. `None`
/// when the letter has no bubble.
pub fn one_bubble_instead(
    geom: &SheetGeometry,
    student: &mut Student,
    question: u32,
    rng: &mut Rng,
    answered: bool,
) -> Option<(usize, String)> {
    let options = options_of(geom, question);
    let o = options[rng.below(options.len())].to_string();
    let at = answer_bubble(geom, question, &o)?;
    student.marks.retain(|(i, _)| {
        !matches!(&geom.bubbles[*i].meaning,
            BubbleMeaning::Answer { question: n, .. } if *n == question)
    });
    for (n, a) in student.answers.iter_mut() {
        if *n == question {
            *a = if answered { o.clone() } else { String::new() };
        }
    }
    Some((at, o))
}

/// A student with random clear answers (pencil, some scribbles) to every question, id and variant.
pub fn random_student(geom: &SheetGeometry, rng: &mut Rng) -> Student {
    let id: String = (0..geom.id_columns())
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect();
    let variant = if rng.unit() < 0.5 { "A" } else { "B" }.to_string();
    let mut answers = Vec::new();
    for q in &geom.questions {
        let options: Vec<&str> = options_of(geom, q.number);
        let chosen: String = match q.kind {
            ChoiceKind::Multiple => {
                let mut s = String::new();
                while s.is_empty() {
                    for o in &options {
                        if rng.unit() < 0.45 {
                            s.push_str(o);
                        }
                    }
                }
                s
            }
            _ if rng.unit() < 0.04 => String::new(),
            _ => options[rng.below(options.len())].to_string(),
        };
        answers.push((q.number, chosen));
    }
    let mut s = Student {
        id,
        variant,
        answers,
        marks: Vec::new(),
    };
    s.marks = clear_marks(geom, &s, rng);
    s
}

pub fn options_of(geom: &SheetGeometry, question: u32) -> Vec<&str> {
    geom.bubbles
        .iter()
        .filter_map(|b| match &b.meaning {
            BubbleMeaning::Answer {
                question: q,
                option,
            } if *q == question => Some(option.as_str()),
            _ => None,
        })
        .collect()
}

/// The bubble of `option` in `question`, if the sheet has one.
pub fn answer_bubble(geom: &SheetGeometry, question: u32, option: &str) -> Option<usize> {
    geom.bubbles.iter().position(|b| {
        matches!(&b.meaning, BubbleMeaning::Answer { question: q, option: o }
            if *q == question && o == option)
    })
}

/// Pencil (and now and then a scribble) in every bubble the student's answers, id and variant name.
pub fn clear_marks(geom: &SheetGeometry, s: &Student, rng: &mut Rng) -> Vec<(usize, Mark)> {
    let mut marks = Vec::new();
    for (i, b) in geom.bubbles.iter().enumerate() {
        let on = match &b.meaning {
            BubbleMeaning::Answer { question, option } => s
                .answers
                .iter()
                .any(|(q, a)| q == question && a.contains(option.as_str())),
            BubbleMeaning::IdDigit { column, digit } => {
                s.id.as_bytes().get(*column as usize) == Some(&(b'0' + digit))
            }
            BubbleMeaning::Variant { letter } => *letter == s.variant,
        };
        if on {
            let m = if rng.unit() < 0.1 {
                Mark::Scribble
            } else {
                Mark::Pencil
            };
            marks.push((i, m));
        }
    }
    marks
}

/// The QR code text of the mock sheet for `student` (page 1 of its variant).
pub fn qr_text_for(student: &Student) -> String {
    format!(
        "examgen:1:3f9a0c2d71e4b8a6:{}:1:{}",
        student.variant, student.id
    )
}

/// Every question's answer as the student meant it, read right or sent to a person.
pub fn right_or_flag_everywhere(geom: &SheetGeometry, student: &Student) -> Vec<Expect> {
    geom.questions
        .iter()
        .map(|q| {
            let answer = student.answer(q.number).to_string();
            Expect::RightOrFlag(answer)
        })
        .collect()
}

/// Pairs of rows for marks that reach from a box up into the same letter's box of the row above (a
/// tick's long arm): the first and third row of each block of five above the row under it. Both rows'
/// marks are taken off; the lower row is meant as one letter, whose mark the caller draws, and the upper
/// row is left blank or, where `fill_above` says so, filled on another letter. Returns (the lower box,
/// the upper box) of each pair.
pub fn paired_rows(
    geom: &SheetGeometry,
    student: &mut Student,
    rng: &mut Rng,
    mut fill_above: impl FnMut(&mut Rng) -> bool,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (k, q) in geom.questions.iter().enumerate() {
        if k % 5 != 0 && k % 5 != 2 {
            continue;
        }
        let options = options_of(geom, q.number);
        let o = options[rng.below(options.len())].to_string();
        let (Some(up), Some(down)) = (
            answer_bubble(geom, q.number, &o),
            answer_bubble(geom, q.number + 1, &o),
        ) else {
            continue;
        };
        let other = options.iter().find(|x| **x != o).map(|x| x.to_string());
        let above = other.filter(|_| fill_above(rng));
        student.marks.retain(|(i, _)| {
            !matches!(&geom.bubbles[*i].meaning,
                BubbleMeaning::Answer { question, .. } if *question == q.number || *question == q.number + 1)
        });
        if let Some(other) = &above {
            let at = answer_bubble(geom, q.number, other).expect("an option of the question");
            student.marks.push((at, Mark::Pencil));
        }
        for (n, a) in student.answers.iter_mut() {
            if *n == q.number {
                *a = above.clone().unwrap_or_default();
            } else if *n == q.number + 1 {
                *a = o.clone();
            }
        }
        pairs.push((down, up));
    }
    pairs
}

/// Draws the sheet upright at `ppm` pixels per mm.
pub fn render(
    geom: &SheetGeometry,
    student: &Student,
    qr_text: &str,
    ppm: f32,
    seed: u64,
) -> GrayImage {
    let mut rng = Rng::new(seed);
    let w = (geom.page_width_mm * ppm).round() as u32;
    let h = (geom.page_height_mm * ppm).round() as u32;
    let mut img = GrayImage::from_pixel(w, h, image::Luma([246]));
    let fill = |img: &mut GrayImage, x0: f32, y0: f32, x1: f32, y1: f32, v: u8| {
        let (a, b) = ((x0 * ppm).round() as i64, (y0 * ppm).round() as i64);
        let (c, d) = ((x1 * ppm).round() as i64, (y1 * ppm).round() as i64);
        for y in b.max(0)..d.min(h as i64) {
            for x in a.max(0)..c.min(w as i64) {
                let p = img.get_pixel_mut(x as u32, y as u32);
                p.0[0] = p.0[0].min(v);
            }
        }
    };
    for m in &geom.corner_marks {
        let s = m.size / 2.0;
        fill(
            &mut img,
            m.centre_x - s,
            m.centre_y - s,
            m.centre_x + s,
            m.centre_y + s,
            18,
        );
    }
    // Header "text": rows of short dark strokes where the title and fields are.
    for row in 0..3 {
        let y = 16.0 + row as f32 * 8.0;
        let mut x = 60.0;
        while x < 150.0 {
            let cw = rng.range(1.5, 3.5);
            fill(&mut img, x, y, x + cw, y + 0.5, 30);
            fill(&mut img, x + cw / 2.0, y, x + cw / 2.0 + 0.4, y + 4.0, 30);
            x += cw + rng.range(0.8, 2.0);
        }
    }
    let line = 0.18f32.max(1.0 / ppm);
    for b in &geom.bubbles {
        let a = &b.area;
        fill(&mut img, a.x, a.y, a.x + a.w, a.y + line, 40);
        fill(&mut img, a.x, a.y + a.h - line, a.x + a.w, a.y + a.h, 40);
        fill(&mut img, a.x, a.y, a.x + line, a.y + a.h, 40);
        fill(&mut img, a.x + a.w - line, a.y, a.x + a.w, a.y + a.h, 40);
        // The printed label: a small glyph in the middle.
        let (cx, cy) = a.centre();
        fill(&mut img, cx - 0.6, cy - 1.0, cx - 0.4, cy + 1.0, 70);
        fill(&mut img, cx - 0.6, cy - 0.1, cx + 0.6, cy + 0.1, 70);
        fill(&mut img, cx + 0.4, cy - 1.0, cx + 0.6, cy + 1.0, 70);
    }
    let code = qrcode::QrCode::new(qr_text.as_bytes()).expect("QR text fits");
    let n = code.width();
    let colors = code.to_colors();
    let module = geom.qr_code.w / n as f32;
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = ((i % n) as f32, (i / n) as f32);
            let x = geom.qr_code.x + mx * module;
            let y = geom.qr_code.y + my * module;
            fill(&mut img, x, y, x + module, y + module, 15);
        }
    }
    draw_marks(&mut img, geom, student, ppm, &mut rng);
    img
}

/// Draws the student's marks on an upright page at `ppm` pixels per mm: this fabricator's own sheet, or
/// examgen's real sheet as pdftoppm renders it.
pub fn draw_marks(
    img: &mut GrayImage,
    geom: &SheetGeometry,
    student: &Student,
    ppm: f32,
    rng: &mut Rng,
) {
    for &(i, mark) in &student.marks {
        if mark == Mark::Band {
            draw_band(img, geom, i, ppm, rng);
        } else {
            draw_mark(img, &geom.bubbles[i].area, mark, ppm, rng);
        }
    }
}

/// A grey band along the lower edges of the row of bubbles bubble `i` is in (its question's, or its id
/// column's row), a little past both ends, a little tilted, grainy.
fn draw_band(img: &mut GrayImage, geom: &SheetGeometry, i: usize, ppm: f32, rng: &mut Rng) {
    let a = geom.bubbles[i].area;
    let same_group = |m: &BubbleMeaning| match (&geom.bubbles[i].meaning, m) {
        (BubbleMeaning::Answer { question: q, .. }, BubbleMeaning::Answer { question, .. }) => {
            q == question
        }
        (BubbleMeaning::Variant { .. }, BubbleMeaning::Variant { .. }) => true,
        _ => false,
    };
    let row: Vec<&BoxMm> = geom
        .bubbles
        .iter()
        .filter(|b| same_group(&b.meaning) && (b.area.y - a.y).abs() < 0.5)
        .map(|b| &b.area)
        .collect();
    let left = row.iter().map(|b| b.x).fold(a.x, f32::min) - rng.range(0.2, 0.8);
    let right = row.iter().map(|b| b.x + b.w).fold(a.x + a.w, f32::max) + rng.range(0.2, 0.8);
    let (mid, tilt) = (a.y + a.h + rng.range(-0.35, 0.25), rng.range(-0.15, 0.15));
    let half = rng.range(0.35, 0.65);
    let grey = rng.range(140.0, 162.0);
    for x in (left * ppm) as i64..=(right * ppm) as i64 {
        let t = (x as f32 / ppm - left) / (right - left) - 0.5;
        let centre = mid + tilt * t;
        for y in ((centre - half) * ppm) as i64..=((centre + half) * ppm) as i64 {
            if rng.unit() < 0.08 {
                continue;
            }
            let v = (grey + rng.range(-18.0, 18.0)).clamp(0.0, 255.0) as u8;
            if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
                let p = img.get_pixel_mut(x as u32, y as u32);
                p.0[0] = p.0[0].min(v);
            }
        }
    }
}

/// A pencil line through points (mm), for the tests that draw a mark stroke by stroke.
#[allow(unused_imports)]
pub use styles::polyline;

/// Draws one mark of the given style on the bubble `a` (mm) of an upright page at `ppm` pixels per mm.
pub fn draw_mark(img: &mut GrayImage, a: &BoxMm, mark: Mark, ppm: f32, rng: &mut Rng) {
    if styles::draw(img, a, mark, ppm, rng).is_some() {
        return;
    }
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (cx, cy) = a.centre();
    let (cx, cy) = (cx + rng.range(-0.3, 0.3), cy + rng.range(-0.2, 0.2));
    let scale = rng.range(0.85, 1.05);
    let (rx, ry) = (a.w / 2.0 * scale, a.h / 2.0 * scale);
    let mut put = |x: i64, y: i64, v: u8| {
        if x >= 0 && y >= 0 && x < w && y < h {
            let p = img.get_pixel_mut(x as u32, y as u32);
            p.0[0] = p.0[0].min(v);
        }
    };
    match mark {
        Mark::Scribble => {
            // Zigzag strokes 0.5 mm wide across the box and a little beyond it.
            let strokes = 9;
            let half = (0.25 * ppm).max(1.0) as i64;
            for s in 0..strokes {
                let t0 = s as f32 / strokes as f32;
                let t1 = (s + 1) as f32 / strokes as f32;
                let (x0, y0) = (
                    a.x - 0.4 + t0 * (a.w + 0.8),
                    if s % 2 == 0 {
                        a.y - 0.3
                    } else {
                        a.y + a.h + 0.3
                    },
                );
                let (x1, y1) = (
                    a.x - 0.4 + t1 * (a.w + 0.8),
                    if s % 2 == 0 {
                        a.y + a.h + 0.3
                    } else {
                        a.y - 0.3
                    },
                );
                let steps = ((y1 - y0).abs().max((x1 - x0).abs()) * ppm * 2.0) as usize;
                for k in 0..=steps {
                    let t = k as f32 / steps as f32;
                    let (x, y) = ((x0 + (x1 - x0) * t) * ppm, (y0 + (y1 - y0) * t) * ppm);
                    for dy in -half..=half {
                        for dx in -half..=half {
                            put(x as i64 + dx, y as i64 + dy, 30 + rng.below(30) as u8);
                        }
                    }
                }
            }
        }
        _ => {
            let (base, spread, gaps) = match mark {
                Mark::Pencil => (95.0, 35.0, 0.08),
                Mark::Light => (188.0, 14.0, 0.1),
                // A rubbed-out mark: a grey smudge where the graphite was.
                _ => (rng.range(212.0, 224.0), 10.0, 0.35),
            };
            let (x0, x1) = (((cx - rx) * ppm) as i64, ((cx + rx) * ppm) as i64 + 1);
            let (y0, y1) = (((cy - ry) * ppm) as i64, ((cy + ry) * ppm) as i64 + 1);
            for y in y0..y1 {
                for x in x0..x1 {
                    let dx = (x as f32 / ppm - cx) / rx;
                    let dy = (y as f32 / ppm - cy) / ry;
                    if dx * dx + dy * dy > 1.0 || rng.unit() < gaps {
                        continue;
                    }
                    // Graphite grain: each pixel a little lighter or darker.
                    let v = base + rng.range(-spread, spread);
                    put(x, y, v.clamp(0.0, 255.0) as u8);
                }
            }
        }
    }
}

/// How a page is put through the copier or the phone.
pub struct Distortion {
    /// Where the upright sheet's four corners land, clockwise from the top left, as fractions of
    /// the upright image's size scaled by `scale`.
    pub corners: [(f32, f32); 4],
    /// Output size relative to the upright image.
    pub scale: f32,
    /// Uniform noise amplitude (gray levels).
    pub noise: f32,
    pub blur: bool,
    /// JPEG quality, or none.
    pub jpeg: Option<u8>,
    /// Brightness outside the paper.
    pub background: u8,
    /// Uneven light: brightness falls by this fraction from the top-left to the bottom-right corner.
    pub shade: f32,
}

impl Distortion {
    /// Turned by `degrees` about the centre, scaled and shifted (fractions of the size).
    pub fn turned(degrees: f32, scale: f32, shift: (f32, f32)) -> Distortion {
        let r = degrees.to_radians();
        let (c, s) = (r.cos(), r.sin());
        let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map(|(x, y): (f32, f32)| {
            // Rotation about the centre in a square-normalised frame would distort A4; rotate in
            // units of the width instead (aspect ≈ 1.414).
            let aspect = 297.0 / 210.0;
            let (px, py) = (x - 0.5, (y - 0.5) * aspect);
            let (qx, qy) = (c * px - s * py, s * px + c * py);
            // Shrunk a little so a turned page still fits the scan area, as on a copier's glass.
            (
                0.95 * qx + 0.5 + shift.0,
                0.95 * qy / aspect + 0.5 + shift.1,
            )
        });
        Distortion {
            corners,
            scale,
            noise: 14.0,
            blur: true,
            jpeg: Some(70),
            background: 235,
            shade: 0.0,
        }
    }
}

/// The sheet as the scanner or camera sees it.
pub fn distort(upright: &GrayImage, d: &Distortion, seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let (w, h) = (upright.width() as f32, upright.height() as f32);
    let (ow, oh) = ((w * d.scale).round() as u32, (h * d.scale).round() as u32);
    let from = [
        (0.0, 0.0),
        (w as f64, 0.0),
        (w as f64, h as f64),
        (0.0, h as f64),
    ];
    let to = d
        .corners
        .map(|(x, y)| ((x * ow as f32) as f64, (y * oh as f32) as f64));
    let back = Homography::from_points(from, to)
        .and_then(|h| h.inverse())
        .expect("a real distortion");
    // Noise from a table walked by a cheap step: these loops run unoptimised in test builds.
    let table: Vec<f32> = (0..4093).map(|_| rng.range(-d.noise, d.noise)).collect();
    let (iw, ih) = (upright.width() as usize, upright.height() as usize);
    let src = upright.as_raw();
    let m = back.m;
    let mut px = vec![0u8; (ow * oh) as usize];
    let mut k = 0usize;
    for y in 0..oh as usize {
        let fy = y as f64 + 0.5;
        let (mut nx, mut ny, mut nw) = (
            m[0] * 0.5 + m[1] * fy + m[2],
            m[3] * 0.5 + m[4] * fy + m[5],
            m[6] * 0.5 + m[7] * fy + m[8],
        );
        let row = &mut px[y * ow as usize..(y + 1) * ow as usize];
        let light_step = d.shade / 2.0 / ow as f32;
        let mut light = 1.0 - d.shade / 2.0 * y as f32 / oh as f32;
        for out in row.iter_mut() {
            let (u, v) = ((nx / nw) as f32 - 0.5, (ny / nw) as f32 - 0.5);
            nx += m[0];
            ny += m[3];
            nw += m[6];
            let base = if u < 0.0 || v < 0.0 || u >= (iw - 1) as f32 || v >= (ih - 1) as f32 {
                d.background as f32
            } else {
                let (xi, yi) = (u as usize, v as usize);
                let (tx, ty) = (u - xi as f32, v - yi as f32);
                let i = yi * iw + xi;
                let top = src[i] as f32 * (1.0 - tx) + src[i + 1] as f32 * tx;
                let bottom = src[i + iw] as f32 * (1.0 - tx) + src[i + iw + 1] as f32 * tx;
                top * (1.0 - ty) + bottom * ty
            };
            k = (k + 2311) % table.len();
            *out = (base * light + table[k]).clamp(0.0, 255.0) as u8;
            light -= light_step;
        }
    }
    if d.blur {
        px = blur(&px, ow as usize, oh as usize);
    }
    let out = GrayImage::from_raw(ow, oh, px).expect("sized");
    match d.jpeg {
        Some(q) => jpeg_round_trip(&out, q),
        None => out,
    }
}

/// A slight optical blur: the 3×3 binomial kernel (1 2 1)², done by hand because `image`'s generic blur
/// is compiled unoptimised in test builds.
fn blur(px: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut tmp = px.to_vec();
    for y in 0..h {
        let r = &px[y * w..(y + 1) * w];
        let t = &mut tmp[y * w..(y + 1) * w];
        for x in 1..w - 1 {
            t[x] = ((r[x - 1] as u32 + 2 * r[x] as u32 + r[x + 1] as u32 + 2) / 4) as u8;
        }
    }
    let mut out = tmp.clone();
    for y in 1..h - 1 {
        for x in 0..w {
            let i = y * w + x;
            out[i] = ((tmp[i - w] as u32 + 2 * tmp[i] as u32 + tmp[i + w] as u32 + 2) / 4) as u8;
        }
    }
    out
}

pub fn jpeg_bytes(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .expect("JPEG encodes");
    buf
}

pub fn jpeg_round_trip(img: &GrayImage, quality: u8) -> GrayImage {
    image::load_from_memory(&jpeg_bytes(img, quality))
        .expect("JPEG decodes")
        .into_luma8()
}

// ==== Mark styles (issue #23): every way a pencil meets a bubble, drawn as strokes ====
//
// Each style is drawn with pencil-like grey (graphite grain, gaps where the paper shows) and hand jitter;
// `styled_student` picks a style per bubble at random from a seeded [`Rng`] and records what a reader
// must make of every question. Damage to the sheet itself (torn corners, stains) is a separate part.

/// What a reader must make of one question, given how it was marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Clear marks (any fill, a tick, a cross or a circle, and nothing else): read exactly these letters
    /// ("" = left blank, no ink at all). A `?` costs a hand check and is counted.
    Clear(String),
    /// Marks a person must look at (an erased mark alone, a half fill, two marks on a single choice, a
    /// tick competing with a fill): `?`.
    Flag,
    /// A real mark beside an erased one: these letters, or `?`.
    RightOrFlag(String),
}

/// The clear styles a student's marks are drawn from (a faint writer's sheet uses [`Mark::Faint`]).
pub const CLEAR_STYLES: [Mark; 7] = [
    Mark::Pencil,
    Mark::Pencil,
    Mark::Scribble,
    Mark::LightFill,
    Mark::Tick,
    Mark::Cross,
    Mark::Circle,
];

/// A student answering every question, each mark in a style picked at random (fills, ticks, crosses,
/// circles drawn tight, large and off-centre); about one question in eight of the single choices gets a
/// mark a person must see (erased alone, half, double, a tick beside a fill, an erasure beside the real
/// mark, an open circle, one scribbled out and another marked). With `faint`, every clear mark is a
/// faint writer's fill.
pub fn styled_student(geom: &SheetGeometry, rng: &mut Rng, faint: bool) -> (Student, Vec<Expect>) {
    if faint {
        styled_student_with(geom, rng, &[Mark::Faint])
    } else {
        styled_student_with(geom, rng, &CLEAR_STYLES)
    }
}

/// Circles as students draw them: round the box, tight against it, large out over the next box,
/// off-centre; and fills between them.
#[allow(dead_code)]
pub const CIRCLE_STYLES: [Mark; 6] = [
    Mark::Circle,
    Mark::CircleTight,
    Mark::CircleLarge,
    Mark::CircleOffCentre,
    Mark::Pencil,
    Mark::Scribble,
];

/// The ways of marking added in the seed sweep of issue #23 (each a writer's own: a sweep gives each
/// fabricated student one of them for every mark).
#[allow(dead_code)]
pub const NEW_STYLES: [Mark; 11] = [
    Mark::PenTick,
    Mark::PenCross,
    Mark::PenCircle,
    Mark::PenFill,
    Mark::Dot,
    Mark::Dash,
    Mark::Slash,
    Mark::Spill,
    Mark::Underline,
    Mark::Heavy,
    Mark::SmallTick,
];

/// Clear marks, and now and then a grey band smudged along the lower edges of a question's bubbles
/// ([`Mark::Band`]), alone or under a real mark.
#[allow(dead_code)]
pub const BAND_STYLES: [Mark; 6] = [
    Mark::Pencil,
    Mark::Scribble,
    Mark::LightFill,
    Mark::Tick,
    Mark::Cross,
    Mark::Band,
];

/// [`styled_student`] with the clear marks drawn from `styles`.
pub fn styled_student_with(
    geom: &SheetGeometry,
    rng: &mut Rng,
    styles: &[Mark],
) -> (Student, Vec<Expect>) {
    let mut s = random_student(geom, rng);
    s.marks.clear();
    let bubble = |meaning: &BubbleMeaning| geom.bubbles.iter().position(|b| &b.meaning == meaning);
    // A band is no mark of an answer: drawn on questions of its own, never picked as one.
    let banded = styles.contains(&Mark::Band);
    let marks: Vec<Mark> = styles
        .iter()
        .copied()
        .filter(|m| *m != Mark::Band)
        .collect();
    let styles = marks.as_slice();
    let clear = |rng: &mut Rng| {
        if styles.len() == 1 {
            styles[0]
        } else {
            styles[rng.below(styles.len())]
        }
    };
    for (column, d) in s.id.bytes().enumerate() {
        let i = bubble(&BubbleMeaning::IdDigit {
            column: column as u32,
            digit: d - b'0',
        });
        let m = clear(rng);
        s.marks.extend(i.map(|i| (i, m)));
    }
    let m = clear(rng);
    s.marks.extend(
        bubble(&BubbleMeaning::Variant {
            letter: s.variant.clone(),
        })
        .map(|i| (i, m)),
    );
    let mut expect = Vec::new();
    for q in &geom.questions {
        let options = options_of(geom, q.number);
        let answer = s.answer(q.number).to_string();
        let at = |o: &str| {
            bubble(&BubbleMeaning::Answer {
                question: q.number,
                option: o.to_string(),
            })
            .expect("the question's own option")
        };
        let other = |rng: &mut Rng| {
            let free: Vec<&&str> = options.iter().filter(|o| !answer.contains(**o)).collect();
            (!free.is_empty()).then(|| at(free[rng.below(free.len())]))
        };
        if banded && rng.unit() < 0.2 {
            // A band along the row's lower edges, the question left blank or answered too: the band
            // must reach a person; beside a real mark, that mark or a `?`.
            s.marks.push((at(options[0]), Mark::Band));
            if rng.unit() < 0.5 || answer.is_empty() {
                expect.push(Expect::Flag);
            } else {
                for o in &options {
                    if answer.contains(o) {
                        let m = clear(rng);
                        s.marks.push((at(o), m));
                    }
                }
                expect.push(Expect::RightOrFlag(answer));
            }
            continue;
        }
        let unsure = q.kind != ChoiceKind::Multiple && !answer.is_empty() && rng.unit() < 0.12;
        if !unsure {
            for o in &options {
                if answer.contains(o) {
                    let m = clear(rng);
                    s.marks.push((at(o), m));
                }
            }
            expect.push(Expect::Clear(answer));
            continue;
        }
        let (pencil, spare) = (clear(rng), other(rng));
        match (rng.below(7), spare) {
            (0, _) => {
                // Rubbed out and left blank: the smudge must still reach a person.
                s.marks.push((at(&answer), Mark::Erased));
                expect.push(Expect::Flag);
            }
            (1, _) => {
                let half = if styles == [Mark::Faint] {
                    Mark::HalfFaint
                } else {
                    Mark::Half
                };
                s.marks.push((at(&answer), half));
                expect.push(Expect::Flag);
            }
            (2, Some(j)) => {
                s.marks.push((at(&answer), pencil));
                s.marks.push((j, Mark::Pencil));
                expect.push(Expect::Flag);
            }
            (3, Some(j)) => {
                s.marks.push((at(&answer), Mark::Pencil));
                s.marks
                    .push((j, [Mark::Tick, Mark::Cross, Mark::Circle][rng.below(3)]));
                expect.push(Expect::Flag);
            }
            (5, _) => {
                // An open circle: read, or to a person.
                s.marks.push((at(&answer), Mark::CircleOpen));
                expect.push(Expect::RightOrFlag(answer));
            }
            (6, Some(j)) => {
                // Scribbled out and another marked: two marks, a person decides which stands.
                s.marks.push((j, Mark::ScribbledOut));
                s.marks.push((at(&answer), pencil));
                expect.push(Expect::Flag);
            }
            (_, j) => {
                s.marks.push((at(&answer), pencil));
                s.marks.extend(j.map(|j| (j, Mark::Erased)));
                expect.push(Expect::RightOrFlag(answer));
            }
        }
    }
    (s, expect)
}

mod styles {
    use image::GrayImage;

    use super::{BoxMm, Mark, Rng};

    /// Draws the stroke styles and the fills that differ from a plain ellipse; `None` for the styles
    /// the older drawing code keeps.
    pub fn draw(img: &mut GrayImage, a: &BoxMm, mark: Mark, ppm: f32, rng: &mut Rng) -> Option<()> {
        // The writer's hand: how hard they press (grey of the graphite) and how wide the point is.
        let grey = rng.range(55.0, 115.0);
        let width = rng.range(0.35, 0.6);
        let j = |rng: &mut Rng, r: f32| rng.range(-r, r);
        let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
        let (mark, grey) = match mark {
            Mark::FaintTick => (Mark::Tick, rng.range(165.0, 185.0)),
            Mark::FaintSlash => (Mark::Slash, rng.range(165.0, 185.0)),
            Mark::FaintCross => (Mark::Cross, rng.range(165.0, 185.0)),
            Mark::FaintDot => (Mark::Dot, rng.range(165.0, 185.0)),
            m => (m, grey),
        };
        match mark {
            Mark::Tick => {
                let k = rng.range(0.85, 1.2);
                let (cx, cy) = a.centre();
                let p = |rng: &mut Rng, x: f32, y: f32| {
                    (
                        cx + (x - cx) * k + j(rng, 0.3),
                        cy + (y - cy) * k + j(rng, 0.3),
                    )
                };
                let pts = [
                    p(rng, x0 + 0.1 * a.w, y0 + 0.45 * a.h),
                    p(rng, x0 + 0.4 * a.w, y1 + 0.2),
                    p(rng, x1 + 0.5, y0 - 0.9),
                ];
                polyline(img, &pts, width, grey, ppm, rng);
            }
            Mark::TickAside => {
                let pts = if rng.unit() < 0.5 {
                    // up the right side: the left half bare
                    [
                        (x0 + 0.6 * a.w, y0 + 0.55 * a.h + j(rng, 0.2)),
                        (x0 + 0.72 * a.w + j(rng, 0.1), y1 - 0.3),
                        (x1 + 0.3 + j(rng, 0.2), y0 - 0.5 + j(rng, 0.15)),
                    ]
                } else {
                    // up the left side: the right half bare
                    [
                        (x0 + 0.1 * a.w, y0 + 0.5 * a.h + j(rng, 0.2)),
                        (x0 + 0.24 * a.w + j(rng, 0.1), y1 - 0.3),
                        (x0 + 0.42 * a.w, y0 - 0.5 + j(rng, 0.15)),
                    ]
                };
                let (dx, dy) = (j(rng, 0.3), j(rng, 0.2));
                let pts = pts.map(|(x, y)| (x + dx, y + dy));
                polyline(img, &pts, width, grey, ppm, rng);
            }
            Mark::Cross => {
                let o = rng.range(0.0, 0.6);
                let a1 = [
                    (x0 - o + j(rng, 0.3), y0 - o / 2.0 + j(rng, 0.25)),
                    (x1 + o + j(rng, 0.3), y1 + o / 2.0 + j(rng, 0.25)),
                ];
                let a2 = [
                    (x1 + o + j(rng, 0.3), y0 - o / 2.0 + j(rng, 0.25)),
                    (x0 - o + j(rng, 0.3), y1 + o / 2.0 + j(rng, 0.25)),
                ];
                polyline(img, &a1, width, grey, ppm, rng);
                polyline(img, &a2, width, grey, ppm, rng);
            }
            Mark::Circle
            | Mark::CircleTight
            | Mark::CircleLarge
            | Mark::CircleOffCentre
            | Mark::CircleOpen => {
                use std::f32::consts::{PI, TAU};
                let (cx, cy) = a.centre();
                let (mut cx, mut cy) = (cx + j(rng, 0.25), cy + j(rng, 0.2));
                // How far outside the box the line runs (mm, across and down): within its cell, up to
                // about half the gap to the next bubble and a little over (the gaps are 1.2 mm across and
                // 1.4 mm down); tight, over the outline; large, over the next box.
                let (out_x, out_y) = match mark {
                    Mark::CircleTight => (rng.range(-0.1, 0.3), rng.range(-0.1, 0.25)),
                    Mark::CircleLarge => (rng.range(1.0, 1.5), rng.range(0.9, 1.4)),
                    Mark::CircleOffCentre => (rng.range(0.5, 0.9), rng.range(0.45, 0.8)),
                    _ => (rng.range(0.4, 0.85), rng.range(0.4, 0.8)),
                };
                if mark == Mark::CircleOffCentre {
                    let towards = rng.range(0.0, TAU);
                    let by = rng.range(0.45, 0.75);
                    cx += by * towards.cos();
                    cy += 0.7 * by * towards.sin();
                }
                let (rx, ry) = (a.w / 2.0 + out_x, a.h / 2.0 + out_y);
                let start = rng.range(0.0, TAU);
                let sweep = if mark == Mark::CircleOpen {
                    rng.range(1.35, 1.7) * PI
                } else {
                    rng.range(1.9, 2.12) * PI
                };
                let n = 28;
                let pts: Vec<(f32, f32)> = (0..=n)
                    .map(|i| {
                        let t = start + sweep * i as f32 / n as f32;
                        let wobble = 1.0 + rng.range(-0.03, 0.03);
                        (cx + rx * wobble * t.cos(), cy + ry * wobble * t.sin())
                    })
                    .collect();
                polyline(img, &pts, width.min(0.45), grey, ppm, rng);
            }
            Mark::ScribbledOut => {
                // The fill first, then hard zigzags over it and beyond the box, then a cross through
                // them.
                draw(img, a, Mark::LightFill, ppm, rng)?;
                let rows = 7;
                let pts: Vec<(f32, f32)> = (0..=rows * 2)
                    .map(|k| {
                        let x = if k % 2 == 0 { x0 - 0.5 } else { x1 + 0.5 };
                        let y = y0 - 0.4 + (a.h + 0.8) * (k / 2) as f32 / rows as f32;
                        (x + j(rng, 0.2), y + j(rng, 0.15))
                    })
                    .collect();
                polyline(img, &pts, 0.5, 40.0, ppm, rng);
                polyline(
                    img,
                    &[(x0 - 0.6, y0 - 0.5), (x1 + 0.6, y1 + 0.5)],
                    0.5,
                    40.0,
                    ppm,
                    rng,
                );
            }
            Mark::CrossedFill => {
                super::draw_mark(img, a, Mark::Pencil, ppm, rng);
                let pen = rng.unit() < 0.4;
                let (width, grey) = if pen {
                    (rng.range(0.22, 0.35), rng.range(30.0, 120.0))
                } else {
                    (rng.range(0.35, 0.7), rng.range(40.0, 100.0))
                };
                let diagonal = a.w.hypot(a.h);
                let (ux, uy) = (a.w / diagonal, a.h / diagonal);
                // Each stroke from one corner to the other, its ends placed by hand (a few tenths off
                // the corner) and carried on past it; a little bowed, as a fast stroke is.
                for (from, to) in [((x0, y0), (x1, y1)), ((x1, y0), (x0, y1))] {
                    let (sx, sy) = ((to.0 - from.0).signum() * ux, (to.1 - from.1).signum() * uy);
                    let (before, after) = (rng.range(0.7, 1.6), rng.range(0.7, 1.6));
                    let p0 = (
                        from.0 - sx * before + j(rng, 0.25),
                        from.1 - sy * before + j(rng, 0.2),
                    );
                    let p2 = (
                        to.0 + sx * after + j(rng, 0.25),
                        to.1 + sy * after + j(rng, 0.2),
                    );
                    let bow = j(rng, 0.15);
                    let p1 = (
                        (p0.0 + p2.0) / 2.0 - sy * bow,
                        (p0.1 + p2.1) / 2.0 + sx * bow,
                    );
                    polyline(img, &[p0, p1, p2], width, grey, ppm, rng);
                }
            }
            Mark::LightFill | Mark::Faint | Mark::Half | Mark::HalfFaint => {
                let (base, spread) = match mark {
                    Mark::LightFill => (rng.range(140.0, 160.0), 30.0),
                    Mark::Faint | Mark::HalfFaint => (rng.range(182.0, 198.0), 14.0),
                    _ => (grey, 30.0),
                };
                // Which half a half fill covers: left, right, top or bottom.
                let side = rng.below(4);
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.25), cy + j(rng, 0.15));
                let scale = rng.range(0.88, 1.05);
                let (rx, ry) = (a.w / 2.0 * scale, a.h / 2.0 * scale);
                let (px0, px1) = (((cx - rx) * ppm) as i64, ((cx + rx) * ppm) as i64 + 1);
                let (py0, py1) = (((cy - ry) * ppm) as i64, ((cy + ry) * ppm) as i64 + 1);
                for y in py0..py1 {
                    for x in px0..px1 {
                        let dx = (x as f32 / ppm - cx) / rx;
                        let dy = (y as f32 / ppm - cy) / ry;
                        let outside_half = match side {
                            0 => dx > 0.0,
                            1 => dx < 0.0,
                            2 => dy > 0.0,
                            _ => dy < 0.0,
                        };
                        if dx * dx + dy * dy > 1.0
                            || (matches!(mark, Mark::Half | Mark::HalfFaint) && outside_half)
                            || rng.unit() < 0.08
                        {
                            continue;
                        }
                        put(img, x, y, base + rng.range(-spread, spread));
                    }
                }
            }
            Mark::PenTick | Mark::PenCross | Mark::PenCircle | Mark::PenFill => {
                // Ballpoint: black, or blue as a colour scan's grey shows it (the pen's blue counts for
                // little in the grey, so it reads much lighter than it looks).
                let pen = if rng.unit() < 0.5 {
                    rng.range(30.0, 70.0)
                } else {
                    rng.range(80.0, 130.0)
                };
                let thin = rng.range(0.22, 0.35);
                match mark {
                    Mark::PenTick => {
                        let pts = [
                            (x0 + 0.1 * a.w + j(rng, 0.3), y0 + 0.45 * a.h + j(rng, 0.3)),
                            (x0 + 0.4 * a.w + j(rng, 0.3), y1 + 0.2 + j(rng, 0.2)),
                            (x1 + 0.5 + j(rng, 0.3), y0 - 0.9 + j(rng, 0.3)),
                        ];
                        polyline(img, &pts, thin, pen, ppm, rng);
                    }
                    Mark::PenCross => {
                        let o = rng.range(0.0, 0.5);
                        polyline(
                            img,
                            &[(x0 - o, y0 - o / 2.0), (x1 + o, y1 + o / 2.0)],
                            thin,
                            pen,
                            ppm,
                            rng,
                        );
                        polyline(
                            img,
                            &[(x1 + o, y0 - o / 2.0), (x0 - o, y1 + o / 2.0)],
                            thin,
                            pen,
                            ppm,
                            rng,
                        );
                    }
                    Mark::PenCircle => {
                        let (cx, cy) = a.centre();
                        let (rx, ry) = (
                            a.w / 2.0 + rng.range(0.4, 0.85),
                            a.h / 2.0 + rng.range(0.4, 0.8),
                        );
                        let start = rng.range(0.0, std::f32::consts::TAU);
                        let sweep = rng.range(1.95, 2.12) * std::f32::consts::PI;
                        let pts: Vec<(f32, f32)> = (0..=28)
                            .map(|i| {
                                let t = start + sweep * i as f32 / 28.0;
                                (cx + rx * t.cos(), cy + ry * t.sin())
                            })
                            .collect();
                        polyline(img, &pts, thin, pen, ppm, rng);
                    }
                    _ => {
                        // Hatched back and forth across the box, row after row.
                        let gap = rng.range(0.28, 0.45);
                        let rows = ((a.h - 0.4) / gap) as usize;
                        let pts: Vec<(f32, f32)> = (0..=rows)
                            .flat_map(|r| {
                                let y = y0 + 0.2 + r as f32 * gap;
                                let (l, rr) = (x0 + 0.3 + j(rng, 0.25), x1 - 0.3 + j(rng, 0.25));
                                if r % 2 == 0 {
                                    [(l, y), (rr, y + gap / 2.0)]
                                } else {
                                    [(rr, y), (l, y + gap / 2.0)]
                                }
                            })
                            .collect();
                        polyline(img, &pts, thin.max(0.3), pen, ppm, rng);
                    }
                }
            }
            Mark::Dot => {
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.5), cy + j(rng, 0.3));
                let r = rng.range(0.35, 0.7);
                blob(img, (cx, cy), (r, r * rng.range(0.8, 1.0)), grey, ppm, rng);
            }
            Mark::Dash => {
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.4), cy + j(rng, 0.3));
                let half = rng.range(0.8, 1.6);
                let tilt = j(rng, 0.15);
                let pts = [(cx - half, cy - half * tilt), (cx + half, cy + half * tilt)];
                polyline(img, &pts, width.max(0.45), grey, ppm, rng);
            }
            Mark::Slash => {
                let pts = [
                    (x0 + 0.3 + j(rng, 0.4), y1 + rng.range(-0.2, 0.5)),
                    (x1 - 0.3 + j(rng, 0.4), y0 - rng.range(-0.2, 0.5)),
                ];
                polyline(img, &pts, width, grey, ppm, rng);
            }
            Mark::Spill => {
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.3), cy + j(rng, 0.2));
                let (rx, ry) = (
                    a.w / 2.0 + rng.range(0.5, 1.3),
                    a.h / 2.0 + rng.range(0.4, 0.9),
                );
                blob(img, (cx, cy), (rx, ry), rng.range(70.0, 110.0), ppm, rng);
            }
            Mark::Underline => {
                let (cx, _) = a.centre();
                let y = rng.range(y0 + 0.78 * a.h, y1 + 0.5);
                let half = rng.range(1.0, 2.0);
                let pts = [
                    (cx - half + j(rng, 0.3), y + j(rng, 0.15)),
                    (cx + half + j(rng, 0.3), y + j(rng, 0.15)),
                ];
                polyline(img, &pts, width, grey, ppm, rng);
            }
            Mark::UnderlineBelow => {
                let (cx, _) = a.centre();
                let y = y1 + rng.range(0.2, 0.6);
                let (half, width) = (a.w / 2.0, rng.range(0.3, 0.75));
                let pts = [
                    (cx - half + j(rng, 0.6), y + j(rng, 0.1)),
                    (cx + half + j(rng, 0.6), y + j(rng, 0.1)),
                ];
                polyline(img, &pts, width, grey, ppm, rng);
            }
            Mark::Heavy => {
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.25), cy + j(rng, 0.15));
                let (rx, ry) = (
                    a.w / 2.0 * rng.range(0.95, 1.1),
                    a.h / 2.0 * rng.range(0.95, 1.1),
                );
                // The smear first: soft graphite wiped out to one side, into the next box.
                let side = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
                let reach = rng.range(1.0, 2.2);
                let smear = (cx + side * (rx + reach) / 2.0, cy);
                blob(
                    img,
                    smear,
                    ((rx + reach) / 2.0, ry * 0.8),
                    rng.range(150.0, 195.0),
                    ppm,
                    rng,
                );
                blob(img, (cx, cy), (rx, ry), rng.range(18.0, 45.0), ppm, rng);
            }
            Mark::SmallTick => {
                let k = rng.range(0.3, 0.5);
                let (cx, cy) = a.centre();
                let (cx, cy) = (cx + j(rng, 0.4), cy + j(rng, 0.25));
                let p = |x: f32, y: f32| (cx + (x - a.centre().0) * k, cy + (y - a.centre().1) * k);
                let pts = [
                    p(x0 + 0.1 * a.w, y0 + 0.45 * a.h),
                    p(x0 + 0.4 * a.w, y1 + 0.2),
                    p(x1 + 0.5, y0 - 0.9),
                ];
                polyline(img, &pts, width.min(0.45), grey, ppm, rng);
            }
            _ => return None,
        }
        Some(())
    }

    /// A grainy pencil ellipse centred at `c` with radii `r` (mm), about `grey` dark.
    fn blob(img: &mut GrayImage, c: (f32, f32), r: (f32, f32), grey: f32, ppm: f32, rng: &mut Rng) {
        let (px0, px1) = (((c.0 - r.0) * ppm) as i64, ((c.0 + r.0) * ppm) as i64 + 1);
        let (py0, py1) = (((c.1 - r.1) * ppm) as i64, ((c.1 + r.1) * ppm) as i64 + 1);
        for y in py0..=py1 {
            for x in px0..=px1 {
                let dx = ((x as f32 + 0.5) / ppm - c.0) / r.0;
                let dy = ((y as f32 + 0.5) / ppm - c.1) / r.1;
                if dx * dx + dy * dy > 1.0 || rng.unit() < 0.08 {
                    continue;
                }
                put(img, x, y, grey + rng.range(-25.0, 25.0));
            }
        }
    }

    fn put(img: &mut GrayImage, x: i64, y: i64, v: f32) {
        if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
            let p = img.get_pixel_mut(x as u32, y as u32);
            p.0[0] = p.0[0].min(v.clamp(0.0, 255.0) as u8);
        }
    }

    /// A pencil line through `pts` (mm): `width` mm wide, grainy, a little lighter where the point lifts.
    pub fn polyline(
        img: &mut GrayImage,
        pts: &[(f32, f32)],
        width: f32,
        grey: f32,
        ppm: f32,
        rng: &mut Rng,
    ) {
        let half = width / 2.0;
        for seg in pts.windows(2) {
            let ((ax, ay), (bx, by)) = (seg[0], seg[1]);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = (dx * dx + dy * dy).max(1e-6);
            let lift = rng.range(0.0, 25.0);
            let (lx, hx) = (ax.min(bx) - half, ax.max(bx) + half);
            let (ly, hy) = (ay.min(by) - half, ay.max(by) + half);
            for y in (ly * ppm) as i64..=(hy * ppm) as i64 + 1 {
                for x in (lx * ppm) as i64..=(hx * ppm) as i64 + 1 {
                    let (px, py) = ((x as f32 + 0.5) / ppm, (y as f32 + 0.5) / ppm);
                    let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
                    let (qx, qy) = (ax + t * dx - px, ay + t * dy - py);
                    if qx * qx + qy * qy > half * half || rng.unit() < 0.1 {
                        continue;
                    }
                    put(img, x, y, grey + lift * t + rng.range(-25.0, 25.0));
                }
            }
        }
    }
}

/// What the pages read compared with what the students meant.
#[derive(Default)]
pub struct Tally {
    /// Clear marks (questions, id columns, variant rows) and how many of them were flagged.
    pub clear: usize,
    pub clear_flagged: usize,
    /// Marks that needed a person, and how many got one.
    pub must_flag: usize,
    pub flagged: usize,
    /// Every silent misreading, described.
    pub wrong: Vec<String>,
    /// Every clear question sent to a person, described.
    pub flagged_clear: Vec<String>,
    /// Per mark style: read, flagged, silently wrong.
    pub styles: std::collections::BTreeMap<String, [usize; 3]>,
}

impl Tally {
    pub fn add(
        &mut self,
        page: &str,
        geom: &SheetGeometry,
        student: &Student,
        expect: &[Expect],
        r: &PageReading,
    ) {
        for (q, want) in geom.questions.iter().zip(expect) {
            let a = r.answers.iter().find(|a| a.question == q.number).unwrap();
            let got = (a.reading.letters.as_str(), a.reading.doubtful);
            let why = || {
                let shapes: Vec<String> = geom
                    .bubbles
                    .iter()
                    .zip(&r.bubbles)
                    .filter(|(b, _)| matches!(&b.meaning, BubbleMeaning::Answer { question, .. } if *question == q.number))
                    .map(|(b, x)| format!("{:?}: {:?} d{:.2} c{:.2} a{:.2}", b.meaning, x.shape, x.darkness, x.cover, x.around))
                    .collect();
                let marks: Vec<String> = student
                    .marks
                    .iter()
                    .filter(|(i, _)| matches!(&geom.bubbles[*i].meaning, BubbleMeaning::Answer { question, .. } if *question == q.number))
                    .map(|(i, m)| format!("{:?}={m:?}", geom.bubbles[*i].meaning))
                    .collect();
                format!(
                    "{page} q{}: want {want:?}, read {got:?}; marks {marks:?}; {shapes:?}",
                    q.number
                )
            };
            // Per mark, by style: read, flagged, silently wrong (a clear question's mark left out, or any
            // letter read where no mark was); marks a person must see are counted under "to a person".
            let marked: Vec<(String, Mark)> = student
                .marks
                .iter()
                .filter_map(|&(i, m)| match &geom.bubbles[i].meaning {
                    BubbleMeaning::Answer { question, option } if *question == q.number => {
                        Some((option.clone(), m))
                    }
                    _ => None,
                })
                .collect();
            let clear = matches!(want, Expect::Clear(_));
            for (option, m) in &marked {
                let key = if clear {
                    format!("{m:?}")
                } else {
                    format!("to a person: {m:?}")
                };
                let right = match want {
                    Expect::Clear(_) => got.0.contains(option.as_str()),
                    Expect::Flag => false,
                    Expect::RightOrFlag(l) => got.0 == l,
                };
                let k = if got.1 {
                    1
                } else if right {
                    0
                } else {
                    2
                };
                self.styles.entry(key).or_default()[k] += 1;
            }
            if !got.1
                && got
                    .0
                    .chars()
                    .any(|c| !marked.iter().any(|(o, _)| o.contains(c)))
            {
                self.styles
                    .entry("letter read off a blank bubble".into())
                    .or_default()[2] += 1;
            }
            match want {
                Expect::Clear(letters) => {
                    self.clear += 1;
                    if got.1 {
                        self.clear_flagged += 1;
                        self.flagged_clear.push(why());
                    } else if got.0 != letters {
                        self.wrong.push(why());
                    }
                }
                Expect::Flag => {
                    self.must_flag += 1;
                    if got.1 {
                        self.flagged += 1;
                    } else {
                        self.wrong.push(why());
                    }
                }
                Expect::RightOrFlag(letters) => {
                    if !got.1 && got.0 != letters {
                        self.wrong.push(why());
                    }
                }
            }
        }
        for (c, d) in r.id.iter().enumerate() {
            self.clear += 1;
            let want = student.id.as_bytes()[c] - b'0';
            if d.doubtful {
                self.clear_flagged += 1;
                self.flagged_clear
                    .push(format!("{page} id column {c}: {d:?}, want {want}"));
            } else if d.digit != Some(want) {
                self.wrong
                    .push(format!("{page} id column {c}: {d:?}, want {want}"));
            }
        }
        let v = r.variant.as_ref().unwrap();
        self.clear += 1;
        if v.doubtful {
            self.clear_flagged += 1;
            self.flagged_clear
                .push(format!("{page} variant: {v:?}, want {}", student.variant));
        } else if v.letters != student.variant {
            self.wrong
                .push(format!("{page} variant: {v:?}, want {}", student.variant));
        }
    }

    /// Prints the table of marks per style (read, flagged, silently wrong) and the totals, each line
    /// led by `title`.
    pub fn report(&self, title: &str) {
        eprintln!("{title}| mark | read | flagged | silently wrong |\n{title}|---|---:|---:|---:|");
        for (style, [read, flagged, wrong]) in &self.styles {
            eprintln!("{title}| {style} | {read} | {flagged} | {wrong} |");
        }
        eprintln!(
            "{title}clear {} (flagged {}), must flag {} (flagged {}), wrong {}",
            self.clear,
            self.clear_flagged,
            self.must_flag,
            self.flagged,
            self.wrong.len()
        );
    }

    /// Checks the goals of issue #23: no silent misreading beyond `known` (each named where the test
    /// calls this), every mark that needs a person flagged, at most `flagged_percent` of clear marks
    /// flagged (the goal is 3).
    pub fn check(&self, known: usize, flagged_percent: usize) {
        self.check_clear(known, flagged_percent);
        assert!(self.must_flag > 0 && self.flagged + known >= self.must_flag);
    }

    /// [`Tally::check`] for pages that need no person anywhere (every mark clear, or read as nothing):
    /// at most `known` silently wrong, at most `flagged_percent` of the clear marks flagged.
    pub fn check_clear(&self, known: usize, flagged_percent: usize) {
        for f in &self.flagged_clear {
            eprintln!("flagged clear: {f}");
        }
        self.assert_wrong_at_most(known, |_| true);
        assert!(
            self.clear_flagged * 100 <= flagged_percent * self.clear,
            "{} of {} clear marks flagged",
            self.clear_flagged,
            self.clear
        );
    }

    /// After the table, at most `known` of the silently wrong marks `counted` (each line as
    /// [`Tally::add`] wrote it; the others are bounded by other tests): the bound a test keeps on what
    /// was won while #23's goal of none is not yet met.
    pub fn assert_wrong_at_most(&self, known: usize, counted: impl Fn(&str) -> bool) {
        self.report("");
        let wrong = self.wrong.iter().filter(|w| counted(w)).count();
        assert!(
            wrong <= known,
            "{wrong} silently wrong (at most {known} allowed):\n{}",
            self.wrong.join("\n")
        );
    }
}

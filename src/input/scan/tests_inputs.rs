//! Teachers' scan folders as they are: copies named `扫描 (1).jpg … 扫描 (10).jpg` read in the order people
//! count them, the files Windows, macOS and Office leave beside them skipped with a note, upper-case
//! extensions read, and empty or cut-off files reported by name and page, never a panic.

use std::path::Path;

use image::GrayImage;

use super::synth::{self, Distortion};
use super::tests::scan;
use super::*;

fn png_bytes(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn tiff_bytes(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Tiff,
    )
    .unwrap();
    out
}

fn names(pages: &[Result<PageSource, PageProblem>]) -> Vec<String> {
    pages
        .iter()
        .map(|p| {
            let path = match p {
                Ok(p) => &p.source,
                Err(e) => &e.source,
            };
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn copies_are_read_in_the_order_people_count_them() {
    let dir = tempfile::tempdir().unwrap();
    let (geom, student, img) = scan(7, &Distortion::turned(0.5, 1.0, (0.0, 0.0)));
    let jpeg = synth::jpeg_bytes(&img, 80);
    for n in 1..=10 {
        std::fs::write(dir.path().join(format!("扫描 ({n}).jpg")), &jpeg).unwrap();
    }
    std::fs::write(dir.path().join("扫描.JPG"), &jpeg).unwrap();
    std::fs::write(dir.path().join("page 02.PNG"), png_bytes(&img)).unwrap();
    std::fs::write(dir.path().join("page 1.TIF"), tiff_bytes(&img)).unwrap();
    let listing = list_pages(dir.path());
    assert!(listing.skipped.is_empty(), "{:?}", listing.skipped);
    let mut expected = vec!["page 1.TIF".to_string(), "page 02.PNG".to_string()];
    expected.push("扫描.JPG".into());
    expected.extend((1..=10).map(|n| format!("扫描 ({n}).jpg")));
    assert_eq!(names(&listing.pages), expected);
    // Upper-case extensions read like any other.
    assert_pages_identify(&listing.pages[..3], &geom, &student.id);
}

/// Every page decodes and reads as the sheet of the student with `id`.
fn assert_pages_identify(
    pages: &[Result<PageSource, PageProblem>],
    geom: &SheetGeometry,
    id: &str,
) {
    for p in pages {
        let page = p
            .as_ref()
            .unwrap()
            .decode()
            .unwrap_or_else(|e| panic!("{e}"));
        let reading = read_page(&page.image, geom).unwrap();
        assert_eq!(reading.id_text(), id);
    }
}

#[test]
fn webp_and_bmp_pages_read_and_an_iphone_heic_photo_says_how_to_send_it() {
    let dir = tempfile::tempdir().unwrap();
    let (geom, student, img) = scan(11, &Distortion::turned(0.4, 1.0, (0.0, 0.0)));
    for (name, format) in [
        ("微信图片_20251102.webp", image::ImageFormat::WebP),
        ("SCAN0001.BMP", image::ImageFormat::Bmp),
    ] {
        let rgb = image::DynamicImage::ImageLuma8(img.clone()).into_rgb8();
        let mut bytes = Vec::new();
        rgb.write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    // The head of an iPhone photo: an ISO media `ftyp` box of brand heic.
    std::fs::write(
        dir.path().join("IMG_0001.HEIC"),
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0",
    )
    .unwrap();
    let listing = list_pages(dir.path());
    assert!(listing.skipped.is_empty(), "{:?}", listing.skipped);
    assert_eq!(
        names(&listing.pages),
        ["IMG_0001.HEIC", "SCAN0001.BMP", "微信图片_20251102.webp"]
    );
    let heic = listing.pages[0].as_ref().unwrap_err();
    assert!(heic.message.contains("iPhone photo in HEIC"), "{heic}");
    assert!(heic.message.contains("Most Compatible"), "{heic}");
    assert_pages_identify(&listing.pages[1..], &geom, &student.id);
}

#[test]
fn natural_order_compares_numbers_by_value() {
    use std::cmp::Ordering::*;
    let order = super::input::natural_order_for_tests;
    assert_eq!(order("扫描 (2).jpg", "扫描 (10).jpg"), Less);
    assert_eq!(order("page-010.png", "page-9.png"), Greater);
    assert_eq!(order("Scan_1.JPG", "scan_1.jpg"), Equal);
    assert_eq!(order("a.jpg", "a (1).jpg"), Less);
    assert_eq!(order("2025-01-03 3.pdf", "2025-01-03 12.pdf"), Less);
}

#[test]
fn what_windows_macos_and_office_leave_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, img) = scan(8, &Distortion::turned(0.0, 1.0, (0.0, 0.0)));
    std::fs::write(dir.path().join("扫描 (1).jpg"), synth::jpeg_bytes(&img, 80)).unwrap();
    std::fs::write(
        dir.path().join("Thumbs.db"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 thumbnails",
    )
    .unwrap();
    std::fs::write(dir.path().join("desktop.ini"), "[.ShellClassInfo]\r\n").unwrap();
    std::fs::write(dir.path().join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();
    std::fs::write(dir.path().join("~$答题卡说明.docx"), b"lock").unwrap();
    std::fs::write(
        dir.path().join("答题卡说明.docx"),
        b"PK\x03\x04 a Word file",
    )
    .unwrap();
    let listing = list_pages(dir.path());
    assert_eq!(names(&listing.pages), ["扫描 (1).jpg"]);
    assert!(listing.pages[0].is_ok());
    let notes = listing.skipped.join("\n");
    assert_eq!(listing.skipped.len(), 4, "{notes}");
    for (file, why) in [
        ("Thumbs.db", "thumbnail cache"),
        ("desktop.ini", "folder setting"),
        ("~$答题卡说明.docx", "lock file"),
        ("/答题卡说明.docx", "not a scan"),
    ] {
        assert!(
            listing
                .skipped
                .iter()
                .any(|n| n.contains(file) && n.contains(why)),
            "{file}: {notes}"
        );
    }
    // A folder of nothing but such files says so.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("Thumbs.db"), b"x").unwrap();
    let listing = list_pages(empty.path());
    assert_eq!(listing.pages.len(), 1);
    let why = listing.pages[0].as_ref().unwrap_err();
    assert!(why.message.contains("no scans"), "{why}");
}

/// Decodes every page of `path`, catching a panic so the test says which file caused it.
fn decode_all(path: &Path) -> Vec<Result<PageImage, PageProblem>> {
    std::panic::catch_unwind(|| load_pages(path))
        .unwrap_or_else(|_| panic!("reading {} panicked", path.display()))
}

#[test]
fn empty_and_cut_off_files_are_reported_by_name_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, img) = scan(9, &Distortion::turned(0.0, 1.0, (0.0, 0.0)));
    let jpeg = synth::jpeg_bytes(&img, 80);
    let png = png_bytes(&img);
    let tiff = tiff_bytes(&img);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.jpg", Vec::new()),
        ("head-only.JPG", jpeg[..200].to_vec()),
        ("half.png", png[..png.len() / 2].to_vec()),
        ("half.tif", tiff[..tiff.len() / 2].to_vec()),
        ("header.png", png[..40].to_vec()),
    ];
    for (name, bytes) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let pages = decode_all(&path);
        assert_eq!(pages.len(), 1, "{name}");
        let problem = pages[0].as_ref().expect_err(name);
        let shown = problem.to_string();
        assert!(shown.contains(name), "{shown}");
        assert!(
            shown.contains("scan the page again") || shown.contains("cannot be decoded"),
            "{shown}"
        );
    }
    // An empty file says it is empty.
    let empty = decode_all(&dir.path().join("empty.jpg"));
    assert!(
        empty[0]
            .as_ref()
            .unwrap_err()
            .message
            .contains("empty (0 bytes)")
    );
    // In a folder, every one of them is reported (none is skipped as "not a scan"), the good page read.
    std::fs::write(dir.path().join("good.jpg"), &jpeg).unwrap();
    let listing = list_pages(dir.path());
    assert!(listing.skipped.is_empty(), "{:?}", listing.skipped);
    let decoded: Vec<_> = listing
        .pages
        .into_iter()
        .map(|p| p.and_then(|p| p.decode()))
        .collect();
    assert_eq!(decoded.len(), cases.len() + 1);
    assert_eq!(decoded.iter().filter(|p| p.is_ok()).count(), 1);
}

/// The page in colour as a colour scanner sees it: cream paper, grey-blue pencil.
fn tinted(img: &GrayImage) -> image::RgbImage {
    let (paper, pencil) = ([250.0, 246.0, 232.0], [40.0f32, 44.0, 60.0]);
    image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let t = img.get_pixel(x, y).0[0] as f32 / 255.0;
        image::Rgb(std::array::from_fn(|c| {
            (pencil[c] + (paper[c] - pencil[c]) * t).round() as u8
        }))
    })
}

fn encoded(img: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

#[test]
fn colour_16_bit_alpha_and_600_dpi_pages_read_as_marked() {
    use image::DynamicImage;
    use image::ImageFormat::{Jpeg, Png, Tiff};
    use lopdf::dictionary;
    let (geom, student, img) = scan(12, &Distortion::turned(-1.0, 1.0, (0.0, 0.0)));
    let rgb = tinted(&img);
    let jpeg_q90 = |i: &image::RgbImage| {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(i)
            .unwrap();
        out
    };
    // 16-bit samples, as scanners set to "48-bit colour" or "16-bit gray" write PNGs.
    let gray16 =
        image::ImageBuffer::<image::Luma<u16>, _>::from_fn(img.width(), img.height(), |x, y| {
            image::Luma([img.get_pixel(x, y).0[0] as u16 * 257])
        });
    let rgb16 =
        image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(rgb.width(), rgb.height(), |x, y| {
            image::Rgb(rgb.get_pixel(x, y).0.map(|c| c as u16 * 257))
        });
    // Transparent paper: an RGBA page whose paper pixels are black with alpha 0 must print as white.
    let rgba = image::RgbaImage::from_fn(img.width(), img.height(), |x, y| {
        let g = img.get_pixel(x, y).0[0];
        if g > 200 {
            image::Rgba([0, 0, 0, 0])
        } else {
            let c = rgb.get_pixel(x, y).0;
            image::Rgba([c[0], c[1], c[2], 255])
        }
    });
    // 600 dpi: three times the 203 dpi page, in colour; read halved.
    let fine = image::imageops::resize(
        &rgb,
        rgb.width() * 3,
        rgb.height() * 3,
        image::imageops::FilterType::Triangle,
    );
    let fine_jpeg = jpeg_q90(&fine);
    drop(fine);
    let pdf_colour = super::synth_damage::pdf_of_streams([vec![(
        lopdf::Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => rgb.width() as i64, "Height" => rgb.height() as i64,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg_q90(&rgb),
        ),
        [0.0, 0.0, 595.0, 842.0],
    )]]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("colour.jpg", jpeg_q90(&rgb)),
        (
            "colour.png",
            encoded(&DynamicImage::ImageRgb8(rgb.clone()), Png),
        ),
        (
            "colour.tif",
            encoded(&DynamicImage::ImageRgb8(rgb.clone()), Tiff),
        ),
        (
            "gray16.png",
            encoded(&DynamicImage::ImageLuma16(gray16.clone()), Png),
        ),
        (
            "gray16.tif",
            encoded(&DynamicImage::ImageLuma16(gray16), Tiff),
        ),
        (
            "colour48.png",
            encoded(&DynamicImage::ImageRgb16(rgb16.clone()), Png),
        ),
        (
            "colour48.tif",
            encoded(&DynamicImage::ImageRgb16(rgb16), Tiff),
        ),
        (
            "alpha.png",
            encoded(&DynamicImage::ImageRgba8(rgba.clone()), Png),
        ),
        ("alpha.tif", encoded(&DynamicImage::ImageRgba8(rgba), Tiff)),
        ("colour-600dpi.jpg", fine_jpeg),
        ("colour-pages.pdf", pdf_colour),
        (
            "gray.jpg",
            encoded(&DynamicImage::ImageLuma8(img.clone()), Jpeg),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let pages = load_pages(&path);
        assert_eq!(pages.len(), 1, "{name}");
        let page = pages[0].as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.contains("600dpi") {
            // Halved to the reading's resolution: 1.5 × the 203 dpi page.
            assert_eq!(page.image.width(), img.width() * 3 / 2, "{name}");
        } else {
            assert_eq!(page.image.dimensions(), img.dimensions(), "{name}");
        }
        let reading = read_page(&page.image, &geom).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(reading.id_text(), student.id, "{name}");
        assert_eq!(reading.doubtful_count(), 0, "{name}");
        for a in &reading.answers {
            let meant = student.answer(a.question);
            assert_eq!(a.reading.letters, meant, "{name}: question {}", a.question);
        }
    }
}

/// Mean absolute difference of two gray pictures of the same size.
fn mean_difference(a: &GrayImage, b: &GrayImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (p.0[0] as i32 - q.0[0] as i32).unsigned_abs() as u64)
        .sum();
    sum as f64 / (a.width() * a.height()) as f64
}

#[test]
fn cmyk_and_progressive_jpegs_from_another_encoder_decode_as_their_picture() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan");
    let reference = image::open(fixtures.join("sheet-crop-colour.png"))
        .unwrap()
        .into_rgb8();
    let expected = GrayImage::from_fn(reference.width(), reference.height(), |x, y| {
        let [r, g, b] = reference.get_pixel(x, y).0;
        image::Luma([super::input::luma_for_tests(r, g, b)])
    });
    for name in [
        "sheet-crop-cmyk.jpg",
        "sheet-crop-progressive.jpg",
        "sheet-crop-colour.png",
    ] {
        let pages = load_pages(&fixtures.join(name));
        let page = pages[0].as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
        let diff = mean_difference(&page.image, &expected);
        assert!(diff < 4.0, "{name}: mean difference {diff:.2}");
        // The pencil marks stay dark and the paper light (a CMYK page read inverted would swap them).
        let dark = page.image.pixels().filter(|p| p.0[0] < 90).count();
        let light = page.image.pixels().filter(|p| p.0[0] > 200).count();
        assert!(
            light > dark * 5 && dark > 300,
            "{name}: {dark} dark, {light} light"
        );
    }
}

/// An uncompressed RGB TIFF stored in `tile`-square tiles, the edge tiles padded white as the format
/// stores them: what archiving and some scanners' software write.
fn tiled_tiff_bytes(img: &image::RgbImage, tile: u32) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let (across, down) = (w.div_ceil(tile), h.div_ceil(tile));
    let tiles = (across * down) as usize;
    let tile_len = (tile * tile * 3) as usize;
    // Header, one directory of 11 entries, then BitsPerSample, the tile offsets and sizes, the tiles.
    let bits_at = 8 + 2 + 11 * 12 + 4;
    let offsets_at = bits_at + 6 + 2;
    let counts_at = offsets_at + 4 * tiles as u32;
    let data_at = counts_at + 4 * tiles as u32;
    let mut out = b"II*\0".to_vec();
    out.extend(8u32.to_le_bytes());
    out.extend(11u16.to_le_bytes());
    let mut entry = |tag: u16, kind: u16, count: u32, value: u32| {
        out.extend(tag.to_le_bytes());
        out.extend(kind.to_le_bytes());
        out.extend(count.to_le_bytes());
        out.extend(value.to_le_bytes());
    };
    let (short, long) = (3, 4);
    entry(256, long, 1, w);
    entry(257, long, 1, h);
    entry(258, short, 3, bits_at);
    entry(259, short, 1, 1);
    entry(262, short, 1, 2);
    entry(277, short, 1, 3);
    entry(284, short, 1, 1);
    entry(322, long, 1, tile);
    entry(323, long, 1, tile);
    entry(324, long, tiles as u32, offsets_at);
    entry(325, long, tiles as u32, counts_at);
    out.extend(0u32.to_le_bytes());
    for _ in 0..3 {
        out.extend(8u16.to_le_bytes());
    }
    out.extend([0, 0]);
    for k in 0..tiles as u32 {
        out.extend((data_at + k * tile_len as u32).to_le_bytes());
    }
    for _ in 0..tiles {
        out.extend((tile_len as u32).to_le_bytes());
    }
    for ty in 0..down {
        for tx in 0..across {
            for y in ty * tile..(ty + 1) * tile {
                for x in tx * tile..(tx + 1) * tile {
                    let p = if x < w && y < h {
                        img.get_pixel(x, y).0
                    } else {
                        [255; 3]
                    };
                    out.extend(p);
                }
            }
        }
    }
    out
}

#[test]
fn a_tiled_colour_tiff_reads_as_the_same_page_in_strips() {
    let dir = tempfile::tempdir().unwrap();
    let (geom, student, img) = scan(71, &Distortion::turned(1.0, 1.0, (0.0, 0.0)));
    let colour = tinted(&img);
    // 64-pixel tiles leave part-filled tiles at the right and the foot.
    assert!(colour.width() % 64 != 0 && colour.height() % 64 != 0);
    let tiled = dir.path().join("tiled.tif");
    std::fs::write(&tiled, tiled_tiff_bytes(&colour, 64)).unwrap();
    let strips = dir.path().join("strips.tif");
    std::fs::write(
        &strips,
        encoded(
            &image::DynamicImage::ImageRgb8(colour),
            image::ImageFormat::Tiff,
        ),
    )
    .unwrap();
    let page = |path: &Path| {
        let mut pages = decode_all(path);
        assert_eq!(pages.len(), 1);
        pages.remove(0).unwrap_or_else(|e| panic!("{e}")).image
    };
    let from_tiles = page(&tiled);
    assert_eq!(from_tiles, page(&strips));
    let reading = read_page(&from_tiles, &geom).unwrap();
    assert_eq!(reading.id_text(), student.id);
    assert_eq!(reading.doubtful_count(), 0);
}

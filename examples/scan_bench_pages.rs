//! Turns clean rendered answer sheets into pages as a copier scans them, for `benches/scan.sh`: each PNG of
//! IN_DIR turned by up to ±1.5°, shifted, blurred, given sensor noise and written to OUT_DIR as a JPEG
//! (quality 75) of the same size. Deterministic: page n always gets the same turn and noise.
//!
//! With `--colour-600`, IN_DIR's copier JPEGs are instead made into what a colour scanner set to 600 dpi
//! writes: twice the size (bilinear), cream paper and grey-blue pencil, 24-bit RGB JPEG (quality 85).
//!
//!   cargo run --release --example scan_bench_pages -- IN_DIR OUT_DIR
//!   cargo run --release --example scan_bench_pages -- --colour-600 IN_DIR OUT_DIR

use std::path::Path;

use image::{GrayImage, Luma};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output, colour) = match args.as_slice() {
        [_, i, o] => (Path::new(i), Path::new(o), false),
        [_, flag, i, o] if flag == "--colour-600" => (Path::new(i), Path::new(o), true),
        _ => {
            eprintln!("usage: scan_bench_pages [--colour-600] IN_DIR OUT_DIR");
            std::process::exit(2);
        }
    };
    if colour {
        return colour_600(input, output);
    }
    std::fs::create_dir_all(output).expect("the output folder can be made");
    let mut files: Vec<_> = std::fs::read_dir(input)
        .expect("the input folder can be read")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    files.sort();
    for (n, file) in files.iter().enumerate() {
        let page = image::open(file).expect("a PNG page").into_luma8();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64 + 1);
        let mut unit = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f32 / (1u64 << 24) as f32
        };
        let degrees = (unit() - 0.5) * 3.0;
        let shift = ((unit() - 0.5) * 30.0, (unit() - 0.5) * 30.0);
        let noise: Vec<f32> = (0..4093).map(|_| (unit() - 0.5) * 24.0).collect();
        let scanned = copier(&page, degrees, shift, &noise);
        let name = file.file_stem().unwrap().to_string_lossy().to_string() + ".jpg";
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 75)
            .encode_image(&scanned)
            .expect("JPEG encodes");
        std::fs::write(output.join(name), bytes).expect("the page can be written");
    }
}

/// The page turned about its centre and shifted (bilinear), blurred by the optics, with sensor noise.
fn copier(src: &GrayImage, degrees: f32, shift: (f32, f32), noise: &[f32]) -> GrayImage {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let (c, s) = (degrees.to_radians().cos(), degrees.to_radians().sin());
    let (mx, my) = (w as f32 / 2.0, h as f32 / 2.0);
    let raw = src.as_raw();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            250.0
        } else {
            raw[y as usize * w + x as usize] as f32
        }
    };
    let mut out = vec![0u8; w * h];
    let mut k = 0usize;
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 + 0.5 - mx - shift.0, y as f32 + 0.5 - my - shift.1);
            let (u, v) = (mx + c * dx + s * dy - 0.5, my - s * dx + c * dy - 0.5);
            let (fx, fy) = (u.floor(), v.floor());
            let (tx, ty) = (u - fx, v - fy);
            let (ix, iy) = (fx as i64, fy as i64);
            let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
            let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
            out[y * w + x] = (top * (1.0 - ty) + bottom * ty) as u8;
        }
    }
    let mut blurred = out.clone();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let sum = 4 * out[i] as u32
                + out[i - 1] as u32
                + out[i + 1] as u32
                + out[i - w] as u32
                + out[i + w] as u32;
            k = (k + 2311) % noise.len();
            blurred[i] = (sum as f32 / 8.0 + noise[k]).clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_fn(w as u32, h as u32, |x, y| {
        Luma([blurred[y as usize * w + x as usize]])
    })
}

/// Every JPEG of `input` at twice the size in colour: paper cream (250, 246, 232), black towards a
/// grey-blue pencil (40, 44, 60), as a colour scan at 600 dpi.
fn colour_600(input: &Path, output: &Path) {
    std::fs::create_dir_all(output).expect("the output folder can be made");
    let mut files: Vec<_> = std::fs::read_dir(input)
        .expect("the input folder can be read")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    for file in &files {
        let page = image::open(file).expect("a JPEG page").into_luma8();
        let (w, h) = (page.width() * 2, page.height() * 2);
        let big = image::imageops::resize(&page, w, h, image::imageops::FilterType::Triangle);
        let paper = [250.0, 246.0, 232.0];
        let pencil = [40.0, 44.0, 60.0];
        let rgb = image::RgbImage::from_fn(w, h, |x, y| {
            let t = big.get_pixel(x, y).0[0] as f32 / 255.0;
            image::Rgb(std::array::from_fn(|c| {
                (pencil[c] + (paper[c] - pencil[c]) * t).round() as u8
            }))
        });
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)
            .encode_image(&rgb)
            .expect("JPEG encodes");
        std::fs::write(output.join(file.file_name().unwrap()), bytes)
            .expect("the page can be written");
    }
}

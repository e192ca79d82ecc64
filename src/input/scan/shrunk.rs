//! The shrunk copy of a page that registration, the white map and the streak finder work on: the image
//! box-averaged to about 900 pixels on its longer side, so their cost does not grow with the scanner's
//! resolution.

use image::GrayImage;

/// Longer side of the shrunk copy the marks are searched on.
const WORKING_SIDE: usize = 900;

/// A box-averaged copy of the image, `factor` times smaller on each side.
pub(crate) struct Small {
    pub w: usize,
    pub h: usize,
    pub factor: usize,
    pub px: Vec<u8>,
}

impl Small {
    pub(crate) fn of(img: &GrayImage) -> Small {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let factor = w.max(h).div_ceil(WORKING_SIDE);
        let factor = factor.max(1);
        let (sw, sh) = (w / factor, h / factor);
        let raw = img.as_raw();
        let mut px = vec![0u8; sw * sh];
        // Each block's rows are first added column by column (one straight pass the compiler vectorises),
        // then each block's columns: the same sums as adding block by block, in a fraction of the time.
        let mut columns = vec![0u32; sw * factor];
        let area = (factor * factor) as u32;
        for sy in 0..sh {
            columns.iter_mut().for_each(|s| *s = 0);
            for y in sy * factor..(sy + 1) * factor {
                let row = &raw[y * w..y * w + sw * factor];
                for (sum, &v) in columns.iter_mut().zip(row) {
                    *sum += v as u32;
                }
            }
            for (sx, block) in columns.chunks_exact(factor).enumerate() {
                px[sy * sw + sx] = (block.iter().sum::<u32>() / area) as u8;
            }
        }
        Small {
            w: sw,
            h: sh,
            factor,
            px,
        }
    }
}

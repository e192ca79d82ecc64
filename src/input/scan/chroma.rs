//! A colour JPEG that is a photo of a screen, in grey as the plain mean of its red, green and blue
//! channels rather than as luma: the three equal weights cancel the moiré that the screen's coloured
//! sub-pixel stripes leave, while pencil, neutral grey, darkens all three alike.
//!
//! A screen draws each pixel as three stripes side by side, red, green and blue, a third of a pixel
//! apart. The camera's pixels sample each stripe pattern at no whole ratio, so each channel beats into
//! a moiré of its own, the three a third of a period apart in phase (sampling keeps a pattern's phase):
//! strong magenta and green bands. Luma weights the channels 0.30, 0.59 and 0.11, so most of that beat
//! is left in the grey page; equal weights sum three sines a third of a period apart, which is flat
//! (the stripes' second harmonic too; a stripe a third of a pixel wide has no third). White-balanced
//! paper is equal in the three channels, and so is pencil: a grey mark darkens the screen's three
//! stripes by the same factor, so it keeps its contrast in the mean. What the mean leaves is the beat
//! of the dark rows between the screen's pixels, alike in all three channels, across the stripes'
//! direction ([`super::moire`] and [`super::screen`] still judge it). Tuning seeds 21–26 (third field
//! check, 18 screen photos): the mean read 24 p025, which the luma left unread, and 5 of the 6 marks
//! read silently wrong on the others went to a person or were read right (2 tick-outs flagged before
//! were read empty). Its cost: a page whose stripes' beat was all that masked every box's inside is no
//! longer read blind ([`super::moire::BLIND_SHARE`]), and the rows' beat then reads as a smudge in
//! nearly every box, so the whole page goes to a person (2 of the 18; 1 of 12 on seed 100, whose 33
//! light slashes the luma read silently empty).
//!
//! Only pages the spectrum test takes for a screen photo ([`super::spectrum::is_screen_photo`], on the
//! luma first decoded) are decoded again in colour: the other JPEGs keep the cheaper luma decode.

use image::GrayImage;

/// The mean of the three channels of an RGB `buf` (`w` × `h`, three bytes a pixel), written over the
/// front of the same buffer (pixel k's mean ends before pixel k's colour begins), rounded.
pub(super) fn mean_of_channels(mut buf: Vec<u8>, w: usize, h: usize) -> Option<GrayImage> {
    let pixels = w.checked_mul(h)?;
    if buf.len() < pixels.checked_mul(3)? {
        return None;
    }
    for k in 0..pixels {
        let s = buf[3 * k] as u16 + buf[3 * k + 1] as u16 + buf[3 * k + 2] as u16;
        buf[k] = ((s + 1) / 3) as u8;
    }
    buf.truncate(pixels);
    buf.shrink_to_fit();
    GrayImage::from_raw(w as u32, h as u32, buf)
}

/// A JPEG decoder giving RGB, set up as `image` sets its decoder up: the colour wanted known before the
/// headers are read, lenient with streams a camera or copier writes slightly off, any size.
pub(super) fn rgb_jpeg_decoder(
    bytes: &[u8],
) -> zune_jpeg::JpegDecoder<zune_core::bytestream::ZCursor<&[u8]>> {
    use zune_core::colorspace::ColorSpace;
    let options = zune_core::options::DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_strict_mode(false)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    zune_jpeg::JpegDecoder::new_with_options(zune_core::bytestream::ZCursor::new(bytes), options)
}

/// A YCbCr JPEG decoded to RGB and taken to grey by [`mean_of_channels`]; `None` where it does not
/// decode (the luma already read is then kept).
pub(super) fn jpeg_mean_grey(bytes: &[u8]) -> Option<GrayImage> {
    let mut decoder = rgb_jpeg_decoder(bytes);
    decoder.decode_headers().ok()?;
    let (w, h) = decoder.dimensions()?;
    let mut buf = vec![0u8; w.checked_mul(h)?.checked_mul(3)?];
    decoder.decode_into(&mut buf).ok()?;
    mean_of_channels(buf, w, h)
}

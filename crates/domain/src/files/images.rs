//! Images (SPEC §9): metadata (EXIF with GPS position and device serials, XMP, text chunks,
//! comments) stripped from JPEG, PNG and WebP without re-encoding the pixels — the orientation is
//! kept so photos stay upright; size read from the header; a JPEG thumbnail. Animated images are
//! kept as they are. Everything here is CPU work: callers run it in `spawn_blocking`.

use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use img_parts::ImageEXIF;
use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use img_parts::webp::{CHUNK_ANIM, CHUNK_XMP, WebP};

/// What an image is, after stripping.
pub struct Processed {
    /// The bytes to store: stripped, or the original when kept.
    pub bytes: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A JPEG of at most `thumbnail_px` on its longest side.
    pub thumbnail: Option<Vec<u8>>,
}

/// Whether the image moves (animated GIF, APNG, animated WebP): such images are kept whole.
pub fn animated(bytes: &[u8], content_type: &str) -> bool {
    match content_type {
        "image/gif" => {
            use image::AnimationDecoder;
            image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
                .map(|d| d.into_frames().take(2).count() > 1)
                .unwrap_or(false)
        }
        "image/png" => Png::from_bytes(Bytes::copy_from_slice(bytes))
            .map(|p| p.chunk_by_type(*b"acTL").is_some())
            .unwrap_or(false),
        "image/webp" => WebP::from_bytes(Bytes::copy_from_slice(bytes))
            .map(|w| w.has_chunk(CHUNK_ANIM))
            .unwrap_or(false),
        _ => false,
    }
}

/// JPEG markers kept when stripping: APP0 (JFIF), APP2 (ICC colour profile, multi-picture
/// index), APP14 (Adobe colour transform); every other APPn (EXIF, XMP, IPTC, vendor data) and
/// comments go.
fn keep_jpeg_marker(marker: u8) -> bool {
    const APP0: u8 = 0xE0;
    const APP2: u8 = 0xE2;
    const APP14: u8 = 0xEE;
    const COM: u8 = 0xFE;
    match marker {
        APP0 | APP2 | APP14 => true,
        0xE1..=0xEF | COM => false,
        _ => true,
    }
}

/// A TIFF structure holding only the orientation tag: what is left of EXIF after stripping.
fn orientation_only(orientation: u8) -> Bytes {
    let mut t = Vec::with_capacity(26);
    t.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF, first IFD at 8
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // one value
    t.extend_from_slice(&[0, orientation, 0, 0]); // the value, left-justified
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    Bytes::from(t)
}

fn orientation(bytes: &[u8]) -> Option<image::metadata::Orientation> {
    let mut decoder = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_decoder()
        .ok()?;
    decoder.orientation().ok()
}

/// The image without its metadata (the orientation excepted), or `None` when it cannot be read
/// as its type (then it is stored as it came, like any other file).
pub fn strip(bytes: &[u8], content_type: &str) -> Option<Vec<u8>> {
    let b = Bytes::copy_from_slice(bytes);
    let out = match content_type {
        "image/jpeg" => {
            let turn = orientation(bytes).map(|o| o.to_exif()).filter(|&o| o > 1);
            let mut jpeg = Jpeg::from_bytes(b).ok()?;
            jpeg.segments_mut().retain(|s| keep_jpeg_marker(s.marker()));
            if let Some(o) = turn {
                jpeg.set_exif(Some(orientation_only(o)));
            }
            jpeg.encoder().bytes()
        }
        "image/png" => {
            let mut png = Png::from_bytes(b).ok()?;
            png.chunks_mut()
                .retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" | b"tIME"));
            png.encoder().bytes()
        }
        "image/webp" => {
            let mut webp = WebP::from_bytes(b).ok()?;
            webp.remove_chunks_by_id(CHUNK_XMP);
            webp.set_exif(None);
            webp.encoder().bytes()
        }
        _ => return None,
    };
    Some(out.to_vec())
}

/// Size and thumbnail of an image; `None` fields when it cannot be decoded (or is larger than
/// `max_pixels`, which is not decoded at all).
pub fn describe(bytes: &[u8], thumbnail_px: u32, max_pixels: u64) -> Processed {
    let mut p = Processed {
        bytes: None,
        width: None,
        height: None,
        thumbnail: None,
    };
    let reader = || {
        let mut r = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .ok()?;
        let mut limits = Limits::default();
        limits.max_alloc = Some(max_pixels.saturating_mul(8));
        r.limits(limits);
        Some(r)
    };
    let Some((w, h)) = reader().and_then(|r| r.into_dimensions().ok()) else {
        return p;
    };
    p.width = Some(w);
    p.height = Some(h);
    if u64::from(w) * u64::from(h) > max_pixels {
        return p;
    }
    p.thumbnail = reader()
        .and_then(|r| r.into_decoder().ok())
        .and_then(|mut d| {
            let o = d.orientation().ok();
            let mut img = DynamicImage::from_decoder(d).ok()?;
            if let Some(o) = o {
                img.apply_orientation(o);
            }
            let small = img.thumbnail(thumbnail_px, thumbnail_px).to_rgb8();
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                .encode_image(&small)
                .ok()?;
            Some(out)
        });
    p
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn jpeg_with_exif(exif: &[u8]) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(40, 20, image::Rgb([200, 10, 10]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&img)
            .unwrap();
        let mut j = Jpeg::from_bytes(Bytes::from(out)).unwrap();
        j.set_exif(Some(Bytes::copy_from_slice(exif)));
        j.encoder().bytes().to_vec()
    }

    #[test]
    fn jpeg_metadata_goes_and_the_orientation_stays() {
        // An EXIF block: orientation 6 (turned), and a marker standing for GPS data.
        let mut exif = orientation_only(6).to_vec();
        exif.extend_from_slice(b"GPS-SECRET-POSITION");
        let original = jpeg_with_exif(&exif);
        assert!(original.windows(19).any(|w| w == b"GPS-SECRET-POSITION"));
        let stripped = strip(&original, "image/jpeg").unwrap();
        assert!(!stripped.windows(19).any(|w| w == b"GPS-SECRET-POSITION"));
        assert_eq!(orientation(&stripped).map(|o| o.to_exif()), Some(6));
        let d = describe(&stripped, 16, 1_000_000);
        assert_eq!((d.width, d.height), (Some(40), Some(20)));
        assert!(d.thumbnail.is_some());
    }
}

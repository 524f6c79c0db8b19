//! What a file is, from its content (magic bytes, the `infer` crate), never from the client's
//! claim; when a claimed type contradicts the content; and how a file may be served so that no
//! browser runs it.

/// Bytes of the head that the type is read from.
pub const HEAD: usize = 8192;

/// Raster images a browser may show inline (they run nothing).
const INLINE_IMAGES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The type of the content, when its magic bytes say.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|t| t.mime_type())
}

/// The lower-case `type/subtype` of a declared type, without parameters.
fn essence(declared: &str) -> String {
    declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Names browsers and apps use for the types `infer` names otherwise.
fn canonical(t: &str) -> &str {
    match t {
        "image/jpg" | "image/pjpeg" => "image/jpeg",
        "image/x-png" => "image/png",
        "audio/mp3" => "audio/mpeg",
        "application/x-pdf" => "application/pdf",
        other => other,
    }
}

/// Whether the declared type contradicts the content. Only claims the content can prove wrong
/// count: images, audio, video and PDF (a file sent as `image/jpeg` that holds HTML is
/// refused); a generic or unknown claim is not a contradiction.
pub fn contradicts(declared: Option<&str>, detected: Option<&str>) -> bool {
    let Some(declared) = declared.map(essence) else {
        return false;
    };
    let declared = canonical(&declared);
    let checked = declared.starts_with("image/")
        || declared.starts_with("audio/")
        || declared.starts_with("video/")
        || declared == "application/pdf";
    // SVG is text: magic bytes cannot tell it; it is never served as SVG anyway.
    if !checked || declared == "image/svg+xml" {
        return false;
    }
    match detected {
        None => infer::is_mime_supported(declared),
        Some(found) => {
            let top = |t: &str| t.split('/').next().unwrap_or("").to_owned();
            if declared.starts_with("image/") || declared == "application/pdf" {
                found != declared
            } else {
                // mp4/ogg/webm containers hold sound or pictures: the family is enough.
                let f = top(found);
                f != "audio" && f != "video"
            }
        }
    }
}

/// The type stored for a file: what the content says, `text/plain` for UTF-8 text the magic
/// bytes do not name, else `application/octet-stream`.
pub fn stored_type(detected: Option<&str>, head: &[u8]) -> String {
    if let Some(t) = detected {
        return t.to_owned();
    }
    if looks_like_text(head) {
        "text/plain".to_owned()
    } else {
        "application/octet-stream".to_owned()
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the head.
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// Whether the stored type is an image shown inline (never SVG).
pub fn inline(stored: &str) -> bool {
    INLINE_IMAGES.contains(&stored)
}

/// The `Content-Type` a file is served with: its own for types no browser runs, otherwise
/// `application/octet-stream` (HTML, SVG, XML, scripts and whatever else is not known here).
pub fn served_type(stored: &str) -> &str {
    let t = stored;
    let safe = (t.starts_with("image/") && !t.contains("svg"))
        || t.starts_with("audio/")
        || t.starts_with("video/")
        || t == "text/plain"
        || t == "application/pdf"
        || t == "application/zip"
        || t == "application/gzip"
        || t == "application/msword"
        || t.starts_with("application/vnd.openxmlformats-officedocument.")
        || t.starts_with("application/vnd.ms-");
    if !safe || t.contains("xml") || t.contains("html") || t.contains("script") {
        "application/octet-stream"
    } else {
        t
    }
}

/// Images whose metadata is stripped and which get a thumbnail.
pub fn is_image(stored: &str) -> bool {
    INLINE_IMAGES.contains(&stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const HTML: &[u8] = b"<!DOCTYPE html><html><script>alert(1)</script></html>";

    #[test]
    fn a_claim_the_content_contradicts_is_refused() {
        assert!(contradicts(Some("image/jpeg"), detect(HTML)));
        assert!(contradicts(Some("image/jpeg"), detect(PNG)));
        assert!(contradicts(Some("image/jpeg"), detect(b"hello")));
        assert!(!contradicts(Some("image/png"), detect(PNG)));
        assert!(!contradicts(Some("image/x-png; charset=x"), detect(PNG)));
        assert!(!contradicts(Some("application/octet-stream"), detect(PNG)));
        assert!(!contradicts(Some("text/plain"), detect(HTML)));
        assert!(!contradicts(None, detect(HTML)));
    }

    #[test]
    fn scriptable_types_are_served_as_bytes() {
        for t in [
            "text/html",
            "image/svg+xml",
            "text/xml",
            "application/xml",
            "application/javascript",
            "application/xhtml+xml",
            "application/x-shellscript",
            "text/plain-but-odd",
            "application/octet-stream",
        ] {
            assert_eq!(served_type(t), "application/octet-stream", "{t}");
        }
        assert_eq!(served_type("image/png"), "image/png");
        assert_eq!(served_type("application/pdf"), "application/pdf");
        assert!(inline("image/jpeg"));
        assert!(!inline("image/svg+xml"));
        assert!(!inline("application/pdf"));
    }

    #[test]
    fn the_stored_type_comes_from_the_content() {
        assert_eq!(stored_type(detect(PNG), PNG), "image/png");
        assert_eq!(
            stored_type(detect(b"plain words"), b"plain words"),
            "text/plain"
        );
        assert_eq!(
            stored_type(detect(b"\0\x01\x02"), b"\0\x01\x02"),
            "application/octet-stream"
        );
        assert_eq!(
            stored_type(detect("中文".as_bytes()), &"中文".as_bytes()[..4]),
            "text/plain"
        );
    }
}

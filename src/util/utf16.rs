//! Text saved as UTF-16 (Windows Notepad's “Unicode”, Excel's “Unicode text”): recognised by its byte-order
//! mark or by the NUL bytes every ASCII character brings, and decoded, so it is neither taken for GBK nor
//! read with raw NUL bytes in it.

/// The text of UTF-16 bytes, or None when the bytes are not UTF-16. Malformed UTF-16 decodes with
/// replacement characters, which the caller's own checks then report where they stand.
pub fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let (encoding, body) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (encoding_rs::UTF_16LE, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (encoding_rs::UTF_16BE, rest)
    } else {
        // Without a mark: UTF-8 and GBK text never holds a NUL byte; UTF-16 has one in the high byte of
        // every ASCII character (a line break at least), always at the same parity.
        let even = bytes.iter().step_by(2).any(|b| *b == 0);
        let odd = bytes.iter().skip(1).step_by(2).any(|b| *b == 0);
        match (even, odd) {
            (false, true) if bytes.len().is_multiple_of(2) => (encoding_rs::UTF_16LE, bytes),
            (true, false) if bytes.len().is_multiple_of(2) => (encoding_rs::UTF_16BE, bytes),
            _ => return None,
        }
    };
    let (text, _) = encoding.decode_without_bom_handling(body);
    Some(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in text.encode_utf16() {
            out.extend(u.to_le_bytes());
        }
        out
    }

    #[test]
    fn utf16_with_or_without_a_mark_is_decoded_and_other_text_is_not() {
        assert_eq!(
            decode_utf16(&le("学号,姓名\n1,张喆", true)).unwrap(),
            "学号,姓名\n1,张喆"
        );
        assert_eq!(
            decode_utf16(&le("id,name\n1,张喆", false)).unwrap(),
            "id,name\n1,张喆"
        );
        assert_eq!(decode_utf16("学号,姓名".as_bytes()), None);
        assert_eq!(decode_utf16(b"id,name"), None);
    }
}

//! A token's parts: `cc1.<payload>.<signature>` split, and base64url
//! decoded.

use super::{bad_token, PREFIX};
use crate::error::Result;

/// The three parts of a token, or the error naming what is wrong.
pub(super) fn split(token: &str) -> Result<(&str, &str)> {
    let mut parts = token.split('.');
    let (Some(tag), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad_token(
            "is not a customer context token (cc1.<payload>.<signature>)",
        ));
    };
    if tag != PREFIX {
        return Err(bad_token("is not a cc1 token (made by another version?)"));
    }
    Ok((payload, signature))
}

/// base64url without padding, as strict as the `base64` crate's
/// `URL_SAFE_NO_PAD` decoder: only the 64 symbols, no `=`, no length of
/// 4n + 1, no stray bits in the last symbol. By hand: the crate's decoder
/// was about 3 KB of the browser's `.wasm`, which only ever reads a
/// payload (tokens are made on the server, with the crate's encoder).
pub(crate) fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut pending, mut bits) = (0u32, 0u32);
    for symbol in text.bytes() {
        let value = match symbol {
            b'A'..=b'Z' => symbol - b'A',
            b'a'..=b'z' => symbol - b'a' + 26,
            b'0'..=b'9' => symbol - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        pending = pending << 6 | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((pending >> bits) as u8);
            pending &= (1 << bits) - 1;
        }
    }
    // 6 bits left over is a length of 4n + 1; fewer must all be zero.
    (bits < 6 && pending == 0).then_some(out)
}

//! AES-256-GCM by WebCrypto, for the API token pasted in the console. The
//! key, the format and every check are [`crate::console::vault`]'s.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::console::vault::{self, IV_BYTES};

#[wasm_bindgen(inline_js = "
export async function seal(key, plain) {
  const k = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, k, new TextEncoder().encode(plain));
  const out = new Uint8Array(12 + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), 12);
  return out;
}
export async function unseal(key, iv, sealed) {
  const k = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  try {
    return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, k, sealed));
  } catch {
    return undefined;
  }
}
")]
extern "C" {
    /// Resolves to the IV followed by the ciphertext and its tag.
    #[wasm_bindgen(catch)]
    fn seal(key: &[u8], plain: &str) -> Result<Promise, JsValue>;
    /// Resolves to the text, or `undefined` when the tag does not verify.
    #[wasm_bindgen(catch)]
    fn unseal(key: &[u8], iv: &[u8], sealed: &[u8]) -> Result<Promise, JsValue>;
}

/// `token` sealed under the key derived from `secret`, as stored text.
pub(super) async fn sealed(secret: &str, token: &str) -> Option<String> {
    let promise = seal(&vault::key(secret), token).ok()?;
    let bytes = Uint8Array::new(&JsFuture::from(promise).await.ok()?).to_vec();
    (bytes.len() > IV_BYTES).then(|| vault::format(&bytes[..IV_BYTES], &bytes[IV_BYTES..]))
}

/// The token in stored text; `None` when it is not in the format or does
/// not open under this secret (a rotated `CONSOLE_SECRET`).
pub(super) async fn opened(secret: &str, text: &str) -> Option<String> {
    let (iv, ciphertext) = vault::parse(text)?;
    let promise = unseal(&vault::key(secret), &iv, &ciphertext).ok()?;
    JsFuture::from(promise).await.ok()?.as_string()
}

//! AES-256-GCM by WebCrypto, for the API token pasted in the console. The
//! key, the format and every check are [`crate::console::vault`]'s.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::console::vault::{self, IV_BYTES};

#[wasm_bindgen(module = "/src/bindings/worker/helpers.js")]
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

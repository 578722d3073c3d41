// The Worker's small JS helpers, one module (see ../helpers.js for why).

// `io.rs`: a cached response's header and body text, in one promise.
export function cachedText(cache, url, header) {
  return cache.match(url).then((found) =>
    found ? found.text().then((body) => [found.headers.get(header), body]) : undefined);
}

// `console.rs`: 16 random bytes as 32 hex digits.
export function sessionId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// `vault.rs`: AES-256-GCM by WebCrypto; the IV (12 bytes) before the ciphertext.
export async function seal(key, plain) {
  const k = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k, new TextEncoder().encode(plain));
  const out = new Uint8Array(12 + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), 12);
  return out;
}

// `vault.rs`: the text, or undefined when the tag does not verify.
export async function unseal(key, iv, sealed) {
  const k = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
  try {
    return new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, k, sealed));
  } catch {
    return undefined;
  }
}

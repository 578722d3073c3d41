// The secret scanner shared by the workerd suite (test/setup.js) and the
// Node scan of pkg/ and the Worker bundle (test-node/bundle-scan.test.mjs).
// Plain JS (btoa, encodeURIComponent): it runs in both.

/**
 * The forms a leaked `secret` could take in text: as written, percent-
 * encoded, and base64 at each of the three byte alignments (only the
 * characters that depend on the secret alone, so a secret inside a longer
 * base64 string is found too).
 */
export function secretForms(secret) {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  for (let pad = 0; pad < 3; pad++) {
    const encoded = btoa("\0".repeat(pad) + secret).replace(/=+$/, "");
    const start = Math.ceil((pad * 4) / 3);
    const end = Math.floor(((pad + secret.length) * 8) / 6);
    const stable = encoded.slice(start, end);
    // Too short a fragment would match by chance.
    if (stable.length >= 8) forms.add(stable);
  }
  return [...forms];
}

/** Every `{ secret, form }` of `secrets` found in `text` (empty when clean). */
export function findSecrets(text, secrets) {
  const hits = [];
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      if (text.includes(form)) hits.push({ secret, form });
    }
  }
  return hits;
}

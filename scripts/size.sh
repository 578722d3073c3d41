#!/usr/bin/env bash
# Prints each given .wasm's size raw and gzipped at level 9, e.g.
#   pkg/edgetax_bg.wasm: 123456 bytes raw, 54321 bytes gzip -9
# (-n: no file name in the gzip header, as a server sends it; the same
# figure as `node bench/size.mjs`, which also gives brotli and the Worker.)
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 FILE..." >&2; exit 2; }
for f in "$@"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -n -c "$f" | wc -c)
  echo "$f: $raw bytes raw, $gz bytes gzip -9"
done

#!/usr/bin/env bash
# Prints each given .wasm's size raw and gzipped at level 9, e.g.
#   pkg/edgetax_bg.wasm: 123456 bytes raw, 54321 bytes gzip -9
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 FILE..." >&2; exit 2; }
for f in "$@"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  echo "$f: $raw bytes raw, $gz bytes gzip -9"
done

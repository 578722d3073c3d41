#!/usr/bin/env bash
# Runs each fuzz target for FUZZ_RUNS executions and prints, per target,
# the executions, exec/s, wall time, corpus size and crashes; exits 1 if
# any target crashed. Called by `make fuzz` after fuzz/seed.mjs; see
# fuzz/README.md.
#
#   scripts/fuzz.sh cart response order legacy_query
#
# Environment: FUZZ_RUNS (default 1000000), FUZZ_SANITIZER (default none),
# FUZZ_TIMEOUT (seconds per input, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${FUZZ_RUNS:-1000000}
sanitizer=${FUZZ_SANITIZER:-none}
timeout=${FUZZ_TIMEOUT:-5}
# -a: debug assertions and overflow checks, so an integer overflow panics
# here instead of wrapping silently as in the release build.
flags=(-a -s "$sanitizer")

# One build of every target (cargo fuzz build takes one target or all).
cargo +nightly fuzz build "${flags[@]}"
mkdir -p fuzz/logs
summary=()
failed=0
for target in "$@"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  log=fuzz/logs/$target.log
  command="cargo +nightly fuzz run ${flags[*]} $target $corpus fuzz/seeds/$target -- -runs=$runs -dict=fuzz/json.dict -timeout=$timeout -print_final_stats=1"
  echo "== $target: $command"
  start=$(date +%s.%N)
  status=0
  $command >"$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  if ((status != 0 && crashes == 0)); then crashes=1; fi
  if ((crashes > 0)); then
    failed=1
    grep -m1 -A3 -E 'panicked at|ERROR: libFuzzer' "$log" || true
    echo "   artifacts: $artifacts (full log: $log)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  summary+=("$(printf '%-13s %10s %8s %7ss %7s files %9s bytes %3s crashes' \
    "$target" "${execs:-?}" "${rate:-?}/s" "$wall" "$files" "$bytes" "$crashes")")
done
echo
echo "target         executions   exec/s     wall    corpus                  crashes"
printf '%s\n' "${summary[@]}"
exit "$failed"

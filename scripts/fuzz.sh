#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs
# each for SECONDS (default 60) on a copy of its seed corpus, then prints one
# summary line per target. Exits non-zero when any target crashed, leaked,
# timed out or failed to run.
#   scripts/fuzz.sh [--merge] [SECONDS]
#   --merge         afterwards merge new coverage-increasing inputs into
#                   tests/fuzz/corpus/<target>/ (otherwise it is not touched)
#   FUZZ_BUILD_DIR  build directory (default: ./build-fuzz)
#   FUZZ_JOBS       parallel build jobs (default: nproc)
#   FUZZ_TARGETS    space-separated subset of targets (default: all)
# Crash reproducers and logs are kept in $FUZZ_BUILD_DIR/fuzz-out/<target>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

merge=0
seconds=60
for arg in "$@"; do
  case $arg in
    --merge) merge=1 ;;
    '' | *[!0-9]*)
      echo "usage: $0 [--merge] [SECONDS]" >&2
      exit 2
      ;;
    *) seconds=$arg ;;
  esac
done

./scripts/deps.sh --fuzz

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
corpus_root=tests/fuzz/corpus
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in tests/fuzz/*_fuzzer.cc; do targets+=("$(basename "$f" .cc)"); done
fi

for tool in clang clang++ cmake ninja; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: $tool not found (clang with libFuzzer is required)" >&2
    exit 1
  fi
done

echo "==> configure $build_dir (clang, RelWithDebInfo, FRAUDGATE_FUZZ=ON)"
if [[ ! -f $build_dir/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRAUDGATE_FUZZ=ON >/dev/null
else
  cmake "$build_dir" -DFRAUDGATE_FUZZ=ON >/dev/null
fi
echo "==> build ${targets[*]}"
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}"

# final_stat NAME LOG: the value of libFuzzer's "stat::NAME: N" line in LOG.
final_stat() { sed -nE "s/^stat::$1: *([0-9]+).*/\1/p" "$2" | tail -n 1; }

out_root=$build_dir/fuzz-out
failed=0
summary=()
for t in "${targets[@]}"; do
  out=$out_root/$t
  rm -rf "$out"
  mkdir -p "$out/corpus" "$out/artifacts"
  cp -R "$corpus_root/$t/." "$out/corpus/"
  echo "==> $t: ${seconds}s"
  status=0
  # -timeout: an input taking longer than 10 s counts as a hang.
  "$build_dir/tests/fuzz/$t" "$out/corpus" -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/" >"$out/log" 2>&1 || status=$?
  # With -print_final_stats=1 libFuzzer ends with "stat::number_of_executed_units:
  # N" and "stat::average_exec_per_sec: R"; otherwise take the last status line,
  # e.g. "#123456 DONE cov: 812 ft: 2901 corp: 95/3Kb exec/s: 4115 rss: 93Mb".
  last=$(grep -E '^#[0-9]+' "$out/log" | tail -n 1 || true)
  execs=$(final_stat number_of_executed_units "$out/log")
  [[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  rate=$(final_stat average_exec_per_sec "$out/log")
  [[ -n $rate ]] || rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  crashes=$(find "$out/artifacts" -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
    wc -l)
  result=ok
  if ((status != 0 || crashes > 0)); then
    result="FAILED: exit $status, see $out/log and $out/artifacts/"
    failed=1
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|FUZZ_CHECK failed' \
      "$out/log" | head -n 5 >&2 || true
  fi
  summary+=("$(printf '%-22s %10s %8s %6s %7s  %s' "$t" "${execs:-?}" \
    "${rate:-?}" "${cov:-?}" "$crashes" "$result")")
  if ((merge && status == 0)); then
    "$build_dir/tests/fuzz/$t" -merge=1 -max_len=4096 "$corpus_root/$t" \
      "$out/corpus" >>"$out/log" 2>&1
  fi
done

echo "==> summary (${seconds}s per target)"
printf '%-22s %10s %8s %6s %7s  %s\n' target execs exec/s cov crashes result
printf '%s\n' "${summary[@]}"
exit "$failed"

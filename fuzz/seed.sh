#!/usr/bin/env bash
# Seeds both fuzz corpora with the parser fixtures, the golden inputs, the
# regression inputs and (when present) the shared corpus.
set -euo pipefail
cd "$(dirname "$0")"
for t in parse pipeline; do
  mkdir -p "corpus/$t"
  for f in ../tests/fixtures/parser/*.Dockerfile ../tests/fixtures/parser/divergent/*.Dockerfile \
           ../golden/*/input.Dockerfile ../tests/regressions/*/*; do
    [ -f "$f" ] || continue
    cp "$f" "corpus/$t/seed-$(echo "$f" | tr '/.' '__')"
  done
  if [ -d ../../shared/corpus ]; then
    for f in ../../shared/corpus/*/*.Dockerfile; do
      cp "$f" "corpus/$t/corpus-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  fi
done
ls corpus/parse | wc -l

#!/usr/bin/env bash
# Prints every citation of DESIGN, STYLE, wsk.md, tcp.md or peers.md that does not name an
# existing file of this repository (docs/tcp.md#anchor is fine; "tcp.md §2.2" is not), as
# file:line: token. Exits 1 if there is any, 0 otherwise.
#
# Usage: docs/.citation-check.sh [PATH...]   (default: README.md src scenarios)
# Example: docs/.citation-check.sh README.md src scenarios test bench
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "$#" -gt 0 ]; then
  paths=("$@")
else
  paths=(README.md src scenarios)
fi

# A document name, optionally with a path in front; never part of a longer word
# (TIGER_STYLE.md, DESIGNATED and docs/design.md do not match: the names are case-sensitive).
pattern='(?<![A-Za-z0-9_])(?:[A-Za-z0-9_.-]+/)*(?:(?:DESIGN|STYLE)(?:\.md)?|(?:wsk|tcp|peers)\.md)(?![A-Za-z0-9_])'

found=0
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  file="${hit%%:*}"
  rest="${hit#*:}"
  line="${rest%%:*}"
  token="${rest#*:}"
  # A token that names a file of the repository (e.g. docs/tcp.md, or ../docs/tcp.md written in a
  # file under docs/) is a link, not a citation.
  if [ -f "$root/$token" ] || [ -f "$root/$(dirname "$file")/$token" ]; then
    continue
  fi
  printf '%s:%s: %s\n' "$file" "$line" "$token"
  found=$((found + 1))
done < <(grep -rnoHP --binary-files=without-match "$pattern" -- "${paths[@]}" 2>/dev/null || true)

if [ "$found" -gt 0 ]; then
  echo "citation check: $found citation(s) of DESIGN / STYLE / wsk.md / tcp.md / peers.md left" >&2
  exit 1
fi
echo "citation check: none left in ${paths[*]}" >&2
exit 0

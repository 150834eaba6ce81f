#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write what would be mailed upstream into build/series: git format-patch of
# the series with a cover letter (subject and blurb from patches/cover-letter,
# shortlog and diffstat from git).  With --roundtrip, also git am that output
# onto a pristine base and check that it reproduces the series tree exactly.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/tree.sh")
out=$BUILD/series
rm -rf "$out"
git -C "$src" format-patch -q --cover-letter --base=base --thread=shallow \
	-o "$out" base..series
cover=$out/0000-cover-letter.patch
python3 - "$cover" "$TOP/patches/cover-letter" <<'PY'
import sys
cover, blurb = sys.argv[1], open(sys.argv[2]).read().split("\n", 2)
text = open(cover).read()
text = text.replace("*** SUBJECT HERE ***", blurb[0], 1)
text = text.replace("*** BLURB HERE ***\n", blurb[2], 1)
open(cover, "w").write(text)
PY
ls "$out"/*.patch

# The cover letter and the README describe every patch, by number and by
# subject; a patch added, dropped or reordered without them fails here.
python3 - "$TOP/patches/cover-letter" "$TOP/README.md" \
	"$(git -C "$src" log --reverse --format=%s base..series)" <<'PY'
import re, sys
subjects = sys.argv[3].splitlines()
cover, readme = open(sys.argv[1]).read(), open(sys.argv[2]).read()
told = set()
for m in re.finditer(r"^ - patch(?:es)? ([0-9, and]+)", cover, re.M):
    told.update(int(n) for n in re.findall(r"[0-9]+", m.group(1)))
bad = [f"cover letter: no '- patch {n}'" for n in range(1, len(subjects) + 1)
       if n not in told]
bad += [f"cover letter: patch {n} of {len(subjects)}" for n in told
        if n > len(subjects)]
section = readme.split("The series (`patches/series`)", 1)[-1]
section = section.split("\n## ", 1)[0]
listed = [" ".join(t.split())
          for t in re.findall(r"^[0-9]+\. `([^`]+)`", section, re.M)]
if listed != subjects:
    bad.append("README: the numbered list of the series is\n  "
               + "\n  ".join(listed) + "\nthe series is\n  "
               + "\n  ".join(subjects))
if bad:
    sys.exit("error: " + "\nerror: ".join(bad))
print(f"==> cover letter and README describe all {len(subjects)} patches",
      file=sys.stderr)
PY

if [ "${1:-}" = --roundtrip ]; then
	wt=$BUILD/roundtrip
	if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$wt"
		git -C "$src" worktree prune
		git -C "$src" worktree add -q --detach "$wt" base
	fi
	git -C "$wt" am -q --abort 2>/dev/null || true
	git -C "$wt" checkout -q -f --detach base
	git -C "$wt" clean -q -fdx
	ls "$out"/*.patch | grep -v 0000-cover-letter | xargs git -C "$wt" am -q ||
		die "git am of build/series onto the pristine base failed"
	want=$(git -C "$src" rev-parse 'series^{tree}')
	got=$(git -C "$wt" rev-parse 'HEAD^{tree}')
	[ "$want" = "$got" ] ||
		die "git am of the series gives tree $got, the series tree is $want"
	msg "round trip ok: git am of $(($(ls "$out" | wc -l) - 1)) patches onto base reproduces tree $want"
fi

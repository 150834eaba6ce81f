#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the patched kernel tree:
#   1. unpack the base (linux-source-6.12) once per version into a git tree
#      with a "base" tag;
#   2. rebuild the series as one commit per patch on branch "series": each
#      patch of patches/series applied with git apply (no fuzz), plus the new
#      files that patches/new-files assigns to it, taken whole from their
#      paths in this repository (patches only change files the base has);
#   3. check the result out.  Only files whose content changed are rewritten,
#      so incremental kernel builds stay incremental.  Commits made in the
#      kernel tree and not yet written back by "make refresh" are never
#      thrown away: the script stops instead.
# Prints the path of the tree on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
setup_build_dir

ver=$(installed_kernel_version)
src=$BUILD/linux-$ver
exec 9>"$CACHE/tree.lock"
flock 9

export GIT_AUTHOR_NAME="Isolation Groups Developers"
export GIT_AUTHOR_EMAIL="isolation-groups@example.org"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

if ! git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	msg "unpacking linux-source-6.12 ($ver) into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$SRC_TARBALL"
	git -C "$src.tmp" init -q -b series
	git -C "$src.tmp" config gc.auto 0
	git -C "$src.tmp" config core.autocrlf false
	git -C "$src.tmp" add -A -f
	GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE git -C "$src.tmp" commit -q \
		-m "Linux $ver (Debian linux-source-6.12 $(cat "$CACHE/deps-ok"))"
	git -C "$src.tmp" tag base
	mv "$src.tmp" "$src"
fi
echo "$src" > "$BUILD/ksrc-path"
git -C "$src" config user.name "$GIT_AUTHOR_NAME"
git -C "$src" config user.email "$GIT_AUTHOR_EMAIL"

series=$TOP/patches/series
newfiles=$TOP/patches/new-files
patches=$(awk '!/^[[:space:]]*#/ && NF {print $1}' "$series")

# Every new file in the repo must be assigned to exactly one patch.
listed=$(awk '!/^[[:space:]]*#/ && NF {print $2}' "$newfiles" | sort)
present=$(cd "$TOP" && git ls-files --cached --others --exclude-standard \
	  Documentation drivers include tools arch lib 2>/dev/null | sort)
unlisted=$(comm -13 <(echo "$listed") <(echo "$present") | grep . || true)
[ -z "$unlisted" ] || die "new files not assigned to a patch in patches/new-files: $unlisted"
dup=$(echo "$listed" | uniq -d)
[ -z "$dup" ] || die "files assigned twice in patches/new-files: $dup"

# Patches change files of the base only; new files stand whole at their
# paths and no patch touches them.
for p in $patches; do
	pf=$TOP/patches/$p
	[ -f "$pf" ] || die "patches/series names $p, which does not exist"
	for f in $(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$pf"); do
		case " $(echo $listed) " in *" $f "*)
			die "patch $p changes $f, a new file of the series: edit it at its path instead" ;;
		esac
		git -C "$src" cat-file -e "base:$f" 2>/dev/null ||
			die "patch $p changes $f, which the base does not have: put new files at their paths (patches/new-files)"
	done
done

export GIT_INDEX_FILE=$CACHE/series.index
parent=$(git -C "$src" rev-parse base)
for p in $patches; do
	pf=$TOP/patches/$p
	[ -f "$pf" ] || die "patches/series names $p, which does not exist"
	git -C "$src" read-tree "$parent"
	if grep -q '^diff --git ' "$pf"; then
		if ! out=$(git -C "$src" apply --cached -p1 "$pf" 2>&1); then
			printf '%s\n' "$out" >&2
			file=$(printf '%s\n' "$out" | sed -n 's/^error: \(patch failed: \)\{0,1\}\([^:]*\):.*/\2/p' | head -1)
			die "patch $p does not apply (file: ${file:-see above})"
		fi
	fi
	for f in $(awk -v p="$p" '!/^#/ && $1 == p {print $2}' "$newfiles"); do
		[ -f "$TOP/$f" ] || die "patches/new-files: $f (for $p) does not exist"
		mode=100644
		[ -x "$TOP/$f" ] && mode=100755
		blob=$(git -C "$src" hash-object -w "$TOP/$f")
		git -C "$src" update-index --add --cacheinfo "$mode,$blob,$f"
	done
	tree=$(git -C "$src" write-tree)
	info=$(mktemp -d)
	git mailinfo "$info/msg" "$info/patch" < "$pf" > "$info/hdr"
	subject=$(sed -n 's/^Subject: //p' "$info/hdr")
	[ -n "$subject" ] || die "patch $p has no Subject"
	# Author and date come from the patch, so the commits are reproducible.
	parent=$(printf '%s\n\n%s' "$subject" "$(cat "$info/msg")" |
		 GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$info/hdr") \
		 GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$info/hdr") \
		 GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$info/hdr") \
		 git -C "$src" commit-tree "$tree" -p "$parent")
	rm -rf "$info"
done
unset GIT_INDEX_FILE

head=$(git -C "$src" rev-parse series 2>/dev/null || true)
gen=$(git -C "$src" rev-parse -q --verify refs/isolation/generated || true)
if [ -n "$gen" ] && [ "$head" != "$gen" ] && [ "$head" != "$parent" ]; then
	die "branch series of $src has commits that make refresh has not written back; run make refresh (or drop them: git -C $src reset --hard refs/isolation/generated)"
fi
if [ "$(git -C "$src" rev-parse HEAD)" != "$parent" ] ||
   [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
	msg "checking out series ($(echo "$patches" | grep -c . || true) patches)"
	git -C "$src" checkout -q -B series "$parent"
	git -C "$src" reset -q --hard "$parent"
fi
git -C "$src" update-ref refs/isolation/generated "$parent"
echo "$src"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The repository shows the finished code: every file the series creates
# stands whole at its in-tree path, in the version of the patched tree.
# Checks, against the kernel git tree that scripts/tree.sh built:
#   - each file of patches/new-files is created by exactly one commit of
#     base..series (the one new-files names) and changed by none after it;
#   - the file at its path here equals the file in the patched tree;
#   - the commits change only files that the base already has (tree.sh
#     refuses a patch of patches/ that touches any other file before this
#     runs, a patch that creates one included).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(ksrc)
git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null || die "no kernel tree; run make tree"
fail=0
bad() { printf 'error: %s\n' "$*" >&2; fail=1; }

declare -A creator=()
n=0
for c in $(git -C "$src" rev-list --reverse base..series); do
	n=$((n + 1))
	subj=$(git -C "$src" log -1 --format=%s "$c")
	while read -r st f; do
		case "$st" in
		A)	if [ -n "${creator[$f]:-}" ]; then
				bad "$f is created twice (patches ${creator[$f]} and $n)"
			fi
			creator[$f]=$n ;;
		*)	if [ -n "${creator[$f]:-}" ]; then
				bad "patch $n ($subj) changes $f, which patch ${creator[$f]} creates"
			elif ! git -C "$src" cat-file -e "base:$f" 2>/dev/null; then
				bad "patch $n ($subj) changes $f, which is neither in the base nor created by the series"
			fi ;;
		esac
	done < <(git -C "$src" diff-tree -r --no-commit-id --name-status "$c^" "$c")
done

i=0
declare -A patchno=()
for p in $(awk '!/^[[:space:]]*#/ && NF {print $1}' "$TOP/patches/series"); do
	i=$((i + 1))
	patchno[$p]=$i
done
[ "$i" = "$n" ] || bad "patches/series has $i patches, the kernel tree's series $n commits"

files=0
while read -r p f; do
	files=$((files + 1))
	if [ "${creator[$f]:-}" != "${patchno[$p]:-x}" ]; then
		bad "$f: patches/new-files says $p creates it, the tree says patch ${creator[$f]:-none}"
	fi
	if ! git -C "$src" show "series:$f" 2>/dev/null | cmp -s - "$TOP/$f"; then
		bad "$f here differs from $f in the patched tree ($src); run make tree, or make refresh after committing there"
	fi
done < <(awk '!/^[[:space:]]*#/ && NF' "$TOP/patches/new-files")
[ "$files" = "${#creator[@]}" ] ||
	bad "the series creates ${#creator[@]} files, patches/new-files lists $files"

[ $fail = 0 ] || die "the repository does not show the finished files of the series"
msg "new files: $files, each created whole by one of $n patches and equal to the patched tree; patches change base files only"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate patches/ from the kernel git tree (branch "series" on top of tag
# "base"): one patch per commit, without the files that commit creates.
# Those new files are written whole to their in-tree paths in this
# repository, and patches/new-files records which patch creates them.  A new
# file is created by exactly one commit, in its final version: a later commit
# that changes it is refused (fold the change into the commit that creates
# the file).  Work in the kernel tree with ordinary git (commit, rebase -i,
# commit --fixup), then run "make refresh".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(ksrc)
git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null || die "no kernel tree; run make tree"
[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ] ||
	die "kernel tree $src has uncommitted changes"

# Each new file is created by one commit and changed by none after it; and
# new files edited here but not yet folded into the tree are not overwritten.
created=""
for c in $(git -C "$src" rev-list --reverse base..series); do
	for f in $(git -C "$src" diff-tree -r --no-commit-id --diff-filter=MDRT --name-only "$c^" "$c"); do
		case " $created " in *" $f "*)
			die "commit $(git -C "$src" log -1 --format='%h ("%s")' "$c") changes $f, which an earlier commit of the series creates; fold the change into that commit (git commit --fixup, git rebase -i --autosquash base)" ;;
		esac
	done
	for f in $(git -C "$src" diff-tree -r --no-commit-id --diff-filter=A --name-only "$c^" "$c"); do
		created="$created $f"
		[ -f "$TOP/$f" ] || continue
		if [ -n "$(git -C "$TOP" status --porcelain -- "$f")" ] &&
		   ! git -C "$src" show "$c:$f" | cmp -s - "$TOP/$f"; then
			die "$f has changes in this repository that the kernel tree lacks; run make tree (or commit them) first"
		fi
	done
done

old_new=$(awk '!/^[[:space:]]*#/ && NF {print $2}' "$TOP/patches/new-files" 2>/dev/null || true)
rm -f "$TOP"/patches/*.patch
{
	echo "# Applied in this order onto the base (see BASE) by scripts/tree.sh."
} > "$TOP/patches/series"
{
	echo "# <patch> <new file it introduces, at its in-tree path>"
	echo "# Written by scripts/refresh.sh: each file stands whole at its path and is"
	echo "# created by that patch; no patch changes it afterwards."
} > "$TOP/patches/new-files"

n=0
all_new=""
for c in $(git -C "$src" rev-list --reverse base..series); do
	n=$((n + 1))
	added=$(git -C "$src" diff-tree -r --no-commit-id --diff-filter=A --name-only "$c^" "$c")
	excl=()
	for f in $added; do
		excl+=(":(exclude)$f")
		mkdir -p "$TOP/$(dirname "$f")"
		git -C "$src" show "$c:$f" > "$TOP/$f"
		mode=$(git -C "$src" ls-tree "$c" -- "$f" | awk '{print $1}')
		if [ "$mode" = 100755 ]; then chmod +x "$TOP/$f"; else chmod -x "$TOP/$f"; fi
		all_new="$all_new $f"
	done
	subj=$(git -C "$src" log -1 --format=%f "$c" | cut -c1-52)
	name=$(printf '%04d-%s.patch' "$n" "$subj")
	git -C "$src" format-patch -1 --stdout --zero-commit --no-signature \
		-N "$c" -- . "${excl[@]}" > "$TOP/patches/$name"
	if [ ! -s "$TOP/patches/$name" ]; then
		# Everything in this commit is new files: keep the message only.
		git -C "$src" log -1 --format=email --zero-commit "$c" |
			sed '1s/^From [0-9a-f]*/From 0000000000000000000000000000000000000000/' \
			> "$TOP/patches/$name"
	fi
	echo "$name" >> "$TOP/patches/series"
	for f in $added; do
		echo "$name $f" >> "$TOP/patches/new-files"
	done
done

# New files no patch introduces any more are gone from the series.
for f in $old_new; do
	case " $all_new " in *" $f "*) ;; *) rm -f "$TOP/$f"; msg "removed $f" ;; esac
done
git -C "$src" update-ref refs/isolation/generated series
msg "refreshed $n patches into patches/"

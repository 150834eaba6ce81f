#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test, stage by stage, with the time each took.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
stage() { # <name> <command...>
	local name=$1 s
	shift
	s=$(date +%s)
	printf '\n==== %s\n' "$name"
	"$@" || die "stage $name failed (exit $?)"
	timings+=("$(printf '%-24s %4ss' "$name" $(( $(date +%s) - s )))")
}
timings=()
stage deps-test		"$TOP/scripts/test-deps.sh"
stage deps		"$TOP/scripts/deps.sh"
stage tree		"$TOP/scripts/tree.sh"
stage new-files		"$TOP/scripts/check-new-files.sh"
stage series-roundtrip	"$TOP/scripts/series.sh" --roundtrip
stage static		"$TOP/scripts/static.sh"
stage kunit		"$TOP/scripts/kunit.sh"
stage configs		"$TOP/scripts/configs.sh"
stage vm-kernel		"$TOP/scripts/vm.sh" kernel
stage vm-initramfs	"$TOP/scripts/vm.sh" initramfs
stage vm-kunit-smp	"$TOP/scripts/vm.sh" kunit
stage vm-tests		"$TOP/scripts/vm.sh" test
stage fuzz		"$TOP/scripts/fuzz-topologies.sh" --guest-built 3 1
stage peers		"$TOP/scripts/peers.sh" --guest-built

printf '\n==== stage times\n'
printf '%s\n' "${timings[@]}"
printf '%-24s %4ss\n' total $(( $(date +%s) - t0 ))
echo "make check: PASS"

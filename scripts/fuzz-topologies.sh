#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz-topologies: does the series group PCI devices the way 6.12
# does, on machines nobody picked by hand?  For each seed,
# scripts/random-topology.py makes a random q35 machine (root ports with
# and without ACS, switches, PCIe-to-PCI and PCI-PCI bridges, multifunction
# and plain endpoints) with hot-plug phases; the unpatched base's guest
# kernel and the series' boot it on the same QEMU command line, on VT-d
# (-device intel-iommu), in isomode=partition (vm/init.sh): at boot and
# after each phase the guest prints the partition of the PCI devices into
# IOMMU groups and, with the series, into isolation groups.  A seed passes
# when in every phase the base's IOMMU groups are the series' and the
# series' isolation groups are its IOMMU groups.
#
#   fuzz-topologies.sh [--guest-built] <seeds> [<first seed>]
#
# Prints one line per seed; a seed that differs or whose guest fails keeps
# its topology, both guests' logs (and what the host said while running
# them) and both partitions in build/fuzz/<seed>/; fails if any does.
# Reproduce a seed with "make fuzz-topologies N=1 SEED=<seed>"; the machine
# alone: scripts/random-topology.py <seed>.  --guest-built: make check has
# built the series' guest kernel and initramfs.  The base's guest kernel is
# the peers stage's (build/vm-base), built by "peers.sh --base-kernel" if
# it is missing or out of date.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
setup_build_dir

guest_built=0
if [ "${1:-}" = --guest-built ]; then
	guest_built=1
	shift
fi
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: fuzz-topologies.sh [--guest-built] <seeds> [<first seed>]"
seeds=$1 first=${2:-1}
case "$seeds$first" in *[!0-9]*) die "seeds and first seed are numbers: $seeds $first" ;; esac

if [ $guest_built = 0 ]; then
	"$TOP/scripts/vm.sh" kernel
	"$TOP/scripts/vm.sh" initramfs
fi
base_kernel=$("$TOP/scripts/peers.sh" --base-kernel)
series_kernel=$BUILD/vm/arch/x86/boot/bzImage
for k in "$base_kernel" "$series_kernel" "$BUILD/vm-initramfs.cpio"; do
	[ -f "$k" ] || die "no $k"
done

# compare <topology> <base log> <series log> <dir>: write both partitions
# to <dir>, print "same" or what differs; status 0 same, 1 different, 2 a
# guest's partitions are missing or incomplete.
compare() {
	python3 - "$@" <<'PY'
import re, sys
topo, blog, slog, out = sys.argv[1:5]
phases = sum(1 for l in open(topo) if re.match(r"\s*(hotplug|guest)\s", l))

def parse(log):
    """{phase: {"iommu": set, "isolation": set, "nogroup": set, "pci": n}}"""
    res, cur = {}, None
    try:
        lines = open(log, errors="replace").readlines()
    except FileNotFoundError:
        return res
    for line in lines:
        line = line.rstrip("\r\n")
        m = re.match(r"ISOLATION-PARTITION-(BEGIN|END) (\d+)$", line)
        if m:
            cur = {"iommu": set(), "isolation": set(), "nogroup": set(),
                   "pci": None, "providers": set()} if m.group(1) == "BEGIN" else None
            if cur is not None:
                res[int(m.group(2))] = cur
            continue
        if cur is None or not line:
            continue
        w = line.split()
        if w[0] == "pci":
            cur["pci"] = int(w[1])
        elif w[0] == "iommu":
            cur["iommu"].add(tuple(w[1:]))
        elif w[0] == "nogroup":
            cur["nogroup"].add(w[1])
        elif w[0] == "isolation":
            cur["providers"].add(w[1])
            cur["isolation"].add(tuple(w[2:]))
    return res

def show(groups):
    return " ".join("{%s}" % " ".join(d[5:] if d.startswith("0000:") else d for d in g)
                    for g in sorted(groups)) or "none"

b, s = parse(blog), parse(slog)
for name, p in (("base", b), ("series", s)):
    with open("%s/%s.partition" % (out, name), "w") as f:
        for n in sorted(p):
            f.write("phase %d: %d PCI devices\n" % (n, p[n]["pci"] or 0))
            for key in ("iommu", "isolation"):
                for g in sorted(p[n][key]):
                    f.write("  %s %s\n" % (key, " ".join(g)))
            for d in sorted(p[n]["nogroup"]):
                f.write("  nogroup %s\n" % d)
missing = [("%s phase %d" % (name, n)) for name, p in (("base", b), ("series", s))
           for n in range(phases + 1) if n not in p]
if missing:
    print("no partition from the guest: " + ", ".join(missing))
    sys.exit(2)
def members(groups):
    return {d for g in groups for d in g}

def split_slot(n, base_only, series_only):
    """Are the groups that differ the functions of slots that came in phase
    n, one group per slot with the series and split on the base?"""
    if n == 0 or members(base_only) != members(series_only):
        return False
    new = members(s[n]["iommu"]) - members(s[n - 1]["iommu"]) - s[n - 1]["nogroup"]
    return all(len({d.rsplit(".", 1)[0] for d in g}) == 1 and set(g) <= new
               for g in series_only)

diffs, known = [], []
prev = (set(), set())
prev_known = True
for n in range(phases + 1):
    bi, si, so = b[n]["iommu"], s[n]["iommu"], s[n]["isolation"]
    if bi != si:
        # The one difference the series means to make: a function other
        # than 0 that the base adds before it marks it multifunction
        # (patch "PCI: mark functions other than 0 multifunction before
        # adding them"), so that the functions of a hot-added slot are
        # apart on the base.  Anything else is a difference.
        nb, ns = (bi - si) - prev[0], (si - bi) - prev[1]
        if not nb and not ns and prev_known:
            known.append("phase %d: as in phase %d" % (n, n - 1))
        elif prev_known and split_slot(n, nb, ns):
            known.append("phase %d: hot-added slot(s) %s apart on the base, one group "
                         "with the series (the base's bug that patch 4 fixes)"
                         % (n, show(ns)))
        else:
            prev_known = False
            diffs.append("phase %d: IOMMU groups only on the base: %s; only with the series: %s"
                         % (n, show(bi - si), show(si - bi)))
    else:
        prev_known = True
    prev = (bi - si, si - bi)
    if b[n]["nogroup"] != s[n]["nogroup"]:
        diffs.append("phase %d: in no IOMMU group: base %s, series %s"
                     % (n, show([b[n]["nogroup"]]), show([s[n]["nogroup"]])))
    if so != si:
        diffs.append("phase %d: series: isolation groups that are no IOMMU group: %s; "
                     "IOMMU groups that are no isolation group: %s"
                     % (n, show(so - si), show(si - so)))
    if s[n]["providers"] - {"intel-iommu"}:
        diffs.append("phase %d: series: isolation groups of providers %s"
                     % (n, " ".join(sorted(s[n]["providers"]))))
    if b[n]["isolation"]:
        diffs.append("phase %d: the base has isolation groups" % n)
if diffs:
    print("DIFFERENT")
    for d in diffs + known:
        print("    " + d)
    sys.exit(1)
if known:
    print("same, but for the base's bug that patch 4 fixes")
    for d in known:
        print("    " + d)
else:
    print("same")
PY
}

msg "$seeds random machines from seed $first, each on the base ($base_kernel) and with the series ($series_kernel)"
echo "devices: PCI functions at boot + hot-plugged, besides q35's four"
fail=0
for seed in $(seq "$first" $((first + seeds - 1))); do
	dir=$BUILD/fuzz/$seed
	rm -rf "$dir"
	mkdir -p "$dir"
	python3 "$TOP/scripts/random-topology.py" "$seed" > "$dir/topology.topo"
	read -r boot hot < <(sed -n "s/^# \([0-9]*\) PCI functions at boot besides q35's own four, \([0-9]*\) hot-plugged;/\1 \2/p" "$dir/topology.topo")
	phases=$(grep -Ec '^(hotplug|guest) ' "$dir/topology.topo" || true)
	t0=$(date +%s)
	# Both guests at once: about 60 s instead of 90 on two cores.
	VM_KERNEL=$base_kernel "$TOP/scripts/vm.sh" partition fuzz-base \
		"$dir/topology.topo" "$dir/base.log" 2> "$dir/base.host" &
	bpid=$!
	VM_KERNEL=$series_kernel "$TOP/scripts/vm.sh" partition fuzz-series \
		"$dir/topology.topo" "$dir/series.log" 2> "$dir/series.host" &
	spid=$!
	failed=
	wait $bpid || failed="$failed base"
	wait $spid || failed="$failed series"
	rc=0
	result=$(compare "$dir/topology.topo" "$dir/base.log" "$dir/series.log" "$dir") || rc=$?
	plural=s
	[ "$phases" = 1 ] && plural=
	line="seed $seed: $boot+$hot devices, $phases hot-plug phase$plural, $(( $(date +%s) - t0 )) s:"
	if [ -n "$failed" ]; then
		echo "$line guest failed:$failed (build/fuzz/$seed/)"
		for k in $failed; do
			grep '^error:' "$dir/$k.host" | sed "s/^/    $k: /" || true
		done
		[ $rc = 2 ] || printf '%s\n' "$result" | sed 's/^/    partitions: /'
		fail=1
	elif [ $rc != 0 ]; then
		printf '%s %s\n' "$line" "$result" | sed "1s|\$| (build/fuzz/$seed/)|"
		fail=1
	else
		echo "$line $result"
		rm -rf "$dir"
	fi
done
[ $fail = 0 ] || die "random machines: the base and the series group differently, or a guest failed (build/fuzz/)"

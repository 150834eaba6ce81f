#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A random q35 machine from a seed, as a vm/topologies file.

    random-topology.py <seed> [<max functions>]

For scripts/fuzz-topologies.sh, which boots it on the unpatched base and
with the series and compares the IOMMU groups (and the isolation groups)
phase by phase; so the file has no "expect" lines.  The same seed gives
the same file.

What it picks from, under a bound on the PCI functions it adds (24 by
default, hot-plugged ones included, q35's own four not counted), so that
a TCG boot stays short:

  - on the root complex (pcie.0, slots 01-1d): root ports (pcie-root-port,
    which has ACS in QEMU 7.2; pcie-root-port,disable-acs=on and ioh3420,
    which have none), alone or as functions of one multifunction slot;
    root-complex integrated endpoints, single or multifunction; at most
    one i82801b11 DMI-to-PCI bridge (slot 1e) with a conventional bus;
  - below a root port or a switch's downstream port (slot 0 only): an
    endpoint, a multifunction endpoint (function 0 with multifunction=on
    and 1 to 3 of functions 1-7), a switch (x3130-upstream with 1 to 3
    xio3130-downstream ports, which have no ACS), a pcie-pci-bridge with
    its conventional bus, or nothing;
  - on a conventional bus (slots 01-1f): conventional endpoints, single or
    multifunction, and pci-bridge (a PCI-PCI bridge) with its own bus;
  - endpoints: e1000e, nvme (with a serial, on a null drive), virtio-net,
    virtio-rng and edu on PCIe buses, and e1000 on the root complex;
    e1000, edu, virtio-net and virtio-rng on conventional buses.

Hot-plug: 1 to 3 root ports are created empty, the first a pcie-root-port
(ACS), the others any of the three; each gets an endpoint or the
functions of a multifunction device in a phase of its own ("hotplug"
line; QEMU 7.2's q35 signals it through ACPI).  QEMU refuses a function
other than 0 once function 0 is there, so the other functions come first,
in a random order, and function 0 last, in one phase (commands separated
by ";").  Sometimes a hot-added single endpoint is removed again in a later
phase (device_del).  Each phase waits for the devices it adds or removes
("wait present|gone"): their addresses are predicted the way SeaBIOS
numbers buses, depth first in device and function order, which the guest
kernel keeps.
"""
import random
import sys

ROOT_SLOTS = list(range(0x01, 0x1e))    # 00:1e is the DMI bridge's, 00:1f ICH9's
PCIE_EP = ["e1000e", "nvme", "virtio-net-pci", "virtio-rng-pci", "edu"]
RC_EP = PCIE_EP + ["e1000"]
CONV_EP = ["e1000", "edu", "virtio-net-pci", "virtio-rng-pci"]
ROOT_PORTS = ["pcie-root-port", "pcie-root-port,disable-acs=on", "ioh3420"]
MAX_NVME = 2    # each one's probe costs a few seconds under TCG


class Bus:
    """A PCI bus: kind "root" (pcie.0), "port" (below a root or downstream
    port: device 0 only), "switch" (inside a switch: downstream ports) or
    "pci" (conventional)."""

    def __init__(self, kind, qid, depth):
        self.kind, self.id, self.depth = kind, qid, depth
        self.devs = []          # (devfn, Dev)
        self.num = 0 if kind == "root" else None
        self.hot = ""           # ": hot-plug phase <n>" for an empty port that gets one


class Dev:
    def __init__(self, model, what, child=None):
        self.model, self.what, self.child = model, what, child


class Gen:
    def __init__(self, seed, max_funcs):
        self.r = random.Random(seed)
        self.seed = seed
        self.budget = max_funcs
        self.qemu = []          # "qemu" lines, parents before children
        self.backends = []
        self.counts = {}
        self.nvme = 0
        self.chassis = 0
        self.funcs = 0
        self.root = Bus("root", "pcie.0", 0)
        self.root_slots = self.r.sample(ROOT_SLOTS, len(ROOT_SLOTS))

    def newid(self, prefix):
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return "%s%d" % (prefix, self.counts[prefix])

    def next_chassis(self):
        self.chassis += 1
        return self.chassis

    def add(self, bus, slot, fn, model, args, what, child=None):
        """Create one function at <slot>.<fn> of <bus>."""
        dev = Dev(model, what, child)
        bus.devs.append(((slot << 3) | fn, dev))
        self.qemu.append("-device %s,bus=%s,addr=0x%x.%x%s" %
                         (model, bus.id, slot, fn, args))
        self.funcs += 1
        self.budget -= 1
        return dev

    def endpoint_args(self, model, prefix=""):
        """The arguments and back-ends of an endpoint model."""
        if model in ("e1000e", "e1000", "virtio-net-pci"):
            n = self.newid(prefix + "n")
            return ",netdev=" + n, ["-netdev user,id=" + n]
        if model == "nvme":
            d = self.newid(prefix + "d")
            return (",serial=fz%d%s,drive=%s" % (self.seed, d, d),
                    ["-drive if=none,id=%s,file=null-co://,format=raw" % d])
        return "", []

    def pick_model(self, models):
        m = self.r.choice(models)
        if m == "nvme":
            if self.nvme >= MAX_NVME:
                m = "e1000e"
            else:
                self.nvme += 1
        return m

    def functions(self):
        """Function numbers of a multifunction device: 0 and 1-3 others."""
        return [0] + sorted(self.r.sample(range(1, 8), self.r.randint(1, 3)))

    def endpoint(self, bus, slot, models, multi):
        fns = self.functions() if multi else [0]
        fns = fns[:max(1, self.budget)]
        same = self.r.random() < 0.5
        model = self.pick_model(models)
        for fn in fns:
            if not same and fn:
                model = self.pick_model(models)
            args, back = self.endpoint_args(model)
            if fn == 0 and len(fns) > 1:
                args = ",multifunction=on" + args
            self.backends += back
            self.add(bus, slot, fn, model, args,
                     "%s%s" % (model, " (multifunction)" if len(fns) > 1 else ""))

    def root_port(self, bus, slot, fn, model, extra=""):
        qid = self.newid("rp")
        c = self.next_chassis()
        child = Bus("port", qid, bus.depth + 1)
        acs = "ACS" if model == "pcie-root-port" else "no ACS"
        name, _, opt = model.partition(",")
        self.add(bus, slot, fn, name,
                 ",id=%s,chassis=%d,slot=%d%s%s" % (qid, c, c, "," + opt if opt else "", extra),
                 "%s (%s)" % (model, acs), child)
        return child

    def below_port(self, bus):
        """What sits below a root port or a downstream port."""
        if self.budget <= 0:
            return
        kinds = ["endpoint"] * 7 + ["multi"] * 5 + ["empty"] * 2
        if bus.depth < 3 and self.budget >= 3:
            kinds += ["switch"] * 3
        if bus.depth < 4 and self.budget >= 2:
            kinds += ["bridge"] * 3
        k = self.r.choice(kinds)
        if k == "endpoint":
            self.endpoint(bus, 0, PCIE_EP, False)
        elif k == "multi":
            self.endpoint(bus, 0, PCIE_EP, True)
        elif k == "switch":
            up = self.newid("up")
            inner = Bus("switch", up, bus.depth + 1)
            self.add(bus, 0, 0, "x3130-upstream", ",id=" + up,
                     "x3130-upstream (switch)", inner)
            # In slots 0, 1, ...: QEMU 7.2 describes the devices of a PCIe
            # bus in ACPI only up to its first empty slot, and an upstream
            # port's notify method names all its downstream ports: one
            # left out makes the guest's ACPI hot-plug handler fail for
            # every slot of the machine.
            n = self.r.randint(1, min(3, max(1, self.budget)))
            for slot in range(n):
                if self.budget <= 0:
                    break
                dp = self.newid("dp")
                c = self.next_chassis()
                child = Bus("port", dp, inner.depth + 1)
                self.add(inner, slot, 0, "xio3130-downstream",
                         ",id=%s,chassis=%d,slot=%d" % (dp, c, c),
                         "xio3130-downstream (no ACS)", child)
            for _, d in list(inner.devs):
                self.below_port(d.child)
        elif k == "bridge":
            ppb = self.newid("ppb")
            child = Bus("pci", ppb, bus.depth + 1)
            self.add(bus, 0, 0, "pcie-pci-bridge", ",id=" + ppb,
                     "pcie-pci-bridge", child)
            self.conventional(child)

    def conventional(self, bus):
        """A conventional bus: endpoints and PCI-PCI bridges."""
        slots = self.r.sample(range(1, 0x20), self.r.randint(1, 3))
        for slot in slots:
            if self.budget <= 0:
                return
            kinds = ["endpoint"] * 5 + ["multi"] * 3
            if bus.depth < 5 and self.budget >= 2:
                kinds += ["pci-bridge"] * 2
            k = self.r.choice(kinds)
            if k == "pci-bridge":
                pb = self.newid("pb")
                child = Bus("pci", pb, bus.depth + 1)
                self.add(bus, slot, 0, "pci-bridge",
                         ",id=%s,chassis_nr=%d" % (pb, self.next_chassis()),
                         "pci-bridge", child)
                self.conventional(child)
            else:
                self.endpoint(bus, slot, CONV_EP, k == "multi")

    def generate(self):
        r = self.r
        # The hot-plug plan first: what goes into which empty port.
        plan = []
        for i in range(r.choice([1, 1, 2, 2, 3])):
            plan.append([0] if r.random() < 0.5 else self.functions())
        self.budget -= sum(len(fns) for fns in plan)
        hot_ports = []
        for i in range(len(plan)):
            model = "pcie-root-port" if i == 0 else r.choice(ROOT_PORTS)
            slot = self.root_slots.pop()
            hot_ports.append(self.root_port(self.root, slot, 0, model))
        dmi = False
        while self.budget > 0 and len(self.root_slots) > 0:
            kinds = ["port"] * 8 + ["rciep"] * 2 + ["rciep-multi"] * 2
            if self.budget >= 3:
                kinds += ["port-multi"] * 2
            if not dmi and self.budget >= 2:
                kinds += ["dmi"]
            k = r.choice(kinds)
            if k == "port":
                slot = self.root_slots.pop()
                self.below_port(self.root_port(self.root, slot, 0, r.choice(ROOT_PORTS)))
            elif k == "port-multi":
                slot = self.root_slots.pop()
                # Room for something below most of the ports.
                fns = self.functions()[:max(2, self.budget // 2)]
                ports = []
                for fn in fns:
                    extra = ",multifunction=on" if fn == 0 and len(fns) > 1 else ""
                    ports.append(self.root_port(self.root, slot, fn,
                                                r.choice(ROOT_PORTS), extra))
                for p in ports:
                    self.below_port(p)
            elif k in ("rciep", "rciep-multi"):
                self.endpoint(self.root, self.root_slots.pop(), RC_EP, k == "rciep-multi")
            else:
                dmi = True
                child = Bus("pci", "dmi", 1)
                self.add(self.root, 0x1e, 0, "i82801b11-bridge", ",id=dmi",
                         "i82801b11-bridge (DMI-to-PCI)", child)
                self.conventional(child)
        self.number()
        return plan, hot_ports

    def number(self):
        """Bus numbers as SeaBIOS gives them: depth first, in devfn order."""
        last = [0]

        def walk(bus):
            for devfn, dev in sorted(bus.devs, key=lambda x: x[0]):
                if dev.child is not None:
                    last[0] += 1
                    dev.child.num = last[0]
                    walk(dev.child)
        walk(self.root)

    def tree(self, bus, indent, out):
        for devfn, dev in sorted(bus.devs, key=lambda x: x[0]):
            out.append("#%s%02x:%02x.%x %s" % (" " * indent, bus.num, devfn >> 3,
                                             devfn & 7, dev.what))
            if dev.child is not None:
                if not dev.child.devs:
                    out.append("#%s(bus %02x empty%s)" % (" " * (indent + 2), dev.child.num,
                                                        dev.child.hot))
                self.tree(dev.child, indent + 2, out)


def main():
    seed = int(sys.argv[1])
    max_funcs = int(sys.argv[2]) if len(sys.argv) > 2 else 24
    g = Gen(seed, max_funcs)
    plan, hot_ports = g.generate()
    r = g.r
    boot_funcs = g.funcs
    phases = []         # (monitor commands, wait lines, comment)
    added = []          # (qemu id, bdf) of hot-added single endpoints
    for fns, port in zip(plan, hot_ports):
        port.hot = ": phase %d hot-plugs into it" % (len(phases) + 1)
        others = [f for f in fns if f]
        r.shuffle(others)
        cmds, waits, what = [], [], []
        same = r.random() < 0.5
        model = g.pick_model(PCIE_EP)
        for fn in others + [0]:
            if not same and fn:
                model = g.pick_model(PCIE_EP)
            args, back = g.endpoint_args(model, "h")
            g.backends += back
            qid = g.newid("hp")
            mf = ",multifunction=on" if fn == 0 and len(fns) > 1 else ""
            cmds.append("device_add %s,id=%s,bus=%s,addr=0x0.%x%s%s" %
                        (model, qid, port.id, fn, mf, args))
            bdf = "0000:%02x:00.%x" % (port.num, fn)
            waits.append("present " + bdf)
            what.append("%s at %s" % (model, bdf[5:]))
        phases.append((cmds, waits, "hot-plug into %s (bus %02x): %s" %
                       (port.id, port.num, ", ".join(what))))
        if len(fns) == 1:
            added.append((qid, bdf))
    for qid, bdf in added:
        if r.random() < 0.3:
            phases.append((["device_del " + qid], ["gone " + bdf],
                           "hot-unplug of %s (%s)" % (qid, bdf[5:])))
    hot = sum(len(c) for c, _, _ in phases if c[0].startswith("device_add"))
    out = ["# A random q35 machine, seed %d (scripts/random-topology.py %d):" % (seed, seed),
           "# %d PCI functions at boot besides q35's own four, %d hot-plugged;"
           % (boot_funcs, hot),
           "# %d hot-plug phases.  Buses as the firmware numbers them:" % len(phases)]
    g.tree(g.root, 2, out)
    out += ["qemu " + q for q in g.qemu]
    out += ["qemu " + b for b in g.backends]
    for i, (cmds, waits, comment) in enumerate(phases, 1):
        out.append("")
        out.append("# Phase %d: %s" % (i, comment))
        out.append("hotplug " + "; ".join(cmds))
        out += ["wait " + w for w in waits]
    print("\n".join(out))


if __name__ == "__main__":
    main()

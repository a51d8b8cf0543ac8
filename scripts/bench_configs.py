#!/usr/bin/python3
"""Benchmark workloads for scripts/bench: one place that says which MACs, VLANs,
VNIs and flows each workload uses, so the generated pcaps (bench_pcaps.py,
which imports this module) and the poolnetd configs written here agree.

Standard library only. Subcommands (used by scripts/bench):
  version                      print PCAP_VERSION (the pcap cache key)
  pcap W                       print the name of the pcap W reads (w2 for W3)
  config W PCAP OUT            write the poolnetd config JSON of workload W; for
                               W3 and W3-10k also check and print (as a "# " line)
                               the share of the flows their security group accepts
  sg-check [--full] [W...]     evaluate the security groups of W3, W3-10k: the
                               accepted share, checked against the reference (each
                               flow through the rules in order) on sampled flows
                               (--full: on every flow, 20 s for W3-10k)
  tsc-hz                       print the TSC frequency in Hz, measured with rdtsc
                               against CLOCK_MONOTONIC (fallback: the kernel's value)
  sample PREFIX OUT [--ethdev] [--pid PID [--same-thread-as T0]]
                               write one sample: {"t": monotonic s, "workers":
                               /poolnet/workers reply, "ethdev": {port: stats},
                               "cpu": on-CPU ticks of PID's busiest thread (or of
                               the thread sampled in T0)}
                               (--ethdev: only the port stats, e.g. of testpmd)
  ceiling NAME TSC_HZ T0 T1    print the ceiling line from two testpmd samples
  delta W TSC_HZ T0 T1         print the result lines of workload W from two samples
  median FILE...               print the result lines (one run per file) of the run
                               with the median cycles_per_packet, preferring runs
                               whose forwarding thread kept its core (cpu >= 99%)
"""

import bisect
import json
import os
import re
import socket
import sys
import time

# Bump whenever anything below changes what goes into the pcaps.
PCAP_VERSION = 1

N_FLOWS = 10_000
SHUFFLE_SEED = 2  # packet order is shuffled so tables see no round-robin pattern

# W1: one tenant, two untagged access ports.
W1_SRC_MACS = 100
W1_DST_MACS = 100

# W2 / W4: 64 tenants, tenant t on VLAN 100+t <-> VNI 5000+t.
N_TENANTS = 64
MACS_PER_TENANT = 16  # source MACs and destination MACs, each (limit: 256 static MACs)

LOCAL_VTEP = "192.168.60.1"
REMOTE_VTEP = "192.168.60.2"
LOCAL_VTEP_MAC = "02:00:00:00:60:01"
REMOTE_VTEP_MAC = "02:00:00:00:60:02"
VXLAN_PORT = 4789

WORKLOADS = ("W1", "W2", "W3", "W3-10k", "W4")
PCAP_WORKLOADS = ("W1", "W2", "W4")  # the others read the frames of one of these
FRAMES = {"W3": "W2", "W3-10k": "W2"}  # workload -> the workload whose pcap it reads

# W3 / W3-10k: W2 (same frames, same pcap) with one security group on every
# tenant's attachment, filtering the VMs' traffic (egress: W2's frames come from
# the VMs). All 64 tenants' groups hold the same generated rule list, as a
# cloud's standard group would. A group belongs to its tenant in poolnet.yang, so
# the config carries 64 copies of the list. poolnetd gives attachments whose rule
# lists are identical one ACL policy, but only within a tenant (a policy's rules
# carry that tenant's hit counters, control/sg_compile.h): its classifier holds
# 64 x SG_RULES rules, 64,000 for W3 and 640,000 for W3-10k.
# Flows that no rule matches meet egress-default drop: no catch-all rule, so the
# group holds exactly SG_RULES rules (sg_check() says how many flows the default
# decides).
# The rules are drawn with a fixed seed and ordered specific-first; the share of
# the flows they accept is computed here by first-match evaluation and must fall
# in SG_ACCEPTED (the rest of the packets are dropped by poolnetd).
# Sessions: every accepted flow opens one (UDP), about 80 per tenant, far below
# the default connection-tracking session-limit of 65,536 per tenant.
SG_RULES = {"W3": 1_000, "W3-10k": 10_000}
SG_SEED = 6
SG_ACCEPT_PROBABILITY = 0.5  # of a rule's action being accept (else drop)
SG_ACCEPTED = (0.40, 0.60)   # allowed share of the flows the rules accept


def vlan(t):
    return 100 + t


def vni(t):
    return 5000 + t


def mac(kind, a, b):
    """Locally administered unicast MAC 02:<kind>:00:00:<a>:<b>."""
    return "02:%02x:00:00:%02x:%02x" % (kind, a, b)


# Source MACs are learned by poolnetd; destination MACs are pinned as static MACs.
def w1_src(i):
    return mac(0xA1, i // 256, i % 256)


def w1_dst(i):
    return mac(0xB1, i // 256, i % 256)


def w2_src(t, i):
    return mac(0xA2, t, i)


def w2_dst(t, i):
    return mac(0xB2, t, i)


def w4_src(t, i):  # inner source: a VM behind the remote VTEP
    return mac(0xA4, t, i)


def w4_dst(t, i):  # inner destination: a VM on the local access port
    return mac(0xB4, t, i)


def flows(workload):
    """The N_FLOWS flows of a workload, in pcap order: dicts with tenant (or None),
    src/dst MAC, src/dst IPv4, UDP sport/dport. Every 5-tuple is distinct
    (sport is unique per flow); IPv4 addresses overlap across tenants on purpose."""
    import random

    workload = FRAMES.get(workload, workload)
    out = []
    for i in range(N_FLOWS):
        f = {
            "src_ip": "10.0.%d.%d" % (i // 250, i % 250 + 1),
            "dst_ip": "10.1.%d.%d" % ((i // 7) % 200, i % 97 + 1),
            "sport": 1024 + i,
            "dport": 5001 + i % 16,
        }
        if workload == "W1":
            f["tenant"] = None
            f["src_mac"] = w1_src(i % W1_SRC_MACS)
            f["dst_mac"] = w1_dst((i // W1_SRC_MACS) % W1_DST_MACS)
        else:
            t = i % N_TENANTS
            k = i // N_TENANTS
            f["tenant"] = t
            src, dst = (w2_src, w2_dst) if workload == "W2" else (w4_src, w4_dst)
            f["src_mac"] = src(t, k % MACS_PER_TENANT)
            f["dst_mac"] = dst(t, (k // MACS_PER_TENANT) % MACS_PER_TENANT)
        out.append(f)
    random.Random(SHUFFLE_SEED).shuffle(out)
    return out


def underlay(uplink_port):
    return {
        "local-vtep": LOCAL_VTEP,
        "prefix-length": 24,
        "uplink-port": uplink_port,
        "source-mac": LOCAL_VTEP_MAC,
        "neighbour": [{"ip": REMOTE_VTEP, "mac": REMOTE_VTEP_MAC}],
    }


# net_null generates packets on rx unless told not to; the bench wants it as a pure sink
# (the ceiling run uses the same devargs).
NULL_DEVARGS = "net_null0,no-rx=1"


def pcap_devargs(pcap):
    return "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap


# --- W3 security groups ----------------------------------------------------------------------
# Networks outside the flows' address space that a standard group also names (shared
# services, other VPCs, the carrier-grade NAT range): rules on them match no flow here.
SG_FOREIGN = ("10.250.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
# Server ports a standard group opens or closes besides the flows' own (5001-5016).
SG_SERVICE_PORTS = (22, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 9090)
SG_WIDE_PORT_RANGES = ((1024, 65535), (5000, 5099), (4000, 5999), (8000, 8999), (30000, 32767),
                       (5001, 5016))
SG_EPHEMERAL = (32768, 60999)  # Linux's default source ports: no flow here uses them


def _ip4(text):
    return int.from_bytes(socket.inet_aton(text), "big")


def _ip4_text(n):
    return socket.inet_ntoa(n.to_bytes(4, "big"))


def _prefix(addr, length):
    return addr & ~((1 << (32 - length)) - 1) & 0xFFFFFFFF, length


def _sg_rule(rng, anchor):
    """One random rule around a flow (anchor): prefixes that contain its addresses
    (or a foreign network, for one rule in 6), port ranges of various widths.
    Returns a dict: action, proto (name or None), src and dst ((net, len) or
    None), sport and dport ((lo, hi) or None), icmp_type (or None)."""
    def address(mine):
        if rng.random() < 1 / 6:
            net, length = rng.choice(SG_FOREIGN).split("/")
            return _ip4(net) + rng.randrange(1 << (32 - int(length)))
        return _ip4(mine)

    def port_block(port, first, width):  # the width-aligned block from first holding port
        lo = first + (port - first) // width * width
        return lo, min(lo + width - 1, 65535)

    r = {"action": "accept" if rng.random() < SG_ACCEPT_PROBABILITY else "drop",
         "proto": rng.choices(("udp", "tcp", None, "icmp"), (55, 30, 10, 5))[0],
         "src": None, "dst": None, "sport": None, "dport": None, "icmp_type": None}
    # Every rule names a network: a source prefix, a destination prefix or both;
    # one alone is a subnet or a host, so that no exception covers a large share
    # of the flows (the general rules below do).
    has = rng.choices(("both", "src", "dst"), (60, 15, 25))[0]
    if has != "dst":
        lengths = (20, 22, 23, 24, 26, 27, 28, 29, 30, 32)
        weights = (1, 2, 2, 6, 2, 2, 3, 2, 1, 4)
        cut = 0 if has == "both" else 3  # alone: /24 or longer
        r["src"] = _prefix(address(anchor["src_ip"]),
                           rng.choices(lengths[cut:], weights[cut:])[0])
    if has != "src":
        lengths = (18, 20, 22, 24, 25, 26, 27, 28, 29, 32)
        weights = (1, 2, 3, 6, 2, 2, 2, 2, 2, 4)
        cut = 0 if has == "both" else 2  # alone: /22 or longer
        r["dst"] = _prefix(address(anchor["dst_ip"]),
                           rng.choices(lengths[cut:], weights[cut:])[0])
    if r["proto"] == "icmp":
        r["icmp_type"] = rng.choice((0, 3, 8, 11))
    elif r["proto"] is not None:
        kind = rng.choices(("any", "flow", "block", "service", "wide"), (2, 3, 2, 2, 1))[0]
        if kind == "flow":
            r["dport"] = (anchor["dport"], anchor["dport"])
        elif kind == "block":
            r["dport"] = port_block(anchor["dport"], 5001, rng.choice((2, 4, 8, 16)))
        elif kind == "service":
            p = rng.choice(SG_SERVICE_PORTS)
            r["dport"] = (p, p)
        elif kind == "wide":
            r["dport"] = rng.choice(SG_WIDE_PORT_RANGES)
        kind = rng.choices(("any", "flow", "ephemeral"), (16, 3, 1))[0]
        if kind == "flow":
            r["sport"] = port_block(anchor["sport"], 1024, rng.choice((1, 16, 100, 256, 1000, 4096)))
        elif kind == "ephemeral":
            r["sport"] = SG_EPHEMERAL
    return r


def _specificity(r):
    """Bits a rule fixes: prefix lengths, 16 - log2(width) for a port range, 8 for
    the protocol."""
    bits = (r["src"] or (0, 0))[1] + (r["dst"] or (0, 0))[1]
    for ports in (r["sport"], r["dport"]):
        if ports:
            bits += 16 - (ports[1] - ports[0] + 1).bit_length() + 1
    return bits + (8 if r["proto"] else 0)


# The general part of the group, after the exceptions: the application's ports
# (half of the flows' 5001-5016) open from the sources' /16 to the destinations'
# /16. Flows that no exception decides are then accepted or left to egress-default
# drop by their destination port alone, about half each, whatever the exceptions.
SG_GENERAL = (
    {"action": "accept", "proto": "udp", "src": (_ip4("10.0.0.0"), 16),
     "dst": (_ip4("10.1.0.0"), 16), "sport": None, "dport": (5001, 5008), "icmp_type": None},
)

_SG_CACHE = {}


def sg_rules(workload):
    """The rule list of workload W3 or W3-10k's security group, in sequence order:
    SG_RULES[workload] rules drawn with SG_SEED around random flows of the pcap,
    the most specific first (as an operator writes exceptions above the general
    rules). The same list for every tenant."""
    if workload not in _SG_CACHE:
        import random
        rng = random.Random("%s/%d" % (workload, SG_SEED))
        fl = flows(workload)
        n = SG_RULES[workload] - len(SG_GENERAL)
        rules = [_sg_rule(rng, rng.choice(fl)) for _ in range(n)]
        # sorted() is stable: rules of equal specificity keep their random order
        _SG_CACHE[workload] = sorted(rules, key=_specificity, reverse=True) + list(SG_GENERAL)
    return _SG_CACHE[workload]


def sg_rule_json(seq, r):
    """A rule as poolnet.yang's tenant/security-group/rule (RFC 7951 JSON)."""
    out = {"sequence": seq, "direction": "egress", "action": r["action"]}
    if r["proto"]:
        out["protocol"] = r["proto"]
    for key, name in (("src", "source-prefix"), ("dst", "destination-prefix")):
        if r[key]:
            out[name] = "%s/%d" % (_ip4_text(r[key][0]), r[key][1])
    for key, name in (("sport", "source-port"), ("dport", "destination-port")):
        if r[key]:
            lo, hi = r[key]
            out[name] = {"lower": lo} if lo == hi else {"lower": lo, "upper": hi}
    if r["icmp_type"] is not None:
        out["icmp"] = {"type": r["icmp_type"]}
    return out


def sg_verdict(rules, f):
    """The reference: the action of the first rule that matches flow f (a UDP flow),
    scanning the rules in order; None when none does (then egress-default)."""
    src, dst = _ip4(f["src_ip"]), _ip4(f["dst_ip"])
    for r in rules:
        if r["proto"] not in (None, "udp"):
            continue
        if r["src"] and _prefix(src, r["src"][1])[0] != r["src"][0]:
            continue
        if r["dst"] and _prefix(dst, r["dst"][1])[0] != r["dst"][0]:
            continue
        if r["sport"] and not r["sport"][0] <= f["sport"] <= r["sport"][1]:
            continue
        if r["dport"] and not r["dport"][0] <= f["dport"] <= r["dport"][1]:
            continue
        return r["action"]
    return None


class _FieldIndex:
    """The flows matching a prefix or a range of one field, as a bitset (bit i:
    flow i), built from a binary trie over the field's values and memoized, so
    that a rule costs a few big-integer operations instead of a pass over the
    flows."""

    def __init__(self, values, bits):
        self.bits = bits
        self.leaf = {}
        for i, v in enumerate(values):
            self.leaf[v] = self.leaf.get(v, 0) | (1 << i)
        self.sorted = sorted(self.leaf)
        self.memo = {}

    def prefix(self, net, length):
        key = (net, length)
        if key not in self.memo:
            hi = net + (1 << (self.bits - length)) - 1
            lo_i = bisect.bisect_left(self.sorted, net)
            if lo_i == len(self.sorted) or self.sorted[lo_i] > hi:
                m = 0
            elif length == self.bits:
                m = self.leaf[net]
            else:
                half = 1 << (self.bits - length - 1)
                m = self.prefix(net, length + 1) | self.prefix(net + half, length + 1)
            self.memo[key] = m
        return self.memo[key]

    def range(self, lo, hi):
        """Split [lo, hi] into aligned blocks, as rte_acl does with port ranges."""
        m = 0
        while lo <= hi:
            size = lo & -lo if lo else 1 << self.bits
            while size > hi - lo + 1:
                size >>= 1
            m |= self.prefix(lo, self.bits - size.bit_length() + 1)
            lo += size
        return m


def sg_evaluate(workload):
    """First-match evaluation of the group over the workload's flows, all flows at
    once: rule by rule in sequence order, the still-undecided flows that a rule
    matches take its action. Returns counts of flows: accepted, dropped (by a
    rule), unmatched (left to egress-default drop), deciding (rules that decide at
    least one flow), largest (the most flows one rule decides); and the bitsets
    accepted_bits and unmatched_bits (bit i: flow i of flows())."""
    rules, fl = sg_rules(workload), flows(workload)
    n = len(fl)
    src = _FieldIndex([_ip4(f["src_ip"]) for f in fl], 32)
    dst = _FieldIndex([_ip4(f["dst_ip"]) for f in fl], 32)
    sport = _FieldIndex([f["sport"] for f in fl], 16)
    dport = _FieldIndex([f["dport"] for f in fl], 16)
    undecided, accepted, deciding, largest = (1 << n) - 1, 0, 0, 0
    for r in rules:
        if r["proto"] not in (None, "udp"):  # every flow is UDP
            continue
        m = undecided
        if m and r["src"]:
            m &= src.prefix(*r["src"])
        if m and r["dst"]:
            m &= dst.prefix(*r["dst"])
        if m and r["sport"]:
            m &= sport.range(*r["sport"])
        if m and r["dport"]:
            m &= dport.range(*r["dport"])
        if m:
            k = bin(m).count("1")
            deciding, largest = deciding + 1, max(largest, k)
            if r["action"] == "accept":
                accepted |= m
            undecided &= ~m
    a, u = bin(accepted).count("1"), bin(undecided).count("1")
    return {"flows": n, "accepted": a, "dropped": n - a - u, "unmatched": u,
            "deciding": deciding, "largest": largest,
            "accepted_bits": accepted, "unmatched_bits": undecided}


SG_CHECK_SAMPLES = 40  # flows checked against the reference scan (0.3 s for 10,000 rules)


def sg_check(workload, full=False):
    """sg_evaluate() checked: the verdicts of SG_CHECK_SAMPLES flows (drawn with a
    fixed seed; all of them with full: 2 s for W3, 20 s for W3-10k) equal the
    reference scan's (sg_verdict()), and the accepted share falls in SG_ACCEPTED.
    Returns a one-line summary; raises SystemExit if not."""
    import random
    ev = sg_evaluate(workload)
    rules, fl = sg_rules(workload), flows(workload)
    every = range(len(fl))
    for i in every if full else random.Random(SG_SEED).sample(every, SG_CHECK_SAMPLES):
        got = ("accept" if ev["accepted_bits"] >> i & 1 else
               None if ev["unmatched_bits"] >> i & 1 else "drop")
        want = sg_verdict(rules, fl[i])
        if got != want:
            raise SystemExit("bench: %s: flow %d (%s): rule-by-rule evaluation says %s, "
                             "the reference scan %s" % (workload, i, fl[i], got, want))
    share = ev["accepted"] / ev["flows"]
    actions = sum(r["action"] == "accept" for r in rules)
    n = "{:,}".format
    line = ("%s: security group of %s egress rules (%s accept, %s drop) on each of the %d "
            "tenants' attachments, egress-default drop: %s of %s flows accepted (%.1f%%); "
            "dropped %s by a rule, %s by the default; %s rules decide a flow, the broadest "
            "%s flows" % (workload, n(len(rules)), n(actions), n(len(rules) - actions),
                          N_TENANTS, n(ev["accepted"]), n(ev["flows"]), 100 * share,
                          n(ev["dropped"]), n(ev["unmatched"]), n(ev["deciding"]),
                          n(ev["largest"])))
    if not SG_ACCEPTED[0] <= share <= SG_ACCEPTED[1]:
        raise SystemExit("bench: %s: accepted share %.1f%% outside %.0f-%.0f%%: change "
                         "SG_SEED or the rule mix (%s)" % (workload, 100 * share,
                                                            100 * SG_ACCEPTED[0],
                                                            100 * SG_ACCEPTED[1], line))
    return line


def config(workload, pcap):
    """The poolnetd config (RFC 7951 JSON as a dict) of a workload whose input is pcap."""
    in_port = {"name": "in", "devargs": pcap_devargs(pcap)}
    out_port = {"name": "out", "devargs": NULL_DEVARGS}
    if workload == "W1":
        in_port["role"] = out_port["role"] = "access"
        tenant = {
            "name": "t0",
            "id": 1,
            "attachment": [{"name": "a-in", "port": "in"}, {"name": "a-out", "port": "out"}],
            "static-mac": [{"mac": w1_dst(i), "attachment": "a-out"} for i in range(W1_DST_MACS)],
        }
        return {
            "poolnet:ports": {"port": [in_port, out_port]},
            "poolnet:tenants": {"tenant": [tenant]},
        }

    if workload in SG_RULES:  # W2 with the security group on every attachment
        cfg = config("W2", pcap)
        # sequence 10, 20, ...: room to insert a rule, as operators number them
        rules = [sg_rule_json(10 * (k + 1), r) for k, r in enumerate(sg_rules(workload))]
        for tenant in cfg["poolnet:tenants"]["tenant"]:
            tenant["security-group"] = [{"name": "standard", "rule": rules}]
            for att in tenant["attachment"]:
                att["security"] = {"group": ["standard"], "egress-default": "drop"}
        return cfg
    if workload == "W2":  # tagged in on the access port, VXLAN out of the uplink
        in_port["role"], out_port["role"] = "access", "uplink"
        access, uplink = "in", "out"
    elif workload == "W4":  # VXLAN in on the uplink, tagged out of the access port
        in_port["role"], out_port["role"] = "uplink", "access"
        access, uplink = "out", "in"
    else:
        raise ValueError("unknown workload %r" % workload)

    tenants = []
    for t in range(N_TENANTS):
        if workload == "W2":
            statics = [{"mac": w2_dst(t, i), "remote-vtep": REMOTE_VTEP} for i in range(MACS_PER_TENANT)]
        else:
            statics = [{"mac": w4_dst(t, i), "attachment": "a0"} for i in range(MACS_PER_TENANT)]
        tenants.append({
            "name": "t%d" % t,
            "id": t + 1,
            "vni": vni(t),
            "attachment": [{"name": "a0", "port": access, "vlan": vlan(t)}],
            "remote-vtep": [REMOTE_VTEP],
            "static-mac": statics,
        })
    return {
        "poolnet:ports": {"port": [in_port, out_port]},
        "poolnet:underlay": underlay(uplink),
        "poolnet:tenants": {"tenant": tenants},
    }


def telemetry(prefix, cmd, runtime_dir=None):
    """One request on the DPDK telemetry v2 socket; returns the value of the reply."""
    base = runtime_dir or ("/var/run/dpdk" if os.geteuid() == 0 else
                           os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk"))
    path = os.path.join(base, prefix, "dpdk_telemetry.v2")
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(5)
        s.connect(path)
        greeting = json.loads(s.recv(65536).decode())
        bufsz = int(greeting.get("max_output_len", 16384))
        s.send(cmd.encode())
        reply = json.loads(s.recv(max(bufsz, 65536)).decode())
    # The reply is {"<command>": value}, the command echoed without its parameters.
    return reply.get(cmd.split(",")[0], reply)


def pn_telemetry(prefix, cmd):
    """Same as telemetry(), through scripts/pn-telemetry when it exists."""
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pn-telemetry")
    if not os.access(tool, os.X_OK):
        return telemetry(prefix, cmd)
    import subprocess
    r = subprocess.run([tool, "--prefix", prefix, cmd], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        raise SystemExit("bench: pn-telemetry --prefix %s %s: exit %d: %s" %
                         (prefix, cmd, r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def _busiest_thread(pid, tid=None):
    """(tid, on-CPU clock ticks, involuntary context switches) of thread tid of pid, or
    of its busiest DPDK lcore thread ("rte-worker-N" in DPDK 22.11; the main thread,
    busy at start-up, is chosen only when there is no other): the forwarding core."""
    best = None
    for t in ([str(tid)] if tid else os.listdir("/proc/%d/task" % pid)):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                lcore = "worker" in f.read()
            with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            with open("/proc/%d/task/%s/status" % (pid, t)) as f:
                nvcsw = int(re.search(r"nonvoluntary_ctxt_switches:\s*(\d+)", f.read()).group(1))
        except (OSError, AttributeError, IndexError, ValueError):
            continue
        if best is None or (lcore, ticks) > (best[3], best[1]):
            best = (int(t), ticks, nvcsw, lcore)
    return best


def _steal_ticks():
    """Ticks the hypervisor gave to others, per CPU (/proc/stat)."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                v = line.split()
                out[v[0]] = int(v[8]) if len(v) > 8 else 0
    return out


def _cpu_account(smp, pid, tid=None):
    thread = _busiest_thread(pid, tid)
    if thread:
        smp["cpu"] = {"pid": pid, "tid": thread[0], "ticks": thread[1], "nvcsw": thread[2],
                      "clk_tck": os.sysconf("SC_CLK_TCK"), "steal": _steal_ticks()}


def sample(prefix, workers=True, pid=None, tid=None):
    """Counters of a running DPDK process: poolnetd's /poolnet/workers (when workers)
    and every port's /ethdev/stats. t is taken right after the first reply (the
    counters are read when the process answers, at the end of the call). With pid,
    the on-CPU time of its busiest thread (or of thread tid) too: on this shared VM
    a forwarding core that lost the CPU to another process shows it there."""
    smp = {}
    if workers:
        smp["workers"] = pn_telemetry(prefix, "/poolnet/workers")
        smp["t"] = time.monotonic()
        try:  # for the flooded / dropped shares: are the packets going where they should?
            smp["ports"] = telemetry(prefix, "/poolnet/ports")
            smp["tenants"] = telemetry(prefix, "/poolnet/tenants")
        except (OSError, ValueError):
            pass
    ethdev = {}
    try:
        for port in telemetry(prefix, "/ethdev/list") or []:
            ethdev[str(port)] = telemetry(prefix, "/ethdev/stats,%d" % port)
            smp.setdefault("t", time.monotonic())
    except (OSError, ValueError):
        if not workers:
            raise
        # for poolnetd the forwarded-ratio check is a bonus
    smp["ethdev"] = ethdev
    if pid:
        _cpu_account(smp, pid, tid)
    return smp


def cpu_note(hz, s0, s1, pkts):
    """ "cpu=99.8% oncpu_cycles_per_packet=.. preempted=N steal=.." from two samples, or ""."""
    c0, c1 = s0.get("cpu"), s1.get("cpu")
    if not c0 or not c1 or c0["tid"] != c1["tid"] or pkts <= 0:
        return ""
    dt = s1["t"] - s0["t"]
    oncpu = (c1["ticks"] - c0["ticks"]) / float(c1["clk_tck"])
    steal = max((c1["steal"].get(k, 0) - v for k, v in c0["steal"].items()), default=0)
    return " cpu=%.1f%% oncpu_cycles_per_packet=%.1f preempted=%d steal=%.1f%%" % (
        100.0 * oncpu / dt, oncpu * hz / pkts, c1["nvcsw"] - c0["nvcsw"],
        100.0 * steal / float(c1["clk_tck"]) / dt)


def tsc_hz():
    """TSC frequency measured with rdtsc (a 10-byte code page called through
    ctypes) against CLOCK_MONOTONIC over 0.5 s; the kernel's value if that fails."""
    try:
        import ctypes
        import mmap
        code = bytes([0x0F, 0x31,              # rdtsc
                      0x48, 0xC1, 0xE2, 0x20,  # shl rdx, 32
                      0x48, 0x09, 0xD0,        # or rax, rdx
                      0xC3])                   # ret
        page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(code)
        rdtsc = ctypes.CFUNCTYPE(ctypes.c_uint64)(ctypes.addressof(ctypes.c_char.from_buffer(page)))

        def pair():  # the tightest of a few (ns, tsc) readings
            best = None
            for _ in range(20):
                t0 = time.monotonic_ns()
                c = rdtsc()
                t1 = time.monotonic_ns()
                if best is None or t1 - t0 < best[0]:
                    best = (t1 - t0, (t0 + t1) / 2, c)
            return best[1], best[2]

        a = pair()
        time.sleep(0.5)
        b = pair()
        return round((b[1] - a[1]) * 1e9 / (b[0] - a[0])), "rdtsc vs CLOCK_MONOTONIC"
    except Exception:  # noqa: BLE001 - any failure: fall back to what the kernel says
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return round(float(line.split(":")[1]) * 1e6), "/proc/cpuinfo cpu MHz"
        raise


def ceiling(name, hz, s0, s1):
    """The ceiling line from two samples of dpdk-testpmd (forwarding port 0 -> 1):
    rate = Δ(port 0 ipackets) / Δt; cycles/packet = TSC Hz / rate, since the one
    forwarding core polls all the time."""
    dt = s1["t"] - s0["t"]
    rx = int(s1["ethdev"]["0"]["ipackets"]) - int(s0["ethdev"]["0"]["ipackets"])
    tx = int(s1["ethdev"]["1"]["opackets"]) - int(s0["ethdev"]["1"]["opackets"])
    if rx <= 0 or dt <= 0:
        return "%s mpps=0.00 cycles_per_packet=nan" % name
    pps = rx / dt
    line = "%s mpps=%.2f cycles_per_packet=%.1f" % (name, pps / 1e6, hz / pps)
    loop = "  loop:" + cpu_note(hz, s0, s1, rx) + " forwarded=%.1f%%" % (100.0 * tx / rx)
    return line + "\n" + loop


# The worker's stages in pipeline order (security: the security groups, since issue 4;
# 0 on builds before it and for packets of attachments without groups).
STAGES = ("parse", "classify", "lookup", "security", "rewrite", "tx")


def _workers(reply):
    """The per-worker dicts of a /poolnet/workers reply: a "workers" list, or (as
    DPDK telemetry dicts cannot hold lists of dicts everywhere) one key per worker."""
    if isinstance(reply.get("workers"), list):
        return reply["workers"]
    return [v for v in reply.values() if isinstance(v, dict) and "packets" in v]


def _sum_workers(reply):
    """Sums over the workers. Stage cycles may be measured on a sample of the bursts;
    profiled_packets then counts the packets of those bursts (else all packets)."""
    tot = {"packets": 0, "busy_cycles": 0, "cycles": 0, "profiled_packets": 0}
    tot.update({s: 0 for s in STAGES})
    for w in _workers(reply):
        for k in ("packets", "busy_cycles", "cycles"):
            tot[k] += int(w.get(k, 0))
        tot["profiled_packets"] += int(w.get("profiled_packets", w.get("packets", 0)))
        for s in STAGES:
            tot[s] += int(w.get("stage_cycles", {}).get(s, 0))
    return tot


def _sum_ethdev(ethdev, key):
    return sum(int(st.get(key, 0)) for st in ethdev.values())


def _drops(sample):
    """(flooded over the tenants, {reason: packets} over the ports) of a sample.
    Drops are taken per port only: a drop also counted for its tenant would count twice."""
    flooded, drops = 0, {}
    for ent in (sample.get("tenants") or {}).values():
        if isinstance(ent, dict):
            flooded += int(ent.get("flooded", 0))
    for ent in (sample.get("ports") or {}).values():
        if isinstance(ent, dict):
            for reason, n in (ent.get("drop") or {}).items():
                drops[reason] = drops.get(reason, 0) + int(n)
    return flooded, drops


def delta(workload, hz, s0, s1):
    """Result lines of a workload from two samples. cycles_per_packet is the workers'
    busy cycles per packet; the loop line adds the cycles outside the stages
    (rx burst, loop overhead), the busy share of the loop, the cycles/packet from
    wall time (TSC Hz / pps, comparable with the ceiling) and the share of received
    packets that left through a port."""
    a, b = _sum_workers(s0["workers"]), _sum_workers(s1["workers"])
    d = {k: b[k] - a[k] for k in a}
    dt = s1["t"] - s0["t"]
    pkts = d["packets"]
    if pkts <= 0 or dt <= 0:
        return ["%s mpps=0.00 cycles_per_packet=nan" % workload,
                "  stages: " + " ".join("%s=nan" % s for s in STAGES),
                "  loop: no packets received by the workers in the window"]
    prof = d["profiled_packets"]
    stage = {st: (d[st] / prof if prof > 0 else float("nan")) for st in STAGES}
    lines = ["%s mpps=%.2f cycles_per_packet=%.1f" % (workload, pkts / dt / 1e6, d["busy_cycles"] / pkts),
             "  stages: " + " ".join("%s=%.1f" % (st, stage[st]) for st in STAGES)]
    # other: busy cycles outside the stages (rx burst, loop, RCU quiescence)
    loop = "  loop: other=%.1f" % (d["busy_cycles"] / pkts - sum(stage.values()))
    if d["cycles"] > 0:
        loop += " busy=%.1f%%" % (100.0 * d["busy_cycles"] / d["cycles"])
    loop += " wall_cycles_per_packet=%.1f" % (hz * dt / pkts)
    loop += cpu_note(hz, s0, s1, pkts)
    if s0.get("ethdev") and s1.get("ethdev"):
        rx = _sum_ethdev(s1["ethdev"], "ipackets") - _sum_ethdev(s0["ethdev"], "ipackets")
        tx = _sum_ethdev(s1["ethdev"], "opackets") - _sum_ethdev(s0["ethdev"], "opackets")
        if rx > 0:
            loop += " forwarded=%.1f%%" % (100.0 * tx / rx)
    if "tenants" in s0 and "tenants" in s1:
        (f0, d0), (f1, d1) = _drops(s0), _drops(s1)
        dd = {r: d1.get(r, 0) - d0.get(r, 0) for r in d1}
        loop += " flooded=%.1f%% dropped=%.1f%%" % (100.0 * (f1 - f0) / pkts,
                                                   100.0 * sum(dd.values()) / pkts)
        top = sorted((n, r) for r, n in dd.items() if n > 0)[::-1][:3]
        if top:
            loop += " (" + ", ".join("%s=%d" % (r, n) for n, r in top) + ")"
    lines.append(loop)
    return lines


CLEAN_CPU = 99.0  # % of the window on a CPU above which a run had its core to itself


def median(paths):
    """The lines of the run (one file of result lines per run) with the median
    cycles_per_packet, among the runs whose forwarding thread had its core to itself
    (cpu >= CLEAN_CPU) when there are any, else among all (with a warning line)."""
    runs = []
    for path in paths:
        with open(path) as f:
            text = f.read().rstrip("\n")
        m = re.search(r"cycles_per_packet=([0-9.]+)", text)
        if not m:
            continue
        c = re.search(r" cpu=([0-9.]+)%", text)
        runs.append((float(m.group(1)), text, c is None or float(c.group(1)) >= CLEAN_CPU))
    if not runs:
        return None
    clean = [r for r in runs if r[2]]
    pick = sorted(clean or runs, key=lambda r: r[0])
    text = pick[(len(pick) - 1) // 2][1]
    name = text.split()[0]
    if clean:
        return text + "\n# %s: median of the %d of %d runs with cpu >= %.0f%%" % (
            name, len(clean), len(runs), CLEAN_CPU)
    return text + "\n# %s: no run had its core to itself (cpu < %.0f%% in all %d): inflated" % (
        name, CLEAN_CPU, len(runs))


def main(argv):
    cmd, args = (argv[0], argv[1:]) if argv else ("", [])
    if cmd == "version" and not args:
        print(PCAP_VERSION)
    elif cmd == "pcap" and len(args) == 1 and args[0] in WORKLOADS:
        print(FRAMES.get(args[0], args[0]).lower())
    elif cmd == "config" and len(args) == 3 and args[0] in WORKLOADS:
        if args[0] in SG_RULES:
            print("# " + sg_check(args[0]))
        cfg = config(args[0], os.path.abspath(args[1]))
        # W3's 64 copies of its group, compact (json.dumps with no indent is the C
        # encoder's one pass: 1.5 s for W3-10k's 110 MB, json.dump 7 s)
        text = json.dumps(cfg, indent=None if args[0] in SG_RULES else 1)
        with open(args[2], "w") as f:
            f.write(text + "\n")
    elif cmd == "sg-check" and all(a in SG_RULES or a == "--full" for a in args):
        full = "--full" in args
        for w in [a for a in args if a in SG_RULES] or SG_RULES:
            print(sg_check(w, full))
    elif cmd == "tsc-hz" and not args:
        hz, how = tsc_hz()
        print(hz, how)
    elif cmd == "ceiling" and len(args) == 4:
        with open(args[2]) as f0, open(args[3]) as f1:
            print(ceiling(args[0], float(args[1]), json.load(f0), json.load(f1)))
    elif cmd == "sample" and len(args) >= 2:
        opts = {"workers": True, "pid": None, "tid": None}
        rest = args[2:]
        while rest:
            if rest[0] == "--ethdev":
                opts["workers"], rest = False, rest[1:]
            elif rest[0] in ("--pid", "--same-thread-as") and len(rest) >= 2:
                if rest[0] == "--pid":
                    opts["pid"] = int(rest[1])
                else:
                    with open(rest[1]) as f:
                        opts["tid"] = (json.load(f).get("cpu") or {}).get("tid")
                rest = rest[2:]
            else:
                sys.stderr.write(__doc__)
                return 2
        smp = sample(args[0], **opts)
        with open(args[1], "w") as f:
            json.dump(smp, f)
    elif cmd == "median" and args:
        text = median(args)
        if text is None:
            return 1
        print(text)
    elif cmd == "delta" and len(args) == 4:
        with open(args[2]) as f0, open(args[3]) as f1:
            print("\n".join(delta(args[0], float(args[1]), json.load(f0), json.load(f1))))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

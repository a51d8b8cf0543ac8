#!/usr/bin/python3
"""Writes the input pcaps of scripts/bench (run with Debian's /usr/bin/python3,
which has scapy). The workloads (MACs, VLANs, VNIs, flows) are defined in
bench_configs.py, so the pcaps match the static MACs of the generated configs.

  bench_pcaps.py OUTDIR [W1 W2 W4]   writes OUTDIR/w1.pcap, w2.pcap, w4.pcap

W3 and W3-10k have no pcap of their own: they differ from W2 only by their
config (security groups) and read w2.pcap.

Frames are minimal: 60 bytes untagged (64 on the wire with the FCS), 64 bytes
802.1Q-tagged, and W4's VXLAN packets carry a 60-byte inner frame (110 bytes).
"""

import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_configs as bc  # noqa: E402

from scapy.all import IP, UDP, Dot1Q, Ether, PcapWriter, Raw  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402


def pad(frame, size):
    raw = bytes(frame)
    return raw + b"\x00" * (size - len(raw)) if len(raw) < size else raw


def inner(f):
    return Ether(src=f["src_mac"], dst=f["dst_mac"]) / IP(src=f["src_ip"], dst=f["dst_ip"], ttl=64) / \
        UDP(sport=f["sport"], dport=f["dport"])


def w1(f):
    return pad(inner(f), 60)


def w2(f):
    t = f["tenant"]
    pkt = Ether(src=f["src_mac"], dst=f["dst_mac"]) / Dot1Q(vlan=bc.vlan(t)) / \
        IP(src=f["src_ip"], dst=f["dst_ip"], ttl=64) / UDP(sport=f["sport"], dport=f["dport"])
    return pad(pkt, 64)


def w4(f):
    t = f["tenant"]
    payload = pad(inner(f), 60)
    # A VTEP derives the outer source port from the inner flow (RFC 7348 section 5).
    sport = 49152 + (zlib.crc32(payload[:42]) & 0x3FFF)
    outer = Ether(src=bc.REMOTE_VTEP_MAC, dst=bc.LOCAL_VTEP_MAC) / \
        IP(src=bc.REMOTE_VTEP, dst=bc.LOCAL_VTEP, ttl=64, flags="DF", id=0) / \
        UDP(sport=sport, dport=bc.VXLAN_PORT, chksum=0) / VXLAN(vni=bc.vni(t), flags=0x08) / Raw(payload)
    return bytes(outer)


BUILD = {"W1": w1, "W2": w2, "W4": w4}


def write(workload, path):
    tmp = path + ".tmp"
    w = PcapWriter(tmp, linktype=1, sync=False)
    for f in bc.flows(workload):
        w.write(BUILD[workload](f))
    w.close()
    os.replace(tmp, path)


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    outdir, workloads = argv[0], argv[1:] or list(bc.PCAP_WORKLOADS)
    for wl in workloads:
        if wl not in BUILD:
            sys.stderr.write("bench_pcaps: no pcap for %s%s\n" % (
                wl, " (it reads %s's)" % bc.FRAMES[wl] if wl in bc.FRAMES else ""))
            return 2
    os.makedirs(outdir, exist_ok=True)
    for wl in workloads:
        path = os.path.join(outdir, wl.lower() + ".pcap")
        write(wl, path)
        print("bench: wrote %s (%d packets)" % (path, bc.N_FLOWS), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""Sends crafted Ethernet frames from one interface (run inside a VM namespace).

send_frame.py IFACE [--src MAC] [--dst MAC] [--vlan ID]... [--ip-src A]
              [--ip-dst A] [--payload TEXT] [--count N]

Each --vlan adds an 802.1Q tag, outermost first, so `--vlan 100 --vlan 200`
builds the VLAN-hopping frame Ether / Dot1Q(100) / Dot1Q(200) / IP / ICMP.
"""
import argparse
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ICMP, IP, Dot1Q, Ether, Raw, get_if_hwaddr, sendp  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("iface")
    p.add_argument("--src")
    p.add_argument("--dst", default="ff:ff:ff:ff:ff:ff")
    p.add_argument("--vlan", type=int, action="append", default=[])
    p.add_argument("--ip-src", default="10.0.0.1")
    p.add_argument("--ip-dst", default="10.0.0.2")
    p.add_argument("--payload", default="POOLNET-TEST")
    p.add_argument("--count", type=int, default=1)
    a = p.parse_args()

    frame = Ether(src=a.src or get_if_hwaddr(a.iface), dst=a.dst)
    for vid in a.vlan:
        frame = frame / Dot1Q(vlan=vid)
    frame = frame / IP(src=a.ip_src, dst=a.ip_dst) / ICMP() / Raw(a.payload.encode())
    sendp(frame, iface=a.iface, count=a.count, verbose=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

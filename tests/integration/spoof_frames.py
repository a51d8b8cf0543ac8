#!/usr/bin/python3
"""Spoofing attempts from one VM (run inside its namespace).

spoof_frames.py IFACE mac|ip|arp|flood [--count N]
  mac    UDP with a source MAC that is not the VM's
  ip     UDP from the VM's MAC with a source IP that is not the VM's
  arp    ARP replies claiming 10.0.0.2 from the VM's MAC
  flood  frames from N random locally administered source MACs
"""
import argparse
import logging
import random
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, IP, UDP, Ether, Raw, get_if_hwaddr, sendp  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("iface")
    p.add_argument("kind", choices=["mac", "ip", "arp", "flood"])
    p.add_argument("--count", type=int, default=3)
    a = p.parse_args()
    own = get_if_hwaddr(a.iface)
    bcast = "ff:ff:ff:ff:ff:ff"
    udp = UDP(sport=4000, dport=4001) / Raw(b"PNSPOOF")
    if a.kind == "mac":
        frames = [Ether(src="02:66:66:66:66:66", dst=bcast) / IP(src="10.0.0.1", dst="10.0.0.2") / udp]
    elif a.kind == "ip":
        frames = [Ether(src=own, dst=bcast) / IP(src="10.0.0.2", dst="10.0.0.9") / udp]
    elif a.kind == "arp":
        frames = [Ether(src=own, dst=bcast) /
                  ARP(op=2, hwsrc=own, psrc="10.0.0.2", hwdst=bcast, pdst="10.0.0.9")]
    else:
        rnd = random.Random(7)
        frames = [Ether(src="06:%02x:%02x:%02x:%02x:%02x" % tuple(rnd.randrange(256) for _ in range(5)),
                        dst="02:00:00:00:00:fe") / IP(src="10.0.0.3", dst="10.0.0.9") / udp
                  for _ in range(a.count)]
        sendp(frames, iface=a.iface, verbose=False)
        return 0
    sendp(frames, iface=a.iface, count=a.count, verbose=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

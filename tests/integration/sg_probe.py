#!/usr/bin/python3
"""Probes of a security group that the kernel's own sockets cannot make
(run inside the sender VM's namespace); prints what came back.

sg_probe.py udp DST PORT  one UDP datagram; prints "icmp TYPE CODE SRC" for
                          the ICMP error that quotes it, or "none"
sg_probe.py ack DST PORT  a TCP ACK that belongs to no connection; prints
                          "rst" when the destination's kernel answered it
                          (it reached the VM), "tcp FLAGS", or "none"
"""
import argparse
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ICMP, IP, TCP, UDP, Raw, sr1  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["udp", "ack"])
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for an answer")
    a = p.parse_args()
    if a.kind == "udp":
        probe = IP(dst=a.dst) / UDP(sport=40001, dport=a.port) / Raw(b"PNSGPROBE")
    else:
        probe = IP(dst=a.dst) / TCP(sport=40002, dport=a.port, flags="A", seq=1000, ack=2000)
    # sr1 matches an ICMP error by the datagram it quotes and a TCP answer
    # by its ports, so nothing else on the wire is taken for the answer.
    answer = sr1(probe, timeout=a.timeout, verbose=False)
    if answer is None:
        print("none")
    elif ICMP in answer:
        print("icmp %d %d %s" % (answer[ICMP].type, answer[ICMP].code, answer[IP].src))
    elif TCP in answer:
        print("rst" if answer[TCP].flags.R else "tcp %s" % answer[TCP].flags)
    else:
        print("other %s" % answer.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())

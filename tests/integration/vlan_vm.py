#!/usr/bin/python3
"""A VM's VLAN subinterface, in user space.

vlan_vm.py TRUNK VID [NAME]

This kernel has no 802.1Q module (`ip link add ... type vlan` fails), so a VM
on a VLAN attachment gets its VLAN interface from this relay instead: it
creates a tap NAME (default TRUNK.VID) for the VM's stack and moves frames
between it and TRUNK, pushing the 802.1Q tag VID on the way out and taking
only frames tagged VID (popping the tag) on the way in. Run it inside the
VM's namespace, in the background; it runs until killed. Stdlib only.
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    trunk, vid = sys.argv[1], int(sys.argv[2])
    name = sys.argv[3] if len(sys.argv) == 4 else f"{trunk}.{vid}"
    tag = struct.pack("!HH", 0x8100, vid)

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sock.bind((trunk, 0))
    tap = open_tap(name)

    try:
        relay(sock, tap, tag, vid)
    except OSError:
        return 0  # the trunk went away with its port or namespace: done


def relay(sock, tap, tag, vid):
    while True:
        ready, _, _ = select.select([sock, tap], [], [])
        if tap in ready:
            # The VM's stack sent a frame: tag it and put it on the trunk.
            frame = os.read(tap, 65536)
            if len(frame) >= 14:
                sock.send(frame[:12] + tag + frame[12:])
        if sock in ready:
            frame, anc, _, addr = sock.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
            if addr[2] == PACKET_OUTGOING:
                continue  # our own transmission, seen by the packet socket
            frame_vid = None
            # The kernel takes the tag off received frames and reports it here.
            for level, kind, data in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA:
                    status, _, _, _, _, tci, _ = AUXDATA.unpack(data[: AUXDATA.size])
                    if status & TP_STATUS_VLAN_VALID:
                        frame_vid = tci & 0x0FFF
            if frame_vid is None and len(frame) >= 18 and frame[12:14] == b"\x81\x00":
                frame_vid = struct.unpack("!H", frame[14:16])[0] & 0x0FFF
                frame = frame[:12] + frame[16:]
            if frame_vid == vid:
                os.write(tap, frame)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
    except OSError as e:
        print(f"vlan_vm.py: {e}", file=sys.stderr)
        sys.exit(1)

#!/usr/bin/python3
"""A sequenced UDP stream and its checker (run each inside a VM namespace).

seq_udp.py recv PORT --report FILE [--ready FILE] [--rcvbuf BYTES]
                     [--idle SECONDS]
seq_udp.py send DST PORT --report FILE [--rate PPS] [--count N]
                     [--until-file FILE] [--max-seconds S] [--size BYTES]

The sender paces datagrams at --rate; each carries a run id and a sequence
number 0, 1, 2, ... It stops after --count datagrams, or, with --until-file,
once it has sent at least --count and FILE exists (so a stream can cover a
burst of configuration changes however long they take); --max-seconds bounds
it either way. A datagram the kernel refuses (ENOBUFS) is sent again, never
skipped, so every gap the receiver sees was lost after the sender's socket.
At the end it sends an END datagram (three times) carrying the count, and
writes {"sent": N, "send_errors": E, "seconds": S} to --report.

The receiver binds PORT (with a large SO_RCVBUF, forced past rmem_max),
writes --ready once it listens, and records every datagram of the run. It
stops --idle seconds (default 0.5) after the END datagram, or 5 s after the
last datagram if END never comes, or on SIGTERM, and writes its report:
received, unique, duplicates, reordered (arrived after a higher sequence
number), lost (END's count - unique, when END was seen), the first missing
ranges, and the longest gap between two arrivals. Stdlib only.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

MAGIC = 0x706E7365  # "pnse"
HDR = struct.Struct("!IIQ")  # magic, run id, sequence number
END = 0xFFFFFFFFFFFFFFFF  # the END datagram: (magic, run, END) + count


def write_json(path, obj):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, path)


def send(a):
    run = os.getpid() & 0xFFFFFFFF
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((a.dst, a.port))
    pad = b"\0" * max(0, a.size - HDR.size)
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    deadline = t0 + a.max_seconds
    seq = errors = 0
    while True:
        now = time.monotonic()
        if seq >= a.count and (not a.until_file or os.path.exists(a.until_file)):
            break
        if now >= deadline:
            break
        due = t0 + seq * interval
        if due > now:
            time.sleep(due - now)
        try:
            s.send(HDR.pack(MAGIC, run, seq) + pad)
        except OSError:  # ENOBUFS and the like: the same number again
            errors += 1
            time.sleep(0.001)
            continue
        seq += 1
    seconds = time.monotonic() - t0
    for _ in range(3):
        time.sleep(0.01)
        try:
            s.send(HDR.pack(MAGIC, run, END) + struct.pack("!Q", seq))
        except OSError:
            pass
    write_json(a.report, {"sent": seq, "send_errors": errors, "seconds": round(seconds, 3),
                          "rate": round(seq / seconds, 1) if seconds else 0})
    return 0


def missing_ranges(seen, total, limit=10):
    out, i = [], 0
    while i < total and len(out) < limit:
        if not seen[i]:
            j = i
            while j + 1 < total and not seen[j + 1]:
                j += 1
            out.append([i, j])
            i = j + 1
        else:
            i += 1
    return out


def recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, a.rcvbuf)  # SO_RCVBUFFORCE (root)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    rcvbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    s.bind(("0.0.0.0", a.port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    if a.ready:
        write_json(a.ready, {"rcvbuf": rcvbuf})

    seen = bytearray(1 << 20)
    run = None
    received = unique = dups = reordered = foreign = 0
    highest = -1
    total = None
    first = last = None
    max_gap = 0.0
    max_gap_after = None
    end_at = None
    while not stop:
        now = time.monotonic()
        if end_at is not None and now - end_at >= a.idle:
            break
        if last is not None and end_at is None and now - last >= 5.0:
            break
        s.settimeout(0.1)
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(data) < HDR.size:
            foreign += 1
            continue
        magic, r, seq = HDR.unpack_from(data)
        if magic != MAGIC:
            foreign += 1
            continue
        if run is None:
            run = r
        elif r != run:
            foreign += 1
            continue
        t = time.monotonic()
        if seq == END:
            if total is None:
                total = struct.unpack_from("!Q", data, HDR.size)[0]
                end_at = t
            continue
        if last is not None and t - last > max_gap:
            max_gap, max_gap_after = t - last, highest
        if first is None:
            first = t
        last = t
        received += 1
        if seq >= len(seen):
            seen.extend(bytearray(seq + 1 - len(seen) + (1 << 20)))
        if seen[seq]:
            dups += 1
            continue
        seen[seq] = 1
        unique += 1
        if seq < highest:
            reordered += 1
        else:
            highest = seq
    n = total if total is not None else highest + 1
    report = {
        "rcvbuf": rcvbuf,
        "end_seen": total is not None,
        "sent": total,
        "received": received,
        "unique": unique,
        "duplicates": dups,
        "reordered": reordered,
        "lost": n - sum(seen[:n]) if n > 0 else 0,
        "beyond_end": unique - sum(seen[:n]) if n > 0 else unique,
        "missing": missing_ranges(seen, n),
        "max_gap_ms": round(max_gap * 1000, 2),
        "max_gap_after_seq": max_gap_after,
        "seconds": round(last - first, 3) if first is not None else 0,
        "foreign": foreign,
    }
    write_json(a.report, report)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("port", type=int)
    r.add_argument("--report", required=True)
    r.add_argument("--ready")
    r.add_argument("--rcvbuf", type=int, default=16 << 20)
    r.add_argument("--idle", type=float, default=0.5)
    t = sub.add_parser("send")
    t.add_argument("dst")
    t.add_argument("port", type=int)
    t.add_argument("--report", required=True)
    t.add_argument("--rate", type=float, default=2000)
    t.add_argument("--count", type=int, default=20000)
    t.add_argument("--until-file")
    t.add_argument("--max-seconds", type=float, default=120)
    t.add_argument("--size", type=int, default=64)
    a = p.parse_args()
    return recv(a) if a.cmd == "recv" else send(a)


if __name__ == "__main__":
    sys.exit(main())

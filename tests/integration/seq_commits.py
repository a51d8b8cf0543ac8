#!/usr/bin/python3
"""A sequence of RESTCONF commits with a model of the config after each one,
and the checker that says which of them a restarted poolnetd came back with.

seq_commits.py burst --socket PATH --model FILE --log FILE --start K
                     [--count N] [--ack-file FILE]
seq_commits.py check --log FILE --got FILE [--out FILE]
seq_commits.py norm FILE

burst: starting from the configuration in --model (what the daemon runs
now), applies commits K, K+1, ... (at most --count) one after another, each
a different kind of write: POST a tenant, PATCH its MAC ageing time, POST a
static MAC, POST or DELETE a port (a net_tap, so a slow commit), DELETE the
oldest extra tenant, PUT the whole datastore, PATCH red's ageing time.
Before each request it appends {"k", "ev": "sent", "config"} (the model
after the commit) to --log, flushed, and after a 2xx reply {"k", "ev": "ack"}.
It stops at the first failure: a refused commit ({"ev": "refused"}, exit 1)
or a lost connection ({"ev": "error"}, exit 2: the daemon was killed).

check: the configuration in --got (a GET ?content=config reply) must be the
one of the last acknowledged commit of --log or, if a commit was in flight,
the one it was making. Prints which, exits 0 on a match and 1 otherwise; --out
receives the matched configuration (the model for the next burst).

norm: prints a configuration normalised: lists sorted by key, leaves that
hold their YANG default dropped, keys sorted.

Stdlib only.
"""
import argparse
import copy
import http.client
import json
import socket
import sys

# YANG defaults of yang/poolnet.yang: a leaf equal to one of them is the same
# configuration whether the server prints it or not.
DEFAULTS = {"mtu": 1500, "prefix-length": 24, "udp-port": 4789, "mac-ageing-time": 300}
LIST_KEYS = ("name", "mac", "ip")


def norm(v, key=None):
    if isinstance(v, dict):
        return {k: norm(x, k) for k, x in sorted(v.items())
                if not (k.split(":")[-1] in DEFAULTS and x == DEFAULTS[k.split(":")[-1]])}
    if isinstance(v, list):
        items = [norm(x) for x in v]
        if items and isinstance(items[0], dict):
            k = next((k for k in LIST_KEYS if k in items[0]), None)
            return sorted(items, key=lambda d: str(d.get(k)) if k else json.dumps(d))
        return sorted(items, key=str)
    return v


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def request(sock, method, path, body=None):
    c = UnixConnection(sock)
    headers = {"Connection": "close"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/yang-data+json"
    c.request(method, "/restconf/data" + ("/" + path if path else ""), body=data, headers=headers)
    r = c.getresponse()
    text = r.read().decode(errors="replace")
    c.close()
    return r.status, text


def tenants(cfg):
    return cfg.setdefault("poolnet:tenants", {}).setdefault("tenant", [])


def ports(cfg):
    return cfg.setdefault("poolnet:ports", {}).setdefault("port", [])


def find(items, name):
    return next((x for x in items if x.get("name") == name), None)


def next_commit(k, cfg):
    """(method, path, body, model after) of commit k applied to cfg."""
    new = copy.deepcopy(cfg)
    extra = sorted((t for t in tenants(new) if t["name"].startswith("t")),
                   key=lambda t: int(t["name"][1:]))
    kind = k % 7
    if kind in (1, 2) and not extra:
        kind = 0
    if kind == 4 and len(extra) < 2:
        kind = 6
    if kind == 0:
        t = {"name": f"t{k}", "id": 1000 + k % 60000, "vni": 100000 + k,
             "attachment": [{"name": "a", "port": "x1", "vlan": 1 + k % 4000}]}
        tenants(new).append(t)
        return "POST", "poolnet:tenants", {"poolnet:tenant": [t]}, new
    if kind == 1:
        t = extra[-1]
        t["mac-ageing-time"] = 10 + k % 100000
        return ("PATCH", f"poolnet:tenants/tenant={t['name']}",
                {"poolnet:tenant": [{"name": t["name"], "mac-ageing-time": t["mac-ageing-time"]}]}, new)
    if kind == 2:
        t = extra[-1]
        m = {"mac": "02:00:%02x:%02x:%02x:%02x" % ((k >> 24) & 255, (k >> 16) & 255, (k >> 8) & 255, k & 255),
             "attachment": "a"}
        t.setdefault("static-mac", []).append(m)
        return "POST", f"poolnet:tenants/tenant={t['name']}", {"poolnet:static-mac": [m]}, new
    if kind == 3:
        p = find(ports(new), "xp")
        if p:
            ports(new).remove(p)
            return "DELETE", "poolnet:ports/port=xp", None, new
        p = {"name": "xp", "devargs": XP_DEVARGS, "role": "access"}
        ports(new).append(p)
        return "POST", "poolnet:ports", {"poolnet:port": [p]}, new
    if kind == 4:
        t = extra[0]
        tenants(new).remove(t)
        return "DELETE", f"poolnet:tenants/tenant={t['name']}", None, new
    if kind == 5:
        red = find(tenants(new), "red")
        red["mac-ageing-time"] = 10 + k % 100000
        return "PUT", "", new, new
    red = find(tenants(new), "red")
    red["mac-ageing-time"] = 20 + k % 100000
    return ("PATCH", "poolnet:tenants/tenant=red",
            {"poolnet:tenant": [{"name": "red", "mac-ageing-time": red["mac-ageing-time"]}]}, new)


XP_DEVARGS = None


def burst(a):
    global XP_DEVARGS
    XP_DEVARGS = a.xp_devargs
    cfg = norm(json.load(open(a.model)))
    log = open(a.log, "a")

    def record(**kw):
        log.write(json.dumps(kw) + "\n")
        log.flush()

    record(k=a.start - 1, ev="base", config=cfg)
    for k in range(a.start, a.start + a.count):
        method, path, body, new = next_commit(k, cfg)
        record(k=k, ev="sent", method=method, path=path, config=new)
        try:
            status, text = request(a.socket, method, path, body)
        except OSError as e:
            record(k=k, ev="error", error=str(e))
            return 2
        if not 200 <= status < 300:
            record(k=k, ev="refused", status=status, reply=text[:500])
            print(f"commit {k} {method} /{path} refused: {status} {text[:500]}", file=sys.stderr)
            return 1
        record(k=k, ev="ack", status=status)
        cfg = new
    return 0


def check(a):
    recs = [json.loads(line) for line in open(a.log) if line.strip()]
    last = None
    inflight = None
    configs = {}
    for r in recs:
        if r["ev"] in ("base", "sent"):
            configs[r["k"]] = r["config"]
        if r["ev"] in ("base", "ack"):
            last, inflight = r["k"], None
        elif r["ev"] == "sent":
            inflight = r["k"]
        elif r["ev"] == "refused":
            inflight = None
    got = norm(json.load(open(a.got)))
    matched = None
    if last is not None and norm(configs[last]) == got:
        matched = ("acknowledged", last)
    elif inflight is not None and norm(configs[inflight]) == got:
        matched = ("in flight", inflight)
    if matched:
        print(f"{matched[0]} commit {matched[1]} (last acknowledged {last}"
              f"{', in flight ' + str(inflight) if inflight is not None else ''})")
        if a.out:
            json.dump(configs[matched[1]], open(a.out, "w"))
        return 0
    print(f"none: last acknowledged {last}, in flight {inflight}; got {json.dumps(got)}; "
          f"expected {json.dumps(norm(configs.get(last)))}")
    return 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("burst")
    b.add_argument("--socket", required=True)
    b.add_argument("--model", required=True)
    b.add_argument("--log", required=True)
    b.add_argument("--start", type=int, required=True)
    b.add_argument("--count", type=int, default=1000)
    b.add_argument("--xp-devargs", default="net_tap9,iface=pnxp")
    c = sub.add_parser("check")
    c.add_argument("--log", required=True)
    c.add_argument("--got", required=True)
    c.add_argument("--out")
    n = sub.add_parser("norm")
    n.add_argument("file")
    a = p.parse_args()
    if a.cmd == "burst":
        return burst(a)
    if a.cmd == "check":
        return check(a)
    print(json.dumps(norm(json.load(open(a.file))), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

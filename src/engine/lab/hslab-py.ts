/** The lab's traffic helper (Python 3, standard library only), embedded in every lab script. */
export const HSLAB_PY = String.raw`#!/usr/bin/env python3
"""Traffic for a Hopscope lab: the same packets the engine traced, sent by real sockets.

Subcommands (each bounded in time):
  ping DST ID                 one ICMP echo request (id ID, seq 1, 56 bytes), wait 1 s for the reply
  udp-server PORT REPLYLEN    answer every datagram with REPLYLEN bytes, until killed (at most 120 s)
  udp-client DST PORT SPORT LEN   send LEN bytes from SPORT, wait 1 s for an answer
  tcp-server PORT             accept connections and keep them open, until killed (at most 120 s)
  tcp-client DST PORT SPORT HOLD  connect from SPORT and keep the connection open HOLD seconds
  parse-tcpdump FILE          print the IPv4 packets of a "tcpdump -i any -n -v -l" capture as JSON
                              (a VXLAN datagram with its VNI and the packet it carries, "inner")
  nfacct-add NAME             create the extended-accounting object NAME (nfnetlink_acct), as
                              kube-proxy does before it writes -m nfacct; an existing one is fine
  state PREFIX NAME [VXLAN...]  print as JSON what iproute2 shows of namespace PREFIX+NAME: links,
                              IPv4 addresses, routes (main and local), permanent neighbours, and
                              each VXLAN device's forwarding entries; namespace names (a veth's
                              link-netns) without the run's PREFIX, so that two runs compare
"""
import json, os, re, select, socket, struct, subprocess, sys, time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(dst, ident):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    payload = bytes(range(56))
    header = struct.pack("!BBHHH", 8, 0, 0, int(ident), 1)
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), int(ident), 1) + payload
    sock.sendto(packet, (dst, 0))
    end = time.time() + 1
    while time.time() < end:
        r, _, _ = select.select([sock], [], [], max(0, end - time.time()))
        if not r:
            break
        data, _ = sock.recvfrom(2048)
        ihl = (data[0] & 15) * 4
        t, _, _, i, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if t == 0 and i == int(ident):
            return 0
    return 1


def udp_server(port, replylen):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port)))
    end = time.time() + 120
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 1)
        if r:
            _, addr = s.recvfrom(4096)
            s.sendto(b"a" * int(replylen), addr)


def udp_client(dst, port, sport, length):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    s.sendto(b"q" * int(length), (dst, int(port)))
    r, _, _ = select.select([s], [], [], 1)
    if r:
        s.recvfrom(4096)
        return 0
    return 1


def tcp_server(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(port)))
    s.listen(16)
    held = []
    end = time.time() + 120
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 1)
        if r:
            c, _ = s.accept()
            held.append(c)


def tcp_client(dst, port, sport, hold):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sport)))
    # Give up before the kernel's first SYN retransmission (1 s): the engine sends one SYN.
    s.settimeout(0.8)
    try:
        s.connect((dst, int(port)))
    except OSError:
        return 1
    print("connected", flush=True)
    time.sleep(float(hold))
    return 0


LINE = re.compile(r"^\S+ (\S+)\s+(In|Out|M|B|P)\s+IP \(.*?ttl (\d+),.*?proto (\w+) \(\d+\), length (\d+)\)$")
ADDR = re.compile(r"^\s+(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))? > (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?: (.*)$")
# The packet a VXLAN datagram carries: tcpdump prints its IP header on a line of its own (no
# timestamp, no interface) after the outer packet's "OTV, ... instance N" or "VXLAN, ... vni N".
INNER = re.compile(r"^IP \(.*?ttl (\d+),.*?proto (\w+) \(\d+\), length (\d+)\)$")
TUNNEL = re.compile(r"^(?:OTV, flags \[I\] \(0x08\), overlay \d+, instance|VXLAN, flags \[I\] \(0x08\), vni) (\d+)$")


def endpoints(a, proto, ttl, length):
    pkt = {"proto": proto.lower(), "src": a.group(1), "dst": a.group(3), "ttl": int(ttl), "length": int(length)}
    if a.group(2):
        pkt["sport"] = int(a.group(2))
        pkt["dport"] = int(a.group(4))
    i = re.search(r"id (\d+), seq", a.group(5))
    if i:
        pkt["icmpId"] = int(i.group(1))
    return pkt


def parse_tcpdump(path):
    out = []
    pending = None
    inner = None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = LINE.match(line)
        if m:
            pending = m
            inner = None
            continue
        i = INNER.match(line)
        if i and out and "vni" in out[-1] and "inner" not in out[-1]:
            inner = i
            continue
        a = ADDR.match(line)
        if inner and a:
            ttl, proto, length = inner.groups()
            out[-1]["inner"] = endpoints(a, proto, ttl, length)
        elif pending and a:
            iface, d, ttl, proto, length = pending.groups()
            pkt = {"iface": iface, "dir": "out" if d == "Out" else "in"}
            pkt.update(endpoints(a, proto, ttl, length))
            t = TUNNEL.match(a.group(5))
            if t:
                pkt["vni"] = int(t.group(1))
            out.append(pkt)
        pending = None
        inner = None
    print(json.dumps(out))
    return 0


def state(prefix, name, *vxlans):
    netns = prefix + name
    def run(*args):
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.replace(prefix, "")
    out = {
        "links": run("ip", "-n", netns, "-o", "link", "show"),
        "addrs": run("ip", "-n", netns, "-4", "-o", "addr", "show"),
        "main": run("ip", "-n", netns, "route", "show", "table", "main"),
        "local": run("ip", "-n", netns, "route", "show", "table", "local"),
        "neigh": run("ip", "-n", netns, "neigh", "show", "nud", "permanent"),
        "fdb": {v: run("ip", "netns", "exec", netns, "bridge", "fdb", "show", "dev", v) for v in vxlans},
    }
    print(json.dumps(out), end="")
    return 0


def nfacct_add(name):
    # One NFNL_MSG_ACCT_NEW (subsystem NFNL_SUBSYS_ACCT = 7) with NFACCT_NAME, asking for an ack.
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    sock.settimeout(2)
    value = name.encode() + b"\0"
    attr = struct.pack("=HH", 4 + len(value), 1) + value
    attr += b"\0" * (-len(attr) % 4)
    body = struct.pack("=BBH", 0, 0, 0) + attr
    sock.send(struct.pack("=IHHII", 16 + len(body), 7 << 8, 0x1 | 0x4 | 0x400, 1, 0) + body)
    reply = sock.recv(4096)
    if struct.unpack("=H", reply[4:6])[0] != 2:  # NLMSG_ERROR carries the ack
        return 1
    err = struct.unpack("=i", reply[16:20])[0]
    if err not in (0, -16, -17):  # EBUSY or EEXIST: it is there already
        print("nfacct-add: %s" % os.strerror(-err), file=sys.stderr)
        return 1
    return 0


def ipset_msg(cmd, attrs):
    # One ipset request (subsystem NFNL_SUBSYS_IPSET = 6), family inet, with IPSET_ATTR_PROTOCOL 7 first, asking for an ack.
    body = struct.pack("=BBH", 2, 0, 0) + b"".join([ipset_attr(1, bytes([7]))] + attrs)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    sock.settimeout(2)
    sock.send(struct.pack("=IHHII", 16 + len(body), (6 << 8) | cmd, 0x1 | 0x4 | 0x400 | 0x200, 1, 0) + body)
    reply = sock.recv(4096)
    if struct.unpack("=H", reply[4:6])[0] != 2:
        return 1
    err = struct.unpack("=i", reply[16:20])[0]
    if err != 0:
        print("ipset: %s" % os.strerror(-err), file=sys.stderr)
        return 1
    return 0


def ipset_attr(t, value):
    a = struct.pack("=HH", 4 + len(value), t) + value
    return a + b"\0" * (-len(a) % 4)


def ipset_create(name):
    # IPSET_CMD_CREATE: SETNAME, TYPENAME hash:net, REVISION 0, FAMILY NFPROTO_IPV4, empty nested DATA.
    return ipset_msg(2, [ipset_attr(2, name.encode() + b"\0"), ipset_attr(3, b"hash:net\0"), ipset_attr(4, bytes([0])), ipset_attr(5, bytes([2])), ipset_attr(7 | 0x8000, b"")])


def ipset_add(name, cidr):
    # IPSET_CMD_ADD: SETNAME, DATA { IP { IPADDR_IPV4 (network byte order) }, CIDR }.
    ip, prefix = cidr.split("/")
    addr = ipset_attr(1 | 0x8000, ipset_attr(1 | 0x4000, socket.inet_aton(ip)))
    return ipset_msg(9, [ipset_attr(2, name.encode() + b"\0"), ipset_attr(7 | 0x8000, addr + ipset_attr(3, bytes([int(prefix)])))])


def main(argv):
    cmd, args = argv[1], argv[2:]
    fn = {"ping": ping, "udp-server": udp_server, "udp-client": udp_client, "tcp-server": tcp_server, "tcp-client": tcp_client, "parse-tcpdump": parse_tcpdump, "nfacct-add": nfacct_add, "ipset-create": ipset_create, "ipset-add": ipset_add, "state": state}[cmd]
    return fn(*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
`;

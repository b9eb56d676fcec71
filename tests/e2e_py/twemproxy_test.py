#!/usr/bin/python3
"""stashd behind twemproxy (Debian's nutcracker), with conf/nutcracker.yml.

Starts two stashd on ephemeral ports and nutcracker in front of them (the
shipped config, with its listen address and servers replaced by ours), then
checks what README "Scaling out" says works and does not work through the
proxy, and that keys really spread over both instances.

    /usr/bin/python3 tests/e2e_py/twemproxy_test.py --binary build/server/stashd

Without nutcracker installed the test is skipped, loudly (exit status 77, which ctest reports as "Skipped");
scripts/deps.sh test installs it, so the suite does not skip.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_tests import Server, free_port  # noqa: E402  (same folder)
import run_tests  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_CONF = os.path.join(SOURCE_DIR, "conf", "nutcracker.yml")
# Debian installs it in /usr/sbin, which a non-root PATH may lack.
NUTCRACKER = shutil.which("nutcracker") or shutil.which("nutcracker", path="/usr/sbin")


def wait_for_port(port, proc, what):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(what + " exited at start-up")
            time.sleep(0.02)
    raise RuntimeError(what + " did not start")


def proxy_conf(listen_port, server_ports):
    """conf/nutcracker.yml with our listen address and servers, all else kept."""
    with open(SHIPPED_CONF) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^(\s*listen:).*$", r"\g<1> 127.0.0.1:%d" % listen_port, text)
    assert n == 1, "conf/nutcracker.yml has no listen line"
    lines = text.split("\n")
    out = []
    in_servers = False
    for line in lines:
        if re.match(r"^\s*servers:\s*$", line):
            in_servers = True
            out.append(line)
            indent = " " * (len(line) - len(line.lstrip()) + 2)
            for i, port in enumerate(server_ports):
                out.append("%s- 127.0.0.1:%d:1 stashd-%d" % (indent, port, i + 1))
            continue
        if in_servers and re.match(r"^\s*-\s", line):
            continue
        in_servers = False
        out.append(line)
    return "\n".join(out)


class TwemproxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = [Server(), Server()]
        cls.dir = tempfile.mkdtemp(prefix="stashd-twemproxy-")
        cls.port = free_port()
        conf = os.path.join(cls.dir, "nutcracker.yml")
        with open(conf, "w") as f:
            f.write(proxy_conf(cls.port, [s.port for s in cls.servers]))
        cls.proxy = subprocess.Popen(
            [NUTCRACKER, "-c", conf, "-s", str(free_port()), "-a", "127.0.0.1",
             "-o", os.path.join(cls.dir, "nutcracker.log")])
        wait_for_port(cls.port, cls.proxy, "nutcracker")

    @classmethod
    def tearDownClass(cls):
        if cls.proxy.poll() is None:
            cls.proxy.send_signal(signal.SIGTERM)
            try:
                cls.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.proxy.kill()
                cls.proxy.wait()
        for s in cls.servers:
            s.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.direct = [redis.Redis(host="127.0.0.1", port=s.port, decode_responses=True)
                       for s in self.servers]
        for r in self.direct:
            r.flushall()
        self.r = redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def tearDown(self):
        self.r.close()
        for r in self.direct:
            r.close()

    def owner(self, key):
        """Index of the instance holding `key` (asserts exactly one does)."""
        holders = [i for i, r in enumerate(self.direct) if r.exists(key)]
        self.assertEqual(len(holders), 1, "%s is on instances %s" % (key, holders))
        return holders[0]

    def test_keys_spread_over_both_instances(self):
        keys = ["user:bot%d:u%d:name" % (i % 7, i * 7919) for i in range(200)]
        for k in keys:
            self.assertTrue(self.r.set(k, "v-" + k))
        counts = [r.dbsize() for r in self.direct]
        self.assertEqual(sum(counts), len(keys))
        # Consistent hashing over two equal instances: roughly half each.
        for c in counts:
            self.assertGreater(c, len(keys) // 5, counts)
        for k in keys:
            self.assertEqual(self.direct[self.owner(k)].get(k), "v-" + k)

    def test_get_set_mget_del_expire(self):
        keys = ["state:chat%d:step" % i for i in range(40)]
        for i, k in enumerate(keys):
            self.assertTrue(self.r.set(k, str(i)))
        self.assertEqual(self.r.get(keys[3]), "3")
        self.assertIsNone(self.r.get("state:none"))
        # MGET over keys of both instances: the proxy splits and merges.
        owners = {self.owner(k) for k in keys}
        self.assertEqual(owners, {0, 1})
        self.assertEqual(self.r.mget(keys + ["state:none"]), [str(i) for i in range(40)] + [None])
        self.assertEqual(self.r.delete(*keys[:10], "state:none"), 10)
        self.assertEqual(sum(self.r.exists(k) for k in keys), 30)
        # EXISTS over several keys is not split by twemproxy 0.5: it goes to
        # the first key's instance and counts only the keys there.
        rest = keys[10:]
        first_owner = self.owner(rest[0])
        on_first = sum(1 for k in rest if self.owner(k) == first_owner)
        self.assertLess(on_first, len(rest))
        self.assertEqual(self.r.exists(*rest), on_first)
        self.assertTrue(self.r.expire(keys[20], 100))
        ttl = self.r.ttl(keys[20])
        self.assertTrue(0 < ttl <= 100, ttl)
        self.assertEqual(self.direct[self.owner(keys[20])].ttl(keys[20]), ttl)
        self.assertTrue(self.r.pexpire(keys[21], 50))
        time.sleep(0.2)
        self.assertIsNone(self.r.get(keys[21]))
        self.assertTrue(self.r.persist(keys[20]))
        self.assertEqual(self.r.ttl(keys[20]), -1)
        self.assertEqual(self.r.incr("global:counter"), 1)
        self.assertEqual(self.r.hset("user:bot1:u1", mapping={"a": "1", "b": "2"}), 2)
        self.assertEqual(self.r.hgetall("user:bot1:u1"), {"a": "1", "b": "2"})
        self.assertEqual(self.r.rpush("global:q", "x", "y"), 2)
        self.assertEqual(self.r.lrange("global:q", 0, -1), ["x", "y"])
        self.assertTrue(self.r.ping())

    def test_hash_tags_keep_keys_together(self):
        owners = set()
        for i in range(20):
            tag = "{u%d}" % (i * 104729)
            a, b = "user:%s:name" % tag, "user:%s:lang" % tag
            self.r.set(a, "n")
            self.r.set(b, "l")
            self.assertEqual(self.owner(a), self.owner(b))
            owners.add(self.owner(a))
            # A script over keys of one instance works through the proxy.
            self.assertEqual(
                self.r.eval("return redis.call('mget', KEYS[1], KEYS[2])", 2, a, b), ["n", "l"])
        self.assertEqual(owners, {0, 1})

    def test_script_sees_only_the_first_keys_instance(self):
        # Two keys on different instances: the script runs where its first
        # key lives and does not see the other key.
        a = "global:a"
        self.r.set(a, "1")
        for i in range(1000):
            b = "global:b%d" % i
            self.r.set(b, "2")
            if self.owner(b) != self.owner(a):
                break
            self.r.delete(b)
        self.assertNotEqual(self.owner(a), self.owner(b))
        self.assertEqual(self.r.eval("return redis.call('mget', KEYS[1], KEYS[2])", 2, a, b),
                         ["1", None])

    def assert_refused(self, *args):
        """twemproxy refuses a command it does not support by closing the connection."""
        r = redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)
        with self.assertRaises(redis.exceptions.ConnectionError, msg=repr(args)):
            r.execute_command(*args)
        r.close()

    def test_what_does_not_work(self):
        self.r.set("global:x", "1")
        for args in (["MULTI"], ["BLPOP", "global:q", "1"], ["SUBSCRIBE", "ch"],
                     ["SCAN", "0"], ["KEYS", "*"], ["DELPREFIX", "global:"], ["FLUSHALL"],
                     ["SELECT", "1"], ["INFO"], ["CONFIG", "GET", "port"]):
            self.assert_refused(*args)
        # DELPREFIX per instance, straight to each one.
        self.assertEqual(sum(r.execute_command("DELPREFIX", "global:") for r in self.direct), 1)
        self.assertIsNone(self.r.get("global:x"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    run_tests.BINARY = os.path.abspath(args.binary)
    if NUTCRACKER is None:
        banner = "#" * 72
        print("%s\n# SKIPPED: twemproxy (nutcracker) is not installed: the 'Scaling out'\n"
              "# claims were NOT checked. Install it: apt-get install nutcracker\n"
              "# (scripts/deps.sh test does).\n%s" % (banner, banner), file=sys.stderr)
        sys.exit(77)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TwemproxyTest)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()

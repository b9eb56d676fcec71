#!/usr/bin/python3
"""End-to-end tests of examples/python/botstorage.py (redis-py, Debian's python3-redis).

The same contract runs against the real stashd binary (DELPREFIX path) and against a real
redis-server (SCAN MATCH + UNLINK fallback; skipped when redis-server is not installed).

    /usr/bin/python3 tests/examples/test_python_example.py --binary build/server/stashd
"""
import argparse
import json
import os
import queue
import shutil
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e_py"))
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))

import redis  # noqa: E402
import run_tests  # noqa: E402  (Server: starts a binary on a free port in a temp dir)
from botstorage import BotStorage, parse_expiry  # noqa: E402
from conversation_end import ConversationEndWatcher, parse_state_key  # noqa: E402

STASHD = os.path.join(ROOT, "build", "server", "stashd")
REDIS_SERVER = shutil.which("redis-server")


def command_calls(client, command):
    return client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)


class ParseStateKeyTest(unittest.TestCase):
    def test_state_keys_only(self):
        self.assertEqual(parse_state_key("state:bot1:conv42"), ("bot1", "conv42"))
        for other in ["state:bot1:conv42:payload", "state:bot1", "state::x", "user:bot1:u1:age",
                      "global:bot1:x", "xstate:bot1:c"]:
            self.assertIsNone(parse_state_key(other), other)


class ParseExpiryTest(unittest.TestCase):
    def test_valid(self):
        cases = {"30m": 1_800_000, "6 hours": 21_600_000, "2 days": 172_800_000,
                 "45 seconds": 45_000, "1.5h": 5_400_000, "500ms": 500, "1 WEEK": 604_800_000,
                 " 10 Min ": 600_000, "1 sec": 1000, "3 hrs": 10_800_000}
        for text, ms in cases.items():
            self.assertEqual(parse_expiry(text), ms, text)
        self.assertIsNone(parse_expiry("never"))
        self.assertIsNone(parse_expiry("Never"))

    def test_invalid(self):
        for bad in ["", "soon", "30", "m", "10 parsecs", "-5m", "0s", "0.0001s", "5 m s", "1e3s",
                    30, None]:
            with self.assertRaisesRegex(ValueError, "invalid expiry"):
                parse_expiry(bad)


class StorageContract:
    """Tests every server must pass; subclasses start the server in setUpClass."""
    server = None

    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        self.r.flushall()
        self.storage = BotStorage(self.r)

    def tearDown(self):
        self.r.close()

    def keys(self):
        return sorted(self.r.keys("*"))

    def test_json_round_trip(self):
        s = self.storage
        value = {"name": "Joe", "tags": ["a", "b"], "score": 1.5, "ok": True, "none": None}
        key = s.get_user_storage_key("bot1", "u1", "profile")
        self.assertEqual(key, "user:bot1:u1:profile")
        s.set_storage_with_expiry("bot1", key, value, "never")
        self.assertEqual(s.get_storage_with_expiry("bot1", key), value)
        self.assertEqual(json.loads(self.r.get(key)), value)
        for plain in [12, "twelve", [1, 2, 3], False]:
            s.set_storage_with_expiry("bot1", key, plain, "30m")
            self.assertEqual(s.get_storage_with_expiry("bot1", key), plain)
        self.assertIsNone(s.get_storage_with_expiry("bot1", "user:bot1:u1:missing"))

    def test_expired_state_ends_the_conversation(self):
        ended = queue.Queue()
        watcher = ConversationEndWatcher(self.r, lambda bot, state: ended.put((bot, state)))
        watcher.start()
        try:
            self.assertIn("x", self.r.config_get("notify-keyspace-events")["notify-keyspace-events"])
            s = self.storage
            s.set_state("bot1", "conv42", {"step": 3}, "200ms")
            s.set_state("bot1", "conv43", {"step": 1}, "never")
            s.set_state("bot1", "conv44", {"x": 1}, "200ms", field="payload")  # a field: ignored
            s.set_user_variable("bot1", "u1", "age", 3, "200ms")  # another scope: ignored
            # Nobody reads the keys: the server's active expiry finds conv42.
            self.assertEqual(ended.get(timeout=5), ("bot1", "conv42"))
            time.sleep(0.5)
            self.assertTrue(ended.empty(), list(ended.queue))
            # Read after its deadline, a key expires on access, with the same event.
            self.r.set("state:bot2:conv7", "{}", px=50)
            time.sleep(0.06)
            self.r.get("state:bot2:conv7")
            self.assertEqual(ended.get(timeout=5), ("bot2", "conv7"))
        finally:
            watcher.stop()
            self.r.config_set("notify-keyspace-events", "")

    def test_expiry_strings_set_ttl(self):
        s = self.storage
        for expiry, seconds in [("30m", 1800), ("6 hours", 21600), ("2 days", 172800),
                                ("45 seconds", 45), ("1 week", 604800), ("1.5h", 5400)]:
            s.set_storage_with_expiry("bot1", "k", expiry, expiry)
            ttl = self.r.ttl("global:bot1:k")
            self.assertTrue(seconds - 1 <= ttl <= seconds, (expiry, ttl))
        s.set_storage_with_expiry("bot1", "k", 1, "1500ms")
        pttl = self.r.pttl("global:bot1:k")
        self.assertTrue(1000 < pttl <= 1500, pttl)

    def test_short_expiry_expires(self):
        s = self.storage
        s.set_storage_with_expiry("bot1", "flash", {"x": 1}, "150 ms")
        self.assertEqual(s.get_storage_with_expiry("bot1", "flash"), {"x": 1})
        time.sleep(0.4)
        self.assertIsNone(s.get_storage_with_expiry("bot1", "flash"))
        self.assertEqual(self.r.exists("global:bot1:flash"), 0)

    def test_never_has_no_ttl(self):
        s = self.storage
        s.set_storage_with_expiry("bot1", "k", 1, "never")
        self.assertEqual(self.r.ttl("global:bot1:k"), -1)
        s.set_storage_with_expiry("bot1", "k", 2, "30m")
        self.assertGreater(self.r.ttl("global:bot1:k"), 0)
        s.set_storage_with_expiry("bot1", "k", 3, "never")  # clears the earlier TTL
        self.assertEqual(self.r.ttl("global:bot1:k"), -1)
        self.assertEqual(s.get_storage_with_expiry("bot1", "k"), 3)

    def test_invalid_expiry_stores_nothing(self):
        for bad in ["soon", "10 parsecs", "-5m", "0s"]:
            with self.assertRaisesRegex(ValueError, "invalid expiry"):
                self.storage.set_storage_with_expiry("bot1", "k", 1, bad)
        self.assertEqual(self.keys(), [])

    def test_remove_deletes_exactly_the_prefix(self):
        s = self.storage
        for user, var in [("u1", "age"), ("u1", "name"), ("u1", "city"), ("u10", "age"),
                          ("u2", "age")]:
            s.set_user_variable("bot1", user, var, var, "never")
        s.set_user_variable("bot2", "u1", "age", 40)
        s.set("bot1", "user", "not a user variable")
        deleted = s.remove_storage_keys_starting_with(
            "bot1", s.get_user_storage_key("bot1", "u1", ""))
        self.assertEqual(deleted, 3)
        self.assertEqual(self.keys(), ["global:bot1:user", "user:bot1:u10:age", "user:bot1:u2:age",
                                       "user:bot2:u1:age"])
        self.assertEqual(s.remove_storage_keys_starting_with("bot1", "user:bot1:"), 2)
        self.assertEqual(s.remove_storage_keys_starting_with("bot1", "user:bot1:"), 0)
        self.assertEqual(self.keys(), ["global:bot1:user", "user:bot2:u1:age"])

    def test_remove_plain_prefix_is_global_and_literal(self):
        s = self.storage
        for name in ["score*1", "score*2", "scoreX", "score?", "a[b]c", "abc", "a\\b"]:
            s.set("bot1", name, name)
        s.set("bot2", "score*1", 1)
        self.assertEqual(s.remove_storage_keys_starting_with("bot1", "score*"), 2)
        self.assertEqual(s.remove_storage_keys_starting_with("bot1", "a[b"), 1)
        self.assertEqual(s.remove_storage_keys_starting_with("bot1", "a\\"), 1)
        self.assertEqual(self.keys(), ["global:bot1:abc", "global:bot1:score?",
                                       "global:bot1:scoreX", "global:bot2:score*1"])

    def test_remove_rejects_empty_and_foreign_prefixes(self):
        s = self.storage
        s.set_user_variable("bot2", "u1", "age", 40)
        for prefix in ["", "user:bot2:", "user:", "state:bot10:"]:
            with self.assertRaises(ValueError):
                s.remove_storage_keys_starting_with("bot1", prefix)
        self.assertEqual(self.keys(), ["user:bot2:u1:age"])

    def test_user_variables(self):
        s = self.storage
        s.set_user_variable("bot1", "u1", "age", 12, "6 hours")
        s.set_user_variable("bot1", "u1", "lang", "fr", "never")
        self.assertEqual(s.get_user_variable("bot1", "u1", "age"), 12)
        self.assertEqual(s.get_storage_with_expiry("bot1", "user:bot1:u1:lang"), "fr")
        self.assertTrue(21599 <= self.r.ttl("user:bot1:u1:age") <= 21600)
        self.assertEqual(self.r.ttl("user:bot1:u1:lang"), -1)
        self.assertIsNone(s.get_user_variable("bot1", "u2", "age"))
        self.assertEqual(s.delete_user("bot1", "u1"), 2)
        self.assertIsNone(s.get_user_variable("bot1", "u1", "age"))

    def test_global_get_set(self):
        s = self.storage
        s.set("bot1", "winner", {"name": "Joe"})
        self.assertEqual(s.get("bot1", "winner"), {"name": "Joe"})
        self.assertIsNone(s.get("bot2", "winner"))
        self.assertEqual(json.loads(self.r.get("global:bot1:winner")), {"name": "Joe"})
        # A plain Botpress key lives in the global scope: both APIs see the same value.
        self.assertEqual(s.get_storage_with_expiry("bot1", "winner"), {"name": "Joe"})
        s.set_storage_with_expiry("bot1", "winner", {"name": "Ann"}, "2 days")
        self.assertEqual(s.get("bot1", "winner"), {"name": "Ann"})
        self.assertTrue(172799 <= self.r.ttl("global:bot1:winner") <= 172800)

    def test_state_get_set_delete(self):
        s = self.storage
        s.set_state("bot1", "s1", {"step": 2, "cart": ["apple"]}, "30m")
        s.set_state("bot1", "s1", "x" * 10_000, field="payload")
        s.set_state("bot1", "s10", {"step": 1})
        s.set_state("bot2", "s1", {"step": 9})
        self.assertEqual(s.get_state("bot1", "s1"), {"step": 2, "cart": ["apple"]})
        self.assertEqual(s.get_state("bot1", "s1", field="payload"), "x" * 10_000)
        self.assertTrue(1799 <= self.r.ttl("state:bot1:s1") <= 1800)
        self.assertEqual(s.delete_state("bot1", "s1"), 2)
        self.assertIsNone(s.get_state("bot1", "s1"))
        self.assertIsNone(s.get_state("bot1", "s1", field="payload"))
        self.assertEqual(self.keys(), ["state:bot1:s10", "state:bot2:s1"])
        self.assertEqual(s.delete_state("bot1", "s1"), 0)

    def test_ids_must_not_contain_colons(self):
        s = self.storage
        with self.assertRaisesRegex(ValueError, "bot id"):
            s.set("bot:1", "x", 1)
        with self.assertRaisesRegex(ValueError, "user id"):
            s.get_user_storage_key("bot1", "u:1", "age")
        with self.assertRaisesRegex(ValueError, "state id"):
            s.set_state("bot1", "s:1", {})
        self.assertEqual(self.keys(), [])


class StashdTest(StorageContract, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = run_tests.Server(binary=STASHD)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_remove_uses_delprefix(self):
        self.storage.set("bot1", "a", 1)
        delprefix, scan = command_calls(self.r, "delprefix"), command_calls(self.r, "scan")
        self.assertEqual(self.storage.remove_storage_keys_starting_with("bot1", "a"), 1)
        self.assertEqual(command_calls(self.r, "delprefix"), delprefix + 1)
        self.assertEqual(command_calls(self.r, "scan"), scan)


class StashdScopeDefaultTtlTest(unittest.TestCase):
    """No expiry given → the scope's default TTL applies; "never" overrides it."""

    @classmethod
    def setUpClass(cls):
        cls.server = run_tests.Server("--scope-user-default-ttl", "1h",
                                      "--scope-state-default-ttl", "24h", binary=STASHD)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_default_and_never(self):
        r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        s = BotStorage(r)
        s.set_user_variable("bot1", "u1", "age", 12)
        self.assertTrue(3599 <= r.ttl("user:bot1:u1:age") <= 3600)
        s.set_user_variable("bot1", "u1", "age", 12, "never")
        self.assertEqual(r.ttl("user:bot1:u1:age"), -1)
        s.set_user_variable("bot1", "u1", "age", 12, "30m")
        self.assertTrue(1799 <= r.ttl("user:bot1:u1:age") <= 1800)
        s.set_state("bot1", "s1", {"step": 1})
        self.assertTrue(86399 <= r.ttl("state:bot1:s1") <= 86400)
        s.set("bot1", "winner", "Joe")
        self.assertEqual(r.ttl("global:bot1:winner"), -1)
        r.close()


@unittest.skipIf(REDIS_SERVER is None, "redis-server is not installed")
class RedisFallbackTest(StorageContract, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = run_tests.Server("--save", "", "--appendonly", "no", binary=REDIS_SERVER)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_remove_falls_back_to_scan_unlink(self):
        for i in range(1200):  # more than one SCAN batch and one UNLINK batch
            self.storage.set_user_variable("bot1", "u1", f"v{i}", i)
        self.storage.set_user_variable("bot1", "u2", "v1", 1)
        scan, unlink = command_calls(self.r, "scan"), command_calls(self.r, "unlink")
        self.assertEqual(self.storage.remove_storage_keys_starting_with("bot1", "user:bot1:u1:"),
                         1200)
        self.assertGreater(command_calls(self.r, "scan"), scan)
        self.assertGreaterEqual(command_calls(self.r, "unlink"), unlink + 3)
        self.assertEqual(self.keys(), ["user:bot1:u2:v1"])


def main():
    global STASHD
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=STASHD, help="stashd binary (default: %(default)s)")
    args = parser.parse_args()
    STASHD = os.path.abspath(args.binary)
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"python example: {passed} passed, {failed} failed, {len(result.skipped)} skipped")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

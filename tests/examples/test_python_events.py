#!/usr/bin/python3
"""End-to-end tests of examples/python/conversation_events.py (redis-py, Debian's python3-redis).

The same tests run against the stashd binary and against redis-server as a control (skipped
when redis-server is not installed).

    /usr/bin/python3 tests/examples/test_python_events.py --binary build/server/stashd
"""
import argparse
import os
import shutil
import sys
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e_py"))
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))

import redis  # noqa: E402
import run_tests  # noqa: E402  (Server: starts a binary on a free port in a temp dir)
from conversation_events import ConversationLog, Inbox, Worker  # noqa: E402

STASHD = os.path.join(ROOT, "build", "server", "stashd")
REDIS_SERVER = shutil.which("redis-server")


class EventsContract:
    """Tests every server must pass; subclasses start the server in setUpClass."""
    server = None

    def connect(self):
        client = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        self.clients.append(client)
        return client

    def setUp(self):
        self.clients = []
        self.r = self.connect()
        self.r.flushall()

    def tearDown(self):
        for client in self.clients:
            client.close()

    def test_events_are_replayed_in_order(self):
        log = ConversationLog(self.r, max_events=50)
        self.assertEqual(log.events_key("bot1", "c1"), "state:bot1:c1:events")
        ids = [log.append("bot1", "c1", "message", f"text {i}", f"u{i % 2}") for i in range(5)]
        log.append("bot1", "c2", "message", "other conversation", "u9")
        log.append("bot2", "c1", "message", "other bot", "u9")
        self.assertEqual(ids, sorted(ids, key=lambda i: tuple(map(int, i.split("-")))))
        self.assertEqual(len(set(ids)), 5)
        self.assertEqual(log.replay("bot1", "c1", 3), [
            {"id": ids[2], "type": "message", "text": "text 2", "user": "u0"},
            {"id": ids[3], "type": "message", "text": "text 3", "user": "u1"},
            {"id": ids[4], "type": "message", "text": "text 4", "user": "u0"},
        ])
        self.assertEqual([e["text"] for e in log.replay("bot1", "c1", 100)],
                         [f"text {i}" for i in range(5)])
        self.assertEqual(log.replay("bot1", "c2", 10)[0]["text"], "other conversation")
        self.assertEqual(log.replay("bot1", "none", 10), [])
        self.assertEqual(sorted(self.r.keys("*")), ["state:bot1:c1:events", "state:bot1:c2:events",
                                                    "state:bot2:c1:events"])
        with self.assertRaisesRegex(ValueError, "conversation id"):
            log.append("bot1", "c:1", "message", "x", "u1")

    def test_trimming_keeps_the_last_n(self):
        log = ConversationLog(self.r, max_events=100)
        for i in range(1000):
            log.append("bot1", "c1", "message", str(i), "u1")
        key = "state:bot1:c1:events"
        length = self.r.xlen(key)
        # MAXLEN ~ 100: at least the last 100, and less than one 100-entry node more.
        self.assertTrue(100 <= length < 200, length)
        # What is kept is exactly the newest `length` events, in order.
        self.assertEqual([e["text"] for e in log.replay("bot1", "c1", 1000)],
                         [str(i) for i in range(1000 - length, 1000)])
        self.assertEqual([e["text"] for e in log.replay("bot1", "c1", 100)],
                         [str(i) for i in range(900, 1000)])

    def test_three_workers_handle_each_message_once(self):
        inbox = Inbox(self.r, "bot1").create_group()
        self.assertEqual(self.r.type("global:bot1:inbox"), "stream")
        inbox.create_group()  # creating the group again is harmless
        posted = {inbox.post(f"c{i % 7}", f"u{i % 3}", f"m{i}"): f"m{i}"
                  for i in range(300)}
        self.assertEqual(len(posted), 300)
        handled = []  # (worker, id, text)
        lock = threading.Lock()
        all_done, stop = threading.Event(), threading.Event()

        def handler(name):
            def handle(message):
                time.sleep(0.001)  # some work, so that the three share the messages
                with lock:
                    handled.append((name, message["id"], message["text"]))
                    if len(handled) >= 300:
                        all_done.set()
            return handle

        workers = [Worker(Inbox(self.connect(), "bot1"), f"worker-{n}", handler(f"worker-{n}"))
                   for n in range(3)]
        threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
        for t in threads:
            t.start()
        try:
            self.assertTrue(all_done.wait(30), f"{len(handled)} handled in 30 s")
            time.sleep(0.3)  # a message delivered twice would show up meanwhile
        finally:
            stop.set()
            for t in threads:
                t.join(10)
        self.assertEqual(len(handled), 300)
        self.assertEqual({message_id: text for _, message_id, text in handled}, posted)
        self.assertEqual(sorted(t for _, _, t in handled), sorted(posted.values()))
        self.assertEqual(self.r.xpending("global:bot1:inbox", "workers")["pending"], 0)
        group = self.r.xinfo_groups("global:bot1:inbox")[0]
        self.assertEqual((group["name"], group["pending"], group["last-delivered-id"]),
                         ("workers", 0, max(posted, key=lambda i: tuple(map(int, i.split("-"))))))
        print(f"\n  per worker: {[sum(1 for w, _, _ in handled if w == n) for n in sorted({w for w, _, _ in handled})]}",
              file=sys.stderr)

    def test_dead_workers_messages_are_claimed(self):
        inbox = Inbox(self.r, "bot1").create_group()
        ids = [inbox.post("c1", "u1", f"m{i}") for i in range(5)]
        # A worker reads three messages and dies before acknowledging them.
        dead = self.connect()
        read_at = time.monotonic()
        self.assertEqual([m["text"] for m in Inbox(dead, "bot1").read("worker-dead", count=3)],
                         ["m0", "m1", "m2"])
        dead.close()

        handled = []
        worker = Worker(Inbox(self.connect(), "bot1"), "worker-b",
                        lambda m: handled.append(m["text"]), min_idle_ms=2000)
        self.assertEqual(worker.run_once(), 2)  # the new ones; m0..m2 are not idle long enough
        self.assertEqual(handled, ["m3", "m4"])
        summary = self.r.xpending("global:bot1:inbox", "workers")
        self.assertEqual((summary["pending"], summary["min"], summary["max"], summary["consumers"]),
                         (3, ids[0], ids[2], [{"name": "worker-dead", "pending": 3}]))
        self.assertEqual(worker.run_once(), 0)
        self.assertLess(time.monotonic() - read_at, 2.0, "the machine is too slow for this test")

        time.sleep(max(0.0, read_at + 2.1 - time.monotonic()))
        self.assertEqual(worker.run_once(), 3)
        self.assertEqual(handled, ["m3", "m4", "m0", "m1", "m2"])
        summary = self.r.xpending("global:bot1:inbox", "workers")
        self.assertEqual((summary["pending"], summary["consumers"]), (0, []))
        self.assertEqual(worker.run_once(), 0)
        self.assertEqual(handled, ["m3", "m4", "m0", "m1", "m2"])


class StashdEventsTest(EventsContract, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = run_tests.Server(binary=STASHD)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


@unittest.skipIf(REDIS_SERVER is None, "redis-server is not installed")
class RedisEventsTest(EventsContract, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = run_tests.Server("--save", "", "--appendonly", "no", binary=REDIS_SERVER)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


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
    print(f"python events example: {passed} passed, {failed} failed, {len(result.skipped)} skipped")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

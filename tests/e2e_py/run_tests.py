#!/usr/bin/python3
"""End-to-end tests with redis-py (Debian's python3-redis) against the real binary.

    /usr/bin/python3 tests/e2e_py/run_tests.py --binary build/server/stashd
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import redis

BINARY = None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """Starts `binary` (default: BINARY, the stashd under test) on a free port in a
    temp dir, with --port/--bind/--dir/--logfile, flags that stashd and redis-server
    both accept (the examples' tests start redis-server as a control this way)."""

    def __init__(self, *extra, binary=None):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="stashd-py-")
        self.proc = subprocess.Popen(
            [binary or BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--logfile", os.path.join(self.dir, "stashd.log"), *extra])
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("stashd exited at start-up")
                time.sleep(0.02)
        raise RuntimeError("stashd did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerTestCase(unittest.TestCase):
    """One stashd for the whole class, started with SERVER_ARGS."""

    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.SERVER_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class RedisPyTest(ServerTestCase):
    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        self.r.flushall()

    def tearDown(self):
        self.r.close()

    def test_strings(self):
        self.assertTrue(self.r.set("user:bot1:u1:name", "Joe"))
        self.assertEqual(self.r.get("user:bot1:u1:name"), "Joe")
        self.assertIsNone(self.r.get("nope"))
        self.assertIsNone(self.r.set("user:bot1:u1:name", "X", nx=True))
        self.assertEqual(self.r.incr("n"), 1)
        self.assertEqual(self.r.incrby("n", 10), 11)
        self.assertAlmostEqual(self.r.incrbyfloat("f", 1.5), 1.5)
        self.assertEqual(self.r.mget(["user:bot1:u1:name", "nope", "n"]), ["Joe", None, "11"])
        self.assertEqual(self.r.append("user:bot1:u1:name", "!"), 4)
        self.assertEqual(self.r.getrange("user:bot1:u1:name", 0, 1), "Jo")

    def test_expiry(self):
        self.r.set("state:bot1:s1", "{}", ex=100)
        ttl = self.r.ttl("state:bot1:s1")
        self.assertTrue(99 <= ttl <= 100, ttl)
        self.r.set("short", "x", px=50)
        time.sleep(0.2)
        self.assertIsNone(self.r.get("short"))
        self.assertTrue(self.r.persist("state:bot1:s1"))
        self.assertEqual(self.r.ttl("state:bot1:s1"), -1)
        self.assertEqual(self.r.ttl("missing"), -2)

    def test_active_expiry_reclaims_unread_keys(self):
        for i in range(100):
            self.r.set(f"tmp:{i}", "x", px=30)
        time.sleep(1.0)
        # Never read: the active sweep must have removed them.
        self.assertEqual(self.r.dbsize(), 0)

    def test_pipeline_transaction(self):
        pipe = self.r.pipeline()  # transaction=True: MULTI/EXEC
        pipe.set("a", "1").incr("a").get("a")
        self.assertEqual(pipe.execute(), [True, 2, "2"])

    def test_pipeline_without_transaction(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(500):
            pipe.set(f"k{i}", i)
        self.assertEqual(len(pipe.execute()), 500)
        self.assertEqual(self.r.dbsize(), 500)

    def test_watch_optimistic_lock(self):
        self.r.set("counter", 0)
        other = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        with self.r.pipeline() as pipe:
            pipe.watch("counter")
            other.set("counter", 5)
            pipe.multi()
            pipe.incr("counter")
            with self.assertRaises(redis.WatchError):
                pipe.execute()
        other.close()
        self.assertEqual(self.r.get("counter"), "5")

    def test_transaction_helper_retries(self):
        self.r.set("c", 0)

        def incr(pipe):
            v = int(pipe.get("c"))
            pipe.multi()
            pipe.set("c", v + 1)

        self.r.transaction(incr, "c")
        self.assertEqual(self.r.get("c"), "1")

    def test_exec_abort_on_queue_error(self):
        conn = self.r.connection_pool.get_connection("MULTI")
        try:
            conn.send_command("MULTI")
            self.assertEqual(conn.read_response(), "OK")
            conn.send_command("SET", "only-one-arg")
            with self.assertRaises(redis.ResponseError) as e:
                conn.read_response()
            self.assertIn("wrong number of arguments for 'set' command", str(e.exception))
            conn.send_command("EXEC")
            # redis-py maps the EXECABORT prefix to ExecAbortError and strips it.
            with self.assertRaises(redis.exceptions.ExecAbortError) as e:
                conn.read_response()
            self.assertEqual(str(e.exception), "Transaction discarded because of previous errors.")
        finally:
            self.r.connection_pool.release(conn)

    def test_scan_iter_and_keys(self):
        for i in range(300):
            self.r.set(f"user:bot1:u{i}:age", i)
            self.r.set(f"global:bot1:v{i}", i)
        keys = set(self.r.scan_iter(match="user:bot1:*", count=17))
        self.assertEqual(len(keys), 300)
        self.assertEqual(len(self.r.keys("global:*")), 300)
        cursor, batch = self.r.scan(0, count=5)
        self.assertIsInstance(cursor, int)

    def test_wrongtype_and_errors(self):
        self.r.set("s", "abc")
        with self.assertRaises(redis.ResponseError) as e:
            self.r.incr("s")
        self.assertEqual(str(e.exception), "value is not an integer or out of range")

    def test_keyspace_commands(self):
        self.r.set("a", "1")
        self.assertTrue(self.r.rename("a", "b"))
        self.assertEqual(self.r.type("b"), "string")
        self.assertTrue(self.r.copy("b", "c"))
        self.assertEqual(self.r.exists("a", "b", "c"), 2)
        self.assertEqual(self.r.delete("b", "c"), 2)
        self.assertTrue(self.r.expire("missing", 10) is False)

    def test_client_name_and_info(self):
        self.r.client_setname("bot1-worker")
        self.assertEqual(self.r.client_getname(), "bot1-worker")
        info = self.r.info()
        self.assertIn("redis_version", info)
        self.assertEqual(info["maxmemory_policy"], "noeviction")
        self.assertTrue(any(c.get("name") == "bot1-worker" for c in self.r.client_list()))

    def test_select_databases(self):
        r1 = redis.Redis(host="127.0.0.1", port=self.server.port, db=1, decode_responses=True)
        r1.set("x", "in-db1")
        self.assertIsNone(self.r.get("x"))
        self.assertEqual(r1.get("x"), "in-db1")
        self.assertTrue(self.r.move("nothing", 1) is False)
        r1.close()

    def test_config_get(self):
        cfg = self.r.config_get("maxclients")
        self.assertEqual(cfg, {"maxclients": "10000"})


class AuthTest(unittest.TestCase):
    def test_requirepass(self):
        server = Server("--requirepass", "s3cret")
        try:
            r = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True)
            with self.assertRaises(redis.AuthenticationError):
                r.get("x")
            ok = redis.Redis(host="127.0.0.1", port=server.port, password="s3cret",
                             decode_responses=True)
            self.assertTrue(ok.set("x", "1"))
            bad = redis.Redis(host="127.0.0.1", port=server.port, password="wrong")
            # redis-py 4.3 surfaces WRONGPASS at connect time as a ResponseError
            # (the same happens against redis-server 7).
            with self.assertRaises(redis.ResponseError) as e:
                bad.ping()
            self.assertEqual(str(e.exception),
                             "WRONGPASS invalid username-password pair or user is disabled.")
        finally:
            server.stop()


class RedisCliHintsTest(unittest.TestCase):
    """redis-cli 7 builds its interactive argument hints from COMMAND DOCS."""

    def typed(self, port, text):
        """What interactive redis-cli shows after `text` is typed (on a pty)."""
        import fcntl
        import pty
        import select
        import struct
        import termios
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm"
            os.execvp("redis-cli", ["redis-cli", "-p", str(port)])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        screen = b""
        try:
            def read_for(seconds, until=None):
                nonlocal screen
                deadline = time.time() + seconds
                while time.time() < deadline:
                    if until is not None and until in screen:
                        return
                    ready, _, _ = select.select([fd], [], [], 0.05)
                    if ready:
                        try:
                            chunk = os.read(fd, 4096)
                        except OSError:
                            return
                        screen += chunk
                        if b"\x1b[6n" in chunk:  # linenoise asks where the cursor is
                            os.write(fd, b"\x1b[1;1R")
            read_for(10, until=b"> ")
            os.write(fd, text.encode())
            read_for(3, until=b"[NX|XX]")
            return screen.decode(errors="replace")
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)

    @unittest.skipIf(shutil.which("redis-cli") is None, "redis-cli not installed")
    def test_set_shows_argument_hints(self):
        server = Server()
        try:
            out = self.typed(server.port, "SET ")
            self.assertIn("key value [NX|XX] [GET] [EX seconds|PX milliseconds", out)
        finally:
            server.stop()


class RedisPyScriptingTest(ServerTestCase):
    """redis-py's script helpers and its Lock, which runs on Lua scripts."""

    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        self.r.flushall()
        self.r.script_flush()

    def tearDown(self):
        self.r.close()

    def test_register_script_falls_back_to_eval(self):
        incr_if_below = self.r.register_script(
            "local v = tonumber(redis.call('get', KEYS[1]) or '0')\n"
            "if v < tonumber(ARGV[1]) then return redis.call('incr', KEYS[1]) end\n"
            "return false")
        # The first call gets NOSCRIPT from EVALSHA and loads the script.
        self.assertEqual(incr_if_below(keys=["global:bot1:quota"], args=[2]), 1)
        self.assertEqual(incr_if_below(keys=["global:bot1:quota"], args=[2]), 2)
        self.assertIsNone(incr_if_below(keys=["global:bot1:quota"], args=[2]))
        self.assertEqual(self.r.script_exists(incr_if_below.sha), [True])
        self.r.script_flush()
        self.assertEqual(self.r.script_exists(incr_if_below.sha), [False])
        self.assertIsNone(incr_if_below(keys=["global:bot1:quota"], args=[2]))

    def test_eval_errors_are_response_errors(self):
        with self.assertRaises(redis.exceptions.ResponseError) as ctx:
            self.r.eval("return redis.call('nosuch')", 0)
        self.assertIn("Unknown Redis command called from script", str(ctx.exception))
        with self.assertRaises(redis.exceptions.NoScriptError):
            self.r.evalsha("ffffffffffffffffffffffffffffffffffffffff", 0)
        self.assertEqual(self.r.eval("return {1, 'two', {3}}", 0), [1, "two", [3]])

    def test_lock(self):
        lock = self.r.lock("global:bot1:lock", timeout=10, blocking_timeout=0.2)
        self.assertTrue(lock.acquire())
        other = self.r.lock("global:bot1:lock", timeout=10, blocking_timeout=0.2)
        self.assertFalse(other.acquire())
        self.assertTrue(lock.extend(5))
        self.assertGreater(self.r.pttl("global:bot1:lock"), 10000)
        self.assertTrue(lock.reacquire())
        # A holder with the wrong token cannot release it (the release script
        # compares tokens).
        thief = self.r.lock("global:bot1:lock", timeout=10)
        thief.local.token = "not-the-owner"
        with self.assertRaises(redis.exceptions.LockNotOwnedError):
            thief.release()
        lock.release()
        self.assertTrue(other.acquire())
        self.assertTrue(other.owned())
        other.release()
        self.assertFalse(self.r.exists("global:bot1:lock"))


class RedisPyPubSubTest(ServerTestCase):
    """redis-py's PubSub object: subscribe, patterns, shard channels,
    run_in_thread with handlers, RESP2 PING while subscribed, unsubscribe."""

    SERVER_ARGS = ("--io-threads", "2")

    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)

    def tearDown(self):
        self.r.close()

    def next_message(self, p):
        deadline = time.time() + 10
        while time.time() < deadline:
            m = p.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if m is not None:
                return m
        self.fail("no message arrived")

    def test_subscribe_publish_and_patterns(self):
        p = self.r.pubsub()
        p.subscribe("bot:events")
        p.psubscribe("conv:*")
        self.assertEqual(p.get_message(timeout=5)["type"], "subscribe")
        self.assertEqual(p.get_message(timeout=5)["type"], "psubscribe")
        self.assertEqual(self.r.publish("bot:events", "started"), 1)
        self.assertEqual(self.r.publish("conv:42", "ended"), 1)
        self.assertEqual(self.next_message(p),
                         {"type": "message", "pattern": None, "channel": "bot:events",
                          "data": "started"})
        self.assertEqual(self.next_message(p),
                         {"type": "pmessage", "pattern": "conv:*", "channel": "conv:42",
                          "data": "ended"})
        self.assertEqual(self.r.pubsub_numsub("bot:events"), [("bot:events", 1)])
        self.assertEqual(self.r.pubsub_numpat(), 1)
        self.assertIn("bot:events", self.r.pubsub_channels())
        # PING while subscribed (RESP2) comes back as a pong message.
        p.ping()
        m = p.get_message(timeout=5)
        self.assertEqual(m["type"], "pong")
        p.unsubscribe()
        p.punsubscribe()
        p.close()
        deadline = time.time() + 10
        while self.r.pubsub_numsub("bot:events") != [("bot:events", 0)] and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.r.publish("bot:events", "x"), 0)

    def test_run_in_thread_handlers_in_order(self):
        got = []
        p = self.r.pubsub(ignore_subscribe_messages=True)
        p.subscribe(**{"jobs": lambda m: got.append(m["data"])})
        worker = p.run_in_thread(sleep_time=0.01, daemon=True)
        try:
            deadline = time.time() + 10
            while self.r.pubsub_numsub("jobs") != [("jobs", 1)] and time.time() < deadline:
                time.sleep(0.01)
            for i in range(200):
                self.r.publish("jobs", str(i))
            while len(got) < 200 and time.time() < deadline:
                time.sleep(0.01)
            self.assertEqual(got, [str(i) for i in range(200)])
        finally:
            worker.stop()
            worker.join(timeout=5)
            p.close()

    def test_shard_channels(self):
        # redis-py 4.3's PubSub object does not know SSUBSCRIBE: a raw connection.
        conn = self.r.connection_pool.get_connection("SSUBSCRIBE")
        try:
            conn.send_command("SSUBSCRIBE", "shard:1")
            self.assertEqual(conn.read_response(), ["ssubscribe", "shard:1", 1])
            self.assertEqual(self.r.execute_command("SPUBLISH", "shard:1", "hi"), 1)
            self.assertEqual(self.r.execute_command("PUBLISH", "shard:1", "hi"), 0)
            self.assertEqual(conn.read_response(), ["smessage", "shard:1", "hi"])
            self.assertEqual(self.r.execute_command("PUBSUB", "SHARDNUMSUB", "shard:1"),
                             ["shard:1", 1])
        finally:
            conn.disconnect()
            self.r.connection_pool.release(conn)

    def test_commands_refused_while_subscribed(self):
        conn = self.r.connection_pool.get_connection("SUBSCRIBE")
        try:
            conn.send_command("SUBSCRIBE", "a")
            self.assertEqual(conn.read_response(), ["subscribe", "a", 1])
            conn.send_command("GET", "k")
            with self.assertRaises(redis.ResponseError) as e:
                conn.read_response()
            self.assertEqual(str(e.exception),
                             "Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING "
                             "/ QUIT / RESET are allowed in this context")
        finally:
            conn.disconnect()
            self.r.connection_pool.release(conn)


class RedisPyTrackingTest(ServerTestCase):
    """Client-side caching through redis-py's own CLIENT TRACKING calls (RESP2:
    invalidations redirected to a connection subscribed to __redis__:invalidate)."""

    def setUp(self):
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True)
        self.r.flushall()
        # The connection that receives the invalidations.
        self.sub = self.r.connection_pool.get_connection("_")
        self.sub.send_command("CLIENT", "ID")
        self.sub_id = self.sub.read_response()
        self.sub.send_command("SUBSCRIBE", "__redis__:invalidate")
        self.assertEqual(self.sub.read_response(), ["subscribe", "__redis__:invalidate", 1])
        # A single-connection client, so tracking stays on the connection that reads.
        self.cache = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True,
                                 single_connection_client=True)

    def tearDown(self):
        self.cache.close()
        self.sub.disconnect()
        self.r.close()

    def next_invalidation(self):
        self.assertTrue(self.sub.can_read(timeout=5), "no invalidation arrived")
        message = self.sub.read_response()
        self.assertEqual(message[:2], ["message", "__redis__:invalidate"])
        return message[2]

    def test_default_mode_redirect(self):
        self.assertTrue(self.cache.client_tracking_on(clientid=self.sub_id))
        self.assertEqual(self.cache.client_getredir(), self.sub_id)
        self.r.mset({"a": "1", "b": "1"})
        self.assertEqual(self.cache.get("a"), "1")
        self.r.incr("b")  # never read: no message
        self.r.incr("a")
        self.assertEqual(self.next_invalidation(), ["a"])
        self.cache.mget("a", "b")
        self.r.delete("b")
        self.assertEqual(self.next_invalidation(), ["b"])
        self.r.flushall()
        self.assertIsNone(self.next_invalidation())  # flush: a null for everything
        self.assertFalse(self.sub.can_read(timeout=0.2))
        info = self.cache.client_trackinginfo()
        self.assertEqual(info[1], ["on"])
        self.assertEqual(info[3], self.sub_id)

    def test_bcast_prefixes(self):
        self.cache.client_tracking_on(clientid=self.sub_id, bcast=True, prefix=["user:", "state:"])
        pipe = self.r.pipeline()  # one transaction: one message per prefix
        pipe.set("user:2", "x").set("state:1", "y").set("other", "z").set("user:1", "w")
        pipe.execute()
        got = [self.next_invalidation(), self.next_invalidation()]
        self.assertEqual(sorted(got), [["state:1"], ["user:1", "user:2"]])
        self.assertFalse(self.sub.can_read(timeout=0.2))

    def test_errors(self):
        with self.assertRaises(redis.ResponseError) as e:
            self.cache.client_tracking_on(clientid=987654)
        self.assertEqual(str(e.exception), "The client ID you want redirect to does not exist")
        with self.assertRaises(redis.ResponseError) as e:
            self.cache.execute_command("CLIENT", "TRACKING", "ON", "PREFIX", "a")
        self.assertEqual(str(e.exception), "PREFIX option requires BCAST mode to be enabled")
        with self.assertRaises(redis.ResponseError) as e:
            self.cache.execute_command("CLIENT", "CACHING", "YES")
        self.assertTrue(str(e.exception).startswith("CLIENT CACHING can be called only when"))


def main():
    global BINARY
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"redis-py: {passed} passed, {failed} failed, {len(result.skipped)} skipped")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

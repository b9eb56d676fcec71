"""Ends conversations when their state expires, through keyspace notifications (redis-py).

A conversation's state lives at state:<botId>:<stateId> with a TTL (BotStorage.set_state with
an expiry, or the state scope's default TTL on stashd). When the TTL runs out the server deletes
the key and publishes it on __keyevent@<db>__:expired; ConversationEndWatcher turns that into a
call of on_end(bot_id, state_id), on a thread of its own:

    import redis
    from conversation_end import ConversationEndWatcher

    client = redis.Redis(port=6380)
    watcher = ConversationEndWatcher(client, lambda bot, state: print(bot, state, "ended"))
    watcher.start()          # enables the "Ex" notification classes if they are off
    ...
    watcher.stop()

Works the same on stashd and on Redis. Keys of a conversation's fields
(state:<botId>:<stateId>:<field>) expire with their own events and are ignored; so are other
scopes' keys. Notifications are fire-and-forget: an event published while no watcher is
subscribed is not replayed, so a bot that must never miss an end should also sweep on start.
"""
import threading

import redis

STATE = "state:"


def parse_state_key(key):
    """(bot_id, state_id) for "state:<bot>:<state>", None for any other key."""
    if not key.startswith(STATE):
        return None
    parts = key[len(STATE):].split(":")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def enable_expired_events(client):
    """Adds the E (keyevent) and x (expired) classes to notify-keyspace-events, keeping the
    classes already set. Returns the setting as it was."""
    before = client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
    if isinstance(before, bytes):
        before = before.decode()
    wanted = before + "".join(c for c in "Ex" if c not in before)
    if "A" in before:
        wanted = before + ("" if "E" in before else "E")
    if wanted != before:
        client.config_set("notify-keyspace-events", wanted)
    return before


class ConversationEndWatcher:
    def __init__(self, client, on_end, db=0, configure=True):
        self._client = client
        self._on_end = on_end
        self._channel = f"__keyevent@{db}__:expired"
        self._configure = configure
        self._pubsub = None
        self._thread = None
        self._stopping = threading.Event()

    def start(self):
        if self._configure:
            enable_expired_events(self._client)
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(self._channel)
        # Wait for the confirmation: from then on no expiry can be missed.
        message = self._pubsub.get_message(timeout=5)
        if message is None or message["type"] != "subscribe":
            raise RuntimeError(f"no subscribe confirmation from the server: {message!r}")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._pubsub is not None:
            self._pubsub.close()

    def _run(self):
        while not self._stopping.is_set():
            message = self._pubsub.get_message(timeout=0.1)
            if message is None or message["type"] != "message":
                continue
            key = message["data"]
            if isinstance(key, bytes):
                key = key.decode()
            parsed = parse_state_key(key)
            if parsed is not None:
                self._on_end(*parsed)

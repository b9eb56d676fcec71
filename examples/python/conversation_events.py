"""A conversation event log and an inbox worked by a group of workers, on streams (redis-py).

Each conversation's events go to a stream state:<botId>:<convId>:events, trimmed to about the
last max_events; replay() returns the last n for a bot's context. Incoming messages go to one
stream per bot, global:<botId>:inbox, read by a consumer group: every message goes to one worker
of the group, which acknowledges it once handled. The messages of a worker that dies before its
XACK stay pending; another worker takes them over with XAUTOCLAIM once they have been idle for
min_idle_ms.

    import redis
    from conversation_events import ConversationLog, Inbox, Worker

    client = redis.Redis(port=6380, decode_responses=True)
    log = ConversationLog(client, max_events=500)
    log.append("bot1", "conv42", "message", "hi", "user42")
    log.replay("bot1", "conv42", 20)   # [{"id": ..., "type": "message", "text": "hi", ...}]

    inbox = Inbox(client, "bot1").create_group()   # XGROUP CREATE ... MKSTREAM
    inbox.post("conv42", "user42", "hello")

    def handle(message):               # {"id", "conv", "user", "text"}
        log.append("bot1", message["conv"], "message", message["text"], message["user"])

    # A worker blocks in XREADGROUP: give each one a connection of its own.
    worker = Worker(Inbox(redis.Redis(port=6380, decode_responses=True), "bot1"), "worker-1",
                    handle, min_idle_ms=30_000)
    worker.run(stop)                   # until the threading.Event stop is set

Works the same on stashd and on Redis. Acknowledging after handling means a worker that dies
between the two has its message handled again by the worker that claims it: make handlers
idempotent (e.g. keyed on the message id) when that matters.
"""
import redis

STATE, GLOBAL = "state:", "global:"


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _check_id(what, value):
    if not value or ":" in value:
        raise ValueError(f"{what} must be non-empty and must not contain ':': {value!r}")


def _entry(entry_id, fields):
    """A stream entry as a dict: {"id": ..., field: value, ...} (str, whatever the client)."""
    event = {_text(k): _text(v) for k, v in fields.items()}
    event["id"] = _text(entry_id)
    return event


class ConversationLog:
    """Per-conversation event streams: state:<botId>:<convId>:events."""

    def __init__(self, client, max_events=1000):
        self.client = client
        self.max_events = max_events

    @staticmethod
    def events_key(bot_id, conv_id):
        _check_id("bot id", bot_id)
        _check_id("conversation id", conv_id)
        return f"{STATE}{bot_id}:{conv_id}:events"

    def append(self, bot_id, conv_id, type, text, user):
        """XADD <key> MAXLEN ~ max_events * type .. text .. user ..; returns the event's id.

        "~" lets the server trim whole internal nodes only, so a stream keeps at least
        max_events events and at most a node's worth more."""
        entry_id = self.client.xadd(self.events_key(bot_id, conv_id),
                                    {"type": type, "text": text, "user": user},
                                    maxlen=self.max_events, approximate=True)
        return _text(entry_id)

    def replay(self, bot_id, conv_id, n):
        """The last n events, oldest first: XREVRANGE <key> + - COUNT n, reversed."""
        entries = self.client.xrevrange(self.events_key(bot_id, conv_id), "+", "-", count=n)
        return [_entry(entry_id, fields) for entry_id, fields in reversed(entries)]


class Inbox:
    """A bot's incoming messages, global:<botId>:inbox, read by the consumer group `group`."""

    def __init__(self, client, bot_id, group="workers"):
        _check_id("bot id", bot_id)
        self.client = client
        self.key = f"{GLOBAL}{bot_id}:inbox"
        self.group = group

    def create_group(self):
        """XGROUP CREATE <key> <group> 0 MKSTREAM: the group starts at the stream's beginning,
        so messages posted before the first worker started are handled too. Idempotent."""
        try:
            self.client.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except redis.ResponseError as e:
            if not str(e).startswith("BUSYGROUP"):
                raise
        return self

    def post(self, conv_id, user, text):
        """XADD <key> * conv .. user .. text ..; returns the message's id."""
        _check_id("conversation id", conv_id)
        return _text(self.client.xadd(self.key, {"conv": conv_id, "user": user, "text": text}))

    def read(self, consumer, count=10, block_ms=1000):
        """New messages for `consumer`: XREADGROUP GROUP <group> <consumer> COUNT .. BLOCK ..
        STREAMS <key> >. They stay pending (on this consumer) until ack()."""
        reply = self.client.xreadgroup(self.group, consumer, {self.key: ">"},
                                       count=count, block=block_ms)
        return [_entry(entry_id, fields) for _, entries in reply or [] for entry_id, fields in entries]

    def ack(self, *ids):
        """XACK <key> <group> <id>...; returns how many were pending."""
        return self.client.xack(self.key, self.group, *ids)

    def claim_stale(self, consumer, min_idle_ms, count=100):
        """Takes over, for `consumer`, the pending messages idle for at least min_idle_ms (those
        of a worker that died): XAUTOCLAIM <key> <group> <consumer> <min_idle_ms> 0-0 COUNT ..,
        repeated from the returned cursor until it is back to 0-0."""
        claimed, cursor = [], "0-0"
        while True:
            reply = self.client.xautoclaim(self.key, self.group, consumer, min_idle_ms,
                                           start_id=cursor, count=count)
            cursor = _text(reply[0])
            # Entries deleted from the stream while pending come back as None: nothing to do.
            claimed += [_entry(entry_id, fields) for entry_id, fields in reply[1] if fields]
            if cursor == "0-0":
                return claimed

    def pending(self):
        """How many messages were read and not yet acknowledged (XPENDING summary)."""
        return self.client.xpending(self.key, self.group)["pending"]


class Worker:
    """Handles an inbox's messages: first any stale ones, then new ones, acknowledging each
    after handle(message) returns. One Worker per connection (XREADGROUP BLOCK holds it)."""

    def __init__(self, inbox, name, handle, min_idle_ms=30_000, count=10, block_ms=100):
        self.inbox = inbox
        self.name = name
        self.handle = handle
        self.min_idle_ms = min_idle_ms
        self.count = count
        self.block_ms = block_ms

    def run_once(self):
        """One round: claim stale messages, read new ones, handle and ack each. Returns how
        many were handled."""
        messages = self.inbox.claim_stale(self.name, self.min_idle_ms)
        messages += self.inbox.read(self.name, self.count, self.block_ms)
        for message in messages:
            self.handle(message)
            self.inbox.ack(message["id"])
        return len(messages)

    def run(self, stop):
        """Rounds until the threading.Event `stop` is set (checked every block_ms at least)."""
        while not stop.is_set():
            self.run_once()

"""Botpress-style bot storage on stashd (or plain Redis) with redis-py.

    import redis
    from botstorage import BotStorage

    storage = BotStorage(redis.Redis(host="127.0.0.1", port=6380))
    key = storage.get_user_storage_key("bot1", "user42", "age")  # "user:bot1:user42:age"
    storage.set_storage_with_expiry("bot1", key, 12, "never")
    storage.get_storage_with_expiry("bot1", key)                 # 12
    storage.remove_storage_keys_starting_with("bot1", key)       # 1

Key layout (see examples/README.md), one stashd scope per kind of data:

    state:<botId>:<stateId>[:<field>]    conversation state
    user:<botId>:<userId>:<variable>     per-user variables
    global:<botId>:<variable>            per-bot global values

Values are stored JSON-encoded. Bot, user and state ids must not contain ':' so that a
prefix such as "user:bot1:u1:" can never match another user's keys.
"""
import json
import re

import redis

# The server's default scope prefixes (directives scope-<name>-prefix).
STATE, USER, GLOBAL = "state:", "user:", "global:"
_SCOPES = (STATE, USER, GLOBAL)

_MS_PER_UNIT = {}
for _ms, _names in (
        (1, ("ms", "msec", "msecs", "millisecond", "milliseconds")),
        (1000, ("s", "sec", "secs", "second", "seconds")),
        (60 * 1000, ("m", "min", "mins", "minute", "minutes")),
        (60 * 60 * 1000, ("h", "hr", "hrs", "hour", "hours")),
        (24 * 60 * 60 * 1000, ("d", "day", "days")),
        (7 * 24 * 60 * 60 * 1000, ("w", "week", "weeks"))):
    for _name in _names:
        _MS_PER_UNIT[_name] = _ms

_EXPIRY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$", re.IGNORECASE)

# The characters SCAN MATCH treats as glob syntax; escaped so a prefix is matched literally.
_GLOB_SPECIAL = re.compile(r"([\\*?\[\]])")


def parse_expiry(expiry):
    """Returns the expiry in milliseconds, or None for "never".

    Accepts "never" or a number followed by a unit: ms, s/sec/second(s), m/min/minute(s),
    h/hr/hour(s), d/day(s), w/week(s), e.g. "30m", "6 hours", "1.5h", "45 seconds".
    Raises ValueError for anything else, including a duration under 1 ms.
    """
    if isinstance(expiry, str):
        if expiry.strip().lower() == "never":
            return None
        match = _EXPIRY_RE.match(expiry)
        if match and match.group(2).lower() in _MS_PER_UNIT:
            ms = round(float(match.group(1)) * _MS_PER_UNIT[match.group(2).lower()])
            if ms >= 1:
                return ms
    raise ValueError(f"invalid expiry {expiry!r}: expected \"never\" or a number and a unit, "
                     "e.g. \"30m\", \"6 hours\", \"2 days\"")


def _check_id(kind, value):
    if not isinstance(value, str) or not value or ":" in value:
        raise ValueError(f"invalid {kind} {value!r}: must be a non-empty string without ':'")
    return value


def _check_name(kind, value):
    if not isinstance(value, str) or not value:
        raise ValueError(f"invalid {kind} {value!r}: must be a non-empty string")
    return value


class BotStorage:
    """Storage for many bots on one server. `client` is a redis.Redis (any decode_responses)."""

    def __init__(self, client):
        self._r = client
        self._has_delprefix = None  # unknown until the first removal

    # --- Botpress key-value API -------------------------------------------------------------

    @staticmethod
    def get_user_storage_key(bot_id, user_id, variable):
        """Returns "user:<botId>:<userId>:<variable>"."""
        return (f"{USER}{_check_id('bot id', bot_id)}:{_check_id('user id', user_id)}:"
                f"{variable}")

    def set_storage_with_expiry(self, bot_id, key, value, expiry=None):
        """Stores `value` (JSON-encoded) under the bot's `key`.

        `key` is either a key of this bot's scopes ("user:<botId>:...", "state:<botId>:...",
        "global:<botId>:...") or a plain name, stored as "global:<botId>:<key>".
        `expiry`: "never" (no TTL), a duration such as "30m" (SET ... PX), or None to let the
        server apply the scope's default TTL (directive scope-<name>-default-ttl).
        """
        self._set(self._storage_key(bot_id, key), value, expiry)

    def get_storage_with_expiry(self, bot_id, key):
        """Returns the decoded value, or None when the key is missing or has expired."""
        return self._get(self._storage_key(bot_id, key))

    def remove_storage_keys_starting_with(self, bot_id, prefix):
        """Deletes every key of the bot starting with `prefix`; returns how many were deleted.

        `prefix` is resolved like a key: "user:bot1:u1:" deletes all of u1's variables, "score"
        deletes the globals whose name starts with "score". Uses stashd's DELPREFIX; on a
        server without it (plain Redis) falls back to SCAN MATCH <prefix>* + UNLINK, which is
        not atomic and walks the whole keyspace.
        """
        if prefix == "":
            raise ValueError("prefix must not be empty")
        redis_prefix = self._storage_key(bot_id, prefix)
        if self._has_delprefix is not False:
            try:
                deleted = self._r.execute_command("DELPREFIX", redis_prefix)
                self._has_delprefix = True
                return deleted
            except redis.ResponseError as e:
                if "unknown command" not in str(e).lower():
                    raise
                self._has_delprefix = False
        return self._scan_unlink(redis_prefix)

    # --- User variables: user:<botId>:<userId>:<variable> -----------------------------------

    def set_user_variable(self, bot_id, user_id, variable, value, expiry=None):
        self._set(self.get_user_storage_key(bot_id, user_id, _check_name("variable", variable)),
                  value, expiry)

    def get_user_variable(self, bot_id, user_id, variable):
        return self._get(self.get_user_storage_key(bot_id, user_id,
                                                   _check_name("variable", variable)))

    def delete_user(self, bot_id, user_id):
        """Deletes all of a user's variables; returns how many were deleted."""
        return self.remove_storage_keys_starting_with(
            bot_id, self.get_user_storage_key(bot_id, user_id, ""))

    # --- Global values: global:<botId>:<name> -----------------------------------------------

    def set(self, bot_id, name, value, expiry=None):
        self._set(self._global_key(bot_id, name), value, expiry)

    def get(self, bot_id, name):
        return self._get(self._global_key(bot_id, name))

    # --- Conversation state: state:<botId>:<stateId>[:<field>] ------------------------------

    def set_state(self, bot_id, state_id, value, expiry=None, field=None):
        self._set(self._state_key(bot_id, state_id, field), value, expiry)

    def get_state(self, bot_id, state_id, field=None):
        return self._get(self._state_key(bot_id, state_id, field))

    def delete_state(self, bot_id, state_id):
        """Deletes the state and all its fields; returns how many keys were deleted."""
        key = self._state_key(bot_id, state_id)
        return self._r.delete(key) + self.remove_storage_keys_starting_with(bot_id, key + ":")

    # --- Internals ------------------------------------------------------------------------

    def _set(self, key, value, expiry):
        data = json.dumps(value)
        if expiry is None:
            self._r.set(key, data)
        else:
            ms = parse_expiry(expiry)
            if ms is not None:
                self._r.set(key, data, px=ms)
            else:
                # A plain SET would get the scope's default TTL; PERSIST removes it atomically.
                with self._r.pipeline(transaction=True) as pipe:
                    pipe.set(key, data).persist(key).execute()

    def _get(self, key):
        data = self._r.get(key)
        return None if data is None else json.loads(data)

    @staticmethod
    def _storage_key(bot_id, key):
        bot_id = _check_id("bot id", bot_id)
        _check_name("key", key)
        for scope in _SCOPES:
            if key.startswith(scope):
                if not key.startswith(f"{scope}{bot_id}:"):
                    raise ValueError(f"key {key!r} does not belong to bot {bot_id!r}")
                return key
        return f"{GLOBAL}{bot_id}:{key}"

    @staticmethod
    def _global_key(bot_id, name):
        return f"{GLOBAL}{_check_id('bot id', bot_id)}:{_check_name('name', name)}"

    @staticmethod
    def _state_key(bot_id, state_id, field=None):
        key = f"{STATE}{_check_id('bot id', bot_id)}:{_check_id('state id', state_id)}"
        return key if field is None else f"{key}:{_check_name('field', field)}"

    def _scan_unlink(self, prefix):
        pattern = _GLOB_SPECIAL.sub(r"\\\1", prefix) + "*"
        deleted, batch = 0, []
        for key in self._r.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 500:
                deleted += self._r.unlink(*batch)
                batch = []
        if batch:
            deleted += self._r.unlink(*batch)
        return deleted

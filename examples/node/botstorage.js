'use strict';
/**
 * Botpress-style bot storage on stashd (or plain Redis) with ioredis.
 *
 *   const Redis = require('ioredis');
 *   const { BotStorage } = require('./botstorage');
 *
 *   const storage = new BotStorage(new Redis({ host: '127.0.0.1', port: 6380 }));
 *   const key = storage.getUserStorageKey('bot1', 'user42', 'age'); // 'user:bot1:user42:age'
 *   await storage.setStorageWithExpiry('bot1', key, 12, 'never');
 *   await storage.getStorageWithExpiry('bot1', key);                // 12
 *   await storage.removeStorageKeysStartingWith('bot1', key);       // 1
 *
 * Key layout (see examples/README.md), one stashd scope per kind of data:
 *
 *   state:<botId>:<stateId>[:<field>]    conversation state
 *   user:<botId>:<userId>:<variable>     per-user variables
 *   global:<botId>:<variable>            per-bot global values
 *
 * Values are stored JSON-encoded. Bot, user and state ids must not contain ':' so that a
 * prefix such as 'user:bot1:u1:' can never match another user's keys.
 */

// The server's default scope prefixes (directives scope-<name>-prefix).
const STATE = 'state:';
const USER = 'user:';
const GLOBAL = 'global:';
const SCOPES = [STATE, USER, GLOBAL];

const MS_PER_UNIT = new Map();
for (const [ms, names] of [
  [1, ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
  [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60 * 1000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [60 * 60 * 1000, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [24 * 60 * 60 * 1000, ['d', 'day', 'days']],
  [7 * 24 * 60 * 60 * 1000, ['w', 'week', 'weeks']],
]) {
  for (const name of names) MS_PER_UNIT.set(name, ms);
}

const EXPIRY_RE = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i;

// The characters SCAN MATCH treats as glob syntax; escaped so a prefix is matched literally.
const GLOB_SPECIAL = /[\\*?[\]]/g;

/**
 * Returns the expiry in milliseconds, or null for "never".
 *
 * Accepts "never" or a number followed by a unit: ms, s/sec/second(s), m/min/minute(s),
 * h/hr/hour(s), d/day(s), w/week(s), e.g. "30m", "6 hours", "1.5h", "45 seconds".
 * Throws for anything else, including a duration under 1 ms.
 */
function parseExpiry(expiry) {
  if (typeof expiry === 'string') {
    if (expiry.trim().toLowerCase() === 'never') return null;
    const match = EXPIRY_RE.exec(expiry);
    const perUnit = match && MS_PER_UNIT.get(match[2].toLowerCase());
    if (perUnit) {
      const ms = Math.round(Number(match[1]) * perUnit);
      if (ms >= 1) return ms;
    }
  }
  throw new Error(
    `invalid expiry ${JSON.stringify(expiry)}: expected "never" or a number and a unit, ` +
      'e.g. "30m", "6 hours", "2 days"'
  );
}

function checkId(kind, value) {
  if (typeof value !== 'string' || value === '' || value.includes(':')) {
    throw new Error(
      `invalid ${kind} ${JSON.stringify(value)}: must be a non-empty string without ':'`
    );
  }
  return value;
}

function checkName(kind, value) {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`invalid ${kind} ${JSON.stringify(value)}: must be a non-empty string`);
  }
  return value;
}

/** Storage for many bots on one server. `client` is an ioredis client. */
class BotStorage {
  constructor(client) {
    this.redis = client;
    this.hasDelprefix = undefined; // unknown until the first removal
  }

  // --- Botpress key-value API ---------------------------------------------------------------

  /** Returns "user:<botId>:<userId>:<variable>". */
  getUserStorageKey(botId, userId, variable) {
    return `${USER}${checkId('bot id', botId)}:${checkId('user id', userId)}:${variable}`;
  }

  /**
   * Stores `value` (JSON-encoded) under the bot's `key`.
   *
   * `key` is either a key of this bot's scopes ("user:<botId>:...", "state:<botId>:...",
   * "global:<botId>:...") or a plain name, stored as "global:<botId>:<key>".
   * `expiry`: "never" (no TTL), a duration such as "30m" (SET ... PX), or undefined to let the
   * server apply the scope's default TTL (directive scope-<name>-default-ttl).
   */
  async setStorageWithExpiry(botId, key, value, expiry) {
    await this._set(storageKey(botId, key), value, expiry);
  }

  /** Resolves to the decoded value, or null when the key is missing or has expired. */
  async getStorageWithExpiry(botId, key) {
    return this._get(storageKey(botId, key));
  }

  /**
   * Deletes every key of the bot starting with `prefix`; resolves to how many were deleted.
   *
   * `prefix` is resolved like a key: "user:bot1:u1:" deletes all of u1's variables, "score"
   * deletes the globals whose name starts with "score". Uses stashd's DELPREFIX; on a server
   * without it (plain Redis) falls back to SCAN MATCH <prefix>* + UNLINK, which is not atomic
   * and walks the whole keyspace.
   */
  async removeStorageKeysStartingWith(botId, prefix) {
    if (prefix === '') throw new Error('prefix must not be empty');
    const redisPrefix = storageKey(botId, prefix);
    if (this.hasDelprefix !== false) {
      try {
        const deleted = await this.redis.call('DELPREFIX', redisPrefix);
        this.hasDelprefix = true;
        return deleted;
      } catch (err) {
        if (!/unknown command/i.test(err.message)) throw err;
        this.hasDelprefix = false;
      }
    }
    return this._scanUnlink(redisPrefix);
  }

  // --- User variables: user:<botId>:<userId>:<variable> -------------------------------------

  async setUserVariable(botId, userId, variable, value, expiry) {
    const key = this.getUserStorageKey(botId, userId, checkName('variable', variable));
    await this._set(key, value, expiry);
  }

  async getUserVariable(botId, userId, variable) {
    return this._get(this.getUserStorageKey(botId, userId, checkName('variable', variable)));
  }

  /** Deletes all of a user's variables; resolves to how many were deleted. */
  async deleteUser(botId, userId) {
    return this.removeStorageKeysStartingWith(botId, this.getUserStorageKey(botId, userId, ''));
  }

  // --- Global values: global:<botId>:<name> -------------------------------------------------

  async set(botId, name, value, expiry) {
    await this._set(globalKey(botId, name), value, expiry);
  }

  async get(botId, name) {
    return this._get(globalKey(botId, name));
  }

  // --- Conversation state: state:<botId>:<stateId>[:<field>] --------------------------------

  async setState(botId, stateId, value, expiry, field) {
    await this._set(stateKey(botId, stateId, field), value, expiry);
  }

  async getState(botId, stateId, field) {
    return this._get(stateKey(botId, stateId, field));
  }

  /** Deletes the state and all its fields; resolves to how many keys were deleted. */
  async deleteState(botId, stateId) {
    const key = stateKey(botId, stateId);
    const deleted = await this.redis.del(key);
    return deleted + (await this.removeStorageKeysStartingWith(botId, `${key}:`));
  }

  // --- Internals ----------------------------------------------------------------------------

  async _set(key, value, expiry) {
    const data = JSON.stringify(value);
    if (data === undefined) throw new Error(`value for ${key} cannot be encoded as JSON`);
    if (expiry === undefined || expiry === null) {
      await this.redis.set(key, data);
      return;
    }
    const ms = parseExpiry(expiry);
    if (ms !== null) {
      await this.redis.set(key, data, 'PX', ms);
    } else {
      // A plain SET would get the scope's default TTL; PERSIST removes it atomically.
      const results = await this.redis.multi().set(key, data).persist(key).exec();
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    }
  }

  async _get(key) {
    const data = await this.redis.get(key);
    return data === null ? null : JSON.parse(data);
  }

  async _scanUnlink(prefix) {
    const pattern = `${prefix.replace(GLOB_SPECIAL, '\\$&')}*`;
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  }
}

function storageKey(botId, key) {
  checkId('bot id', botId);
  checkName('key', key);
  for (const scope of SCOPES) {
    if (key.startsWith(scope)) {
      if (!key.startsWith(`${scope}${botId}:`)) {
        throw new Error(
          `key ${JSON.stringify(key)} does not belong to bot ${JSON.stringify(botId)}`
        );
      }
      return key;
    }
  }
  return `${GLOBAL}${botId}:${key}`;
}

function globalKey(botId, name) {
  return `${GLOBAL}${checkId('bot id', botId)}:${checkName('name', name)}`;
}

function stateKey(botId, stateId, field) {
  const key = `${STATE}${checkId('bot id', botId)}:${checkId('state id', stateId)}`;
  return field === undefined ? key : `${key}:${checkName('field', field)}`;
}

module.exports = { BotStorage, parseExpiry };

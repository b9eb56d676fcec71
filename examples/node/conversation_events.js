'use strict';
// A conversation event log and an inbox worked by a group of workers, on streams (ioredis).
//
// Each conversation's events go to a stream state:<botId>:<convId>:events, trimmed to about the
// last maxEvents; replay() returns the last n for a bot's context. Incoming messages go to one
// stream per bot, global:<botId>:inbox, read by a consumer group: every message goes to one
// worker of the group, which acknowledges it once handled. The messages of a worker that dies
// before its XACK stay pending; another worker takes them over with XAUTOCLAIM once they have
// been idle for minIdleMs.
//
//   const Redis = require('ioredis');
//   const { ConversationLog, Inbox, Worker } = require('./conversation_events');
//
//   const client = new Redis({ port: 6380 });
//   const log = new ConversationLog(client, { maxEvents: 500 });
//   await log.append('bot1', 'conv42', 'message', 'hi', 'user42');
//   await log.replay('bot1', 'conv42', 20);  // [{ id, type: 'message', text: 'hi', user: 'user42' }]
//
//   const inbox = await new Inbox(client, 'bot1').createGroup();  // XGROUP CREATE ... MKSTREAM
//   await inbox.post('conv42', 'user42', 'hello');
//
//   // A worker blocks in XREADGROUP: give each one a connection of its own.
//   const worker = new Worker(new Inbox(client.duplicate(), 'bot1'), 'worker-1',
//     async (message) => log.append('bot1', message.conv, 'message', message.text, message.user),
//     { minIdleMs: 30000 });
//   worker.run();   // until worker.stop()
//
// Works the same on stashd and on Redis. Acknowledging after handling means a worker that dies
// between the two has its message handled again by the worker that claims it: make handlers
// idempotent (e.g. keyed on the message id) when that matters.

const STATE = 'state:';
const GLOBAL = 'global:';

function checkId(what, value) {
  if (typeof value !== 'string' || !value || value.includes(':')) {
    throw new Error(`${what} must be a non-empty string without ':': ${JSON.stringify(value)}`);
  }
}

// A stream entry [id, [field, value, ...]] as an object { id, field: value, ... }.
function toEntry([id, fields]) {
  const entry = {};
  for (let i = 0; i < fields.length; i += 2) entry[fields[i]] = fields[i + 1];
  entry.id = id;
  return entry;
}

// Per-conversation event streams: state:<botId>:<convId>:events.
class ConversationLog {
  constructor(client, { maxEvents = 1000 } = {}) {
    this.client = client;
    this.maxEvents = maxEvents;
  }

  static eventsKey(botId, convId) {
    checkId('bot id', botId);
    checkId('conversation id', convId);
    return `${STATE}${botId}:${convId}:events`;
  }

  // XADD <key> MAXLEN ~ maxEvents * type .. text .. user ..; resolves to the event's id.
  // "~" lets the server trim whole internal nodes only, so a stream keeps at least maxEvents
  // events and at most a node's worth more.
  async append(botId, convId, type, text, user) {
    return this.client.xadd(ConversationLog.eventsKey(botId, convId),
      'MAXLEN', '~', this.maxEvents, '*', 'type', type, 'text', text, 'user', user);
  }

  // The last n events, oldest first: XREVRANGE <key> + - COUNT n, reversed.
  async replay(botId, convId, n) {
    const entries = await this.client.xrevrange(ConversationLog.eventsKey(botId, convId),
      '+', '-', 'COUNT', n);
    return entries.reverse().map(toEntry);
  }
}

// A bot's incoming messages, global:<botId>:inbox, read by the consumer group `group`.
class Inbox {
  constructor(client, botId, { group = 'workers' } = {}) {
    checkId('bot id', botId);
    this.client = client;
    this.key = `${GLOBAL}${botId}:inbox`;
    this.group = group;
  }

  // XGROUP CREATE <key> <group> 0 MKSTREAM: the group starts at the stream's beginning, so
  // messages posted before the first worker started are handled too. Idempotent.
  async createGroup() {
    try {
      await this.client.xgroup('CREATE', this.key, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err.message).startsWith('BUSYGROUP')) throw err;
    }
    return this;
  }

  // XADD <key> * conv .. user .. text ..; resolves to the message's id.
  async post(convId, user, text) {
    checkId('conversation id', convId);
    return this.client.xadd(this.key, '*', 'conv', convId, 'user', user, 'text', text);
  }

  // New messages for `consumer`: XREADGROUP GROUP <group> <consumer> COUNT .. BLOCK ..
  // STREAMS <key> >. They stay pending (on this consumer) until ack().
  async read(consumer, { count = 10, blockMs = 1000 } = {}) {
    const reply = await this.client.xreadgroup('GROUP', this.group, consumer,
      'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>');
    return reply ? reply.flatMap(([, entries]) => entries.map(toEntry)) : [];
  }

  // XACK <key> <group> <id>...; resolves to how many were pending.
  async ack(...ids) {
    return this.client.xack(this.key, this.group, ...ids);
  }

  // Takes over, for `consumer`, the pending messages idle for at least minIdleMs (those of a
  // worker that died): XAUTOCLAIM <key> <group> <consumer> <minIdleMs> 0-0 COUNT .., repeated
  // from the returned cursor until it is back to 0-0.
  async claimStale(consumer, minIdleMs, { count = 100 } = {}) {
    const claimed = [];
    let cursor = '0-0';
    do {
      const [next, entries] = await this.client.xautoclaim(this.key, this.group, consumer,
        minIdleMs, cursor, 'COUNT', count);
      cursor = next;
      // Entries deleted from the stream while pending come back as null: nothing to do.
      for (const entry of entries) if (entry && entry[1]) claimed.push(toEntry(entry));
    } while (cursor !== '0-0');
    return claimed;
  }

  // How many messages were read and not yet acknowledged (XPENDING summary).
  async pending() {
    const [count] = await this.client.xpending(this.key, this.group);
    return count;
  }
}

// Handles an inbox's messages: first any stale ones, then new ones, acknowledging each after
// handle(message) resolves. One Worker per connection (XREADGROUP BLOCK holds it).
class Worker {
  constructor(inbox, name, handle, { minIdleMs = 30000, count = 10, blockMs = 100 } = {}) {
    this.inbox = inbox;
    this.name = name;
    this.handle = handle;
    this.minIdleMs = minIdleMs;
    this.count = count;
    this.blockMs = blockMs;
    this.stopped = false;
  }

  // One round: claim stale messages, read new ones, handle and ack each. Resolves to how many
  // were handled.
  async runOnce() {
    const messages = await this.inbox.claimStale(this.name, this.minIdleMs);
    messages.push(...await this.inbox.read(this.name, { count: this.count, blockMs: this.blockMs }));
    for (const message of messages) {
      await this.handle(message);
      await this.inbox.ack(message.id);
    }
    return messages.length;
  }

  // Rounds until stop() (checked every blockMs at least).
  async run() {
    while (!this.stopped) await this.runOnce();
  }

  stop() {
    this.stopped = true;
  }
}

module.exports = { ConversationLog, Inbox, Worker };

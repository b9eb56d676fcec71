'use strict';
// Ends conversations when their state expires, through keyspace notifications (ioredis).
//
// A conversation's state lives at state:<botId>:<stateId> with a TTL (BotStorage.setState with
// an expiry, or the state scope's default TTL on stashd). When the TTL runs out the server deletes
// the key and publishes it on __keyevent@<db>__:expired; ConversationEndWatcher turns that into a
// call of onEnd(botId, stateId):
//
//   const Redis = require('ioredis');
//   const { ConversationEndWatcher } = require('./conversation_end');
//
//   const client = new Redis({ port: 6380 });
//   const watcher = new ConversationEndWatcher(client, (bot, state) => console.log(bot, state));
//   await watcher.start();  // enables the "Ex" notification classes if they are off
//   ...
//   await watcher.stop();
//
// Works the same on stashd and on Redis. A subscribed connection can run nothing but (un)subscribe
// commands, so the watcher subscribes on a duplicate of the client. Keys of a conversation's
// fields (state:<botId>:<stateId>:<field>) and other scopes' keys are ignored. Notifications are
// fire-and-forget: an event published while no watcher is subscribed is not replayed.

const STATE = 'state:';

// [botId, stateId] for "state:<bot>:<state>", null for any other key.
function parseStateKey(key) {
  if (!key.startsWith(STATE)) return null;
  const parts = key.slice(STATE.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return parts;
}

// Adds the E (keyevent) and x (expired) classes to notify-keyspace-events, keeping those
// already set. Resolves to the setting as it was.
async function enableExpiredEvents(client) {
  const [, before] = await client.config('GET', 'notify-keyspace-events');
  let wanted = before;
  for (const c of before.includes('A') ? 'E' : 'Ex') {
    if (!wanted.includes(c)) wanted += c;
  }
  if (wanted !== before) await client.config('SET', 'notify-keyspace-events', wanted);
  return before;
}

class ConversationEndWatcher {
  constructor(client, onEnd, { db = 0, configure = true } = {}) {
    this.client = client;
    this.onEnd = onEnd;
    this.channel = `__keyevent@${db}__:expired`;
    this.configure = configure;
    this.subscriber = null;
  }

  // Resolves once the server has confirmed the subscription: no expiry published after that
  // is missed.
  async start() {
    if (this.configure) await enableExpiredEvents(this.client);
    this.subscriber = this.client.duplicate();
    this.subscriber.on('message', (channel, key) => {
      if (channel !== this.channel) return;
      const parsed = parseStateKey(key);
      if (parsed) this.onEnd(parsed[0], parsed[1]);
    });
    await this.subscriber.subscribe(this.channel);
    return this;
  }

  async stop() {
    if (this.subscriber) {
      this.subscriber.disconnect();
      this.subscriber = null;
    }
  }
}

module.exports = { ConversationEndWatcher, enableExpiredEvents, parseStateKey };

'use strict';
// End-to-end tests of examples/node/conversation_events.js (ioredis from examples/node/node_modules),
// against the stashd binary and against redis-server as a control (skipped when not installed).
//
//   npm ci --prefix examples/node
//   STASHD_BINARY=build/server/stashd node --test tests/examples/

const { describe, it, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createRequire } = require('node:module');
const { setTimeout: sleep } = require('node:timers/promises');

const { ROOT, STASHD, REDIS_SERVER, startServer } = require('./servers');

const EXAMPLE = path.join(ROOT, 'examples', 'node');
const Redis = createRequire(path.join(EXAMPLE, 'package.json'))('ioredis');
const { ConversationLog, Inbox, Worker } = require(path.join(EXAMPLE, 'conversation_events.js'));

// Stream ids compare as (milliseconds, sequence).
function compareIds(a, b) {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : (am < bm ? -1 : 1);
}

function eventsContract(start) {
  return () => {
    let server;
    let r;
    let clients;
    const connect = () => {
      const client = new Redis({ host: '127.0.0.1', port: server.port });
      clients.push(client);
      return client;
    };

    before(async () => {
      server = await start();
    });
    after(async () => {
      if (server) await server.stop();
    });
    beforeEach(async () => {
      clients = [];
      r = connect();
      await r.flushall();
    });
    afterEach(async () => {
      for (const client of clients) client.disconnect();
    });

    it('replays events in order', async () => {
      const log = new ConversationLog(r, { maxEvents: 50 });
      assert.equal(ConversationLog.eventsKey('bot1', 'c1'), 'state:bot1:c1:events');
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await log.append('bot1', 'c1', 'message', `text ${i}`, `u${i % 2}`));
      await log.append('bot1', 'c2', 'message', 'other conversation', 'u9');
      await log.append('bot2', 'c1', 'message', 'other bot', 'u9');
      assert.deepEqual([...ids].sort(compareIds), ids);
      assert.equal(new Set(ids).size, 5);
      assert.deepEqual(await log.replay('bot1', 'c1', 3), [
        { id: ids[2], type: 'message', text: 'text 2', user: 'u0' },
        { id: ids[3], type: 'message', text: 'text 3', user: 'u1' },
        { id: ids[4], type: 'message', text: 'text 4', user: 'u0' },
      ]);
      assert.deepEqual((await log.replay('bot1', 'c1', 100)).map((e) => e.text),
        ['text 0', 'text 1', 'text 2', 'text 3', 'text 4']);
      assert.equal((await log.replay('bot1', 'c2', 10))[0].text, 'other conversation');
      assert.deepEqual(await log.replay('bot1', 'none', 10), []);
      assert.deepEqual((await r.keys('*')).sort(),
        ['state:bot1:c1:events', 'state:bot1:c2:events', 'state:bot2:c1:events']);
      await assert.rejects(log.append('bot1', 'c:1', 'message', 'x', 'u1'), /conversation id/);
    });

    it('trims to keep the last N', async () => {
      const log = new ConversationLog(r, { maxEvents: 100 });
      for (let i = 0; i < 1000; i++) await log.append('bot1', 'c1', 'message', String(i), 'u1');
      const length = await r.xlen('state:bot1:c1:events');
      // MAXLEN ~ 100: at least the last 100, and less than one 100-entry node more.
      assert.ok(length >= 100 && length < 200, String(length));
      // What is kept is exactly the newest `length` events, in order.
      assert.deepEqual((await log.replay('bot1', 'c1', 1000)).map((e) => e.text),
        Array.from({ length }, (_, i) => String(1000 - length + i)));
      assert.deepEqual((await log.replay('bot1', 'c1', 100)).map((e) => e.text),
        Array.from({ length: 100 }, (_, i) => String(900 + i)));
    });

    it('has 3 workers handle 300 messages exactly once', async () => {
      const inbox = await new Inbox(r, 'bot1').createGroup();
      assert.equal(await r.type('global:bot1:inbox'), 'stream');
      await inbox.createGroup(); // creating the group again is harmless
      const posted = new Map();
      for (let i = 0; i < 300; i++) posted.set(await inbox.post(`c${i % 7}`, `u${i % 3}`, `m${i}`), `m${i}`);
      assert.equal(posted.size, 300);

      const handled = []; // [worker, id, text]
      const workers = [0, 1, 2].map((n) => new Worker(new Inbox(connect(), 'bot1'), `worker-${n}`,
        async (message) => {
          await sleep(1); // some work, so that the three share the messages
          handled.push([`worker-${n}`, message.id, message.text]);
        }));
      const running = workers.map((w) => w.run());
      try {
        const deadline = Date.now() + 30000;
        while (handled.length < 300 && Date.now() < deadline) await sleep(20);
        assert.equal(handled.length, 300, `${handled.length} handled in 30 s`);
        await sleep(300); // a message delivered twice would show up meanwhile
      } finally {
        for (const w of workers) w.stop();
        await Promise.all(running);
      }
      assert.equal(handled.length, 300);
      assert.deepEqual(new Map(handled.map(([, id, text]) => [id, text])), posted);
      assert.deepEqual(handled.map(([, , text]) => text).sort(), [...posted.values()].sort());
      assert.equal(await inbox.pending(), 0);
      assert.deepEqual(await r.xpending('global:bot1:inbox', 'workers'), [0, null, null, null]);
      const [group] = await r.xinfo('GROUPS', 'global:bot1:inbox');
      const info = {};
      for (let i = 0; i < group.length; i += 2) info[group[i]] = group[i + 1];
      assert.deepEqual([info.name, info.pending, info['last-delivered-id']],
        ['workers', 0, [...posted.keys()].sort(compareIds).at(-1)]);
      const perWorker = workers.map((w) => handled.filter(([name]) => name === w.name).length);
      console.log(`# per worker: ${perWorker.join(', ')}`);
    });

    it("claims a dead worker's messages after the idle time", async () => {
      const inbox = await new Inbox(r, 'bot1').createGroup();
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await inbox.post('c1', 'u1', `m${i}`));
      // A worker reads three messages and dies before acknowledging them.
      const dead = connect();
      const readAt = Date.now();
      assert.deepEqual((await new Inbox(dead, 'bot1').read('worker-dead', { count: 3 })).map((m) => m.text),
        ['m0', 'm1', 'm2']);
      dead.disconnect();

      const handled = [];
      const worker = new Worker(new Inbox(connect(), 'bot1'), 'worker-b',
        async (m) => { handled.push(m.text); }, { minIdleMs: 2000 });
      assert.equal(await worker.runOnce(), 2); // the new ones; m0..m2 are not idle long enough
      assert.deepEqual(handled, ['m3', 'm4']);
      assert.deepEqual(await r.xpending('global:bot1:inbox', 'workers'),
        [3, ids[0], ids[2], [['worker-dead', '3']]]);
      assert.equal(await worker.runOnce(), 0);
      assert.ok(Date.now() - readAt < 2000, 'the machine is too slow for this test');

      await sleep(Math.max(0, readAt + 2100 - Date.now()));
      assert.equal(await worker.runOnce(), 3);
      assert.deepEqual(handled, ['m3', 'm4', 'm0', 'm1', 'm2']);
      assert.deepEqual(await r.xpending('global:bot1:inbox', 'workers'), [0, null, null, null]);
      assert.equal(await worker.runOnce(), 0);
      assert.deepEqual(handled, ['m3', 'm4', 'm0', 'm1', 'm2']);
    });
  };
}

describe('conversation events on stashd', eventsContract(() => startServer(STASHD)));

describe(
  'conversation events on redis-server',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  eventsContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'))
);

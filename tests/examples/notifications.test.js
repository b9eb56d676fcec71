'use strict';
// End-to-end tests of the Pub/Sub examples (examples/node/conversation_end.js and
// examples/node/broadcast.js), against the stashd binary and against redis-server as a control.
//
//   npm ci --prefix examples/node
//   STASHD_BINARY=build/server/stashd node --test tests/examples/

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { createRequire } = require('node:module');
const { once } = require('node:events');

const { ROOT, STASHD, REDIS_SERVER, startServer } = require('./servers');

const EXAMPLE = path.join(ROOT, 'examples', 'node');
const requireExample = createRequire(path.join(EXAMPLE, 'package.json'));
const Redis = requireExample('ioredis');
const { io: connect } = requireExample('socket.io-client');
const { BotStorage } = require(path.join(EXAMPLE, 'botstorage.js'));
const { ConversationEndWatcher, parseStateKey } = require(path.join(EXAMPLE,
  'conversation_end.js'));

// Resolves to the next value `fn` is called with (via the returned callback), or rejects after
// `ms`.
function nextCall(ms = 5000) {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  const timer = setTimeout(() => reject(new Error(`no call within ${ms} ms`)), ms);
  return { promise, call: (...args) => { clearTimeout(timer); resolve(args); } };
}

// Runs examples/node/broadcast.js as a process of its own; resolves to { port, stop }.
async function startBroadcastProcess(redisPort, name) {
  const proc = spawn(process.execPath, [path.join(EXAMPLE, 'broadcast.js'), '--port', '0',
    '--redis-port', String(redisPort), '--name', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`broadcast.js exited with ${code}`)));
  });
  return {
    port,
    stop: async () => {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}

async function connected(port) {
  const socket = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  await once(socket, 'connect');
  return socket;
}

describe('parseStateKey', () => {
  it('accepts conversation state keys only', () => {
    assert.deepEqual(parseStateKey('state:bot1:conv42'), ['bot1', 'conv42']);
    for (const other of ['state:bot1:conv42:payload', 'state:bot1', 'state::x',
      'user:bot1:u1:age', 'global:bot1:x', 'xstate:bot1:c']) {
      assert.equal(parseStateKey(other), null, other);
    }
  });
});

function pubsubContract(start) {
  return () => {
    let server;
    let r;

    before(async () => {
      server = await start();
      r = new Redis({ host: '127.0.0.1', port: server.port });
    });
    after(async () => {
      if (r) await r.quit();
      if (server) await server.stop();
    });

    it('ends a conversation when its state expires', async () => {
      const ended = [];
      let waiter = nextCall();
      const watcher = new ConversationEndWatcher(r, (bot, state) => {
        ended.push([bot, state]);
        waiter.call(bot, state);
      });
      await watcher.start();
      try {
        const [, classes] = await r.config('GET', 'notify-keyspace-events');
        assert.ok(classes.includes('x') && classes.includes('E'), classes);
        const s = new BotStorage(r);
        await s.setState('bot1', 'conv42', { step: 3 }, '200ms');
        await s.setState('bot1', 'conv43', { step: 1 }, 'never');
        await s.setState('bot1', 'conv44', { x: 1 }, '200ms', 'payload'); // a field: ignored
        await s.setUserVariable('bot1', 'u1', 'age', 3, '200ms'); // another scope: ignored
        // Nobody reads the keys: the server's active expiry finds conv42.
        assert.deepEqual(await waiter.promise, ['bot1', 'conv42']);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(ended, [['bot1', 'conv42']]);
        // Read after its deadline, a key expires on access, with the same event.
        waiter = nextCall();
        await r.set('state:bot2:conv7', '{}', 'PX', 50);
        await new Promise((resolve) => setTimeout(resolve, 60));
        await r.get('state:bot2:conv7');
        assert.deepEqual(await waiter.promise, ['bot2', 'conv7']);
      } finally {
        await watcher.stop();
        await r.config('SET', 'notify-keyspace-events', '');
      }
    });

    it('broadcasts between two socket.io processes through the Redis adapter', async () => {
      const a = await startBroadcastProcess(server.port, 'A');
      const b = await startBroadcastProcess(server.port, 'B');
      const sockets = [];
      try {
        const alice = await connected(a.port);
        const bob = await connected(b.port);
        const carol = await connected(b.port); // in another conversation
        sockets.push(alice, bob, carol);
        for (const [socket, conv] of [[alice, 'c1'], [bob, 'c1'], [carol, 'c2']]) {
          assert.equal(await socket.timeout(5000).emitWithAck('join', conv), 'joined');
        }
        // fetchSockets asks every process through Pub/Sub (PUBSUB NUMSUB counts them).
        assert.equal(await alice.timeout(5000).emitWithAck('members', 'c1'), 2);
        assert.equal(await bob.timeout(5000).emitWithAck('members', 'c2'), 1);

        const carolGot = [];
        carol.on('message', (m) => carolGot.push(m));
        const toBob = once(bob, 'message');
        const toAlice = once(alice, 'message');
        alice.emit('say', 'c1', 'hello from A');
        assert.deepEqual((await toBob)[0], { convId: 'c1', text: 'hello from A', from: 'A' });
        assert.deepEqual((await toAlice)[0], { convId: 'c1', text: 'hello from A', from: 'A' });

        const backToAlice = once(alice, 'message');
        bob.emit('say', 'c1', 'hi from B');
        assert.deepEqual((await backToAlice)[0], { convId: 'c1', text: 'hi from B', from: 'B' });
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(carolGot, []);
      } finally {
        for (const socket of sockets) socket.disconnect();
        await a.stop();
        await b.stop();
      }
    });
  };
}

describe('Pub/Sub examples on stashd', pubsubContract(() => startServer(STASHD, '--save', '')));

describe('Pub/Sub examples on redis-server', { skip: REDIS_SERVER === null && 'no redis-server' },
  pubsubContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no')));

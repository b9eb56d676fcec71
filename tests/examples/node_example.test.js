'use strict';
// End-to-end tests of examples/node/botstorage.js (ioredis from examples/node/node_modules).
//
// The same contract runs against the real stashd binary (DELPREFIX path) and against a real
// redis-server (SCAN MATCH + UNLINK fallback; skipped when redis-server is not installed).
//
//   npm ci --prefix examples/node
//   STASHD_BINARY=build/server/stashd node --test tests/examples/

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createRequire } = require('node:module');
const { setTimeout: sleep } = require('node:timers/promises');

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'node');
const Redis = createRequire(path.join(EXAMPLE, 'package.json'))('ioredis');
const { BotStorage, parseExpiry } = require(path.join(EXAMPLE, 'botstorage.js'));

const { STASHD, REDIS_SERVER, startServer } = require('./servers');

async function commandCalls(client, command) {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(
    await client.info('commandstats')
  );
  return match ? Number(match[1]) : 0;
}

function assertBetween(value, low, high) {
  assert.ok(value >= low && value <= high, `${value} not in [${low}, ${high}]`);
}

describe('parseExpiry', () => {
  it('parses numbers with units', () => {
    const cases = {
      '30m': 1800000, '6 hours': 21600000, '2 days': 172800000, '45 seconds': 45000,
      '1.5h': 5400000, '500ms': 500, '1 WEEK': 604800000, ' 10 Min ': 600000, '1 sec': 1000,
      '3 hrs': 10800000,
    };
    for (const [text, ms] of Object.entries(cases)) assert.equal(parseExpiry(text), ms, text);
    assert.equal(parseExpiry('never'), null);
    assert.equal(parseExpiry('Never'), null);
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'soon', '30', 'm', '10 parsecs', '-5m', '0s', '0.0001s', '5 m s',
      '1e3s', 30, null, undefined]) {
      assert.throws(() => parseExpiry(bad), /invalid expiry/, String(bad));
    }
  });
});

// Tests every server must pass; `start` starts the server.
function storageContract(start, extraTests) {
  return () => {
    let server;
    let r;
    let s;
    const keys = async () => (await r.keys('*')).sort();

    before(async () => {
      server = await start();
      r = new Redis({ host: '127.0.0.1', port: server.port });
    });
    after(async () => {
      if (r) await r.quit();
      if (server) await server.stop();
    });
    beforeEach(async () => {
      await r.flushall();
      s = new BotStorage(r);
    });

    it('round-trips JSON values', async () => {
      const value = { name: 'Joe', tags: ['a', 'b'], score: 1.5, ok: true, none: null };
      const key = s.getUserStorageKey('bot1', 'u1', 'profile');
      assert.equal(key, 'user:bot1:u1:profile');
      await s.setStorageWithExpiry('bot1', key, value, 'never');
      assert.deepEqual(await s.getStorageWithExpiry('bot1', key), value);
      assert.deepEqual(JSON.parse(await r.get(key)), value);
      for (const plain of [12, 'twelve', [1, 2, 3], false]) {
        await s.setStorageWithExpiry('bot1', key, plain, '30m');
        assert.deepEqual(await s.getStorageWithExpiry('bot1', key), plain);
      }
      assert.equal(await s.getStorageWithExpiry('bot1', 'user:bot1:u1:missing'), null);
      await assert.rejects(s.setStorageWithExpiry('bot1', key, undefined), /cannot be encoded/);
    });

    it('gives expiry strings the right TTL', async () => {
      for (const [expiry, seconds] of [['30m', 1800], ['6 hours', 21600], ['2 days', 172800],
        ['45 seconds', 45], ['1 week', 604800], ['1.5h', 5400]]) {
        await s.setStorageWithExpiry('bot1', 'k', expiry, expiry);
        assertBetween(await r.ttl('global:bot1:k'), seconds - 1, seconds);
      }
      await s.setStorageWithExpiry('bot1', 'k', 1, '1500ms');
      assertBetween(await r.pttl('global:bot1:k'), 1001, 1500);
    });

    it('lets a short expiry expire', async () => {
      await s.setStorageWithExpiry('bot1', 'flash', { x: 1 }, '150 ms');
      assert.deepEqual(await s.getStorageWithExpiry('bot1', 'flash'), { x: 1 });
      await sleep(400);
      assert.equal(await s.getStorageWithExpiry('bot1', 'flash'), null);
      assert.equal(await r.exists('global:bot1:flash'), 0);
    });

    it('stores "never" without a TTL', async () => {
      await s.setStorageWithExpiry('bot1', 'k', 1, 'never');
      assert.equal(await r.ttl('global:bot1:k'), -1);
      await s.setStorageWithExpiry('bot1', 'k', 2, '30m');
      assert.ok((await r.ttl('global:bot1:k')) > 0);
      await s.setStorageWithExpiry('bot1', 'k', 3, 'never'); // clears the earlier TTL
      assert.equal(await r.ttl('global:bot1:k'), -1);
      assert.equal(await s.getStorageWithExpiry('bot1', 'k'), 3);
    });

    it('stores nothing for an invalid expiry', async () => {
      for (const bad of ['soon', '10 parsecs', '-5m', '0s']) {
        await assert.rejects(s.setStorageWithExpiry('bot1', 'k', 1, bad), /invalid expiry/);
      }
      assert.deepEqual(await keys(), []);
    });

    it('removes exactly the keys starting with the prefix', async () => {
      for (const [user, variable] of [['u1', 'age'], ['u1', 'name'], ['u1', 'city'],
        ['u10', 'age'], ['u2', 'age']]) {
        await s.setUserVariable('bot1', user, variable, variable, 'never');
      }
      await s.setUserVariable('bot2', 'u1', 'age', 40);
      await s.set('bot1', 'user', 'not a user variable');
      const prefix = s.getUserStorageKey('bot1', 'u1', '');
      assert.equal(await s.removeStorageKeysStartingWith('bot1', prefix), 3);
      assert.deepEqual(await keys(), ['global:bot1:user', 'user:bot1:u10:age', 'user:bot1:u2:age',
        'user:bot2:u1:age']);
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'user:bot1:'), 2);
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'user:bot1:'), 0);
      assert.deepEqual(await keys(), ['global:bot1:user', 'user:bot2:u1:age']);
    });

    it('takes a plain prefix as a literal global name prefix', async () => {
      for (const name of ['score*1', 'score*2', 'scoreX', 'score?', 'a[b]c', 'abc', 'a\\b']) {
        await s.set('bot1', name, name);
      }
      await s.set('bot2', 'score*1', 1);
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'score*'), 2);
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'a[b'), 1);
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'a\\'), 1);
      assert.deepEqual(await keys(), ['global:bot1:abc', 'global:bot1:score?',
        'global:bot1:scoreX', 'global:bot2:score*1']);
    });

    it('rejects empty and foreign prefixes', async () => {
      await s.setUserVariable('bot2', 'u1', 'age', 40);
      for (const prefix of ['', 'user:bot2:', 'user:', 'state:bot10:']) {
        await assert.rejects(s.removeStorageKeysStartingWith('bot1', prefix), Error, prefix);
      }
      assert.deepEqual(await keys(), ['user:bot2:u1:age']);
    });

    it('gets and sets user variables', async () => {
      await s.setUserVariable('bot1', 'u1', 'age', 12, '6 hours');
      await s.setUserVariable('bot1', 'u1', 'lang', 'fr', 'never');
      assert.equal(await s.getUserVariable('bot1', 'u1', 'age'), 12);
      assert.equal(await s.getStorageWithExpiry('bot1', 'user:bot1:u1:lang'), 'fr');
      assertBetween(await r.ttl('user:bot1:u1:age'), 21599, 21600);
      assert.equal(await r.ttl('user:bot1:u1:lang'), -1);
      assert.equal(await s.getUserVariable('bot1', 'u2', 'age'), null);
      assert.equal(await s.deleteUser('bot1', 'u1'), 2);
      assert.equal(await s.getUserVariable('bot1', 'u1', 'age'), null);
    });

    it('gets and sets global values', async () => {
      await s.set('bot1', 'winner', { name: 'Joe' });
      assert.deepEqual(await s.get('bot1', 'winner'), { name: 'Joe' });
      assert.equal(await s.get('bot2', 'winner'), null);
      assert.deepEqual(JSON.parse(await r.get('global:bot1:winner')), { name: 'Joe' });
      // A plain Botpress key lives in the global scope: both APIs see the same value.
      assert.deepEqual(await s.getStorageWithExpiry('bot1', 'winner'), { name: 'Joe' });
      await s.setStorageWithExpiry('bot1', 'winner', { name: 'Ann' }, '2 days');
      assert.deepEqual(await s.get('bot1', 'winner'), { name: 'Ann' });
      assertBetween(await r.ttl('global:bot1:winner'), 172799, 172800);
    });

    it('gets, sets and deletes conversation state', async () => {
      await s.setState('bot1', 's1', { step: 2, cart: ['apple'] }, '30m');
      await s.setState('bot1', 's1', 'x'.repeat(10000), undefined, 'payload');
      await s.setState('bot1', 's10', { step: 1 });
      await s.setState('bot2', 's1', { step: 9 });
      assert.deepEqual(await s.getState('bot1', 's1'), { step: 2, cart: ['apple'] });
      assert.equal(await s.getState('bot1', 's1', 'payload'), 'x'.repeat(10000));
      assertBetween(await r.ttl('state:bot1:s1'), 1799, 1800);
      assert.equal(await s.deleteState('bot1', 's1'), 2);
      assert.equal(await s.getState('bot1', 's1'), null);
      assert.equal(await s.getState('bot1', 's1', 'payload'), null);
      assert.deepEqual(await keys(), ['state:bot1:s10', 'state:bot2:s1']);
      assert.equal(await s.deleteState('bot1', 's1'), 0);
    });

    it('rejects ids containing colons', async () => {
      await assert.rejects(s.set('bot:1', 'x', 1), /bot id/);
      assert.throws(() => s.getUserStorageKey('bot1', 'u:1', 'age'), /user id/);
      await assert.rejects(s.setState('bot1', 's:1', {}), /state id/);
      assert.deepEqual(await keys(), []);
    });

    extraTests(() => ({ r, s, keys }));
  };
}

describe('stashd', storageContract(() => startServer(STASHD), (ctx) => {
  it('removes with DELPREFIX', async () => {
    const { r, s } = ctx();
    await s.set('bot1', 'a', 1);
    const delprefix = await commandCalls(r, 'delprefix');
    const scan = await commandCalls(r, 'scan');
    assert.equal(await s.removeStorageKeysStartingWith('bot1', 'a'), 1);
    assert.equal(await commandCalls(r, 'delprefix'), delprefix + 1);
    assert.equal(await commandCalls(r, 'scan'), scan);
  });
}));

describe('stashd scope default TTL', () => {
  let server;
  let r;
  before(async () => {
    server = await startServer(STASHD, '--scope-user-default-ttl', '1h',
      '--scope-state-default-ttl', '24h');
    r = new Redis({ host: '127.0.0.1', port: server.port });
  });
  after(async () => {
    if (r) await r.quit();
    if (server) await server.stop();
  });

  it('applies when no expiry is given; "never" overrides it', async () => {
    const s = new BotStorage(r);
    await s.setUserVariable('bot1', 'u1', 'age', 12);
    assertBetween(await r.ttl('user:bot1:u1:age'), 3599, 3600);
    await s.setUserVariable('bot1', 'u1', 'age', 12, 'never');
    assert.equal(await r.ttl('user:bot1:u1:age'), -1);
    await s.setUserVariable('bot1', 'u1', 'age', 12, '30m');
    assertBetween(await r.ttl('user:bot1:u1:age'), 1799, 1800);
    await s.setState('bot1', 's1', { step: 1 });
    assertBetween(await r.ttl('state:bot1:s1'), 86399, 86400);
    await s.set('bot1', 'winner', 'Joe');
    assert.equal(await r.ttl('global:bot1:winner'), -1);
  });
});

describe(
  'redis-server fallback',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  storageContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'), (ctx) => {
    it('removes with SCAN MATCH + UNLINK', async () => {
      const { r, s, keys } = ctx();
      for (let i = 0; i < 1200; i++) await s.setUserVariable('bot1', 'u1', `v${i}`, i);
      await s.setUserVariable('bot1', 'u2', 'v1', 1);
      const scan = await commandCalls(r, 'scan');
      const unlink = await commandCalls(r, 'unlink');
      assert.equal(await s.removeStorageKeysStartingWith('bot1', 'user:bot1:u1:'), 1200);
      assert.equal(s.hasDelprefix, false);
      assert.ok((await commandCalls(r, 'scan')) > scan);
      assert.ok((await commandCalls(r, 'unlink')) > unlink);
      assert.deepEqual(await keys(), ['user:bot1:u2:v1']);
    });
  })
);

// ioredis's defineCommand: a rate limiter as bots write it, run through EVALSHA (ioredis
// falls back to EVAL on NOSCRIPT), against stashd and, when installed, redis-server.
function defineCommandContract(start) {
  return () => {
    let server;
    let r;
    before(async () => {
      server = await start();
      r = new Redis({ host: '127.0.0.1', port: server.port });
      r.defineCommand('consume', {
        numberOfKeys: 1,
        lua: `
          local used = tonumber(redis.call('get', KEYS[1]) or '0')
          if used >= tonumber(ARGV[1]) then return {0, redis.call('pttl', KEYS[1])} end
          used = redis.call('incr', KEYS[1])
          if used == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
          return {1, tonumber(ARGV[1]) - used}`,
      });
    });
    after(async () => {
      if (r) await r.quit();
      if (server) await server.stop();
    });

    it('runs a defined command, loading it on NOSCRIPT', async () => {
      await r.flushall();
      await r.script('FLUSH');
      assert.deepEqual(await r.consume('global:bot1:rate:u1', 3, 60000), [1, 2]);
      assert.deepEqual(await r.consume('global:bot1:rate:u1', 3, 60000), [1, 1]);
      assert.deepEqual(await r.consume('global:bot1:rate:u1', 3, 60000), [1, 0]);
      const [allowed, wait] = await r.consume('global:bot1:rate:u1', 3, 60000);
      assert.equal(allowed, 0);
      assertBetween(wait, 59000, 60000);
      // Pipelined, as ioredis sends them in bulk.
      const results = await r.pipeline()
        .consume('global:bot1:rate:u2', 2, 60000)
        .consume('global:bot1:rate:u2', 2, 60000)
        .consume('global:bot1:rate:u2', 2, 60000)
        .exec();
      assert.deepEqual(results.map(([err, v]) => (err ? err.message : v[0])), [1, 1, 0]);
    });

    it('reports script errors as Redis does', async () => {
      await r.set('global:bot1:s', 'abc');
      await assert.rejects(r.eval("return redis.call('incr', KEYS[1])", 1, 'global:bot1:s'),
        (e) => /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/
          .test(e.message));
    });
  };
}

describe('ioredis defineCommand on stashd',
  defineCommandContract(() => startServer(STASHD, '--save', '', '--appendonly', 'no')));

describe(
  'ioredis defineCommand on redis-server',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  defineCommandContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'))
);

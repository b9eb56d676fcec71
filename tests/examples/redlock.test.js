'use strict';
// redlock (pinned in examples/node/package.json) across three stashd instances, and across three
// redis-servers as a control (skipped when not installed): a lock is acquired, extended and
// released on all three; a second Redlock client cannot take a held resource and can once it is
// released; a lock expires by itself after its duration; using() extends its lock while the
// routine runs; a lock needs a quorum (2 of 3) of the servers. redlock runs three Lua scripts
// (EVALSHA, EVAL on NOSCRIPT) that use EXISTS, GET, SET ... PX and DEL.
//
//   npm ci --prefix examples/node
//   STASHD_BINARY=build/server/stashd node --test tests/examples/

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createRequire } = require('node:module');
const { setTimeout: sleep } = require('node:timers/promises');

const { ROOT, STASHD, REDIS_SERVER, startServer } = require('./servers');

const requireExample = createRequire(path.join(ROOT, 'examples', 'node', 'package.json'));
const redlockModule = requireExample('redlock');
const Redlock = redlockModule.default;
const { ExecutionError, ResourceLockedError } = redlockModule;
const Redis = requireExample('ioredis');

const NO_QUORUM = 'The operation was unable to achieve a quorum during its retry window.';

function redlockContract(start) {
  return () => {
    const servers = [];
    const clients = []; // one per server, for the first Redlock
    const otherClients = []; // one per server, for the competing Redlock
    const probes = []; // one per server, to look at the keys
    let redlock;
    let rival;
    before(async () => {
      for (let i = 0; i < 3; i++) servers.push(await start());
      for (const { port } of servers) {
        clients.push(new Redis({ host: '127.0.0.1', port }));
        otherClients.push(new Redis({ host: '127.0.0.1', port }));
        probes.push(new Redis({ host: '127.0.0.1', port }));
      }
      redlock = new Redlock(clients, { retryCount: 0 });
      rival = new Redlock(otherClients, { retryCount: 2, retryDelay: 100, retryJitter: 0 });
    });
    after(async () => {
      for (const c of [...clients, ...otherClients, ...probes]) c.disconnect();
      for (const s of servers) await s.stop();
    });

    const values = (key) => Promise.all(probes.map((p) => p.get(key)));
    const pttls = (key) => Promise.all(probes.map((p) => p.pttl(key)));
    // redlock resolves an operation as soon as a quorum (2 of 3) has answered; its attempts'
    // stats resolve once every server has. Look at the servers only after that.
    const settled = async (result) => {
      await Promise.all(result.attempts);
      return result;
    };
    // For operations whose attempts redlock keeps to itself (the clean-up after a failed
    // acquire, the release at the end of using()): wait up to a second for the third server.
    const eventually = async (key, expected) => {
      const deadline = Date.now() + 1000;
      let seen = await values(key);
      while (!seen.every((v, i) => v === expected[i]) && Date.now() < deadline) {
        await sleep(10);
        seen = await values(key);
      }
      assert.deepEqual(seen, expected);
    };
    const votes = async (attempt) => {
      const stats = await attempt;
      return [stats.membershipSize, stats.quorumSize, stats.votesFor.size, stats.votesAgainst.size];
    };

    it('acquires, extends and releases a lock on all three servers', async () => {
      const start = Date.now();
      const lock = await redlock.acquire(['lock:a'], 1000);
      assert.equal(typeof lock.value, 'string');
      assert.deepEqual(lock.resources, ['lock:a']);
      assert.equal(lock.attempts.length, 1);
      assert.deepEqual(await votes(lock.attempts[0]), [3, 2, 3, 0]);
      // expiration = start + duration - drift, drift = round(0.01 * 1000) + 2 = 12
      assert.ok(lock.expiration >= start + 1000 - 12 && lock.expiration <= Date.now() + 1000 - 12,
        `expiration ${lock.expiration}`);
      assert.deepEqual(await values('lock:a'), [lock.value, lock.value, lock.value]);
      for (const ttl of await pttls('lock:a')) assert.ok(ttl > 0 && ttl <= 1000, `pttl ${ttl}`);

      const extended = await settled(await lock.extend(5000));
      assert.equal(lock.expiration, 0); // the old Lock object is invalidated
      assert.equal(extended.value, lock.value);
      assert.ok(extended.expiration > Date.now() + 4000, `expiration ${extended.expiration}`);
      assert.deepEqual(await values('lock:a'), [lock.value, lock.value, lock.value]);
      for (const ttl of await pttls('lock:a')) assert.ok(ttl > 4000 && ttl <= 5000, `pttl ${ttl}`);

      const released = await extended.release();
      assert.equal(extended.expiration, 0);
      assert.equal(released.attempts.length, 1);
      assert.deepEqual(await votes(released.attempts[0]), [3, 2, 3, 0]);
      assert.deepEqual(await values('lock:a'), [null, null, null]);
    });

    it('refuses a held resource to a second client until it is released', async () => {
      const lock = await settled(await redlock.acquire(['lock:b'], 5000));
      const err = await rival.acquire(['lock:b'], 5000).then(() => null, (e) => e);
      assert.ok(err instanceof ExecutionError, `expected ExecutionError, got ${err}`);
      assert.equal(err.message, NO_QUORUM);
      assert.equal(err.attempts.length, 3); // retryCount 2
      for (const attempt of err.attempts) {
        const stats = await attempt;
        assert.deepEqual(await votes(attempt), [3, 2, 0, 3]);
        for (const e of stats.votesAgainst.values()) {
          assert.ok(e instanceof ResourceLockedError, String(e));
          assert.equal(e.message, 'The operation was applied to: 0 of the 1 requested resources.');
        }
      }
      // The failed attempt's clean-up deletes only its own value: the holder keeps the lock.
      assert.deepEqual(await values('lock:b'), [lock.value, lock.value, lock.value]);

      await settled(await lock.release());
      const second = await settled(await rival.acquire(['lock:b'], 5000));
      assert.notEqual(second.value, lock.value);
      assert.deepEqual(await values('lock:b'), [second.value, second.value, second.value]);
      // The first client's stale lock no longer releases anything (0 of 1 on every server).
      await assert.rejects(redlock.release(lock), ExecutionError);
      assert.deepEqual(await values('lock:b'), [second.value, second.value, second.value]);
      await settled(await second.release());
      assert.deepEqual(await values('lock:b'), [null, null, null]);
    });

    it('lets a lock expire by itself after its duration', async () => {
      const lock = await settled(await redlock.acquire(['lock:c'], 1000));
      assert.deepEqual(await values('lock:c'), [lock.value, lock.value, lock.value]);
      await assert.rejects(rival.acquire(['lock:c'], 1000, { retryCount: 0 }), ExecutionError);
      await sleep(1200);
      assert.deepEqual(await values('lock:c'), [null, null, null]);
      await assert.rejects(lock.extend(1000),
        { name: 'ExecutionError', message: 'Cannot extend an already-expired lock.' });
      const next = await settled(await rival.acquire(['lock:c'], 1000, { retryCount: 0 }));
      assert.deepEqual(await values('lock:c'), [next.value, next.value, next.value]);
      await next.release();
    });

    it('keeps a lock taken with using() alive past its duration while the routine runs', async () => {
      const seen = [];
      let value;
      const result = await redlock.using(['lock:d'], 1000, { automaticExtensionThreshold: 500 },
        async (signal) => {
          const start = Date.now();
          [value] = await values('lock:d');
          assert.equal(typeof value, 'string');
          // Three times the lock's duration: it lives only if it is extended.
          while (Date.now() - start < 3000) {
            await sleep(200);
            seen.push(...await values('lock:d'));
            await assert.rejects(rival.acquire(['lock:d'], 1000, { retryCount: 0 }), ExecutionError);
          }
          assert.equal(signal.aborted, false);
          for (const ttl of await pttls('lock:d')) assert.ok(ttl > 0 && ttl <= 1000, `pttl ${ttl}`);
          return 'done';
        });
      assert.equal(result, 'done');
      assert.ok(seen.length >= 3 * 10, `only ${seen.length} looks`);
      assert.deepEqual(seen, seen.map(() => value));
      await eventually('lock:d', [null, null, null]); // released afterwards
    });

    it('needs a quorum: 2 of 3 servers suffice, 1 of 3 does not', async () => {
      await probes[0].set('lock:e', 'someone-else', 'PX', 5000);
      const lock = await redlock.acquire(['lock:e'], 5000);
      assert.deepEqual(await votes(lock.attempts[0]), [3, 2, 2, 1]);
      assert.deepEqual(await values('lock:e'), ['someone-else', lock.value, lock.value]);
      const released = await lock.release(); // 2 of 3 release it: a quorum
      assert.deepEqual(await votes(released.attempts[0]), [3, 2, 2, 1]);
      assert.deepEqual(await values('lock:e'), ['someone-else', null, null]);

      await probes[1].set('lock:e', 'a-third-party', 'PX', 5000);
      const err = await redlock.acquire(['lock:e'], 5000).then(() => null, (e) => e);
      assert.ok(err instanceof ExecutionError, `expected ExecutionError, got ${err}`);
      assert.equal(err.message, NO_QUORUM);
      assert.equal(err.attempts.length, 1);
      assert.deepEqual(await votes(err.attempts[0]), [3, 2, 1, 2]);
      // The failed acquisition removed the one entry it had made (on the third server).
      await eventually('lock:e', ['someone-else', 'a-third-party', null]);
    });
  };
}

describe('redlock on three stashd servers', redlockContract(() => startServer(STASHD)));

describe(
  'redlock on three redis-servers',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  redlockContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'))
);

'use strict';
// bullmq (pinned in examples/node/package.json) against stashd, and against redis-server as a
// control (skipped when not installed): a Queue adds 1,000 jobs, a Worker processes them,
// QueueEvents reports each one completed, and a job that fails once is retried and completes.
// bullmq runs everything through Lua scripts (EVALSHA, falling back to EVAL), keeps its events
// in a stream read with XREAD BLOCK, and reads INFO for redis_version and maxmemory_policy.
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
const { Queue, Worker, QueueEvents } = requireExample('bullmq');
const Redis = requireExample('ioredis');

const JOBS = 1000;
const FLAKY = 417; // the job whose first attempt fails

function bullmqContract(start) {
  return () => {
    let server;
    let r;
    before(async () => {
      server = await start();
      r = new Redis({ host: '127.0.0.1', port: server.port });
    });
    after(async () => {
      if (r) r.disconnect();
      if (server) await server.stop();
    });

    it('reports maxmemory_policy noeviction in INFO, as bullmq requires', async () => {
      const info = await r.info();
      assert.match(info, /^maxmemory_policy:noeviction\r?$/m);
      assert.match(info, /^redis_version:7\.\d+\.\d+\r?$/m);
    });

    it('processes 1,000 jobs, retrying one that fails once', async () => {
      const connection = { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null };
      const warnings = [];
      const warn = console.warn;
      console.warn = (...args) => warnings.push(args.join(' '));
      const queue = new Queue('replies', { connection });
      const events = new QueueEvents('replies', { connection, lastEventId: '0-0' });
      let worker;
      try {
        const completed = new Map(); // jobId -> returnvalue, from QueueEvents
        let completedEvents = 0;
        events.on('completed', ({ jobId, returnvalue }) => {
          completedEvents++;
          completed.set(jobId, returnvalue);
        });
        await events.waitUntilReady();

        const jobs = await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({
          name: 'reply', data: { n: i }, opts: { attempts: 2 },
        })));
        assert.equal(jobs.length, JOBS);
        assert.equal(new Set(jobs.map((j) => j.id)).size, JOBS);
        assert.equal(await queue.count(), JOBS);

        const attempts = new Map(); // n -> how many times the processor ran
        const failures = [];
        worker = new Worker('replies', async (job) => {
          attempts.set(job.data.n, (attempts.get(job.data.n) || 0) + 1);
          if (job.data.n === FLAKY && job.attemptsMade === 0) throw new Error('first attempt fails');
          return job.data.n * 2;
        }, { connection, concurrency: 20 });
        worker.on('failed', (job, err) => failures.push([job.data.n, job.attemptsMade, err.message]));

        const deadline = Date.now() + 45000;
        while (completed.size < JOBS && Date.now() < deadline) await sleep(50);
        await sleep(200); // an extra completion would show up meanwhile

        assert.equal(completedEvents, JOBS);
        assert.deepEqual([...completed.keys()].sort(), jobs.map((j) => j.id).sort());
        for (const job of jobs) assert.equal(Number(completed.get(job.id)), job.data.n * 2, job.id);
        assert.equal(attempts.size, JOBS);
        for (const [n, count] of attempts) assert.equal(count, n === FLAKY ? 2 : 1, `job n=${n}`);
        assert.deepEqual(failures, [[FLAKY, 1, 'first attempt fails']]);

        const flaky = await queue.getJob(jobs[FLAKY].id);
        assert.equal(await flaky.getState(), 'completed');
        assert.equal(flaky.attemptsMade, 2);
        assert.equal(flaky.returnvalue, FLAKY * 2);
        assert.deepEqual(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          { waiting: 0, paused: 0, active: 0, delayed: 0, completed: JOBS, failed: 0 });
        assert.deepEqual(warnings.filter((w) => /eviction/i.test(w)), []);
      } finally {
        console.warn = warn;
        if (worker) await worker.close();
        await events.close();
        await queue.close();
      }
    });
  };
}

describe('bullmq on stashd', bullmqContract(() => startServer(STASHD)));

describe(
  'bullmq on redis-server',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  bullmqContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'))
);

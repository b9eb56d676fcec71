'use strict';
// bull, the classic Bull queue (pinned in examples/node/package.json; not bullmq), against
// stashd, and against redis-server as a control (skipped when not installed): 1,000 jobs added
// in bulk are processed by queue.process, a job that fails once is retried (attempts: 2) and
// completes, and a job added with a 500 ms delay runs after its delay and not before. bull runs
// its commands in Lua scripts (EVALSHA), waits for jobs with BRPOPLPUSH, and learns of delayed
// jobs through Pub/Sub and a delayed sorted set.
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
const Queue = requireExample('bull');
const Redis = requireExample('ioredis');

const JOBS = 1000;
const FLAKY = 417; // the job whose first attempt fails
const DELAY = 500; // ms
const DELAYED_N = -1; // data.n of the delayed job

function bullContract(start) {
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

    it('processes 1,000 jobs, retries one that fails once, runs a delayed job on time', async () => {
      const queue = new Queue('replies', { redis: { host: '127.0.0.1', port: server.port } });
      const errors = [];
      queue.on('error', (err) => errors.push(err.message));
      try {
        await queue.isReady();

        const jobs = await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({
          data: { n: i }, opts: { attempts: 2 },
        })));
        assert.equal(jobs.length, JOBS);
        assert.equal(new Set(jobs.map((j) => String(j.id))).size, JOBS);
        assert.equal(await queue.count(), JOBS);

        const attempts = new Map(); // n -> how many times the processor ran
        const ranAt = new Map(); // n -> Date.now() when the processor (last) ran
        const completed = new Map(); // job id -> result, from the 'completed' event
        const failures = [];
        queue.on('completed', (job, result) => completed.set(String(job.id), result));
        queue.on('failed', (job, err) => failures.push([job.data.n, job.attemptsMade, err.message]));
        queue.process(20, async (job) => {
          const { n } = job.data;
          attempts.set(n, (attempts.get(n) || 0) + 1);
          ranAt.set(n, Date.now());
          if (n === FLAKY && job.attemptsMade === 0) throw new Error('first attempt fails');
          return n * 2;
        });

        const delayedAddedAt = Date.now();
        const delayed = await queue.add({ n: DELAYED_N }, { delay: DELAY });
        assert.equal(await delayed.getState(), 'delayed');

        const deadline = Date.now() + 40000;
        while (completed.size < JOBS + 1 && Date.now() < deadline) await sleep(50);
        await sleep(300); // an extra completion would show up meanwhile

        assert.equal(completed.size, JOBS + 1);
        for (const job of jobs) assert.equal(completed.get(String(job.id)), job.data.n * 2, String(job.id));
        assert.equal(completed.get(String(delayed.id)), DELAYED_N * 2);
        assert.equal(attempts.size, JOBS + 1);
        for (const [n, count] of attempts) assert.equal(count, n === FLAKY ? 2 : 1, `job n=${n}`);
        assert.deepEqual(failures, [[FLAKY, 1, 'first attempt fails']]);

        const flaky = await queue.getJob(jobs[FLAKY].id);
        assert.equal(await flaky.getState(), 'completed');
        // bull counts failed attempts only (Job#_saveAttempt, on moveToFailed), unlike bullmq,
        // which counts every attempt: ran twice, failed once, so 1 (the same on redis-server).
        assert.equal(flaky.attemptsMade, 1);
        assert.equal(flaky.returnvalue, FLAKY * 2);

        const late = await queue.getJob(delayed.id);
        assert.equal(await late.getState(), 'completed');
        assert.equal(late.attemptsMade, 0);
        assert.equal(late.opts.delay, DELAY);
        // Ran after its delay: not before timestamp + delay, by the server's clock and by ours.
        assert.ok(late.processedOn >= late.timestamp + DELAY,
          `processedOn ${late.processedOn} < timestamp ${late.timestamp} + ${DELAY}`);
        assert.ok(ranAt.get(DELAYED_N) - delayedAddedAt >= DELAY,
          `the delayed job ran ${ranAt.get(DELAYED_N) - delayedAddedAt} ms after it was added`);

        assert.deepEqual(await queue.getJobCounts(),
          { waiting: 0, active: 0, delayed: 0, completed: JOBS + 1, failed: 0, paused: 0 });
        assert.deepEqual(errors, []);
      } finally {
        await queue.close();
      }
    });
  };
}

describe('bull on stashd', bullContract(() => startServer(STASHD)));

describe(
  'bull on redis-server',
  { skip: REDIS_SERVER ? false : 'redis-server is not installed' },
  bullContract(() => startServer(REDIS_SERVER, '--save', '', '--appendonly', 'no'))
);

'use strict';
// Starting a server for the examples' end-to-end tests: the stashd binary under test
// (STASHD_BINARY, default build/server/stashd) or redis-server as a control.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const ROOT = path.resolve(__dirname, '..', '..');
const STASHD = path.resolve(ROOT, process.env.STASHD_BINARY || 'build/server/stashd');
const REDIS_SERVER = findInPath('redis-server');

function findInPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Starts `binary` (stashd or redis-server: both accept these flags) on a free port in a temp dir.
async function startServer(binary, ...extra) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stashd-node-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--logfile', path.join(dir, 'server.log'), ...extra];
  const proc = spawn(binary, args, { stdio: 'ignore' });
  let exited = false;
  proc.once('exit', () => { exited = true; });
  proc.once('error', () => { exited = true; }); // e.g. the binary does not exist
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${binary} ${exited ? 'exited at start-up' : 'did not start'}`);
    }
    await sleep(20);
  }
  return { port, stop };
}

module.exports = { ROOT, STASHD, REDIS_SERVER, freePort, canConnect, startServer };

'use strict';
// Broadcasts between the processes of one bot through stashd (or Redis) Pub/Sub, with socket.io
// and its Redis adapter: a message a user sends to any process reaches every user of the same
// conversation room, whichever process they are connected to.
//
//   node examples/node/broadcast.js --port 3001 --redis-port 6380
//
// Each process runs a socket.io server. A client joins a conversation with
// socket.emit('join', convId) and says something with socket.emit('say', convId, text); every
// member of the room, on any process, receives ('message', { convId, text, from }) where `from`
// names the process that received it. The adapter publishes on the channel
// "socket.io#/#" and friends and asks how many processes listen with PUBSUB NUMSUB.
const http = require('node:http');
const Redis = require('ioredis');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');

// Starts one process's server. Resolves to { port, close }.
async function startBroadcastServer({ port = 0, redisHost = '127.0.0.1', redisPort = 6379, name }) {
  const pub = new Redis({ host: redisHost, port: redisPort });
  const sub = pub.duplicate();
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub) });
  const processName = name || `process-${process.pid}`;

  io.on('connection', (socket) => {
    socket.on('join', async (convId, ack) => {
      await socket.join(`conv:${convId}`);
      if (typeof ack === 'function') ack('joined');
    });
    socket.on('say', (convId, text) => {
      io.to(`conv:${convId}`).emit('message', { convId, text, from: processName });
    });
    // How many sockets the conversation has across every process (a request to all of them).
    socket.on('members', async (convId, ack) => {
      const sockets = await io.in(`conv:${convId}`).fetchSockets();
      ack(sockets.length);
    });
  });

  await new Promise((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
  return {
    port: httpServer.address().port,
    close: async () => {
      await new Promise((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}

module.exports = { startBroadcastServer };

if (require.main === module) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  startBroadcastServer({
    port: Number(arg('port', 3000)),
    redisHost: arg('redis-host', '127.0.0.1'),
    redisPort: Number(arg('redis-port', 6379)),
    name: arg('name'),
  }).then(({ port }) => {
    // The test harness waits for this line.
    console.log(`listening ${port}`);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}

#!/usr/bin/env node
/*
 * Small network tools the lab runs INSIDE a namespace (`ip netns exec NS node network-lab-tools.mjs …`): plain Node,
 * no dependencies, so it starts fast and needs no build.
 *
 *   echo HOST PORT                 UDP server: answers each datagram with the sender's address as it saw it (JSON)
 *   probe LOCALPORT N HOST:PORT…   sends N datagrams from LOCALPORT to each target, prints what came back as JSON:
 *                                  {"sent","replies","seenAs":["addr:port"…],"errors","firstReplyMs"}
 *   blank HOST PORT                serves an empty HTML page (the origin of the benchmark's direct-call floor)
 *   tunnel SOCKET PORT CMD ARG…    forwards connections on the unix socket SOCKET to 127.0.0.1:PORT in this
 *                                  namespace, runs CMD (a browser) and exits with it
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';

/** How long `probe` waits for the last answers after sending. */
const PROBE_GRACE_MS = 1_500;

/** Gap between probe datagrams: spaced out so a bandwidth cap does not drop them as a burst. */
const PROBE_GAP_MS = 2;

const [mode, ...args] = process.argv.slice(2);

if (mode === 'echo') {
  const [host, port] = args;
  const socket = createSocket('udp4');
  socket.on('message', (_message, sender) => {
    socket.send(JSON.stringify({ address: sender.address, port: sender.port }), sender.port, sender.address);
  });
  socket.bind(Number(port), host, () => console.log('ready'));
} else if (mode === 'probe') {
  const [localPort, count, ...targets] = args;
  const socket = createSocket('udp4');
  const seenAs = new Set();
  let replies = 0;
  let errors = 0;
  let startedAt = 0;
  let firstReplyMs = null;
  // An unreachable destination is an answer too (counted), not a crash.
  socket.on('error', () => errors++);
  socket.on('message', (message) => {
    replies++;
    firstReplyMs ??= performance.now() - startedAt;
    const seen = JSON.parse(message.toString());
    seenAs.add(`${seen.address}:${seen.port}`);
  });
  socket.bind(Number(localPort), async () => {
    startedAt = performance.now();
    for (let index = 0; index < Number(count); index++) {
      for (const target of targets) {
        const [host, port] = target.split(':');
        socket.send(`probe ${index}`, Number(port), host);
        await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
      }
    }
    setTimeout(() => {
      const sent = Number(count) * targets.length;
      console.log(JSON.stringify({ sent, replies, seenAs: [...seenAs], errors, firstReplyMs }));
      socket.close();
    }, PROBE_GRACE_MS);
  });
} else if (mode === 'blank') {
  const [host, port] = args;
  const server = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><meta charset="utf-8"><title>Direct call</title><body></body>');
  });
  server.listen(Number(port), host, () => console.log('ready'));
} else if (mode === 'tunnel') {
  const [socketPath, port, command, ...commandArgs] = args;
  rmSync(socketPath, { force: true });
  const server = createServer((client) => {
    const target = connect(Number(port), '127.0.0.1');
    client.pipe(target).pipe(client);
    client.on('error', () => target.destroy());
    target.on('error', () => client.destroy());
  });
  server.listen(socketPath, () => {
    const child = spawn(command, commandArgs, { stdio: 'inherit' });
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => {
      server.close();
      rmSync(socketPath, { force: true });
      process.exit(code ?? (signal ? 1 : 0));
    });
  });
} else {
  console.error(`unknown mode ${mode}; see the header of this file`);
  process.exit(2);
}

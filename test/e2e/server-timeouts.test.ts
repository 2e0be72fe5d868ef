/**
 * The listening server's timeouts, with real sockets: a connection that sends nothing, a body that
 * trickles forever, and a slow answer. Short timeouts here; the service's own are checked by value.
 */
import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, SERVER_TIMEOUTS, type ServerTimeouts } from '../../src/listen.js';

const SHORT: ServerTimeouts = { headersMs: 300, requestMs: 600, keepAliveMs: 200, idleSocketMs: 200, checkIntervalMs: 50 };

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(handler: RequestListener, timeouts?: ServerTimeouts) {
  const { server, port } = await listen(handler, 0, '127.0.0.1', 'PORT', timeouts);
  servers.push(server);
  return { server, port };
}

async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(socket, 'connect');
  const openedAt = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
  return { socket, received: () => text, closed };
}

/** The time the server took to close a socket; fails when it is still open after `withinMs`. */
async function closedWithin(closed: Promise<number>, withinMs: number): Promise<number> {
  const elapsed = await Promise.race([closed, sleep(withinMs, 'still open' as const)]);
  expect(elapsed, 'the server left the connection open').not.toBe('still open');
  return elapsed as number;
}

const readBody: RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => res.end('read'));
};

describe('the listening server', () => {
  it('closes a connection that sends nothing', async () => {
    const { port } = await start(readBody, SHORT);
    const { closed } = await open(port);
    expect(await closedWithin(closed, 3_000)).toBeLessThan(1_500);
  });

  it('ends a request whose body trickles forever with a 408', async () => {
    const { port } = await start(readBody, SHORT);
    const { socket, received, closed } = await open(port);
    socket.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n');
    // A byte well inside the idle timeout every time: only the whole-request deadline can end it.
    const trickle = setInterval(() => socket.writable && socket.write('a'), 50);
    try {
      expect(await closedWithin(closed, 3_000)).toBeLessThan(2_000);
    } finally {
      clearInterval(trickle);
    }
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('still answers a request that takes longer than the idle timeout to handle', async () => {
    const { port } = await start(async (_req, res) => {
      await sleep(SHORT.idleSocketMs * 3);
      res.end('slow but sure');
    }, SHORT);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('slow but sure');
  });

  it('runs with the service’s timeouts unless told otherwise', async () => {
    const { server } = await start(readBody);
    expect(server).toMatchObject({
      headersTimeout: SERVER_TIMEOUTS.headersMs,
      requestTimeout: SERVER_TIMEOUTS.requestMs,
      keepAliveTimeout: SERVER_TIMEOUTS.keepAliveMs,
      timeout: SERVER_TIMEOUTS.idleSocketMs,
    });
    expect(SERVER_TIMEOUTS.headersMs).toBeLessThanOrEqual(SERVER_TIMEOUTS.requestMs);
  });
});

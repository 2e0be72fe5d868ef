/** Listens on a port with timeouts that free every socket a client holds without using it, or fails with a StartupError naming the setting to change. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from './startup.js';

export interface ServerTimeouts {
  /** A client sends its request headers at once; a slowloris sends them a byte at a time. */
  headersMs: number;
  /** The whole request, body included (at most 16 KiB here), however slowly it trickles in: then 408. */
  requestMs: number;
  /** Longer than a load balancer's usual idle timeout (60 s), so it, not we, closes an idle upstream connection it might reuse. */
  keepAliveMs: number;
  /** A connection that sends nothing, or stops mid-request, is closed: Node's headersTimeout counts only from a request's first byte. */
  idleSocketMs: number;
  /** How often Node enforces headersMs and requestMs (its default, 30 s, lets a trickle run on well past them). */
  checkIntervalMs: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 65_000,
  idleSocketMs: 15_000,
  checkIntervalMs: 1_000,
};

function createTimedServer(handler: RequestListener, timeouts: ServerTimeouts): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    handler,
  );
  server.timeout = timeouts.idleSocketMs;
  // A request being answered is not idle: requestMs bounds its reading and the handler its own
  // waiting. Without a listener here Node would destroy its socket mid-answer.
  server.on('request', (_req, res) => res.on('timeout', () => undefined));
  return server;
}

export async function listen(
  handler: RequestListener,
  port: number,
  host: string,
  setting: string,
  timeouts: ServerTimeouts = SERVER_TIMEOUTS,
): Promise<{ server: Server; port: number }> {
  const server = createTimedServer(handler, timeouts);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${port} is in use; set ${setting}`);
    if (code === 'EACCES') throw new StartupError(`port ${port} needs privileges this process lacks; set ${setting}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new StartupError(`cannot listen on host ${host}: no such local address; set HOST`);
    throw error;
  }
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * A loopback HTTP proxy in front of Supabase that breaks answers on the socket, the ways a fetch
 * wrapper cannot: the server does the work and answers, then the client gets the status and
 * headers but the body is cut half-way (connection reset), arrives only after the caller's
 * timeout, or is not what was sent (a 2xx whose body does not parse).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { callNameOf, type CallName } from './fault-fetch.js';

export type SocketFault =
  /** Status and headers arrive, then the connection is reset half-way through the body. */
  | 'body_cut'
  /** Status and headers arrive at once; the body only after `lateBodyMs`, when the caller has given up. */
  | 'body_late'
  /** A 2xx whose body is not JSON: it was mangled on the way (or a version the client cannot read). */
  | 'garbled_2xx'
  /** The server did the work, and the client is told 400: a broken middlebox, or a bug. Only the database's guards stand. */
  | 'rejected_after_commit';

export const SOCKET_FAULTS: SocketFault[] = ['body_cut', 'body_late', 'garbled_2xx'];

/** What random faults draw from: the socket faults, and a gateway's 502 before or after the server acted. */
type ChaosFault = 'body_cut' | 'body_late' | 'bad_gateway_before' | 'bad_gateway_after';
const CHAOS_FAULTS: ChaosFault[] = ['body_cut', 'body_late', 'bad_gateway_before', 'bad_gateway_after'];

/** Hop-by-hop and framing headers: the proxy frames its own answer. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

interface PlannedFault {
  call: CallName;
  fault: SocketFault;
  remaining: number;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forwardedHeaders(headers: Headers | IncomingMessage['headers']): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(
    entries.filter(([name, value]) => !NOT_FORWARDED.has(name.toLowerCase()) && value !== undefined).map(([name, value]) => [name, String(value)]),
  );
}

export class FaultProxy {
  private plan: PlannedFault[] = [];
  private chaosRate = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  readonly answered: CallName[] = [];

  private constructor(
    private readonly target: string,
    /** How long a `body_late` body waits: longer than the caller's timeout. */
    public lateBodyMs: number,
  ) {
    // Supabase failing to answer the proxy reaches the client as it would without one: a reset.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.socket?.resetAndDestroy()));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(target: string, options: { lateBodyMs: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, options.lateBodyMs);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Breaks the next `times` answers to `call` (Infinity: every one). */
  inject(call: CallName, fault: SocketFault, times = 1): this {
    this.plan.push({ call, fault, remaining: times });
    return this;
  }

  /** Breaks each answer with probability `rate`, whatever the call, by a fault drawn at random. */
  chaos(rate: number): this {
    this.chaosRate = rate;
    return this;
  }

  clear(): void {
    this.plan = [];
    this.chaosRate = 0;
  }

  private take(name: CallName | undefined): SocketFault | ChaosFault | undefined {
    if (Math.random() < this.chaosRate) return CHAOS_FAULTS[Math.floor(Math.random() * CHAOS_FAULTS.length)];
    const planned = this.plan.find((entry) => entry.call === name && entry.remaining > 0);
    if (!planned) return undefined;
    planned.remaining--;
    return planned.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const name = callNameOf({ method: req.method ?? 'GET', path });
    const body = await readBody(req);
    const fault = this.take(name);
    if (fault === 'bad_gateway_before') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    // The server gets the request and does the work: every other fault is on the way back.
    const upstream = await fetch(new URL(req.url ?? '/', this.target), {
      method: req.method,
      headers: forwardedHeaders(req.headers),
      ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (name) this.answered.push(name);
    const headers = forwardedHeaders(upstream.headers);
    switch (fault) {
      case undefined:
        res.writeHead(upstream.status, { ...headers, 'content-length': answer.length }).end(answer);
        return;
      case 'rejected_after_commit': {
        const refusal = Buffer.from(JSON.stringify({ code: 'PGRST100', message: 'injected refusal after the commit', details: null, hint: null }));
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': refusal.length }).end(refusal);
        return;
      }
      case 'bad_gateway_after':
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
        return;
      case 'garbled_2xx': {
        const garbled = Buffer.from('{"garbled": tr');
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': garbled.length }).end(garbled);
        return;
      }
      case 'body_cut': {
        // An empty answer has no body to cut: the reset then comes after the first half of the headers.
        const socket = res.socket;
        if (answer.length === 0) {
          socket?.write(`HTTP/1.1 ${upstream.status} ${upstream.statusText}\r\nContent-Type: application/`, () => socket.resetAndDestroy());
          return;
        }
        res.writeHead(upstream.status, { ...headers, 'content-length': answer.length });
        res.write(answer.subarray(0, Math.max(1, Math.floor(answer.length / 2))), () => socket?.resetAndDestroy());
        return;
      }
      case 'body_late':
        res.writeHead(upstream.status, { ...headers, 'content-length': answer.length });
        res.flushHeaders();
        setTimeout(() => !res.destroyed && res.end(answer), this.lateBodyMs);
        return;
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A loopback TCP proxy that breaks connections the ways a network does, to test a client against
 * the real server: pass, reset before anything is sent, drop the response after the server
 * answered (it committed), or delay the response.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export type ConnectionFate = { kind: 'pass' } | { kind: 'reset' } | { kind: 'drop_response' } | { kind: 'delay'; ms: number };

export interface TcpProxy {
  url: string;
  /** How many client connections it has seen. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: URL, fateOf: (connection: number) => ConnectionFate): Promise<TcpProxy> {
  let seen = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const fate = fateOf(++seen);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (fate.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    if (fate.kind === 'pass') upstream.pipe(client);
    else if (fate.kind === 'drop_response') {
      // The server has answered (so it committed): the answer never arrives, the connection is reset.
      upstream.once('data', () => setTimeout(() => client.resetAndDestroy(), 20));
    } else {
      upstream.on('data', (chunk: Buffer) => setTimeout(() => !client.destroyed && client.write(chunk), fate.ms));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

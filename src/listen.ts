/** Listens on a port, or fails with a StartupError naming the setting to change. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from './startup.js';

export async function listen(handler: RequestListener, port: number, host: string, setting: string): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
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

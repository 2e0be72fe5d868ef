/**
 * The service in a child process whose network dies with it: when CRASH_AT names a call, the
 * process SIGKILLs itself just before sending it (CRASH_WHEN=before_send) or just after the
 * server has committed it (CRASH_WHEN=after_commit). Prints {"url": …} once listening.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';
import { callNameOf } from './fault-fetch.js';

const crashAt = process.env.CRASH_AT;
const crashWhen = process.env.CRASH_WHEN ?? 'before_send';

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

const crashingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const name = callNameOf({ method: request.method, path: new URL(request.url).pathname });
  if (!crashAt || name !== crashAt) return fetch(input, init);
  if (crashWhen === 'before_send') die();
  const response = await fetch(input, init);
  await response.arrayBuffer();
  return die();
};

const service = await startService(loadConfig(process.env), pino({ level: 'silent' }), { fetch: crashingFetch });
process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);

/**
 * A fetch handed to supabase-js that breaks chosen calls the ways a network breaks them, and
 * counts every call. It sits where the real network is; the server behind it is real.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Fault =
  /** Never reaches the server (connection refused): nothing happened. */
  | 'request_lost'
  /** The server does the work and commits; the answer never arrives (connection reset). */
  | 'response_lost'
  /** The server does the work; the answer comes too late, after the caller's timeout. */
  | 'timeout'
  /** A 500 answer without the server having done anything. */
  | 'server_error'
  /** A definitive 400 answer without the server having done anything. */
  | 'client_error'
  /**
   * The caller times out at once, the request lands later: it is held, and reaches the server
   * (which does the work) just before the next call of the same kind is sent, or at `drain()`.
   */
  | 'late_commit';

export const FAULTS: Fault[] = ['request_lost', 'response_lost', 'timeout', 'late_commit', 'server_error', 'client_error'];

export interface Call {
  method: string;
  path: string;
}

/** The remote calls of a registration, by what they do. */
export const CALLS = {
  claim: { method: 'POST', path: '/rest/v1/rpc/registration_begin' },
  createUser: { method: 'POST', path: '/auth/v1/admin/users' },
  complete: { method: 'POST', path: '/rest/v1/rpc/registration_complete' },
  findUser: { method: 'GET', path: /^\/auth\/v1\/admin\/users\/[0-9a-f-]{36}$/ },
  deleteUser: { method: 'DELETE', path: /^\/auth\/v1\/admin\/users\/[0-9a-f-]{36}$/ },
  abort: { method: 'POST', path: '/rest/v1/rpc/registration_abort' },
  release: { method: 'POST', path: '/rest/v1/rpc/registration_release' },
  readInstitution: { method: 'GET', path: '/rest/v1/institutions' },
  resend: { method: 'POST', path: '/auth/v1/resend' },
} satisfies Record<string, { method: string; path: string | RegExp }>;

export type CallName = keyof typeof CALLS;

export function callNameOf(call: Call): CallName | undefined {
  return (Object.keys(CALLS) as CallName[]).find((name) => {
    const { method, path } = CALLS[name];
    return method === call.method && (typeof path === 'string' ? path === call.path : path.test(call.path));
  });
}

interface PlannedFault {
  call: CallName;
  fault: Fault;
  remaining: number;
}

function networkError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`${code} (injected)`), { code }) });
}

function injectedAnswer(path: string, status: number): Response {
  const auth = path.startsWith('/auth/');
  const body = auth
    ? { code: status >= 500 ? 'unexpected_failure' : 'validation_failed', message: 'injected fault' }
    : { code: status >= 500 ? 'XX000' : 'PGRST100', message: 'injected fault', details: null, hint: null };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...(auth ? { 'X-Supabase-Api-Version': '2024-01-01' } : {}) },
  });
}

function abortedBy(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export interface Pause {
  /** Resolves when a matching call has arrived and is being held. */
  reached: Promise<void>;
  /** Lets the held call go on to the server. */
  release(): void;
}

function timedOut(): DOMException {
  return new DOMException('The operation was aborted due to timeout (injected)', 'TimeoutError');
}

export class FaultyFetch {
  readonly calls: Call[] = [];
  private plan: PlannedFault[] = [];
  private slowness = new Map<CallName, () => number>();
  /** Requests the caller gave up on that have not reached the server yet, by call. */
  private late = new Map<CallName, (() => Promise<void>)[]>();
  private pauses = new Map<CallName, { arrived: () => void; gate: Promise<void> }>();

  /** Holds the next matching call before it is sent, as a slow network or a stalled process would. */
  pause(call: CallName): Pause {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.pauses.set(call, { arrived, gate });
    return { reached, release };
  }

  /** Breaks the next `times` matching calls (Infinity: every one). */
  inject(call: CallName, fault: Fault, times = 1): this {
    this.plan.push({ call, fault, remaining: times });
    return this;
  }

  /**
   * A slow network for one kind of call: each request reaches the server `delayMs()` later, and
   * the server does its work even when the caller gave up waiting meanwhile.
   */
  slow(call: CallName, delayMs: () => number): this {
    this.slowness.set(call, delayMs);
    return this;
  }

  clear(): void {
    this.plan = [];
    this.slowness.clear();
  }

  /** Lets every held late request reach the server, and waits until each has been answered. */
  async drain(): Promise<void> {
    const held = [...this.late.values()].flat();
    this.late.clear();
    for (const deliver of held) await deliver();
  }

  private async deliverLate(name: CallName | undefined): Promise<void> {
    const held = name ? this.late.get(name) : undefined;
    if (!held) return;
    this.late.delete(name!);
    for (const deliver of held) await deliver();
  }

  count(name?: CallName): number {
    return name ? this.calls.filter((call) => callNameOf(call) === name).length : this.calls.length;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const call = { method: request.method, path: url.pathname };
    this.calls.push(call);
    const name = callNameOf(call);
    const paused = name && this.pauses.get(name);
    if (paused) {
      this.pauses.delete(name);
      paused.arrived();
      await paused.gate;
    }
    const planned = this.plan.find((entry) => entry.call === name && entry.remaining > 0);
    if (planned) planned.remaining--;
    const forwarded = !planned || planned.fault === 'response_lost' || planned.fault === 'timeout' || planned.fault === 'late_commit';
    if (forwarded) await this.deliverLate(name);
    const delayMs = name && this.slowness.get(name);
    if (!planned && delayMs) {
      const landed = sleep(delayMs()).then(async () => {
        const response = await fetch(input, { ...init, signal: null });
        return new Response(await response.arrayBuffer(), response);
      });
      return Promise.race([landed, abortedBy(init?.signal)]);
    }
    if (!planned) return fetch(input, init);
    switch (planned.fault) {
      case 'request_lost':
        throw networkError('ECONNREFUSED');
      case 'server_error':
        return injectedAnswer(url.pathname, 500);
      case 'client_error':
        return injectedAnswer(url.pathname, 400);
      case 'response_lost': {
        const response = await fetch(input, { ...init, signal: null });
        await response.arrayBuffer();
        throw networkError('ECONNRESET');
      }
      case 'timeout': {
        const response = await fetch(input, { ...init, signal: null });
        await response.arrayBuffer();
        return abortedBy(init?.signal);
      }
      case 'late_commit': {
        const body = request.body ? await request.arrayBuffer() : null;
        const deliver = async () => {
          const response = await fetch(request.url, { method: request.method, headers: request.headers, body });
          await response.arrayBuffer();
        };
        this.late.set(name!, [...(this.late.get(name!) ?? []), deliver]);
        throw timedOut();
      }
    }
  };
}

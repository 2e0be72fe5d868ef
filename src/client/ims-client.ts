/**
 * The typed client for the register endpoint, doing the client's half of exactly-once: one
 * Idempotency-Key per logical registration, the same key on every retry; retries of what may
 * succeed later (network errors, timeouts, 5xx, 429, a key in use, a conflict still in flight)
 * with exponential backoff and full jitter, honouring Retry-After, within a deadline and an
 * AbortSignal; never a retry of another 4xx. It needs only `fetch` and `crypto.randomUUID`, so it
 * runs in browsers as in Node (`import { registerInstitution } from 'ims-api/client'`).
 */
import type { RegisterInstitutionRequest, Registration } from '../registration/schema.js';

export type { RegisterInstitutionRequest, Registration };

/** An RFC 9457 problem as the API answers it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
}

export interface RegisterOptions {
  /** Where the API is, e.g. `https://ims.example.com` or `''` for the page's own origin. */
  baseUrl: string;
  /** The key of this registration; a new one is made per call when absent. Reuse it to resume. */
  idempotencyKey?: string;
  /** Give up after this long, in all (default 60 s). */
  deadlineMs?: number;
  /** Give up on one try after this long (default 15 s); the next try reuses the key. */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface Registered {
  registration: Registration;
  /** The answer was the stored one of an earlier request with this key. */
  replayed: boolean;
  idempotencyKey: string;
  attempts: number;
}

export type RegistrationErrorCode = Problem['code'] | 'deadline_exceeded' | 'aborted' | 'network_error' | 'unexpected_response';

/** The registration did not complete; `mayHaveHappened` says whether retrying later with `idempotencyKey` could find it done. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';

  constructor(
    readonly code: RegistrationErrorCode,
    message: string,
    readonly idempotencyKey: string,
    readonly attempts: number,
    readonly mayHaveHappened: boolean,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

const DEFAULT_DEADLINE_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 15_000;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;
/** 409 codes that are not final: the same request may succeed later with the same key. */
const RETRYABLE_CONFLICTS = new Set(['idempotency_key_in_use', 'conflict_pending']);
/** Answers after which nothing was written for this request. */
const NOTHING_WRITTEN = new Set(['supabase_unavailable', 'registration_failed']);

const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string' && typeof (body as Problem).status === 'number';

const isRegistration = (body: unknown): body is Registration =>
  typeof body === 'object' && body !== null && typeof (body as Registration).institution?.id === 'string' && typeof (body as Registration).director?.id === 'string';

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
function backoffMs(attempt: number): number {
  return Math.round(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Waits `ms`, or until the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Registers one institution, however many tries it takes; throws RegistrationError when it cannot. */
export async function registerInstitution(payload: RegisterInstitutionRequest, options: RegisterOptions): Promise<Registered> {
  const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
  const send = options.fetch ?? fetch;
  const deadline = AbortSignal.timeout(options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const stop = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const url = `${options.baseUrl.replace(/\/$/, '')}/api/v1/institutions/register`;
  let mayHaveHappened = false;

  const fail = (attempts: number, last?: Problem): never => {
    if (options.signal?.aborted) throw new RegistrationError('aborted', 'The registration was cancelled.', idempotencyKey, attempts, mayHaveHappened, last);
    throw new RegistrationError('deadline_exceeded', 'The registration did not finish in time; retry with the same key to find out.', idempotencyKey, attempts, mayHaveHappened, last);
  };

  for (let attempt = 1; ; attempt++) {
    if (stop.aborted) fail(attempt - 1);
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify(payload),
        signal: AbortSignal.any([stop, AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)]),
      });
    } catch {
      // Lost before, during or after the server acted: it may have happened.
      mayHaveHappened = true;
      if (stop.aborted) fail(attempt);
      await pause(backoffMs(attempt), stop);
      continue;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.status === 201 && isRegistration(body)) {
      return { registration: body, replayed: response.headers.get('idempotent-replayed') === 'true', idempotencyKey, attempts: attempt };
    }
    if (!isProblem(body)) {
      mayHaveHappened = true;
      if (response.status < 500) {
        throw new RegistrationError('unexpected_response', `Unexpected answer ${response.status}.`, idempotencyKey, attempt, mayHaveHappened);
      }
      await pause(backoffMs(attempt), stop);
      continue;
    }
    const retryable = response.status >= 500 || response.status === 429 || (response.status === 409 && RETRYABLE_CONFLICTS.has(body.code));
    if (!NOTHING_WRITTEN.has(body.code) && retryable) mayHaveHappened = true;
    if (!retryable) throw new RegistrationError(body.code, body.detail, idempotencyKey, attempt, false, body);
    await pause(retryAfterMs(response) ?? backoffMs(attempt), stop);
    if (stop.aborted) fail(attempt, body);
  }
}

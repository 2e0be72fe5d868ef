/**
 * A small typed client for the register endpoint that retries as clients should: one
 * Idempotency-Key per logical registration, reused on every retry, with backoff and jitter, and
 * honouring Retry-After. It retries only what is safe to retry with the same key.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { backoffMs, sleep as realSleep, type RetryPolicy, type Sleep } from '../saga/retry.js';
import { Registration, type RegisterInstitutionRequest } from '../registration/schema.js';

export const ClientProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type ClientProblem = z.infer<typeof ClientProblem>;

export type RegisterResult =
  | { ok: true; registration: Registration; replayed: boolean; idempotencyKey: string; attempts: number }
  | { ok: false; problem: ClientProblem; idempotencyKey: string; attempts: number };

export interface ImsClientOptions {
  baseUrl: string;
  retry?: RetryPolicy;
  /** Longest Retry-After the client will wait for, in seconds. */
  maxRetryAfterSeconds?: number;
  fetch?: typeof fetch;
  sleep?: Sleep;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };
const RETRYABLE_STATUS = new Set([409, 429, 500, 502, 503, 504]);
/** 409 is retried only while the first request with this key is still running. */
const RETRYABLE_409 = 'idempotency_key_in_use';

function retryAfterMs(response: Response, cap: number): number | undefined {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, cap) * 1000 : undefined;
}

export class ImsClient {
  private readonly retry: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly sleep: Sleep;
  private readonly maxRetryAfterSeconds: number;

  constructor(private readonly options: ImsClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? realSleep;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
  }

  /** Registers once, however many tries it takes; pass the key to continue a registration begun earlier. */
  async registerInstitution(request: RegisterInstitutionRequest, idempotencyKey: string = randomUUID()): Promise<RegisterResult> {
    const url = new URL('/api/v1/institutions/register', this.options.baseUrl);
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await this.fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
          body: JSON.stringify(request),
        });
      } catch (error) {
        if (attempt >= this.retry.attempts) throw error;
        await this.sleep(backoffMs(attempt, this.retry));
        continue;
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (response.status === 201) {
        return {
          ok: true,
          registration: Registration.parse(body),
          replayed: response.headers.get('idempotent-replayed') === 'true',
          idempotencyKey,
          attempts: attempt,
        };
      }
      const problem = ClientProblem.parse(body);
      const retryable = RETRYABLE_STATUS.has(response.status) && (response.status !== 409 || problem.code === RETRYABLE_409);
      if (!retryable || attempt >= this.retry.attempts) return { ok: false, problem, idempotencyKey, attempts: attempt };
      await this.sleep(retryAfterMs(response, this.maxRetryAfterSeconds) ?? backoffMs(attempt, this.retry));
    }
  }
}

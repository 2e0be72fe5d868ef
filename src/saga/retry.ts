/** Bounded retries with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pause before try number `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

export type Attempted<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `work` up to `policy.attempts` times with backoff between tries, until it succeeds or `giveUp(error)` says retrying cannot help. */
export async function retry<T>(
  policy: RetryPolicy,
  work: (attempt: number) => Promise<T>,
  options: { giveUp: (error: unknown) => boolean; sleep?: Sleep | undefined },
): Promise<Attempted<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await work(attempt) };
    } catch (error) {
      if (options.giveUp(error) || attempt >= policy.attempts) return { ok: false, error };
      await (options.sleep ?? sleep)(backoffMs(attempt, policy));
    }
  }
}

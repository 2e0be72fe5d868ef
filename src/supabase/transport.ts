/**
 * The fetch that every Supabase call goes through: a timeout, and a record of how the transport
 * failed. supabase-js turns network errors into its own error objects (postgrest-js keeps only
 * a message, auth-js a status 0), so the classification is kept beside the call instead, in an
 * AsyncLocalStorage scope opened by `observeCall`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** not_sent: the request never reached the server (nothing happened); ambiguous: it may have. */
export type TransportFailure = 'not_sent' | 'ambiguous';

interface CallRecord {
  transport?: TransportFailure;
}

const currentCall = new AsyncLocalStorage<CallRecord>();

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function neverSent(error: unknown): boolean {
  for (let cause = error; cause && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
    if (NOT_SENT_CODES.has(String((cause as { code?: unknown }).code))) return true;
  }
  return false;
}

export function timedFetch(inner: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await inner(input, { ...init, signal });
    } catch (error) {
      const record = currentCall.getStore();
      if (record) record.transport = neverSent(error) ? 'not_sent' : 'ambiguous';
      throw error;
    }
  };
}

/** Runs one Supabase call and tells how its transport failed, if it did. */
export async function observeCall<T>(call: () => Promise<T>): Promise<{ value: T; transport?: TransportFailure }> {
  const record: CallRecord = {};
  const value = await currentCall.run(record, call);
  return { value, ...(record.transport ? { transport: record.transport } : {}) };
}

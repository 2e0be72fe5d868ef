/**
 * The fetch that every Supabase call goes through: a timeout per call, one time budget per
 * request, the whole answer read before supabase-js sees it, and a record of what went wrong.
 * supabase-js hides transport failures in its own error objects (postgrest-js answers status 0,
 * auth-js drops the body of every 5xx), so what happened is recorded beside the call instead, in
 * an AsyncLocalStorage scope opened by `observeCall`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * not_sent: the request never reached the server (nothing happened); ambiguous: it may have
 * (no answer, or one cut short); out_of_time: the budget ran out (before sending, or while waiting).
 */
export type TransportFailure = 'not_sent' | 'ambiguous' | 'out_of_time';

/** A failed answer as the server wrote it: auth-js reports a 5xx as `{}` without reading it. */
export interface ErrorAnswer {
  status: number;
  code?: string;
  message?: string;
}

interface CallRecord {
  transport?: TransportFailure;
  answer?: ErrorAnswer;
}

const currentCall = new AsyncLocalStorage<CallRecord>();
const currentBudget = new AsyncLocalStorage<AbortSignal>();

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function neverSent(error: unknown): boolean {
  for (let cause = error; cause && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
    if (NOT_SENT_CODES.has(String((cause as { code?: unknown }).code))) return true;
  }
  return false;
}

function errorAnswer(status: number, body: ArrayBuffer): ErrorAnswer {
  try {
    const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
    const code = [json.code, json.error_code, json.error].find((value) => typeof value === 'string') as string | undefined;
    const message = [json.msg, json.message, json.error_description].find((value) => typeof value === 'string') as string | undefined;
    return { status, ...(code ? { code } : {}), ...(message ? { message } : {}) };
  } catch {
    return { status };
  }
}

export function timedFetch(inner: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const record = currentCall.getStore();
    const budget = currentBudget.getStore();
    if (budget?.aborted) {
      if (record) record.transport = 'out_of_time';
      throw budget.reason;
    }
    const signals = [AbortSignal.timeout(timeoutMs), init?.signal, budget].filter((signal): signal is AbortSignal => !!signal);
    try {
      const response = await inner(input, { ...init, signal: AbortSignal.any(signals) });
      // Read the whole answer here, under the same timeout: a body cut short or arriving late
      // fails this call as "no answer", instead of reaching a parser that calls it something else.
      const body = await response.arrayBuffer();
      if (record && !response.ok) record.answer = errorAnswer(response.status, body);
      const { status, statusText, headers } = response;
      return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText, headers });
    } catch (error) {
      if (record) record.transport = budget?.aborted ? 'out_of_time' : neverSent(error) ? 'not_sent' : 'ambiguous';
      throw error;
    }
  };
}

export interface ObservedCall<T> {
  value: T;
  transport?: TransportFailure;
  answer?: ErrorAnswer;
}

/** Runs one Supabase call and tells how its transport failed, and what a failed answer said. */
export async function observeCall<T>(call: () => Promise<T>): Promise<ObservedCall<T>> {
  const record: CallRecord = {};
  const value = await currentCall.run(record, call);
  return { value, ...record };
}

/**
 * Runs `work` with every Supabase call in it inside one budget of `ms`, retries included: past
 * it a call is not sent, and a call still waiting is abandoned.
 */
export function withinBudget<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return currentBudget.run(AbortSignal.timeout(ms), work);
}

/** Runs `work` outside any budget: for the one call worth making after it ran out (letting go of a lock). */
export function outsideBudget<T>(work: () => Promise<T>): Promise<T> {
  return currentBudget.exit(work);
}

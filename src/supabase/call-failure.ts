/**
 * What a failed Supabase call means for the saga, decided in one place for every call (rpc, REST,
 * auth admin). Only an answer that was read completely and proves nothing happened is definitive
 * or transient; everything else — no answer, one cut short, status 0 from supabase-js, a 2xx that
 * did not parse — may have happened, and is ambiguous.
 */
import { RemoteCallError, type FailureClass } from '../saga/failure.js';
import type { ErrorAnswer, TransportFailure } from './transport.js';

export interface FailedCall {
  /** The status supabase-js reports: 0 when it could not read an answer. */
  status: number;
  code?: string | undefined;
  message?: string | undefined;
  transport?: TransportFailure | undefined;
  /** The failed answer as the server wrote it, when one was read. */
  answer?: ErrorAnswer | undefined;
}

/** PostgREST's status for `raise … using errcode = 'PT409'`: another attempt holds the registration. */
const LOCK_LOST = 'PT409';

function classOf(failed: FailedCall): FailureClass {
  switch (failed.transport) {
    case 'not_sent':
      return 'transient';
    case 'out_of_time':
      return 'out_of_time';
    case 'ambiguous':
      return 'ambiguous';
    case undefined:
      break;
  }
  if (failed.code === LOCK_LOST) return 'superseded';
  // A gateway's 502/504 says nothing about whether the server behind it acted.
  if (failed.status === 502 || failed.status === 504) return 'ambiguous';
  if (failed.status >= 500) return 'transient';
  if (failed.status >= 400) return 'definitive';
  return 'ambiguous';
}

function describeFailure(failed: FailedCall): string {
  if (failed.transport === 'not_sent') return 'the request did not reach Supabase';
  if (failed.transport === 'out_of_time') return "the request's time budget ran out";
  if (failed.transport === 'ambiguous') return 'no complete answer from Supabase (timeout, or the answer was cut short)';
  const code = failed.answer?.code ?? failed.code;
  const message = failed.answer?.message ?? failed.message;
  if (failed.status >= 200 && failed.status < 300) return `${failed.status} with an answer that could not be read`;
  if (failed.status === 0) return `no complete answer from Supabase: ${message ?? 'unknown'}`;
  return [failed.status, code, message].filter((part) => part !== undefined && part !== '').join(' ');
}

export function callFailure(call: string, failed: FailedCall, reason?: string): RemoteCallError {
  return new RemoteCallError(classOf(failed), call, describeFailure(failed), reason);
}

/** A 2xx whose body is not what the contract says: the call may well have happened. */
export function unreadableAnswer(call: string, error: unknown): RemoteCallError {
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new RemoteCallError('ambiguous', call, `the answer could not be read: ${detail}`);
}

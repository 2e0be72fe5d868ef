/** PostgREST's error body {code, details, hint, message} and its SQLSTATE → HTTP status table (Error.hs). */
import type { SqlError } from '../database.js';

export class PostgrestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Text, or for PGRST201 the candidate relationships. */
    readonly details: string | object[] | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** PostgREST's pgErrorStatus, checked in the same order. */
export function sqlStateStatus(error: SqlError, role: string): number {
  const code = error.code;
  const klass = code.slice(0, 2);
  if (code === '23505' || code === '23503') return 409;
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code === '42883') return error.message.startsWith('function xmlagg(') ? 406 : 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '25006') return 405;
  if (code === '22023') return /^role .* does not exist/.test(error.message) ? 401 : 400;
  if (code === '21000') return /requires a WHERE clause/.test(error.message) ? 400 : 500;
  if (code === '57P01') return 503;
  if (code === '53400') return 500;
  if (code === 'P0001') return 400;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (klass === 'PT') return 500;
  if (klass === '08' || klass === '53') return 503;
  if (klass === '0L' || klass === '0P' || klass === '28') return 403;
  if (klass === 'P0') return 500;
  if (['09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'XX'].includes(klass)) return 500;
  return 400;
}

export function fromSqlError(error: SqlError, role: string): PostgrestError {
  return new PostgrestError(
    sqlStateStatus(error, role),
    error.code,
    error.message,
    error.detail ?? null,
    error.hint ?? null,
  );
}

export function notSingular(rows: number): PostgrestError {
  return new PostgrestError(
    406,
    'PGRST116',
    'Cannot coerce the result to a single JSON object',
    `The result contains ${rows} rows`,
  );
}

/** A request outside the subset this stand-in implements: said plainly, never answered wrongly. */
export function unsupported(what: string): PostgrestError {
  return new PostgrestError(
    501,
    'PGRST501',
    `Not implemented by the embedded local Supabase: ${what}`,
    null,
    'This stand-in speaks only the PostgREST subset ims-api uses; run `supabase start` for the full server.',
  );
}

/**
 * A request's fingerprint: HMAC-SHA256 under a server secret over the canonical JSON of the parsed
 * body (what the caller chooses to bind; secrets such as passwords are left out by the caller).
 * Keyed, so a stored fingerprint confirms no guess of the body without the secret; canonical, so
 * key order and the normalisation the schema applies (trimming, lower-casing) do not make the
 * same request look different.
 */
import { createHmac } from 'node:crypto';

/** JSON with object keys sorted at every depth (RFC 8785's ordering for the values our bodies hold). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fingerprint(secret: string, body: unknown): string {
  return createHmac('sha256', secret).update(canonicalJson(body)).digest('base64url');
}

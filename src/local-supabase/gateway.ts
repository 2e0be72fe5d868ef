/**
 * What the Supabase gateway (Kong) does before a request reaches PostgREST or GoTrue: it needs an
 * `apikey`, and maps the opaque `sb_publishable_…`/`sb_secret_…` keys to the anon and
 * service_role JWTs (the CLI's BearerToken expression in internal/start/start.go).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface GatewayKeys {
  anonJwt: string;
  serviceRoleJwt: string;
  publishableKey: string;
  secretKey: string;
}

export type GatewayResult = { ok: true; authorization: string | undefined } | { ok: false };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function resolveAuthorization(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  keys: GatewayKeys,
): GatewayResult {
  const apikey = header(headers, 'apikey') ?? query.get('apikey') ?? undefined;
  if (!apikey) return { ok: false };
  const incoming = header(headers, 'authorization');
  if (incoming && !/^bearer sb_/i.test(incoming)) return { ok: true, authorization: incoming };
  if (apikey === keys.secretKey) return { ok: true, authorization: `Bearer ${keys.serviceRoleJwt}` };
  if (apikey === keys.publishableKey) return { ok: true, authorization: `Bearer ${keys.anonJwt}` };
  return { ok: true, authorization: apikey.startsWith('sb_') ? undefined : `Bearer ${apikey}` };
}

/** The bearer token of an `Authorization` header, matched as GoTrue does: `(?i)^bearer (\S+$)`. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization ? /^bearer (\S+)$/i.exec(authorization)?.[1] : undefined;
}

export const NO_API_KEY_BODY = {
  message: 'No API key found in request',
  hint: 'No `apikey` request header or url param was found.',
};

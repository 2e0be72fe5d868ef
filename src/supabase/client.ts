/** The one place supabase-js clients are made: server-side options, ws for Node 20, an injectable fetch, and the key or user token they act with. */
import { createClient, type RealtimeClientOptions, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { timedFetch } from './transport.js';

export interface SupabaseConnection {
  url: string;
  /** The API key: service_role (or sb_secret_) for the service's own calls, anon (or sb_publishable_) for a user's. */
  apiKey: string;
  /** A signed-in user's access token: the calls then run as that user, under row-level security. */
  accessToken?: string;
  /** Every HTTP call to Supabase goes through this; tests inject faults here, benchmarks count calls. */
  fetch?: typeof fetch;
  /** A call that has not answered by then is abandoned (and treated as ambiguous). */
  timeoutMs?: number;
}

export const DEFAULT_SUPABASE_TIMEOUT_MS = 10_000;

export function createSupabaseClient(connection: SupabaseConnection): SupabaseClient {
  return createClient(connection.url, connection.apiKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // supabase-js ≥ 2.106 resolves a WebSocket eagerly and throws on Node 20, which has none built in.
    realtime: { transport: WebSocket as unknown as RealtimeClientOptions['transport'] },
    global: {
      fetch: timedFetch(connection.fetch ?? fetch, connection.timeoutMs ?? DEFAULT_SUPABASE_TIMEOUT_MS),
      ...(connection.accessToken ? { headers: { Authorization: `Bearer ${connection.accessToken}` } } : {}),
    },
  });
}

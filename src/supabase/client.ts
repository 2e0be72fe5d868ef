/** The one place a supabase-js client is made: server-side options, ws for Node 20, and an injectable fetch. */
import { createClient, type RealtimeClientOptions, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

export interface SupabaseConnection {
  url: string;
  serviceRoleKey: string;
  /** Every HTTP call to Supabase goes through this; tests inject faults here, benchmarks count calls. */
  fetch?: typeof fetch;
}

export function createSupabaseClient(connection: SupabaseConnection): SupabaseClient {
  return createClient(connection.url, connection.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // supabase-js ≥ 2.106 resolves a WebSocket eagerly and throws on Node 20, which has none built in.
    realtime: { transport: WebSocket as unknown as RealtimeClientOptions['transport'] },
    ...(connection.fetch ? { global: { fetch: connection.fetch } } : {}),
  });
}

/**
 * The fingerprint secret kept in the database beside the idempotency keys (made once, readable by
 * service_role only), for setups without IDEMPOTENCY_SECRET: every instance on one database, and
 * every redeploy, fingerprints a request alike.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export async function databaseFingerprintSecret(supabase: SupabaseClient): Promise<string> {
  const { data, error } = await supabase.rpc('idempotency_fingerprint_secret');
  if (error) throw new Error(`could not read the fingerprint secret from the database: ${error.code ?? ''} ${error.message}`.trim());
  return z.string().min(32).parse(data);
}

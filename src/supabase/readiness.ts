/**
 * Readiness: a write commits in Supabase (through the gateway, PostgREST and the database). A
 * database that answers reads while refusing every write (a full disk, read-only) registers no one.
 */
import type { SupabaseClient } from '@supabase/supabase-js';

export async function supabaseIsReady(supabase: SupabaseClient): Promise<boolean> {
  try {
    const { error } = await supabase.rpc('readiness_write_probe');
    return error === null;
  } catch {
    return false;
  }
}

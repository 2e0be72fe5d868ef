/** Readiness: Supabase answers a real query (through the gateway, PostgREST and the database). */
import type { SupabaseClient } from '@supabase/supabase-js';

const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000';

export async function supabaseIsReady(supabase: SupabaseClient): Promise<boolean> {
  try {
    const { error } = await supabase.from('institutions').select('id').eq('id', NO_SUCH_ID);
    return error === null;
  } catch {
    return false;
  }
}

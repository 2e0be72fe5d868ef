/**
 * An express-rate-limit Store whose counters live in Supabase (rpc rate_limit_hit), so every API
 * instance on one project counts against one limit. It goes through the one supabase-js client,
 * like every other call: no second database connection.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import { z } from 'zod';

const Counter = z.object({ hits: z.number().int(), reset_at: z.string() });

export function supabaseRateLimitStore(supabase: SupabaseClient, prefix: string): Store {
  let windowMs = 60_000;

  async function add(key: string, delta: number): Promise<IncrementResponse> {
    const { data, error } = await supabase.rpc('rate_limit_hit', { p_key: prefix + key, p_window_ms: windowMs, p_delta: delta });
    if (error) throw new Error(`rate_limit_hit failed: ${error.code ?? ''} ${error.message}`.trim());
    const counter = Counter.parse(data);
    return { totalHits: counter.hits, resetTime: new Date(counter.reset_at) };
  }

  return {
    prefix,
    localKeys: false,
    init(options: Options) {
      windowMs = options.windowMs;
    },
    increment: (key) => add(key, 1),
    async decrement(key) {
      await add(key, -1);
    },
    async resetKey(key) {
      const { error } = await supabase.rpc('rate_limit_reset', { p_key: prefix + key });
      if (error) throw new Error(`rate_limit_reset failed: ${error.code ?? ''} ${error.message}`.trim());
    },
  };
}

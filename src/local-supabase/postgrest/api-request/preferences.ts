/**
 * The `Prefer` header (ApiRequest/Preferences.hs): return, count, resolution, missing, params, tx
 * (honoured as PostgREST does with db-tx-end = commit-allow-override, as supabase-js's suites run it).
 * Like PostgREST's default lenient handling, a preference it does not know is ignored and not
 * reported in Preference-Applied; one it knows but this stand-in does not implement is refused.
 */
import { unsupported } from '../errors.js';

export interface Preferences {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  /** `params=single-object`: the rpc body is the function's one json/jsonb argument. */
  singleObject?: boolean;
  /** `tx=rollback`: answer as if committed, then roll back (db-tx-end = commit-allow-override). */
  rollback?: boolean;
}

const ALLOWED: Record<string, readonly string[]> = {
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  params: ['single-object'],
  tx: ['commit', 'rollback'],
};

export function parsePreferences(header: string | undefined): Preferences {
  const preferences: Preferences = {};
  for (const part of (header ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    const [key, value = ''] = part.split('=').map((item) => item.trim()) as [string, string?];
    if (key === 'handling' || key === 'max-affected') throw unsupported(`Prefer: ${part}`);
    if (key === 'return' && value === 'headers-only') throw unsupported(`Prefer: ${part}`);
    if (!ALLOWED[key]?.includes(value)) continue;
    if (key === 'return') preferences.return = value as Preferences['return'];
    else if (key === 'count') preferences.count = value as Preferences['count'];
    else if (key === 'resolution') preferences.resolution = value as Preferences['resolution'];
    else if (key === 'missing') preferences.missing = value as Preferences['missing'];
    else if (key === 'tx') preferences.rollback = value === 'rollback';
    else preferences.singleObject = true;
  }
  return preferences;
}

/** The Preference-Applied header PostgREST sends: the honoured preferences, in its order. */
export function preferenceApplied(preferences: Preferences, applicable: (keyof Preferences)[]): string | undefined {
  const applied = [
    applicable.includes('resolution') && preferences.resolution ? `resolution=${preferences.resolution}` : undefined,
    applicable.includes('missing') && preferences.missing ? `missing=${preferences.missing}` : undefined,
    applicable.includes('return') && preferences.return ? `return=${preferences.return}` : undefined,
    applicable.includes('count') && preferences.count ? `count=${preferences.count}` : undefined,
    applicable.includes('singleObject') && preferences.singleObject ? 'params=single-object' : undefined,
    preferences.rollback ? 'tx=rollback' : undefined,
  ].filter(Boolean);
  return applied.length ? applied.join(', ') : undefined;
}

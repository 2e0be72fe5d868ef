/**
 * The HTTP answer (PostgREST's Response.hs): status by action and range, Content-Range,
 * Preference-Applied, the media type, and the singular check (406 PGRST116, rolled back).
 */
import type { Media } from './api-request/media.js';
import { preferenceApplied, type Preferences } from './api-request/preferences.js';
import { PostgrestError, notSingular } from './errors.js';
import type { Result, Window } from './query/statements.js';

/** The response a PostgREST handler produces, before it is written to the socket. */
export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  /** Raw JSON text as Postgres produced it, or undefined for an empty body. */
  body?: string | undefined;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const OBJECT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';
const STRIPPED_ARRAY_TYPE = 'application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8';
const STRIPPED_OBJECT_TYPE = 'application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8';

function contentType(media: Media): string {
  if (media.singular) return media.stripNulls ? STRIPPED_OBJECT_TYPE : OBJECT_TYPE;
  return media.stripNulls ? STRIPPED_ARRAY_TYPE : JSON_TYPE;
}

/** contentRangeH: `lower-upper/total`, `*` for an empty range or a zero total, `*` for an unknown total. */
export function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

function checkSingular(result: Result, media: Media): void {
  if (media.singular && !result.single && result.rows !== 1) throw notSingular(result.rows);
}

/** GET/HEAD on a table, or an rpc with rows: 200, 206 for part of a counted total, 416 past its end. */
export function readResponse(result: Result, window: Window, media: Media, preferences: Preferences, head: boolean): RestResponse {
  const lower = window.offset;
  const upper = lower + result.rows - 1;
  if (result.total !== undefined && lower > result.total) {
    const error = new PostgrestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${lower} was requested, but there are only ${result.total} rows.`);
    return {
      status: 416,
      headers: { 'Content-Type': JSON_TYPE, 'Content-Range': contentRange(lower, upper, result.total), 'Proxy-Status': 'PostgREST; error=PGRST103' },
      body: JSON.stringify(error),
    };
  }
  checkSingular(result, media);
  const status = result.total !== undefined && 1 + upper - lower < result.total ? 206 : 200;
  const applied = preferenceApplied(preferences, ['count']);
  return {
    status,
    headers: { 'Content-Type': contentType(media), 'Content-Range': contentRange(lower, upper, result.total), ...(applied ? { 'Preference-Applied': applied } : {}) },
    body: head ? undefined : result.body,
  };
}

export type Mutation = 'insert' | 'update' | 'delete';

/** POST, PATCH, DELETE: 201/200/204 by action and `return`; Content-Range as PostgREST writes it for each. */
export function mutationResponse(mutation: Mutation, result: Result, media: Media, preferences: Preferences): RestResponse {
  checkSingular(result, media);
  const range = mutation === 'update' ? contentRange(0, result.rows - 1, result.total) : contentRange(1, 0, result.total);
  const applied = preferenceApplied(preferences, mutation === 'insert' ? ['resolution', 'missing', 'return', 'count'] : ['missing', 'return', 'count']);
  const headers: Record<string, string> = { 'Content-Range': range, ...(applied ? { 'Preference-Applied': applied } : {}) };
  const representation = preferences.return === 'representation';
  if (mutation === 'insert') {
    const status = preferences.resolution === 'merge-duplicates' && (result.inserted ?? 0) <= 0 && result.rows > 0 ? 200 : 201;
    return representation ? { status, headers: { ...headers, 'Content-Type': contentType(media) }, body: result.body } : { status, headers };
  }
  return representation ? { status: 200, headers: { ...headers, 'Content-Type': contentType(media) }, body: result.body } : { status: 204, headers };
}

/**
 * Port of supabase-js v2.109.0 packages/core/postgrest-js/test/transforms.test.ts: each case names
 * its upstream line. Deliberately refused by this stand-in, and asserted as clear refusals: CSV,
 * GeoJSON (the upstream `shops` table needs PostGIS) and execution plans (`explain`). Where the
 * upstream request has no `order`, rows are physical order, which in the upstream run depends on
 * writes its earlier suites made: those cases check the window against the same unordered read.
 */
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../../support/target.js';
import { POSTGREST_JS_FIXTURE } from './postgrest-js-fixture.js';

const UPSTREAM = 'transforms.test.ts';

const SUPABOT = { age_range: '[1,2)', catchphrase: "'cat' 'fat'", data: null, status: 'ONLINE', username: 'supabot' };
const KIWICOPPLE = { age_range: '[25,35)', catchphrase: "'bat' 'cat'", data: null, status: 'OFFLINE', username: 'kiwicopple' };
const AWAILAS = { age_range: '[25,35)', catchphrase: "'bat' 'rat'", data: null, status: 'ONLINE', username: 'awailas' };
const DRAGARCIA = { age_range: '[20,30)', catchphrase: "'fat' 'rat'", data: null, status: 'ONLINE', username: 'dragarcia' };
const JSONUSER = {
  age_range: '[20,30)',
  catchphrase: "'json' 'test'",
  data: { foo: { bar: { nested: 'value' }, baz: 'string value' } },
  status: 'ONLINE',
  username: 'jsonuser',
};

describe.each(contractTargets({ blankProject: true }))(`postgrest-js ${UPSTREAM}: $name`, (factory) => {
  const t = useTarget(factory, POSTGREST_JS_FIXTURE);

  const db = () => t.anon;
  const answer = (res: { status: number; count: number | null; error: unknown; data: unknown }) => ({ status: res.status, count: res.count, error: res.error, data: res.data });

  it(`order (${UPSTREAM}:6)`, async () => {
    expect(answer(await db().from('users').select().order('username', { ascending: false }))).toEqual({
      status: 200, count: null, error: null, data: [SUPABOT, KIWICOPPLE, JSONUSER, DRAGARCIA, AWAILAS],
    });
  });

  it(`order on multiple columns (${UPSTREAM}:63)`, async () => {
    const res = await db().from('messages').select().order('channel_id', { ascending: false }).order('username', { ascending: false });
    expect(res.status).toBe(200);
    // Messages 3 and 4 tie on both keys; PostgREST leaves their order to Postgres.
    expect((res.data as { id: number; channel_id: number }[]).map((m) => m.channel_id)).toEqual([3, 3, 2, 1]);
    expect((res.data as { id: number }[]).map((m) => m.id).slice(2)).toEqual([2, 1]);
    expect(res.data![3]).toEqual({ channel_id: 1, data: null, id: 1, message: 'Hello World 👋', username: 'supabot' });
  });

  it(`limit (${UPSTREAM}:110)`, async () => {
    expect(answer(await db().from('users').select().limit(1))).toEqual({ status: 200, count: null, error: null, data: [SUPABOT] });
  });

  it(`range (${UPSTREAM}:132)`, async () => {
    const all = (await db().from('users').select()).data!;
    expect(answer(await db().from('users').select().range(1, 3))).toEqual({ status: 200, count: null, error: null, data: all.slice(1, 4) });
  });

  it(`single (${UPSTREAM}:175)`, async () => {
    expect(answer(await db().from('users').select().limit(1).single())).toEqual({ status: 200, count: null, error: null, data: SUPABOT });
  });

  it(`single on insert (${UPSTREAM}:195)`, async () => {
    const res = await db().from('users').insert({ username: 'foo' }).select().single();
    expect(answer(res)).toEqual({
      status: 201, count: null, error: null, data: { age_range: null, catchphrase: null, data: null, status: 'ONLINE', username: 'foo' },
    });
    await db().from('users').delete().eq('username', 'foo');
  });

  it(`maybeSingle (${UPSTREAM}:217)`, async () => {
    expect(answer(await db().from('users').select().eq('username', 'goldstein').maybeSingle())).toEqual({ status: 200, count: null, error: null, data: null });
  });

  it(`maybeSingle over two inserted rows (${UPSTREAM}:231)`, async () => {
    const res = await db().from('users').insert([{ username: 'a' }, { username: 'b' }]).select().maybeSingle();
    expect(answer(res)).toEqual({
      status: 406,
      count: null,
      data: null,
      error: {
        code: 'PGRST116',
        details: 'Results contain 2 rows, application/vnd.pgrst.object+json requires 1 row',
        hint: null,
        message: 'JSON object requested, multiple (or no) rows returned',
      },
    });
    await db().from('users').delete().in('username', ['a', 'b']);
  });

  it(`select on insert (${UPSTREAM}:257)`, async () => {
    expect(answer(await db().from('users').insert({ username: 'foo' }).select('status'))).toEqual({ status: 201, count: null, error: null, data: [{ status: 'ONLINE' }] });
    await db().from('users').delete().eq('username', 'foo');
  });

  it(`select on rpc (${UPSTREAM}:277)`, async () => {
    expect(answer(await db().rpc('get_username_and_status', { name_param: 'supabot' }).select('status'))).toEqual({
      status: 200, count: null, error: null, data: [{ status: 'ONLINE' }],
    });
  });

  it(`csv (${UPSTREAM}:297; deliberately refused: 501 naming text/csv)`, async (context) => {
    if (!t.embedded) context.skip();
    const res = await db().from('users').select().csv();
    expect([res.status, res.error?.message]).toEqual([501, 'Not implemented by the embedded local Supabase: Accept: text/csv']);
  });

  it(`stripNulls (${UPSTREAM}:316)`, async () => {
    const res = await db().from('users').select().stripNulls();
    expect([res.status, res.error]).toEqual([200, null]);
    const rows = res.data as Record<string, unknown>[];
    const supabot = rows.find((user) => user.username === 'supabot');
    expect(supabot).toBeDefined();
    expect(supabot).not.toHaveProperty('data');
    expect(supabot).toHaveProperty('username');
    expect(rows.find((user) => user.username === 'jsonuser')).toHaveProperty('data');
  });

  it(`stripNulls with single (${UPSTREAM}:333)`, async () => {
    const res = await db().from('users').select().eq('username', 'supabot').limit(1).single().stripNulls();
    expect([res.status, res.error]).toEqual([200, null]);
    expect(res.data).not.toHaveProperty('data');
    expect((res.data as { username: string }).username).toBe('supabot');
  });

  it(`stripNulls throws when used with csv (${UPSTREAM}:347; client only)`, () => {
    expect(() => db().from('users').select().csv().stripNulls()).toThrow('stripNulls() cannot be used with csv()');
  });

  it(`geojson (${UPSTREAM}:353; deliberately refused: 501 naming application/geo+json)`, async (context) => {
    if (!t.embedded) context.skip();
    const res = await db().from('users').select().geojson();
    expect([res.status, res.error?.message]).toEqual([501, 'Not implemented by the embedded local Supabase: Accept: application/geo+json']);
  });

  it(`abort signal (${UPSTREAM}:385)`, async () => {
    const controller = new AbortController();
    controller.abort();
    const res = await db().from('users').select().abortSignal(controller.signal);
    expect([res.status, res.data]).toEqual([0, null]);
    expect(res.error).toMatchObject({ code: expect.any(String), details: expect.any(String), message: expect.stringMatching(/AbortError/) });
  });

  it(`explain with json/text format (${UPSTREAM}:415; deliberately refused: 501 naming the plan media type)`, async (context) => {
    if (!t.embedded) context.skip();
    const res = await db().from('users').select().explain({ format: 'json' });
    expect([res.status, res.error?.message]).toEqual([501, 'Not implemented by the embedded local Supabase: Accept: application/vnd.pgrst.plan+json']);
  });

  it(`explain with options (${UPSTREAM}:445; deliberately refused: 501 naming the plan media type)`, async (context) => {
    if (!t.embedded) context.skip();
    const res = await db().from('users').select().explain({ verbose: true, settings: true, format: 'json' });
    expect(res.status).toBe(501);
  });

  it(`rollback insert/upsert (${UPSTREAM}:481)`, async () => {
    const row = { age_range: '[20,25)', catchphrase: "'cat' 'fat'", data: null, status: 'ONLINE', username: 'soedirgo' };
    expect((await db().from('users').select().eq('username', 'soedirgo')).data).toEqual([]);
    expect((await db().from('users').insert(row).select().rollback().single()).data).toEqual(row);
    expect((await db().from('users').upsert(row).select().rollback().single()).data).toEqual(row);
    expect((await db().from('users').select().eq('username', 'soedirgo')).data).toEqual([]);
  });

  it(`rollback update/rpc (${UPSTREAM}:537)`, async () => {
    expect((await db().from('users').select('status').eq('username', 'dragarcia').single()).data).toEqual({ status: 'ONLINE' });
    expect((await db().from('users').update({ status: 'OFFLINE' }).eq('username', 'dragarcia').select('status').rollback().single()).data).toEqual({ status: 'OFFLINE' });
    expect((await db().rpc('offline_user', { name_param: 'dragarcia' }).rollback()).data).toBe('OFFLINE');
    expect((await db().from('users').select('status').eq('username', 'dragarcia').single()).data).toEqual({ status: 'ONLINE' });
  });

  it(`rollback delete (${UPSTREAM}:569)`, async () => {
    expect((await db().from('users').select('username').eq('username', 'dragarcia').single()).data).toEqual({ username: 'dragarcia' });
    expect((await db().from('users').delete().eq('username', 'dragarcia').select('username').rollback().single()).data).toEqual({ username: 'dragarcia' });
    expect((await db().from('users').select('username').eq('username', 'dragarcia').single()).data).toEqual({ username: 'dragarcia' });
  });
});

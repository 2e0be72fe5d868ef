/**
 * Port of supabase-js v2.109.0 packages/core/postgrest-js/test/filters.test.ts: every case, with
 * the request and the answer the upstream suite expects from a real PostgREST (each names its
 * upstream line). Rows are compared without regard to order where the upstream request has no
 * `order`: Postgres then returns them in physical order, which in the upstream run depends on
 * writes its earlier suites made.
 */
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../../support/target.js';
import { POSTGREST_JS_FIXTURE } from './postgrest-js-fixture.js';

const UPSTREAM = 'filters.test.ts';

describe.each(contractTargets({ blankProject: true }))(`postgrest-js ${UPSTREAM}: $name`, (factory) => {
  const t = useTarget(factory, POSTGREST_JS_FIXTURE);

  /** The upstream client: anon, no session. */
  const db = () => t.anon;

  /** A successful answer with these rows, in any order. */
  function expectRows(res: { status: number; count: number | null; error: unknown; data: unknown }, rows: object[]) {
    expect({ status: res.status, count: res.count, error: res.error }).toEqual({ status: 200, count: null, error: null });
    expect(res.data).toEqual(expect.arrayContaining(rows));
    expect(res.data).toHaveLength(rows.length);
  }

  const ONLINE = { status: 'ONLINE' };

  it(`not (${UPSTREAM}:6)`, async () => {
    expectRows(await db().from('users').select('status').not('status', 'eq', 'OFFLINE'), [ONLINE, ONLINE, ONLINE, ONLINE]);
  });

  it(`or (${UPSTREAM}:33)`, async () => {
    expectRows(await db().from('users').select('status, username').or('status.eq.OFFLINE,username.eq.supabot'), [
      { status: 'ONLINE', username: 'supabot' },
      { status: 'OFFLINE', username: 'kiwicopple' },
    ]);
  });

  it(`eq (${UPSTREAM}:59)`, async () => {
    expectRows(await db().from('users').select('username').eq('username', 'supabot'), [{ username: 'supabot' }]);
  });

  it(`neq (${UPSTREAM}:77)`, async () => {
    expectRows(await db().from('users').select('username').neq('username', 'supabot'), [
      { username: 'kiwicopple' }, { username: 'awailas' }, { username: 'jsonuser' }, { username: 'dragarcia' },
    ]);
  });

  it(`gt (${UPSTREAM}:104)`, async () => {
    expectRows(await db().from('messages').select('id').gt('id', 1), [{ id: 2 }, { id: 4 }, { id: 3 }]);
  });

  it(`gte (${UPSTREAM}:128)`, async () => {
    expectRows(await db().from('messages').select('id').gte('id', 1), [{ id: 1 }, { id: 2 }, { id: 4 }, { id: 3 }]);
  });

  it(`lt (${UPSTREAM}:155)`, async () => {
    expectRows(await db().from('messages').select('id').lt('id', 2), [{ id: 1 }]);
  });

  it(`lte (${UPSTREAM}:173)`, async () => {
    expectRows(await db().from('messages').select('id').lte('id', 2), [{ id: 1 }, { id: 2 }]);
  });

  it(`like (${UPSTREAM}:194)`, async () => {
    expectRows(await db().from('users').select('username').like('username', '%supa%'), [{ username: 'supabot' }]);
  });

  it(`likeAllOf (${UPSTREAM}:212)`, async () => {
    expectRows(await db().from('users').select('username').likeAllOf('username', ['%supa%', '%bot%']), [{ username: 'supabot' }]);
  });

  it(`likeAnyOf (${UPSTREAM}:233)`, async () => {
    expectRows(await db().from('users').select('username').likeAnyOf('username', ['%supa%', '%kiwi%']), [{ username: 'supabot' }, { username: 'kiwicopple' }]);
  });

  it(`ilike (${UPSTREAM}:257)`, async () => {
    expectRows(await db().from('users').select('username').ilike('username', '%SUPA%'), [{ username: 'supabot' }]);
  });

  it(`ilikeAllOf (${UPSTREAM}:275)`, async () => {
    expectRows(await db().from('users').select('username').ilikeAllOf('username', ['%SUPA%', '%bot%']), [{ username: 'supabot' }]);
  });

  it(`ilikeAnyOf (${UPSTREAM}:296)`, async () => {
    expectRows(await db().from('users').select('username').ilikeAnyOf('username', ['%supa%', '%KIWI%']), [{ username: 'supabot' }, { username: 'kiwicopple' }]);
  });

  it(`is (${UPSTREAM}:320)`, async () => {
    expectRows(await db().from('users').select('data').is('data', null), [{ data: null }, { data: null }, { data: null }, { data: null }]);
  });

  it(`in (${UPSTREAM}:347)`, async () => {
    expectRows(await db().from('users').select('status').in('status', ['ONLINE', 'OFFLINE']), [ONLINE, { status: 'OFFLINE' }, ONLINE, ONLINE, ONLINE]);
  });

  it(`notIn (${UPSTREAM}:378)`, async () => {
    expectRows(await db().from('users').select('status').notIn('status', ['ONLINE', 'OFFLINE']), []);
  });

  it(`contains (${UPSTREAM}:393)`, async () => {
    expectRows(await db().from('users').select('age_range').contains('age_range', '[1,2)'), [{ age_range: '[1,2)' }]);
  });

  it(`contains with json (${UPSTREAM}:411)`, async () => {
    expectRows(await db().from('users').select('data').contains('data', { foo: { baz: 'string value' } }), [
      { data: { foo: { bar: { nested: 'value' }, baz: 'string value' } } },
    ]);
  });

  it(`contains with array (${UPSTREAM}:439)`, async () => {
    expectRows(await db().from('cornercase').select('array_column').contains('array_column', ['test']), [{ array_column: ['test', 'one'] }]);
  });

  it(`containedBy (${UPSTREAM}:463)`, async () => {
    expectRows(await db().from('users').select('age_range').containedBy('age_range', '[1,2)'), [{ age_range: '[1,2)' }]);
  });

  it(`containedBy with json (${UPSTREAM}:481)`, async () => {
    expectRows(await db().from('users').select('data').containedBy('data', { foo: { baz: 'string value' } }), []);
  });

  it(`containedBy with array (${UPSTREAM}:498)`, async () => {
    expectRows(await db().from('cornercase').select('array_column').containedBy('array_column', ['test']), []);
  });

  it(`rangeLt (${UPSTREAM}:515)`, async () => {
    expectRows(await db().from('users').select('age_range').rangeLt('age_range', '[2,25)'), [{ age_range: '[1,2)' }]);
  });

  it(`rangeGt (${UPSTREAM}:533)`, async () => {
    expectRows(await db().from('users').select('age_range').rangeGt('age_range', '[2,25)'), [{ age_range: '[25,35)' }, { age_range: '[25,35)' }]);
  });

  it(`rangeGte (${UPSTREAM}:554)`, async () => {
    expectRows(await db().from('users').select('age_range').rangeGte('age_range', '[2,25)'), [
      { age_range: '[25,35)' }, { age_range: '[25,35)' }, { age_range: '[20,30)' }, { age_range: '[20,30)' },
    ]);
  });

  it(`rangeLte (${UPSTREAM}:581)`, async () => {
    expectRows(await db().from('users').select('age_range').rangeLte('age_range', '[2,25)'), [{ age_range: '[1,2)' }]);
  });

  it(`rangeAdjacent (${UPSTREAM}:599)`, async () => {
    expectRows(await db().from('users').select('age_range').rangeAdjacent('age_range', '[2,25)'), [
      { age_range: '[1,2)' }, { age_range: '[25,35)' }, { age_range: '[25,35)' },
    ]);
  });

  it(`overlaps (${UPSTREAM}:623)`, async () => {
    expectRows(await db().from('users').select('age_range').overlaps('age_range', '[2,25)'), [{ age_range: '[20,30)' }, { age_range: '[20,30)' }]);
  });

  it(`overlaps with array (${UPSTREAM}:644)`, async () => {
    expectRows(await db().from('cornercase').select('array_column').overlaps('array_column', ['test']), [{ array_column: ['test', 'one'] }]);
  });

  it(`textSearch (${UPSTREAM}:668)`, async () => {
    expectRows(await db().from('users').select('catchphrase').textSearch('catchphrase', `'fat' & 'cat'`, { config: 'english' }), [{ catchphrase: "'cat' 'fat'" }]);
  });

  it(`textSearch with plainto_tsquery (${UPSTREAM}:689)`, async () => {
    expectRows(await db().from('users').select('catchphrase').textSearch('catchphrase', `'fat' & 'cat'`, { config: 'english', type: 'plain' }), [
      { catchphrase: "'cat' 'fat'" },
    ]);
  });

  it(`textSearch with phraseto_tsquery (${UPSTREAM}:710)`, async () => {
    expectRows(await db().from('users').select('catchphrase').textSearch('catchphrase', 'cat', { config: 'english', type: 'phrase' }), [
      { catchphrase: "'cat' 'fat'" }, { catchphrase: "'bat' 'cat'" },
    ]);
  });

  it(`textSearch with websearch_to_tsquery (${UPSTREAM}:734)`, async () => {
    expectRows(await db().from('users').select('catchphrase').textSearch('catchphrase', `'fat' & 'cat'`, { config: 'english', type: 'websearch' }), [
      { catchphrase: "'cat' 'fat'" },
    ]);
  });

  it(`multiple filters (${UPSTREAM}:755)`, async () => {
    const res = await db().from('users').select().eq('username', 'supabot').is('data', null).overlaps('age_range', '[1,2)').eq('status', 'ONLINE').textSearch('catchphrase', 'cat');
    expectRows(res, [{ age_range: '[1,2)', catchphrase: "'cat' 'fat'", data: null, status: 'ONLINE', username: 'supabot' }]);
  });

  it(`filter (${UPSTREAM}:784)`, async () => {
    expectRows(await db().from('users').select('username').filter('username', 'eq', 'supabot'), [{ username: 'supabot' }]);
  });

  it(`match (${UPSTREAM}:802)`, async () => {
    expectRows(await db().from('users').select('username, status').match({ username: 'supabot', status: 'ONLINE' }), [{ status: 'ONLINE', username: 'supabot' }]);
  });

  it(`filter on rpc (${UPSTREAM}:824)`, async () => {
    expectRows(await db().rpc('get_username_and_status', { name_param: 'supabot' }).neq('status', 'ONLINE'), []);
  });

  it(`isDistinct (${UPSTREAM}:840)`, async () => {
    expectRows(await db().from('users').select('username').isDistinct('status', 'ONLINE'), [{ username: 'kiwicopple' }]);
  });

  it(`regexMatch (${UPSTREAM}:858)`, async () => {
    expectRows(await db().from('users').select('username').regexMatch('username', '^sup'), [{ username: 'supabot' }]);
  });

  it(`regexIMatch (${UPSTREAM}:876)`, async () => {
    expectRows(await db().from('users').select('username').regexIMatch('username', '^SUP'), [{ username: 'supabot' }]);
  });
});

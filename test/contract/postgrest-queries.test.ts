/**
 * PostgREST's query language through supabase-js: filters and logic trees, JSON paths, order,
 * limit/offset/Range with counts, upserts, missing=default, stripped nulls, and rpc results
 * filtered like tables. Expectations follow PostgREST's docs and source (Query/SqlFragment.hs,
 * RangeQuery.hs, Response.hs), not the stand-in. Needs SQL access to lay out its fixture.
 */
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../support/target.js';

const FIXTURE = `
drop table if exists public.contract_item_notes, public.contract_items cascade;
create table public.contract_items (
  id bigint primary key,
  label text,
  "column whitespace" text,
  tags text[],
  data jsonb,
  rank int default 7,
  note text
);
insert into public.contract_items (id, label, "column whitespace", tags, data, rank, note) values
  (1, 'alpha', 'a b', '{x,y}', '{"kind":"fruit","size":{"cm":3}}', 3, null),
  (2, 'beta',  'c d', '{y}',   '{"kind":"veg","size":{"cm":10}}',  1, 'crunchy'),
  (3, 'gamma', null,  '{}',    '{"kind":"fruit","size":{"cm":7}}', null, null),
  (4, 'Delta', 'e f', '{x}',   null,                               2, 'odd, with a comma');
create function public.contract_items_ranked(p_min int) returns setof public.contract_items
  language sql stable as $$ select * from public.contract_items where rank >= p_min $$;
create function public.contract_item(p_id bigint) returns public.contract_items
  language sql stable as $$ select * from public.contract_items where id = p_id $$;
create table public.contract_item_notes (
  id bigint primary key,
  item_id bigint not null references public.contract_items (id),
  body text
);
insert into public.contract_item_notes (id, item_id, body) values (10, 1, 'ripe'), (11, 1, 'sweet'), (12, 2, 'green');
grant all on public.contract_items, public.contract_item_notes to service_role;
grant execute on function public.contract_items_ranked(int), public.contract_item(bigint) to service_role;`;

describe.each(contractTargets())('PostgREST queries: $name', (factory) => {
  const t = useTarget(factory, { layout: FIXTURE, drop: 'drop table if exists public.contract_item_notes, public.contract_items cascade' });

  const items = () => t.service.from('contract_items');
  const ids = (data: unknown) => (data as { id: number }[]).map((row) => row.id);

  it('comparison, pattern, list and null filters', async () => {
    expect(ids((await items().select('id').gt('rank', 1).order('id')).data)).toEqual([1, 4]);
    expect(ids((await items().select('id').lte('rank', 2).order('id')).data)).toEqual([2, 4]);
    expect(ids((await items().select('id').like('label', '*ta').order('id')).data)).toEqual([2, 4]);
    expect(ids((await items().select('id').ilike('label', 'd%')).data)).toEqual([4]);
    expect(ids((await items().select('id').in('label', ['alpha', 'gamma']).order('id')).data)).toEqual([1, 3]);
    expect(ids((await items().select('id').is('rank', null)).data)).toEqual([3]);
    expect(ids((await items().select('id').not('note', 'is', null).order('id')).data)).toEqual([2, 4]);
    expect(ids((await items().select('id').match({ label: 'beta', rank: 1 })).data)).toEqual([2]);
    expect(ids((await items().select('id').in('note', ['odd, with a comma'])).data)).toEqual([4]);
    expect(ids((await items().select('id').filter('label', 'match', '^[a-z]+a$').order('id')).data)).toEqual([1, 2, 3]);
  });

  it('array containment and overlap, and or/and logic trees with negation', async () => {
    expect(ids((await items().select('id').contains('tags', ['x']).order('id')).data)).toEqual([1, 4]);
    expect(ids((await items().select('id').containedBy('tags', ['y']).order('id')).data)).toEqual([2, 3]);
    expect(ids((await items().select('id').overlaps('tags', ['x', 'z']).order('id')).data)).toEqual([1, 4]);
    expect(ids((await items().select('id').or('rank.eq.1,label.eq.gamma').order('id')).data)).toEqual([2, 3]);
    expect(ids((await items().select('id').or('id.eq.4,and(rank.gte.2,tags.cs.{y})').order('id')).data)).toEqual([1, 4]);
    expect(ids((await items().select('id').not('label', 'in', '(alpha,beta)').order('id')).data)).toEqual([3, 4]);
  });

  it('JSON paths in select and filters, aliases, casts and a double-quoted column', async () => {
    const { data, error } = await items().select('id, kind:data->>kind, data->size->cm, rank::text, "column whitespace"').eq('data->>kind', 'fruit').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 1, kind: 'fruit', cm: 3, rank: '3', 'column whitespace': 'a b' },
      { id: 3, kind: 'fruit', cm: 7, rank: null, 'column whitespace': null },
    ]);
    const unknown = await items().select('nope');
    expect([unknown.status, unknown.error?.code]).toEqual([400, '42703']);
  });

  it('order with direction and nulls placement; limit and offset', async () => {
    expect(ids((await items().select('id').order('rank', { ascending: false, nullsFirst: true })).data)).toEqual([3, 1, 4, 2]);
    expect(ids((await items().select('id').order('rank', { ascending: true })).data)).toEqual([2, 4, 1, 3]);
    expect(ids((await items().select('id').order('id').range(1, 2)).data)).toEqual([2, 3]);
    expect(ids((await items().select('id').order('id').limit(2)).data)).toEqual([1, 2]);
  });

  it('count=exact: Content-Range with the total, 206 for part of it, 416 past its end; HEAD has no body', async () => {
    const all = await items().select('id', { count: 'exact' });
    expect([all.status, all.count]).toEqual([200, 4]);
    const part = await items().select('id', { count: 'exact' }).order('id').range(0, 1);
    expect([part.status, part.count, ids(part.data)]).toEqual([206, 4, [1, 2]]);
    const past = await fetch(`${t.url}/rest/v1/contract_items?select=id&offset=10`, {
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}`, Prefer: 'count=exact' },
    });
    expect([past.status, (await past.json()).code, past.headers.get('content-range')]).toEqual([416, 'PGRST103', '*/4']);
    const head = await items().select('*', { count: 'exact', head: true }).gt('rank', 1);
    expect([head.status, head.count, head.data]).toEqual([200, 2, null]);
    const planned = await items().select('id', { count: 'planned' });
    expect(typeof planned.count).toBe('number');
  });

  it('upserts merge or ignore duplicates; missing=default fills defaults', async () => {
    const merged = await items().upsert([{ id: 2, label: 'BETA' }, { id: 5, label: 'epsilon' }]).select('id, label');
    expect([merged.status, merged.data]).toEqual([201, [{ id: 2, label: 'BETA' }, { id: 5, label: 'epsilon' }]]);
    const ignored = await items().upsert([{ id: 2, label: 'ignored' }], { ignoreDuplicates: true }).select('id');
    expect([ignored.status, ignored.data]).toEqual([201, []]);
    const onlyMerged = await items().upsert({ id: 2, label: 'beta' });
    expect(onlyMerged.status).toBe(200);
    const defaults = await items().insert([{ id: 6, label: 'zeta' }, { id: 7 }], { defaultToNull: false }).select('id, label, rank');
    expect(defaults.data).toEqual([{ id: 6, label: 'zeta', rank: 7 }, { id: 7, label: null, rank: 7 }]);
    await items().delete().in('id', [5, 6, 7]);
  });

  it('stripNulls drops null members; maybeSingle and single over filters', async () => {
    const stripped = await items().select('id, note').eq('id', 1).stripNulls();
    expect(stripped.data).toEqual([{ id: 1 }]);
    const one = await items().select('label').eq('id', 3).single();
    expect(one.data).toEqual({ label: 'gamma' });
  });

  it('embeds one level through a foreign key: an object to one, an array to many; !inner with filters on the embed', async () => {
    const notes = await t.service.from('contract_item_notes').select('id, item:contract_items(label)').order('id');
    expect(notes.data).toEqual([
      { id: 10, item: { label: 'alpha' } },
      { id: 11, item: { label: 'alpha' } },
      { id: 12, item: { label: 'beta' } },
    ]);
    const withNotes = await t.service.from('contract_items').select('id, contract_item_notes(body)').in('id', [1, 3]).order('id');
    expect(withNotes.data).toEqual([
      { id: 1, contract_item_notes: expect.arrayContaining([{ body: 'ripe' }, { body: 'sweet' }]) },
      { id: 3, contract_item_notes: [] },
    ]);
    const inner = await t.service.from('contract_items').select('id, contract_item_notes!inner(body)').eq('contract_item_notes.body', 'green');
    expect(inner.data).toEqual([{ id: 2, contract_item_notes: [{ body: 'green' }] }]);
    const none = await t.service.from('contract_items').select('id, contract_item_notes(body)').eq('contract_item_notes.body', 'green').eq('id', 1);
    expect(none.data).toEqual([{ id: 1, contract_item_notes: [] }]);
    const unrelated = await t.service.from('contract_items').select('id, users(id)');
    expect([unrelated.status, unrelated.error?.code]).toEqual([400, 'PGRST200']);
  });

  it('rpc results are rows like a table: select, filters, order, range and count apply', async () => {
    const ranked = await t.service.rpc('contract_items_ranked', { p_min: 1 }, { count: 'exact' }).select('id, label').gt('id', 1).order('id', { ascending: false });
    expect([ranked.status, ranked.count, ranked.data]).toEqual([200, 2, [{ id: 4, label: 'Delta' }, { id: 2, label: 'beta' }]]);
    const viaGet = await t.service.rpc('contract_items_ranked', { p_min: 3 }, { get: true }).select('id');
    expect(viaGet.data).toEqual([{ id: 1 }]);
    const single = await t.service.rpc('contract_item', { p_id: 4 });
    expect(single.data).toMatchObject({ id: 4, label: 'Delta' });
  });
});

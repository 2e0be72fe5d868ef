/** PostgREST contract, through supabase-js and raw HTTP: the calls ims-api makes, with real statuses and error JSON. */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_JWT_SECRET } from '../../src/local-supabase/keys.js';
import { contractTargets, useTarget } from '../support/target.js';

let counter = 0;
const subdomain = () => `school-${process.pid}-${Date.now().toString(36)}-${counter++}`;

describe.each(contractTargets())('PostgREST contract: $name', (factory) => {
  const t = useTarget(factory);

  it('insert … select().single() answers 201 with the row as an object', async () => {
    const sub = subdomain();
    const result = await t.service.from('institutions').insert({ name: 'Alpha School', subdomain: sub }).select('id, subdomain, status').single();
    expect(result.status).toBe(201);
    expect(result.error).toBeNull();
    expect(result.data).toEqual({ id: expect.any(String), subdomain: sub, status: 'pending' });
  });

  it('insert without select answers 201 with no body (return=minimal)', async () => {
    const result = await t.service.from('institutions').insert({ name: 'Beta School', subdomain: subdomain() });
    expect(result).toMatchObject({ status: 201, data: null, error: null });
  });

  it('a duplicate subdomain is 409 with SQLSTATE 23505', async () => {
    const sub = subdomain();
    await t.service.from('institutions').insert({ name: 'Gamma School', subdomain: sub });
    const again = await t.service.from('institutions').insert({ name: 'Gamma Two', subdomain: sub });
    expect(again.status).toBe(409);
    expect(again.error).toMatchObject({ code: '23505', message: expect.stringContaining('institutions_subdomain_key') });
  });

  it('a check violation is 400 with SQLSTATE 23514 and PostgREST error keys', async () => {
    const result = await t.service.from('institutions').insert({ name: 'Delta', subdomain: 'Not A Label' });
    expect(result.status).toBe(400);
    expect(Object.keys(result.error!).sort()).toEqual(['code', 'details', 'hint', 'message']);
    expect(result.error!.code).toBe('23514');
  });

  it('a malformed uuid in a filter is 400 with SQLSTATE 22P02', async () => {
    const result = await t.service.from('institutions').select('id').eq('id', 'not-a-uuid');
    expect(result.status).toBe(400);
    expect(result.error!.code).toBe('22P02');
  });

  it('eq., in. and is. filters select the matching rows', async () => {
    const [a, b] = [subdomain(), subdomain()];
    await t.service.from('institutions').insert([{ name: 'Epsilon A', subdomain: a }, { name: 'Epsilon B', subdomain: b }]);
    const byIn = await t.service.from('institutions').select('subdomain').in('subdomain', [a, b, 'absent']);
    expect(byIn.data!.map((row) => row.subdomain).sort()).toEqual([a, b].sort());
    const byEq = await t.service.from('institutions').select('*').eq('subdomain', a).maybeSingle();
    expect(byEq.data).toMatchObject({ subdomain: a, status: 'pending', created_at: expect.any(String) });
    const byIs = await t.service.from('institutions').select('id').eq('subdomain', a).is('name', null);
    expect(byIs.data).toEqual([]);
  });

  it('maybeSingle() with no row is data null; single() with no row is 406 PGRST116', async () => {
    const none = await t.service.from('institutions').select('id').eq('id', randomUUID()).maybeSingle();
    expect(none).toMatchObject({ data: null, error: null, status: 200 });
    const single = await t.service.from('institutions').select('id').eq('id', randomUUID()).single();
    expect(single.status).toBe(406);
    expect(single.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' });
  });

  it('a singular insert of two rows is 406 and rolled back', async () => {
    const [a, b] = [subdomain(), subdomain()];
    const result = await t.service
      .from('institutions')
      .insert([{ name: 'Zeta A', subdomain: a }, { name: 'Zeta B', subdomain: b }])
      .select('id')
      .single();
    expect(result.status).toBe(406);
    const left = await t.service.from('institutions').select('id').in('subdomain', [a, b]);
    expect(left.data).toEqual([]);
  });

  it('delete answers 204 without a representation and 200 with one', async () => {
    const [a, b] = [subdomain(), subdomain()];
    await t.service.from('institutions').insert([{ name: 'Eta A', subdomain: a }, { name: 'Eta B', subdomain: b }]);
    const minimal = await t.service.from('institutions').delete().eq('subdomain', a);
    expect(minimal).toMatchObject({ status: 204, data: null, error: null });
    const represented = await t.service.from('institutions').delete().eq('subdomain', b).select('subdomain');
    expect(represented).toMatchObject({ status: 200, data: [{ subdomain: b }] });
    const gone = await t.service.from('institutions').delete().eq('subdomain', b);
    expect(gone.status).toBe(204);
  });

  it('embeds the institution in a profile: select=*,institution:institutions(*)', async () => {
    const sub = subdomain();
    const institution = await t.service.from('institutions').insert({ name: 'Embed School', subdomain: sub }).select('id').single();
    const user = await t.service.auth.admin.createUser({ email: `${sub}@example.com`, password: 'correct horse battery', email_confirm: true });
    await t.service.from('user_profiles').insert({ user_id: user.data.user!.id, institution_id: institution.data!.id, role: 'director', full_name: 'Ada' });
    const { data, error } = await t.service.from('user_profiles').select('*,institution:institutions(*)').eq('user_id', user.data.user!.id).single();
    expect(error).toBeNull();
    expect(data).toMatchObject({ role: 'director', institution: { id: institution.data!.id, subdomain: sub, status: 'pending' } });
  });

  it('update answers 204 with Content-Range (return=minimal) and 200 with the rows (return=representation)', async () => {
    const sub = subdomain();
    await t.service.from('institutions').insert({ name: 'Patch School', subdomain: sub });
    const minimal = await fetch(`${t.url}/rest/v1/institutions?subdomain=eq.${sub}`, {
      method: 'PATCH',
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Patched School' }),
    });
    expect([minimal.status, minimal.headers.get('content-range'), await minimal.text()]).toEqual([204, '0-0/*', '']);
    const updated = await t.service.from('institutions').update({ status: 'active' }).eq('subdomain', sub).select('name, status');
    expect([updated.status, updated.data]).toEqual([200, [{ name: 'Patched School', status: 'active' }]]);
    const none = await t.service.from('institutions').update({ status: 'active' }).eq('subdomain', 'no-such-school').select();
    expect([none.status, none.data]).toEqual([200, []]);
  });

  it('rpc calls a function by named arguments and returns its scalar', async () => {
    const email = `rpc-${randomUUID()}@example.com`;
    const created = await t.service.auth.admin.createUser({ email, password: 'password-1', email_confirm: true });
    const found = await t.service.rpc('auth_user_id_by_email', { p_email: email.toUpperCase() });
    expect(found).toMatchObject({ status: 200, error: null, data: created.data.user!.id });
    const missing = await t.service.rpc('auth_user_id_by_email', { p_email: 'nobody@example.com' });
    expect(missing).toMatchObject({ status: 200, data: null });
  });

  it('an unknown function is 404 PGRST202 naming its arguments', async () => {
    const result = await t.service.rpc('no_such_function', { b: 1, a: 2 });
    expect(result.status).toBe(404);
    expect(result.error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.no_such_function(a, b) in the schema cache',
    });
  });

  it('sees every schema change at the next request: its schema cache is never stale (the embedded stand-in)', async (context) => {
    // A real PostgREST reloads on `NOTIFY pgrst` and may answer from the old schema until then.
    if (!t.embedded) context.skip();
    const sql = t.sql!;
    await sql.exec('create table public.cache_probe (id int primary key); grant all on public.cache_probe to service_role');
    try {
      expect((await t.service.from('cache_probe').insert({ id: 1 }).select()).data).toEqual([{ id: 1 }]);
      await sql.exec('alter table public.cache_probe add column note text');
      expect((await t.service.from('cache_probe').insert({ id: 2, note: 'new column' }).select()).data).toEqual([{ id: 2, note: 'new column' }]);
      await sql.exec('create function public.cache_probe_fn(a int) returns int language sql as $$ select a + 1 $$');
      expect((await t.service.rpc('cache_probe_fn', { a: 1 })).data).toBe(2);
      await sql.exec('drop function public.cache_probe_fn(int); create function public.cache_probe_fn(b int) returns int language sql as $$ select b + 2 $$');
      expect((await t.service.rpc('cache_probe_fn', { a: 1 })).error?.code).toBe('PGRST202');
      expect((await t.service.rpc('cache_probe_fn', { b: 1 })).data).toBe(3);
    } finally {
      await sql.exec('drop table if exists public.cache_probe; drop function if exists public.cache_probe_fn(int)');
    }
    expect((await t.service.from('cache_probe').select('*')).error?.code).toBe('PGRST205');
  });

  it('an unknown table is 404 PGRST205', async () => {
    const result = await t.service.from('no_such_table').select('*');
    expect(result.status).toBe(404);
    expect(result.error!.code).toBe('PGRST205');
  });

  it('the anon key reads no row (RLS: 200 []), writes nothing and calls none of our functions (401, SQLSTATE 42501)', async () => {
    const read = await t.anon.from('institutions').select('id');
    expect([read.status, read.data]).toEqual([200, []]);
    expect((await t.anon.from('user_profiles').select('user_id')).data).toEqual([]);
    const keys = await t.anon.from('idempotency_keys').select('id');
    expect([keys.status, keys.error?.code]).toEqual([401, '42501']);
    const write = await t.anon.from('institutions').insert({ name: 'Anon School', subdomain: subdomain() });
    expect(write.status).toBe(401);
    const call = await t.anon.rpc('auth_user_id_by_email', { p_email: 'x@example.com' });
    expect(call.status).toBe(401);
  });

  it('refuses a request without an apikey (401) and a forged JWT (401 PGRST301)', async () => {
    const noKey = await fetch(`${t.url}/rest/v1/institutions?select=id`);
    expect(noKey.status).toBe(401);
    const forged = await fetch(`${t.url}/rest/v1/institutions?select=id`, {
      headers: { apikey: t.anonKey, Authorization: `Bearer ${t.serviceRoleKey.slice(0, -4)}AAAA` },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await forged.json()).toMatchObject({ code: 'PGRST301' });
  });

  it('a JWT whose role the authenticator may not become is refused: 403 42501 for an existing role, 401 22023 for none', async (context) => {
    // PostgREST switches only to roles granted to `authenticator` (anon, authenticated, service_role).
    const secret = t.embedded ? LOCAL_JWT_SECRET : process.env.SUPABASE_JWT_SECRET;
    if (!secret) context.skip();
    const tokenFor = (role: string) =>
      new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    const as = async (role: string) =>
      fetch(`${t.url}/rest/v1/institutions?select=id`, { headers: { apikey: t.anonKey, Authorization: `Bearer ${await tokenFor(role)}` } });
    const postgres = await as('postgres');
    expect(postgres.status).toBe(403);
    expect(await postgres.json()).toMatchObject({ code: '42501', message: 'permission denied to set role "postgres"' });
    const unknown = await as('no_such_role');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ code: '22023', message: 'role "no_such_role" does not exist' });
    expect((await as('service_role')).status).toBe(200);
  });

  it('answers with PostgREST headers: Content-Range and Preference-Applied', async () => {
    const response = await fetch(`${t.url}/rest/v1/institutions?select=subdomain`, {
      method: 'POST',
      headers: {
        apikey: t.serviceRoleKey,
        Authorization: `Bearer ${t.serviceRoleKey}`,
        'Content-Type': 'application/json',
        Prefer: 'return=representation',
      },
      body: JSON.stringify({ name: 'Theta School', subdomain: subdomain() }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-range')).toBe('*/*');
    expect(response.headers.get('preference-applied')).toBe('return=representation');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('the embedded stand-in answers 501 for what it does not implement, never a wrong 200', async (context) => {
    if (!t.embedded) context.skip();
    const twoLevels = await t.service.from('user_profiles').select('user_id, institutions(name, user_profiles(role))');
    expect([twoLevels.status, twoLevels.error?.code]).toEqual([501, 'PGRST501']);
    const aggregate = await t.service.from('institutions').select('count()');
    expect([aggregate.status, aggregate.error?.code]).toEqual([501, 'PGRST501']);
    const csv = await t.service.from('institutions').select('id').csv();
    expect([csv.status, csv.error?.message]).toEqual([501, 'Not implemented by the embedded local Supabase: Accept: text/csv']);
    const strict = await fetch(`${t.url}/rest/v1/institutions?select=id`, {
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}`, Prefer: 'handling=strict' },
    });
    expect(strict.status).toBe(501);
  });
});

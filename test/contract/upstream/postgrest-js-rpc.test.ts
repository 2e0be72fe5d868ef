/**
 * Port of supabase-js v2.109.0 packages/core/postgrest-js/test/rpc.test.ts: each case names its
 * upstream line. The upstream database enables PostgREST aggregates (db-aggregates-enabled); this
 * stand-in does not implement them, and that case asserts the refusal.
 */
import { describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../../src/supabase/client.js';
import { contractTargets, useTarget } from '../../support/target.js';
import { POSTGREST_JS_FIXTURE } from './postgrest-js-fixture.js';

const UPSTREAM = 'rpc.test.ts';
const RPC_NAME = 'get_username_and_status';
const BIGINT_PARAM = 9223372036854775807n;

describe.each(contractTargets({ blankProject: true }))(`postgrest-js ${UPSTREAM}: $name`, (factory) => {
  const t = useTarget(factory, POSTGREST_JS_FIXTURE);

  const db = () => t.anon;
  const ok = (res: { status: number; count: number | null; error: unknown; data: unknown }, data: unknown) =>
    expect({ status: res.status, count: res.count, error: res.error, data: res.data }).toEqual({ status: 200, count: null, error: null, data });

  it(`RPC call serializes bigint values in the request body (${UPSTREAM}:12; client only: a recording fetch, no server)`, async () => {
    const bodies: unknown[] = [];
    const recording: typeof fetch = async (_input, init) => {
      bodies.push(init?.body);
      return new Response('null', { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const client = createSupabaseClient({ url: 'http://127.0.0.1:9', apiKey: t.anonKey, fetch: recording });
    await client.rpc('my_func', { bigint_param: BIGINT_PARAM, payload: { id: BIGINT_PARAM } } as never);
    expect(bodies).toEqual([JSON.stringify({ bigint_param: BIGINT_PARAM.toString(), payload: { id: BIGINT_PARAM.toString() } })]);
  });

  it(`RPC call with no params (${UPSTREAM}:44)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select(), [{ status: 'ONLINE', username: 'supabot' }]);
  });

  it(`RPC call with star select (${UPSTREAM}:74)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('*'), [{ status: 'ONLINE', username: 'supabot' }]);
  });

  it(`RPC call with single field select (${UPSTREAM}:104)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('username'), [{ username: 'supabot' }]);
  });

  it(`RPC call with multiple fields select (${UPSTREAM}:132)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('username, status'), [{ status: 'ONLINE', username: 'supabot' }]);
  });

  it(`RPC call with field aliasing (${UPSTREAM}:162)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('name:username'), [{ name: 'supabot' }]);
  });

  it(`RPC call with field casting (${UPSTREAM}:190)`, async () => {
    ok(await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('status::text'), [{ status: 'ONLINE' }]);
  });

  it(`RPC call with field aggregate (${UPSTREAM}:218; aggregates deliberately refused: 501 naming them)`, async (context) => {
    if (!t.embedded) context.skip();
    const res = await db().rpc(RPC_NAME, { name_param: 'supabot' }).select('username.count(), status');
    expect([res.status, res.error?.code]).toEqual([501, 'PGRST501']);
    expect(res.error?.message).toMatch(/aggregates/);
  });

  it(`RPC call with bigint param is accepted by a bigint Postgres argument (${UPSTREAM}:250)`, async () => {
    ok(await db().rpc('echo_bigint_as_text', { bigint_param: BIGINT_PARAM } as never), '9223372036854775807');
  });

  it(`RPC call with bigint nested in jsonb param is serialized as a JSON string (${UPSTREAM}:265)`, async () => {
    ok(await db().rpc('extract_jsonb_bigint_as_text', { payload: { id: BIGINT_PARAM } } as never), '9223372036854775807');
  });
});

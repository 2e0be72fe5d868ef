/**
 * Sign-ups are closed on this project (supabase/config.toml `[auth] enable_signup = false`). Facts
 * from supabase/cli (apps/cli-go/internal/start/start.go: GOTRUE_DISABLE_SIGNUP is
 * `!auth.enable_signup`, GOTRUE_EXTERNAL_EMAIL_ENABLED is `auth.email.enable_signup`) and
 * supabase/auth (internal/api/signup.go, token.go): POST /signup is 422 signup_disabled "Signups
 * not allowed for this instance" before the body is read; with the email provider off it is 400
 * email_provider_disabled "Email signups are disabled", and an email sign-in is 422
 * email_provider_disabled "Email logins are disabled". The admin API is unaffected. A blank
 * project keeps the CLI's defaults: sign-ups open.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../src/local-supabase/server.js';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { LANES, startLaneSupabase } from '../support/lanes.js';
import { contractTargets, useTarget, type Target } from '../support/target.js';

const PASSWORD = 'correct horse battery staple';
const SIGNUP_DISABLED = 'Signups not allowed for this instance';
const address = (tag: string) => `${tag}-${randomUUID()}@example.com`;

const countUsers = async (t: Target) => Number((await t.sql!.query<{ n: string }>('select count(*) as n from auth.users'))[0]!.n);

function postSignup(url: string, apiKey: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: apiKey, authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

describe.each(contractTargets())('GoTrue sign-up on this project: $name', (factory) => {
  const t = useTarget(factory);

  it('supabase-js signUp is refused with signup_disabled and no user is made (SQL)', async () => {
    const before = t.sql ? await countUsers(t) : undefined;
    const email = address('signup');
    const client = createSupabaseClient({ url: t.url, apiKey: t.anonKey });
    const { data, error } = await client.auth.signUp({ email, password: PASSWORD });
    expect(error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'signup_disabled', message: SIGNUP_DISABLED });
    expect(data).toEqual({ user: null, session: null });
    if (t.sql) {
      expect(await countUsers(t)).toBe(before);
      expect(await t.sql.query('select id from auth.users where email = $1', [email])).toEqual([]);
    }
  });

  it('the refusal comes before the body is read, in both API-version shapes', async () => {
    const versioned = await postSignup(t.url, t.anonKey, 'not json', { 'x-supabase-api-version': '2024-01-01' });
    expect(versioned.status).toBe(422);
    expect(versioned.headers.get('x-sb-error-code')).toBe('signup_disabled');
    expect(await versioned.json()).toEqual({ code: 'signup_disabled', message: SIGNUP_DISABLED });

    const initial = await postSignup(t.url, t.anonKey, JSON.stringify({ email: address('initial'), password: PASSWORD }));
    expect(initial.status).toBe(422);
    expect(await initial.json()).toEqual({ code: 422, error_code: 'signup_disabled', msg: SIGNUP_DISABLED });
  });

  it('the admin API still creates a user, who signs in with a password', async () => {
    const email = address('admin');
    const created = await t.service.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
    expect(created.error).toBeNull();
    const client = createSupabaseClient({ url: t.url, apiKey: t.anonKey });
    const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(created.data.user!.id);
    if (t.sql) expect(await t.sql.query('select id from auth.users where email = $1', [email])).toEqual([{ id: created.data.user!.id }]);
  });
});

describe.each(contractTargets({ blankProject: true }))('GoTrue sign-up on a blank project: $name', (factory) => {
  const t = useTarget(factory);

  it('keeps the CLI defaults: signUp answers a session', async (context) => {
    if (!t.embedded) context.skip('a real target runs this project, whose sign-ups are closed');
    const email = address('blank');
    const client = createSupabaseClient({ url: t.url, apiKey: t.anonKey });
    const { data, error } = await client.auth.signUp({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.session).not.toBeNull();
    expect(await t.sql!.query('select id from auth.users where email = $1', [email])).toEqual([{ id: data.user!.id }]);
  });
});

describe.skipIf(Boolean(process.env.SUPABASE_URL)).each(LANES)('embedded GoTrue with the email provider off on %s', (lane) => {
  let dir: string;
  let local: LocalSupabase;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ims-config-'));
    const configToml = join(dir, 'config.toml');
    await writeFile(configToml, '[auth]\nenable_signup = true\n\n[auth.email]\nenable_signup = false\n');
    local = await startLaneSupabase(lane, { configToml });
  });
  afterAll(async () => {
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signUp is 400 email_provider_disabled; an email sign-in is 422 email_provider_disabled', async () => {
    const email = address('email-off');
    const client = createSupabaseClient({ url: local.url, apiKey: local.anonKey });
    const signUp = await client.auth.signUp({ email, password: PASSWORD });
    expect(signUp.error).toMatchObject({ status: 400, code: 'email_provider_disabled', message: 'Email signups are disabled' });

    const service = createSupabaseClient({ url: local.url, apiKey: local.serviceRoleKey });
    expect((await service.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).error).toBeNull();
    const signIn = await client.auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toMatchObject({ status: 422, code: 'email_provider_disabled', message: 'Email logins are disabled' });
  });
});

/**
 * GoTrue admin listUsers and updateUserById through supabase-js. Facts from supabase/auth
 * internal/api/admin.go (adminUsers, adminUserUpdate), pagination.go (Link with rel="next" while
 * pages remain and rel="last", X-Total-Count; 50 per page by default), password.go
 * (checkPasswordStrength: over 72 → 400, under the minimum → 422 weak_password), models/user.go
 * (metadata merges; a null deletes the key) and Go's time.ParseDuration for ban_duration.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { contractTargets, useTarget } from '../support/target.js';

const PASSWORD = 'correct horse battery staple';

describe.each(contractTargets())('GoTrue admin list and update: $name', (factory) => {
  const t = useTarget(factory);

  async function newUser(extra: Record<string, unknown> = {}) {
    const email = `manage-${randomUUID()}@example.com`;
    const { data, error } = await t.service.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, ...extra });
    expect(error).toBeNull();
    return { email, id: data.user!.id };
  }

  const signIn = (email: string, password: string) => createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.signInWithPassword({ email, password });

  it('listUsers pages with Link and X-Total-Count, newest first', async () => {
    await newUser();
    await newUser();
    await newUser();
    const listed = await t.service.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(listed.error).toBeNull();
    const data = listed.data as { users: { created_at: string }[]; aud: string; total: number; nextPage: number | null; lastPage: number };
    expect(data.users).toHaveLength(2);
    expect(data.aud).toBe('authenticated');
    expect(data.total).toBeGreaterThanOrEqual(3);
    expect(data.nextPage).toBe(2);
    expect(data.lastPage).toBe(Math.ceil(data.total / 2));
    const created = data.users.map((user) => Date.parse(user.created_at));
    expect(created[0]).toBeGreaterThanOrEqual(created[1]!);

    const raw = await fetch(`${t.url}/auth/v1/admin/users?per_page=2&page=1`, { headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}` } });
    expect(raw.headers.get('link')).toMatch(/^<\/admin\/users\?page=2&per_page=2>; rel="next", <\/admin\/users\?page=\d+&per_page=2>; rel="last"$/);
    expect(Number(raw.headers.get('x-total-count'))).toBe(data.total);
  });

  it('updateUserById merges metadata (null deletes a key), changes the email and the password', async () => {
    const { id } = await newUser({ user_metadata: { a: 1, b: 2 }, app_metadata: { plan: 'free' } });
    const email = `renamed-${randomUUID()}@Example.com`;
    const { data, error } = await t.service.auth.admin.updateUserById(id, {
      email,
      password: 'a new long password',
      user_metadata: { b: null, c: 3 },
      app_metadata: { plan: 'pro' },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id, email: email.toLowerCase(), user_metadata: { a: 1, c: 3 }, app_metadata: { plan: 'pro', provider: 'email' } });
    expect(data.user!.user_metadata).not.toHaveProperty('b');
    expect((await signIn(email, 'a new long password')).error).toBeNull();
    expect((await signIn(email, PASSWORD)).error?.code).toBe('invalid_credentials');
  });

  it('refuses a weak or an over-long password, and an unknown user', async () => {
    const { id } = await newUser();
    const weak = await t.service.auth.admin.updateUserById(id, { password: 'abc' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    expect((weak.error as unknown as { reasons: string[] }).reasons).toEqual(['length']);
    const long = await t.service.auth.admin.updateUserById(id, { password: 'x'.repeat(73) });
    expect(long.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Password cannot be longer than 72 characters' });
    const missing = await t.service.auth.admin.updateUserById(randomUUID(), { user_metadata: { a: 1 } });
    expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });
  });

  it('ban_duration bans (sign-in is user_banned) and "none" lifts it; a bad duration is 400', async () => {
    const banned = await newUser({ ban_duration: '24h' });
    expect((await signIn(banned.email, PASSWORD)).error).toMatchObject({ status: 400, code: 'user_banned' });
    const { data } = await t.service.auth.admin.updateUserById(banned.id, { ban_duration: 'none' });
    expect(data.user?.banned_until).toBeUndefined();
    expect((await signIn(banned.email, PASSWORD)).error).toBeNull();

    const other = await newUser();
    const { data: later } = await t.service.auth.admin.updateUserById(other.id, { ban_duration: '1h30m' });
    expect(Date.parse(later.user!.banned_until!)).toBeGreaterThan(Date.now() + 89 * 60_000);
    const bad = await t.service.auth.admin.updateUserById(other.id, { ban_duration: 'forever' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'invalid format for ban duration: time: invalid duration "forever"' });
  });

  it('the embedded stand-in refuses GoTrue calls it does not implement with a non-retryable 422 not_implemented naming them', async (context) => {
    if (!t.embedded) context.skip();
    const invite = await t.service.auth.admin.inviteUserByEmail(`invite-${randomUUID()}@example.com`);
    expect(invite.error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'not_implemented' });
    expect(invite.error!.message).toBe('POST /auth/v1/invite is not implemented by the embedded local Supabase');
    const otp = await createSupabaseClient({ url: t.url, apiKey: t.anonKey }).auth.signInWithOtp({ email: `otp-${randomUUID()}@example.com` });
    expect(otp.error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'not_implemented' });
    const link = await t.service.auth.admin.generateLink({ type: 'magiclink', email: `link-${randomUUID()}@example.com` });
    expect(link.error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'not_implemented' });
  });
});

/**
 * Port of supabase-js v2.109.0 packages/core/auth-js/test/GoTrueApi.test.ts: each case names its
 * upstream line. The upstream suite runs against the Supabase CLI's GoTrue with its defaults (signups
 * on, email confirmations off), so this port runs on a blank project: this project's config.toml
 * closes sign-ups, and on a real target (which runs this project) the cases that sign up skip.
 * Deliberately refused by this stand-in, and asserted as clear refusals
 * (422 not_implemented, an AuthApiError): email links (generateLink, invites), OTP verification,
 * MFA and OAuth-server administration, which need a mail or SMS server or are out of scope.
 */
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it, type TestContext } from 'vitest';
import { createSupabaseClient } from '../../../src/supabase/client.js';
import { contractTargets, useTarget } from '../../support/target.js';

const UPSTREAM = 'GoTrueApi.test.ts';
const INVALID_EMAIL = 'xx:;x@x.x';
const NON_EXISTANT_USER_ID = '83fd9e20-7a80-46e4-bf29-a86e3d6bbf66';

/** The upstream mocks (test/lib/utils.ts): a fresh address and password, an avatar in the user metadata. */
const credentials = () => ({ email: `user-${randomUUID()}@example.com`, password: `pw-${randomUUID()}`, phone: `1${Date.now().toString().slice(-10)}` });
const userMetadata = () => ({ profile_image: `https://avatars.example.com/${randomUUID()}.png` });
const appMetadata = () => ({ roles: ['editor', 'publisher'] });

describe.each(contractTargets({ blankProject: true }))(`auth-js ${UPSTREAM}: $name`, (factory) => {
  const t = useTarget(factory);

  const admin = () => t.service.auth.admin;
  /** The upstream authClientWithSession: anon key, session kept in memory. */
  const withSession = (): SupabaseClient => createSupabaseClient({ url: t.url, apiKey: t.anonKey });
  const createNewUserWithEmail = (email: string) => admin().createUser({ email, password: `pw-${randomUUID()}` });
  const refused = (error: unknown) => expect(error).toMatchObject({ name: 'AuthApiError', status: 422, code: 'not_implemented' });
  const needsOpenSignups = (context: TestContext) => {
    if (!t.embedded) context.skip('a real target runs this project, whose sign-ups are closed');
  };

  it(`createUser() should create a new user (${UPSTREAM}:24)`, async () => {
    const { email } = credentials();
    const { error, data } = await createNewUserWithEmail(email);
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
  });

  it(`createUser() with user metadata (${UPSTREAM}:32)`, async () => {
    const metadata = userMetadata();
    const { email, password } = credentials();
    const { error, data } = await admin().createUser({ email, password, user_metadata: metadata });
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
    expect(data.user?.user_metadata).toEqual(metadata);
    expect(data.user?.user_metadata?.profile_image).toMatch(/^https:\/\/avatars\..+/);
  });

  it(`createUser() with app metadata (${UPSTREAM}:49)`, async () => {
    const { email, password } = credentials();
    const { error, data } = await admin().createUser({ email, password, app_metadata: appMetadata() });
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
    expect(data.user?.app_metadata).toHaveProperty('provider');
    expect(data.user?.app_metadata).toHaveProperty('providers');
  });

  it(`createUser() with user and app metadata (${UPSTREAM}:65)`, async () => {
    const { email, password } = credentials();
    const { error, data } = await admin().createUser({ email, password, app_metadata: appMetadata(), user_metadata: userMetadata() });
    expect(error).toBeNull();
    expect(data.user?.user_metadata?.profile_image).toMatch(/^https:\/\/avatars\..+/);
    expect(data.user?.app_metadata).toHaveProperty('providers');
  });

  it(`createUser() returns AuthError when email is invalid (${UPSTREAM}:86)`, async () => {
    const { error, data } = await admin().createUser({ email: INVALID_EMAIL, password: 'password123' });
    expect(error?.message).toMatch('Unable to validate email address: invalid format');
    expect(data.user).toBeNull();
  });

  it(`listUsers() should return registered users (${UPSTREAM}:99)`, async () => {
    const { email } = credentials();
    expect((await createNewUserWithEmail(email)).error).toBeNull();
    const { error, data } = await admin().listUsers();
    expect(error).toBeNull();
    expect(data).toHaveProperty('users');
    expect(data).toHaveProperty('aud');
    expect(data.users.map((user) => user.email)).toContain(email);
  });

  it(`listUsers() returns AuthError when page is invalid (${UPSTREAM}:118)`, async () => {
    const { error, data } = await admin().listUsers({ page: -1, perPage: 10 });
    expect(error).not.toBeNull();
    expect(data.users).toEqual([]);
  });

  it(`getUser() fetches a user by their access_token (${UPSTREAM}:130)`, async (context) => {
    needsOpenSignups(context);
    const { email, password } = credentials();
    const client = withSession();
    const { error: initialError, data } = await client.auth.signUp({ email, password });
    expect(initialError).toBeNull();
    expect(data.session).not.toBeNull();
    const { error, data: { user } } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(user?.email).toEqual(email);
  });

  it(`getUserById() should a registered user given its user identifier (${UPSTREAM}:150)`, async () => {
    const { email } = credentials();
    const created = await createNewUserWithEmail(email);
    const { error, data } = await admin().getUserById(created.data.user!.id);
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
  });

  it(`getUserById() returns AuthError when user id is invalid (${UPSTREAM}:167)`, async () => {
    const { error, data } = await admin().getUserById(NON_EXISTANT_USER_ID);
    expect(error).not.toBeNull();
    expect(data.user).toBeNull();
  });

  it(`modify email using updateUserById() (${UPSTREAM}:176)`, async () => {
    const created = await createNewUserWithEmail(credentials().email);
    const { error, data } = await admin().updateUserById(created.data.user!.id, { email: `new_${created.data.user!.email}` });
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(`new_${created.data.user!.email}`);
  });

  it(`modify user metadata using updateUserById() (${UPSTREAM}:197)`, async () => {
    const { email } = credentials();
    const created = await createNewUserWithEmail(email);
    const { error, data } = await admin().updateUserById(created.data.user!.id, { user_metadata: { favorite_color: 'yellow' } });
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
    expect(data.user?.user_metadata).toEqual({ favorite_color: 'yellow' });
  });

  it(`modify app metadata using updateUserById() (${UPSTREAM}:220)`, async () => {
    const { email } = credentials();
    const created = await createNewUserWithEmail(email);
    const { error, data } = await admin().updateUserById(created.data.user!.id, { app_metadata: { roles: ['admin', 'publisher'] } });
    expect(error).toBeNull();
    expect(data.user?.email).toEqual(email);
    expect(data.user?.app_metadata).toHaveProperty('roles');
  });

  it(`modify confirm email using updateUserById() (${UPSTREAM}:241)`, async () => {
    const { email, password } = credentials();
    const { error: createError, data } = await admin().createUser({ email, password, email_confirm: false });
    expect(createError).toBeNull();
    expect(data.user?.email_confirmed_at).toBeFalsy();
    const { error, data: updated } = await admin().updateUserById(data.user!.id, { email_confirm: true });
    expect(error).toBeNull();
    expect(updated.user?.email_confirmed_at).toBeTruthy();
  });

  it(`deleteUser() should be able delete an existing user (${UPSTREAM}:272)`, async () => {
    const { email } = credentials();
    const created = await createNewUserWithEmail(email);
    const { error, data } = await admin().deleteUser(created.data.user!.id);
    expect(error).toBeNull();
    expect(data.user).not.toBeUndefined();
    const listed = await admin().listUsers();
    expect(listed.error).toBeNull();
    expect(listed.data.users.map((user) => user.email)).not.toContain(email);
  });

  it(`deleteUser() returns AuthError when user id is invalid (${UPSTREAM}:299)`, async () => {
    const { error, data } = await admin().deleteUser(NON_EXISTANT_USER_ID);
    expect(error).not.toBeNull();
    expect(data.user).toBeNull();
  });

  it(`generateLink supports signUp with generate confirmation signup link (${UPSTREAM}:308; deliberately refused: email links)`, async (context) => {
    if (!t.embedded) context.skip();
    const { email, password } = credentials();
    refused((await admin().generateLink({ type: 'signup', email, password, options: { data: { status: 'alpha' }, redirectTo: 'http://localhost:9999/welcome' } })).error);
  });

  it(`generateLink supports updating emails with generate email change links (${UPSTREAM}:349; deliberately refused: email links)`, async (context) => {
    if (!t.embedded) context.skip();
    const { email } = credentials();
    await createNewUserWithEmail(email);
    refused((await admin().generateLink({ type: 'email_change_current', email, newEmail: credentials().email })).error);
  });

  it(`inviteUserByEmail() creates a new user with an invited_at timestamp (${UPSTREAM}:394; deliberately refused: invites)`, async (context) => {
    if (!t.embedded) context.skip();
    refused((await admin().inviteUserByEmail(credentials().email, { data: { status: 'alpha' } })).error);
  });

  it(`inviteUserByEmail() returns AuthError when email is invalid (${UPSTREAM}:410; deliberately refused: invites)`, async (context) => {
    if (!t.embedded) context.skip();
    const { error, data } = await admin().inviteUserByEmail(INVALID_EMAIL);
    refused(error);
    expect(data.user).toBeNull();
  });

  it(`generateLink() returns AuthError when email is invalid (${UPSTREAM}:418; deliberately refused: email links)`, async (context) => {
    if (!t.embedded) context.skip();
    const { error, data } = await admin().generateLink({ type: 'signup', email: INVALID_EMAIL, password: 'password123' });
    refused(error);
    expect([data.user, data.properties]).toEqual([null, null]);
  });

  it(`signOut() with an valid access token (${UPSTREAM}:434)`, async (context) => {
    needsOpenSignups(context);
    const { email, password } = credentials();
    const { error: initialError, data } = await withSession().auth.signUp({ email, password });
    expect(initialError).toBeNull();
    expect(data.session).not.toBeNull();
    expect((await admin().signOut(data.session!.access_token)).error).toBeNull();
  });

  it(`signOut() with an invalid access token (${UPSTREAM}:449)`, async () => {
    const { error } = await admin().signOut('this-is-a-bad-token');
    expect(error?.message).toMatch(/^invalid JWT/);
  });

  it(`signOut() fails with invalid scope (${UPSTREAM}:455)`, async (context) => {
    needsOpenSignups(context);
    const { email, password } = credentials();
    const client = withSession();
    expect((await client.auth.signUp({ email, password })).error).toBeNull();
    const { data: { session }, error } = await client.auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    expect(session).not.toBeNull();
    await expect(client.auth.signOut({ scope: 'invalid_scope' as never })).rejects.toThrow(
      '@supabase/auth-js: Parameter scope must be one of global, local, others',
    );
  });

  it(`verifyOtp() with non-existent phone number (${UPSTREAM}:483; deliberately refused: OTP verification)`, async (context) => {
    if (!t.embedded) context.skip();
    const { data, error } = await withSession().auth.verifyOtp({ phone: credentials().phone, token: '123456', type: 'sms' });
    expect(data.user).toBeNull();
    refused(error);
  });

  it(`verifyOTP() with invalid phone number (${UPSTREAM}:500; deliberately refused: OTP verification)`, async (context) => {
    if (!t.embedded) context.skip();
    const { data, error } = await withSession().auth.verifyOtp({ phone: `${credentials().phone}-invalid`, token: '123456', type: 'sms' });
    expect(data.user).toBeNull();
    refused(error);
  });

  it(`updateUserById() returns AuthError when user id is invalid (${UPSTREAM}:519)`, async () => {
    const { error, data } = await admin().updateUserById(NON_EXISTANT_USER_ID, { email: 'new@email.com' });
    expect(error).not.toBeNull();
    expect(data.user).toBeNull();
  });

  it(`mfa factor management: add, list and delete (${UPSTREAM}:530; deliberately refused: MFA)`, async (context) => {
    if (!t.embedded) context.skip();
    const created = await createNewUserWithEmail(credentials().email);
    refused((await admin().mfa.listFactors({ userId: created.data.user!.id })).error);
  });

  it(`mfa.listFactors returns AuthError for invalid user (${UPSTREAM}:577; deliberately refused: MFA)`, async (context) => {
    if (!t.embedded) context.skip();
    refused((await admin().mfa.listFactors({ userId: NON_EXISTANT_USER_ID })).error);
  });

  it(`mfa.deleteFactors returns AuthError for invalid user (${UPSTREAM}:585; deliberately refused: MFA)`, async (context) => {
    if (!t.embedded) context.skip();
    refused((await admin().mfa.deleteFactor({ userId: NON_EXISTANT_USER_ID, id: NON_EXISTANT_USER_ID })).error);
  });

  it(`OAuth server administration (${UPSTREAM}:595-825, 8 cases; deliberately refused: the OAuth 2.1 server)`, async (context) => {
    if (!t.embedded) context.skip();
    refused((await admin().oauth.listClients()).error);
    refused((await admin().oauth.createClient({ client_name: 'Test', redirect_uris: ['https://example.com/cb'] })).error);
  });
});

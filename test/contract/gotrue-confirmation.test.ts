/**
 * The director proves the email is theirs: a user made unconfirmed by the admin API gets GoTrue's
 * signup confirmation through POST /auth/v1/resend, reads it in the mail catcher (Mailpit's HTTP
 * API, which `supabase start` serves on 54324), and follows the link. Facts from supabase/auth
 * (internal/api/resend.go, verify.go, mail.go, errors.go, internal/models/one_time_token.go,
 * internal/utilities/request.go, internal/tokens/service.go AsRedirectURL; the default template of
 * v2.196.0, which this project's CLI 2.117.0 runs) and supabase/cli (GOTRUE_SITE_URL, GOTRUE_URI_ALLOW_LIST,
 * GOTRUE_SMTP_MAX_FREQUENCY, GOTRUE_MAILER_OTP_EXP from config.toml). Mail is read only through
 * the Mailpit API, so the suite runs against `supabase start` too (SUPABASE_INBOX_URL).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../src/local-supabase/server.js';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { LANES, startLaneSupabase } from '../support/lanes.js';
import { contractTargets, useTarget } from '../support/target.js';

const PASSWORD = 'correct horse battery staple';
/** supabase/config.toml: [auth] site_url and additional_redirect_urls. */
const SITE_URL = 'http://127.0.0.1:3000';
const WELCOME = `${SITE_URL}/welcome`;
const EXPIRED_FRAGMENT = 'error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=';
const address = (tag: string) => `${tag}-${randomUUID()}@example.com`;

interface MailSummary {
  ID: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Subject: string;
  Created: string;
  Snippet: string;
}

/** The mails to `email`, newest first, through Mailpit's GET /api/v1/messages. */
async function mailsTo(inboxUrl: string, email: string): Promise<MailSummary[]> {
  const response = await fetch(`${inboxUrl}/api/v1/messages`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { total: number; messages: MailSummary[] };
  expect(body.total).toBeGreaterThanOrEqual(body.messages.length);
  return body.messages.filter((mail) => mail.To.some((to) => to.Address === email));
}

/** The confirmation link of Mailpit message `id` (GET /api/v1/message/{ID}), from its HTML. */
async function confirmationLink(inboxUrl: string, id: string): Promise<string> {
  const response = await fetch(`${inboxUrl}/api/v1/message/${id}`);
  expect(response.status).toBe(200);
  const message = (await response.json()) as { HTML: string; Text: string; Subject: string };
  expect(message.Subject).toBe('Confirm your email address');
  const href = /<a href="([^"]+)">Confirm email address<\/a>/.exec(message.HTML)?.[1];
  expect(href).toBeDefined();
  return href!.replace(/&amp;/g, '&');
}

async function unconfirmedUser(service: ReturnType<typeof createSupabaseClient>, tag: string) {
  const email = address(tag);
  const { data, error } = await service.auth.admin.createUser({ email, password: PASSWORD, email_confirm: false });
  expect(error).toBeNull();
  expect(data.user!.email_confirmed_at).toBeUndefined();
  return { email, id: data.user!.id };
}

/** A link followed as a browser would, without following the redirect. */
const follow = (link: string) => fetch(link, { redirect: 'manual' });

describe.each(contractTargets())('GoTrue signup confirmation: $name', (factory) => {
  const t = useTarget(factory);
  const anon = () => createSupabaseClient({ url: t.url, apiKey: t.anonKey });

  beforeEach((context) => {
    if (!t.inboxUrl) context.skip();
  });

  it('resend mails the link; following it confirms the user and answers 303 with a session in the fragment', async () => {
    const { email, id } = await unconfirmedUser(t.service, 'loop');
    const refused = await anon().auth.signInWithPassword({ email, password: PASSWORD });
    expect(refused.error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });

    const sent = await anon().auth.resend({ type: 'signup', email, options: { emailRedirectTo: WELCOME } });
    expect(sent).toEqual({ data: { user: null, session: null }, error: null });

    const mails = await mailsTo(t.inboxUrl!, email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ From: { Address: 'admin@email.com' }, To: [{ Name: '', Address: email }], Subject: 'Confirm your email address' });
    const link = await confirmationLink(t.inboxUrl!, mails[0]!.ID);
    const linkUrl = new URL(link);
    expect(`${linkUrl.origin}${linkUrl.pathname}`).toBe(`${t.url}/auth/v1/verify`);
    const token = linkUrl.searchParams.get('token')!;
    expect(token).toMatch(/^[0-9a-f]{56}$/); // hex SHA-224 of email + OTP
    expect(link).toBe(`${t.url}/auth/v1/verify?token=${token}&type=signup&redirect_to=${WELCOME}`);

    if (t.sql) {
      const [user] = await t.sql.query<{ confirmation_token: string; sent: boolean }>(
        'select confirmation_token, confirmation_sent_at is not null as sent from auth.users where id = $1',
        [id],
      );
      expect(user).toEqual({ confirmation_token: token, sent: true });
      expect(await t.sql.query('select token_type::text, token_hash, relates_to from auth.one_time_tokens where user_id = $1', [id])).toEqual([
        { token_type: 'confirmation_token', token_hash: token, relates_to: email },
      ]);
    }

    const followed = await follow(link);
    expect(followed.status).toBe(303);
    const location = followed.headers.get('location')!;
    expect(location.startsWith(`${WELCOME}#`)).toBe(true);
    const fragment = new URLSearchParams(location.slice(location.indexOf('#') + 1));
    expect([...fragment.keys()]).toEqual(['access_token', 'expires_at', 'expires_in', 'refresh_token', 'sb', 'token_type', 'type']);
    expect(fragment.get('token_type')).toBe('bearer');
    expect(fragment.get('type')).toBe('signup');
    expect(fragment.get('expires_in')).toBe('3600');
    const { data: me, error: meError } = await anon().auth.getUser(fragment.get('access_token')!);
    expect(meError).toBeNull();
    expect(me.user).toMatchObject({ id, email });
    expect(me.user!.email_confirmed_at).toEqual(expect.any(String));

    if (t.sql) {
      const [user] = await t.sql.query<{ confirmed: boolean; confirmation_token: string; verified: boolean; identity_verified: boolean }>(
        `select u.email_confirmed_at is not null as confirmed, u.confirmation_token,
                (u.raw_user_meta_data ->> 'email_verified')::boolean as verified,
                (i.identity_data ->> 'email_verified')::boolean as identity_verified
           from auth.users u join auth.identities i on i.user_id = u.id where u.id = $1`,
        [id],
      );
      expect(user).toEqual({ confirmed: true, confirmation_token: '', verified: true, identity_verified: true });
      expect(await t.sql.query('select id from auth.one_time_tokens where user_id = $1', [id])).toEqual([]);
    }

    const signedIn = await anon().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user!.id).toBe(id);

    // The link works once: its token is gone with the confirmation.
    const again = await follow(link);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${WELCOME}#${EXPIRED_FRAGMENT}`);
  });

  it('verifyOtp with the token hash answers a session and confirms the user', async () => {
    const { email, id } = await unconfirmedUser(t.service, 'otp');
    expect((await anon().auth.resend({ type: 'signup', email })).error).toBeNull();
    const [mail] = await mailsTo(t.inboxUrl!, email);
    const link = await confirmationLink(t.inboxUrl!, mail!.ID);
    // No redirect_to: the referrer is the site URL.
    expect(new URL(link).searchParams.get('redirect_to')).toBe(SITE_URL);
    const tokenHash = new URL(link).searchParams.get('token')!;

    const { data, error } = await anon().auth.verifyOtp({ type: 'email', token_hash: tokenHash });
    expect(error).toBeNull();
    expect(data.session).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: expect.any(String) });
    expect(data.user).toMatchObject({ id, email, email_confirmed_at: expect.any(String) });
    expect((await anon().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

    const reused = await anon().auth.verifyOtp({ type: 'email', token_hash: tokenHash });
    expect(reused.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Email link is invalid or has expired' });
  });

  it('verifyOtp with the email and a code answers a session; a wrong code is 403 otp_expired', async (context) => {
    // The default template mails no code, so the test stores one as sendConfirmation would: its hash.
    if (!t.sql) context.skip();
    const { email, id } = await unconfirmedUser(t.service, 'code');
    const code = '123456';
    const hash = createHash('sha224').update(email + code).digest('hex');
    await t.sql!.query('update auth.users set confirmation_token = $2, confirmation_sent_at = now() where id = $1', [id, hash]);
    await t.sql!.query(
      `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to) values ($1, $2, 'confirmation_token', $3, $4)`,
      [randomUUID(), id, hash, email],
    );

    const wrong = await anon().auth.verifyOtp({ type: 'email', email, token: '654321' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });
    const { data, error } = await anon().auth.verifyOtp({ type: 'email', email, token: code });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id, email, email_confirmed_at: expect.any(String) });
  });

  it('an unknown token, or an expired one, redirects with GoTrue\'s error in the fragment', async () => {
    const unknown = await follow(`${t.url}/auth/v1/verify?token=${'0'.repeat(56)}&type=signup&redirect_to=${WELCOME}`);
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe(`${WELCOME}#${EXPIRED_FRAGMENT}`);

    if (!t.sql) return;
    const { email, id } = await unconfirmedUser(t.service, 'expired');
    expect((await anon().auth.resend({ type: 'signup', email, options: { emailRedirectTo: WELCOME } })).error).toBeNull();
    const [mail] = await mailsTo(t.inboxUrl!, email);
    const link = await confirmationLink(t.inboxUrl!, mail!.ID);
    // config.toml [auth.email] otp_expiry = 3600: a mail sent two hours ago has expired.
    await t.sql.query("update auth.users set confirmation_sent_at = now() - interval '2 hours' where id = $1", [id]);
    const expired = await follow(link);
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe(`${WELCOME}#${EXPIRED_FRAGMENT}`);
    expect(await t.sql.query('select id from auth.users where id = $1 and email_confirmed_at is null', [id])).toEqual([{ id }]);
  });

  it('a redirect_to off the allow-list falls back to the site URL', async () => {
    const { email } = await unconfirmedUser(t.service, 'offlist');
    expect((await anon().auth.resend({ type: 'signup', email, options: { emailRedirectTo: 'https://evil.example.com/steal' } })).error).toBeNull();
    const [mail] = await mailsTo(t.inboxUrl!, email);
    const link = await confirmationLink(t.inboxUrl!, mail!.ID);
    expect(new URL(link).searchParams.get('redirect_to')).toBe(SITE_URL);

    // The link's redirect_to is checked again when it is followed.
    const tampered = new URL(link);
    tampered.searchParams.set('redirect_to', 'https://evil.example.com/steal');
    const followed = await follow(tampered.toString());
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')!.startsWith(`${SITE_URL}#access_token=`)).toBe(true);
  });

  it('an unknown or already confirmed address gets {} and no mail', async () => {
    const unknown = address('nobody');
    const confirmed = address('confirmed');
    expect((await t.service.auth.admin.createUser({ email: confirmed, password: PASSWORD, email_confirm: true })).error).toBeNull();
    for (const email of [unknown, confirmed]) {
      const response = await fetch(`${t.url}/auth/v1/resend`, {
        method: 'POST',
        headers: { apikey: t.anonKey, authorization: `Bearer ${t.anonKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'signup', email }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
      expect(await mailsTo(t.inboxUrl!, email)).toEqual([]);
    }
  });

  it('a type other than signup is refused by name (embedded)', async (context) => {
    if (!t.embedded) context.skip();
    const { email } = await unconfirmedUser(t.service, 'type');
    const { error } = await anon().auth.resend({ type: 'email_change', email });
    expect(error).toMatchObject({ status: 422, code: 'not_implemented' });
    const unknownType = await anon().auth.resend({ type: 'postcard' as 'signup', email });
    expect(unknownType.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Missing one of these types: signup, email_change, sms, phone_change' });
  });
});

describe.skipIf(Boolean(process.env.SUPABASE_URL)).each(LANES)('embedded GoTrue confirmation settings from config.toml on %s', (lane) => {
  let dir: string;
  let local: LocalSupabase;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ims-config-'));
    const configToml = join(dir, 'config.toml');
    await writeFile(
      configToml,
      [
        '[auth]',
        'enable_signup = true',
        'site_url = "http://localhost:4000/home"',
        'additional_redirect_urls = ["https://app.example.com/**", "https://*.example.org/done"]',
        '',
        '[auth.email]',
        'enable_confirmations = true',
        'max_frequency = "60s"',
        '',
      ].join('\n'),
    );
    local = await startLaneSupabase(lane, { configToml });
  });
  afterAll(async () => {
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a second resend within max_frequency is 429 over_email_send_rate_limit, and sends nothing', async () => {
    const service = createSupabaseClient({ url: local.url, apiKey: local.serviceRoleKey });
    const anon = createSupabaseClient({ url: local.url, apiKey: local.anonKey });
    const { email, id } = await unconfirmedUser(service, 'often');
    expect((await anon.auth.resend({ type: 'signup', email })).error).toBeNull();
    const [token] = await local.db.query<{ confirmation_token: string }>('select confirmation_token from auth.users where id = $1', [id]);

    const { error } = await anon.auth.resend({ type: 'signup', email });
    expect(error).toMatchObject({ name: 'AuthApiError', status: 429, code: 'over_email_send_rate_limit' });
    expect(error!.message).toMatch(/^For security purposes, you can only request this after 5\d seconds\.$/);
    expect(await mailsTo(local.inboxUrl!, email)).toHaveLength(1);
    expect(await local.db.query('select confirmation_token from auth.users where id = $1', [id])).toEqual([token]);
  });

  it('redirect_to is checked against site_url and the allow-list\'s glob patterns', async () => {
    const service = createSupabaseClient({ url: local.url, apiKey: local.serviceRoleKey });
    const anon = createSupabaseClient({ url: local.url, apiKey: local.anonKey });
    const cases: [string, string][] = [
      ['https://app.example.com/a/b?x=1', 'https://app.example.com/a/b?x=1'], // `**` crosses '/'
      ['https://eu.example.org/done', 'https://eu.example.org/done'], // `*` within one label
      ['https://a.b.example.org/done', 'http://localhost:4000/home'], // `*` does not cross '.'
      ['http://localhost:9999/elsewhere', 'http://localhost:9999/elsewhere'], // the site's host, any port on localhost
      ['https://evil.example.com/', 'http://localhost:4000/home'],
    ];
    for (const [asked, expected] of cases) {
      const { email } = await unconfirmedUser(service, 'glob');
      expect((await anon.auth.resend({ type: 'signup', email, options: { emailRedirectTo: asked } })).error).toBeNull();
      const [mail] = await mailsTo(local.inboxUrl!, email);
      const link = await confirmationLink(local.inboxUrl!, mail!.ID);
      expect(new URL(link).searchParams.get('redirect_to')).toBe(expected);
    }
  });

  it('sign-up with enable_confirmations (GoTrue would mail a link instead of a session) is refused by name', async () => {
    const anon = createSupabaseClient({ url: local.url, apiKey: local.anonKey });
    const { data, error } = await anon.auth.signUp({ email: address('signup'), password: PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'not_implemented' });
    expect(data).toEqual({ user: null, session: null });
  });

  it('the inbox deletes mail as Mailpit does, and lists it on a page with its links', async () => {
    const service = createSupabaseClient({ url: local.url, apiKey: local.serviceRoleKey });
    const anon = createSupabaseClient({ url: local.url, apiKey: local.anonKey });
    const { email } = await unconfirmedUser(service, 'inbox');
    expect((await anon.auth.resend({ type: 'signup', email })).error).toBeNull();
    const [mail] = await mailsTo(local.inboxUrl!, email);

    const page = await fetch(`${local.inboxUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(email);
    expect(html).toContain(`${local.url}/auth/v1/verify?token=`);

    const one = await fetch(`${local.inboxUrl}/api/v1/messages`, { method: 'DELETE', body: JSON.stringify({ IDs: [mail!.ID] }) });
    expect(one.status).toBe(200);
    expect(await one.text()).toBe('ok');
    expect(await mailsTo(local.inboxUrl!, email)).toEqual([]);
    expect((await fetch(`${local.inboxUrl}/api/v1/message/${mail!.ID}`)).status).toBe(404);

    const all = await fetch(`${local.inboxUrl}/api/v1/messages`, { method: 'DELETE' });
    expect(all.status).toBe(200);
    expect(((await (await fetch(`${local.inboxUrl}/api/v1/messages`)).json()) as { total: number }).total).toBe(0);
  });
});

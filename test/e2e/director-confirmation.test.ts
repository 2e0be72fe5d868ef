/**
 * DIRECTOR_EMAIL_CONFIRMATION=required: the director is created unconfirmed, GoTrue refuses their
 * sign-in until the address is confirmed, and the institution is `unconfirmed` until then — and
 * `trial` as soon as email_confirmed_at is set, however it is set (here: GoTrue's admin API).
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

describe.each(LANES)('a director who must confirm the email address, on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(lane, { DIRECTOR_EMAIL_CONFIRMATION: 'required' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('cannot sign in, and the institution is not usable, until the address is confirmed', async () => {
    const body = registrationBody();
    const registered = await h.register(body).expect(201);
    expect(registered.body.institution.status).toBe('unconfirmed');

    const browser = createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey });
    const before = await browser.auth.signInWithPassword({ email: body.directorEmail, password: body.directorPassword });
    expect(before.error?.code).toBe('email_not_confirmed');
    const [stored] = await h.local.db.query<{ status: string }>('select status from public.institutions where id = $1', [registered.body.institution.id]);
    expect(stored!.status).toBe('unconfirmed');

    const admin = createSupabaseClient({ url: h.local.url, apiKey: h.local.serviceRoleKey });
    expect((await admin.auth.admin.updateUserById(registered.body.director.id, { email_confirm: true })).error).toBeNull();

    const after = await browser.auth.signInWithPassword({ email: body.directorEmail, password: body.directorPassword });
    expect(after.error).toBeNull();
    const read = await supertest(h.app).get(registered.headers.location as string).set('Authorization', `Bearer ${after.data.session!.access_token}`);
    expect([read.status, read.body.institution?.status]).toEqual([200, 'trial']);
  });
});

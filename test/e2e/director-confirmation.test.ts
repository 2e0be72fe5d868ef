/**
 * DIRECTOR_EMAIL_CONFIRMATION=required: the director is created unconfirmed, GoTrue refuses their
 * sign-in until the address is confirmed, and the institution is `unconfirmed` until then — and
 * `trial` as soon as email_confirmed_at is set, however it is set. The confirmation mail is owed
 * in an outbox written with the registration's last step, sent by GoTrue's /resend right after
 * the 201 or later by the sweep; mail is read only through the Mailpit API, as with `supabase start`.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOwedConfirmations } from '../../src/registration/send-confirmations.js';
import { sweep } from '../../src/registration/sweep.js';
import { createSupabaseClient } from '../../src/supabase/client.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';
import { LANES } from '../support/lanes.js';

interface MailSummary {
  ID: string;
  To: { Address: string }[];
  Subject: string;
}

describe.each(LANES)('a director who must confirm the email address, on %s', (lane) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(lane, { DIRECTOR_EMAIL_CONFIRMATION: 'required' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function mailsTo(address: string): Promise<MailSummary[]> {
    const listed = (await (await fetch(`${h.local.inboxUrl}/api/v1/messages`)).json()) as { messages: MailSummary[] };
    return listed.messages.filter((m) => m.To.some((to) => to.Address === address));
  }

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let tries = 0; ; tries++) {
      const value = await read();
      if (done(value) || tries > 50) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const outbox = (institutionId: string) =>
    h.local.db.query<{ attempts: number; sent: boolean }>(
      'select attempts, sent_at is not null as sent from public.registration_outbox where institution_id = $1',
      [institutionId],
    );
  /** True once the mail was tried and no sender holds it any more (it was sent, or put back after a refusal). */
  const settledOutbox = async (institutionId: string) =>
    (await h.local.db.query('select 1 from public.registration_outbox where institution_id = $1 and attempts > 0 and claimed_until is null', [institutionId]))
      .length === 1;

  it('gets one confirmation mail after the 201; its link confirms, and the institution becomes trial', async () => {
    const body = registrationBody();
    const registered = await h.register(body).expect(201);
    expect(registered.body.institution.status).toBe('unconfirmed');

    const browser = createSupabaseClient({ url: h.local.url, apiKey: h.local.anonKey });
    const before = await browser.auth.signInWithPassword({ email: body.directorEmail, password: body.directorPassword });
    expect(before.error?.code).toBe('email_not_confirmed');

    const mails = await eventually(() => mailsTo(body.directorEmail), (found) => found.length > 0);
    expect(mails).toHaveLength(1);
    await eventually(() => settledOutbox(registered.body.institution.id), (settled) => settled);
    expect(await outbox(registered.body.institution.id)).toEqual([{ attempts: 1, sent: true }]);
    const message = (await (await fetch(`${h.local.inboxUrl}/api/v1/message/${mails[0]!.ID}`)).json()) as { Text: string };
    const link = /https?:\/\/\S+\/auth\/v1\/verify\?\S+/.exec(message.Text)?.[0];
    expect(link, message.Text).toBeDefined();
    const followed = await fetch(link!, { redirect: 'manual' });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toMatch(/#access_token=/);

    const [stored] = await h.local.db.query<{ status: string }>('select status from public.institutions where id = $1', [registered.body.institution.id]);
    expect(stored!.status).toBe('trial');
    const after = await browser.auth.signInWithPassword({ email: body.directorEmail, password: body.directorPassword });
    expect(after.error).toBeNull();
    const read = await supertest(h.app).get(registered.headers.location as string).set('Authorization', `Bearer ${after.data.session!.access_token}`);
    expect([read.status, read.body.institution?.status]).toEqual([200, 'trial']);
  });

  it('a mail GoTrue did not take is sent later by the sweep; one whose sender died is sent once its lease ends', async () => {
    const refused = registrationBody();
    h.faults.inject('resend', 'request_lost', 1);
    const first = await h.register(refused).expect(201);
    const institutionId = first.body.institution.id as string;
    await eventually(() => settledOutbox(institutionId), (settled) => settled);
    expect(await outbox(institutionId)).toEqual([{ attempts: 1, sent: false }]);
    expect(await mailsTo(refused.directorEmail)).toEqual([]);
    // Due again after its backoff; the sweep sends it then.
    await h.local.db.query("update public.registration_outbox set next_attempt_at = now() where institution_id = $1", [institutionId]);
    const swept = await sweep(h.deps, { idleSeconds: 3600, limit: 10 });
    expect(swept.confirmations.sent).toBeGreaterThanOrEqual(1);
    expect(await mailsTo(refused.directorEmail)).toHaveLength(1);
    expect(await outbox(institutionId)).toEqual([{ attempts: 2, sent: true }]);

    // A sender that claimed the mail and died (kill -9 between the commit and the send): nobody sends it until its lease ends.
    const orphaned = registrationBody();
    const paused = h.faults.pause('resend');
    const second = await h.register(orphaned).expect(201);
    await paused.reached;
    const orphanId = second.body.institution.id as string;
    expect((await sendOwedConfirmations(h.deps.gateway, { limit: 10, institutionId: orphanId })).sent).toBe(0);
    await h.local.db.query('update public.registration_outbox set claimed_until = now() where institution_id = $1', [orphanId]);
    expect((await sendOwedConfirmations(h.deps.gateway, { limit: 10, institutionId: orphanId })).sent).toBe(1);
    paused.release();
    // The first sender, back from the dead, sends it too: a duplicate only inside that crash window.
    await eventually(() => mailsTo(orphaned.directorEmail), (found) => found.length >= 1);
    expect((await outbox(orphanId))[0]!.sent).toBe(true);
  });
});

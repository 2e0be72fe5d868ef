/**
 * A path whose percent-escapes do not decode is the client's malformed request: 400 problem+json,
 * never a 500 or a stack. The institution route runs with a fake directory and token verifier, for
 * the answer must come before either is asked.
 */
import { pino } from 'pino';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { institutionRouter } from '../../src/http/institution-route.js';

const untouched = () => {
  throw new Error('reached past the path check');
};

describe('a malformed percent-escape in the path (fake directory and verifier)', () => {
  const app = createApp({
    logger: pino({ level: 'silent' }),
    backend: 'test',
    isReady: async () => true,
    routers: [institutionRouter({ forMember: untouched }, untouched)],
  });

  it.each(['/api/v1/institutions/%E0%A4%A', '/api/v1/institutions/%', '/%', '/api/v1/institutions/%E0%A4'])('GET %s is 400 malformed_path', async (path) => {
    const answer = await supertest(app).get(path).set('Authorization', 'Bearer a.b.c');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: '/problems/malformed_path', status: 400, code: 'malformed_path' });
    expect(answer.text).not.toMatch(/URIError|decode param|\bat /);
  });
});

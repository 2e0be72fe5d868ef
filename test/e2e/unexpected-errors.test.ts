/**
 * A defect — an error no adapter maps — answers a bare 500 problem (no message, stack or detail of
 * the error) and is logged once, at level error, with the error. The router that throws stands in
 * for a defect, which the real routes do not have on purpose.
 */
import express from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';

describe('an unexpected error (a fake route with a defect)', () => {
  it('is a bare 500 problem, and one error log record carrying the error', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const defect = express.Router().get('/defect', () => {
      throw new TypeError('cannot read the secret-detail of undefined');
    });
    const app = createApp({ logger, backend: 'test', isReady: async () => true, routers: [defect] });

    const answer = await supertest(app).get('/defect');
    expect(answer.status).toBe(500);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 500, code: 'internal_error' });
    expect(answer.text).not.toMatch(/secret-detail|TypeError|\bat /);

    const records = lines.map((line) => JSON.parse(line) as { level: number; res?: { statusCode: number }; err?: { type: string; message: string; stack: string } });
    const logged = records.filter((record) => record.res?.statusCode === 500);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, err: { type: 'TypeError', message: 'cannot read the secret-detail of undefined', stack: expect.stringContaining('TypeError') } });
  });
});

/** Property: whatever JSON arrives, the endpoint never answers 500 and writes nothing unless the body is valid. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterInstitutionRequest } from '../../src/registration/schema.js';
import { startHarness, type Harness } from '../support/harness.js';

describe('arbitrary JSON bodies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  let counter = 0;
  const validBody = () => ({
    name: 'Springfield Elementary',
    subdomain: `prop-${process.pid}-${counter++}`,
    directorEmail: `prop-${counter}@example.com`,
    directorPassword: 'correct horse battery staple',
    directorFullName: 'Seymour Skinner',
  });

  /** Rows a registration writes, in all; a refused request leaves it unchanged. */
  const rowCount = async () => {
    const [counts] = await h.local.db.query<{ rows: number }>(
      'select (select count(*) from public.institutions) + (select count(*) from public.idempotency_keys) + (select count(*) from auth.users) as rows',
    );
    return Number(counts!.rows);
  };

  const nearlyValid = fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      subdomain: fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{0,70}$/)),
      directorEmail: fc.oneof(fc.string(), fc.emailAddress()),
      directorPassword: fc.oneof(fc.string(), fc.string({ minLength: 60, maxLength: 90 })),
      directorFullName: fc.oneof(fc.string(), fc.boolean()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  /** Characters no stored name may hold: NUL and other C0/C1 controls, ESC sequences, bidi controls, lone surrogates. */
  const hostileChar = fc.oneof(
    fc.integer({ min: 0x00, max: 0x1f }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0x7f, max: 0x9f }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('\u001b[31m', '\u001b]0;title\u0007', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  );
  const invisibleOnly = fc.array(fc.constantFrom('\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', ' ', '\u00A0'), { minLength: 1, maxLength: 8 }).map((chars) => chars.join(''));
  const hostileName = fc.oneof(
    fc.tuple(fc.string({ minLength: 3, maxLength: 20 }), hostileChar, fc.string({ maxLength: 20 })).map(([before, bad, after]) => `Ab${before}${bad}${after}`),
    invisibleOnly,
  );

  it('refuses a name or full name Postgres cannot store or a reader would misread: 400 naming the field, no row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('name', 'directorFullName'), hostileName, async (field, value) => {
        const body = { ...validBody(), [field]: value };
        const before = await rowCount();
        const response = await h.register(body);
        expect([response.status, response.body.code]).toEqual([400, 'validation_failed']);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(await rowCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 500 and never writes a row for an invalid body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), nearlyValid), async (body) => {
        const before = await rowCount();
        const response = await h.register(body as object);
        expect(response.status).toBeLessThan(500);
        if (!RegisterInstitutionRequest.safeParse(body).success) {
          // strict JSON parsing takes only objects and arrays; the rest is malformed_json.
          expect(response.status).toBe(400);
          expect(['validation_failed', 'malformed_json']).toContain(response.body.code);
          expect(await rowCount()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});

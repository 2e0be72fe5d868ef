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

  it('never answers 500 and never writes a row for an invalid body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), nearlyValid), async (body) => {
        const response = await h.register({}).send(JSON.stringify(body));
        expect(response.status).toBeLessThan(500);
        if (!RegisterInstitutionRequest.safeParse(body).success) {
          expect(response.status).toBe(400);
          const [counts] = await h.local.db.query<{ rows: number }>(
            'select (select count(*) from public.institutions) + (select count(*) from public.idempotency_keys) + (select count(*) from auth.users) as rows',
          );
          expect(Number(counts!.rows)).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});

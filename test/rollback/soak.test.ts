/**
 * A short crash soak (the long one is `npm run soak`): the built service on a PGlite directory,
 * SIGKILLed a few times while clients register, then every key retried to an answer and the
 * invariants checked in SQL: every key one registration, nothing orphaned or pending, no
 * password in any row or log line.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak.js';

describe('crash soak (short)', () => {
  it('survives SIGKILLs with every invariant holding', async () => {
    const report = await runSoak({ kills: 3, clients: 3, registrations: 8 });
    expect(report.violations).toEqual([]);
    expect([report.kills, report.registered]).toEqual([3, 8]);
  }, 180_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('crash soak (short), two instances on one PostgreSQL database', () => {
  it('survives SIGKILLs of either instance, each key alternating between them', async () => {
    const report = await runSoak({ kills: 3, clients: 3, registrations: 8, instances: 2, postgres: process.env.TEST_DATABASE_URL! });
    expect(report.violations).toEqual([]);
    expect([report.kills, report.registered]).toEqual([3, 8]);
  }, 180_000);
});

/**
 * `npm run bench`: what a registration costs, as ratios against baselines measured in the same run
 * on the same machine (absolute times vary between machines), plus the Supabase calls each kind
 * of request makes and the memory a burst of registrations leaves behind.
 * Lanes: embedded Supabase on PGlite; on PostgreSQL too when TEST_DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { writeFile } from 'node:fs/promises';
import supertest from 'supertest';
import { registrationBody, startHarness, type Harness } from '../test/support/harness.js';
import { LANES, type Lane } from '../test/support/lanes.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

async function timeEach(rounds: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Heap in use after a full collection (run with --expose-gc, as `npm run bench` does). */
function retainedHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;
const p95 = (sorted: number[]) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;

async function benchLane(lane: Lane): Promise<string[]> {
  const h: Harness = await startHarness(lane);
  try {
    const supabase = h.deps.gateway;
    // Baselines: one bare PostgREST rpc round trip through supabase-js, and one GoTrue user creation (bcrypt cost 10).
    const rpcBaseline = await timeEach(ROUNDS, () => supabase.listAbandoned(3600, 1));
    const authBaseline = await timeEach(Math.min(ROUNDS, 15), (i) =>
      supabase.createDirectorUser({
        id: randomUUID(), email: `bench-${randomUUID()}-${i}@example.com`, emailConfirmed: true, password: 'bench password',
        fullName: 'Bench', registrationId: `bench-${i}`, institutionId: randomUUID(), // not a registration's id: the director-user guard lets it in
      }),
    );

    const bodies = Array.from({ length: ROUNDS }, () => ({ body: registrationBody(), key: randomUUID() }));
    h.faults.calls.length = 0;
    const heapBefore = retainedHeap();
    const fresh = await timeEach(ROUNDS, (i) => h.register(bodies[i]!.body, bodies[i]!.key).expect(201));
    const freshCalls = h.faults.count() / ROUNDS;
    const heapAfter = retainedHeap();
    h.faults.calls.length = 0;
    const replay = await timeEach(ROUNDS, (i) => h.register(bodies[i]!.body, bodies[i]!.key).expect(201));
    const replayCalls = h.faults.count() / ROUNDS;
    h.faults.calls.length = 0;
    const conflict = await timeEach(ROUNDS, (i) => h.register(registrationBody({ subdomain: bodies[i]!.body.subdomain })).expect(409));
    const conflictCalls = h.faults.count() / ROUNDS;
    const invalid = await timeEach(ROUNDS, () => supertest(h.app).post('/api/v1/institutions/register').send({}).expect(400));

    const r = (x: number[], base: number[]) => (median(x) / median(base)).toFixed(2);
    return [
      `### ${lane} (${ROUNDS} rounds; ratios of medians)`,
      '',
      '| request | Supabase calls | × rpc round trip | × GoTrue user create | p95 / median |',
      '|---|---|---|---|---|',
      `| fresh registration (201) | ${freshCalls} | ${r(fresh, rpcBaseline)} | ${r(fresh, authBaseline)} | ${(p95(fresh) / median(fresh)).toFixed(2)} |`,
      `| replay (201, Idempotent-Replayed) | ${replayCalls} | ${r(replay, rpcBaseline)} | ${r(replay, authBaseline)} | ${(p95(replay) / median(replay)).toFixed(2)} |`,
      `| subdomain taken (409) | ${conflictCalls} | ${r(conflict, rpcBaseline)} | ${r(conflict, authBaseline)} | ${(p95(conflict) / median(conflict)).toFixed(2)} |`,
      `| invalid body (400) | 0 | ${r(invalid, rpcBaseline)} | ${r(invalid, authBaseline)} | ${(p95(invalid) / median(invalid)).toFixed(2)} |`,
      '',
      `GoTrue user create ÷ rpc round trip: ${r(authBaseline, rpcBaseline)} (bcrypt cost 10 dominates a registration).`,
      `Heap retained after ${ROUNDS} fresh registrations (after GC): ${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB${lane === 'pglite' ? ' (includes the rows PGlite keeps in this process)' : ''}.`,
      '',
    ];
  } finally {
    await h.close();
  }
}

const lines = ['# Benchmark results', '', `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`, ''];
for (const lane of LANES) lines.push(...(await benchLane(lane)));
const report = lines.join('\n');
process.stdout.write(`${report}\n`);
// The committed RESULTS.md changes only when asked: `npm run bench -- --write`.
if (process.argv.includes('--write')) await writeFile(new URL('./RESULTS.md', import.meta.url), `${report}\n`);

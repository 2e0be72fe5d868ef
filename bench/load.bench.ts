/**
 * `npm run bench`: load with autocannon against the built service and, for comparison, a naive
 * handler in the style a typical tutorial uses (try/catch rollback, no idempotency, no recovery
 * points), both on the same embedded Supabase (its own process, PGlite in memory) behind a
 * counting proxy; and against the service as `npm start` runs it (the embedded Supabase in its
 * own worker thread). Per scenario: requests/s, p50/p95/p99, Supabase calls per request, CPU ms
 * per request of the API and of the embedded Supabase, peak RSS, and the API main thread's
 * event-loop delay; ratios ims-api ÷ naive and fresh registrations ÷ the machine's bcrypt limit
 * (the same native bcrypt, measured in this run). `-- --write` rewrites bench/RESULTS.md.
 * `-- --postgres <url>` also runs fresh registrations with the stand-in on that PostgreSQL server;
 * `-- --postgres <url> --scale` adds fresh registrations and replays with 10^3, 10^4 and 10^5
 * registrations already stored, and a purge of the expired ones.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { cpus } from 'node:os';
import { hash } from '@node-rs/bcrypt';
import autocannon from 'autocannon';
import pg from 'pg';
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY } from '../src/local-supabase/keys.js';
import { freshDatabase } from './fresh-database.js';
import { startNode, type Started } from './start-node.js';

const ROOT = new URL('../', import.meta.url);
const CONNECTIONS = 16;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
/** Unmeasured load before each scenario, so that the JIT (and PGlite's WebAssembly tiers) have warmed up as in a long-running service. */
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

type Proc = Started;

/** A proxy in front of the embedded Supabase that counts the requests made to it. */
async function countingProxy(target: string): Promise<{ url: string; count(): number; server: Server }> {
  let requests = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    requests++;
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, count: () => requests, server };
}

/** CPU milliseconds a process has used, and its peak RSS (Linux /proc). */
async function usage(pid: number): Promise<{ cpuMs: number; peakRssKiB: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { cpuMs: (ticks * 1000) / 100, peakRssKiB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) };
}

let counter = 0;
const body = () => {
  const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { name: 'Bench School', subdomain: `bench-${tag}`, directorEmail: `bench-${tag}@example.com`, directorPassword: 'correct horse battery staple', directorFullName: 'Bench Director' };
};

interface Row {
  scenario: string;
  eventLoopP99: number;
  supabaseCpuMsPerRequest: number | null;
  supabasePeakRssMiB: number | null;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  callsPerRequest: number;
  cpuMsPerRequest: number;
  peakRssMiB: number;
  non2xx: number;
}

/** An autocannon run, with every response's latency (autocannon's own summary has no p95). */
function measured(options: autocannon.Options): Promise<{ result: autocannon.Result; latencies: number[] }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve({ result, latencies: latencies.sort((a, b) => a - b) })));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** Nearest-rank percentile of sorted milliseconds, rounded to a whole millisecond. */
const percentile = (sorted: number[], p: number) => Math.round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);

/** What a scenario loads: the API process, and the embedded Supabase's process and counting proxy when it runs apart. */
interface Target {
  api: Proc;
  supabase?: Proc;
  proxy?: { count(): number };
}

async function load(
  scenario: string,
  { api, supabase, proxy }: Target,
  path: string,
  next: () => { headers: Record<string, string>; body: string },
  expected: number,
): Promise<Row> {
  const options: autocannon.Options = {
    url: `${api.url}${path}`,
    connections: CONNECTIONS,
    method: 'POST',
    requests: [{ setupRequest: (req) => ({ ...req, ...next(), method: 'POST' }) }],
  };
  if (WARMUP_S > 0) await autocannon({ ...options, duration: WARMUP_S });
  const before = await usage(api.child.pid!);
  const supabaseBefore = supabase ? await usage(supabase.child.pid!) : undefined;
  const callsBefore = proxy?.count() ?? 0;
  await api.eventLoopDelay();
  const { result, latencies } = await measured({ ...options, duration: DURATION_S });
  const after = await usage(api.child.pid!);
  const supabaseAfter = supabase ? await usage(supabase.child.pid!) : undefined;
  const eventLoop = await api.eventLoopDelay();
  const total = result.requests.total;
  const unexpected = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => Number(code) !== expected).reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  return {
    scenario,
    eventLoopP99: eventLoop.p99,
    supabaseCpuMsPerRequest: supabaseBefore && supabaseAfter && total ? (supabaseAfter.cpuMs - supabaseBefore.cpuMs) / total : null,
    supabasePeakRssMiB: supabaseAfter ? supabaseAfter.peakRssKiB / 1024 : null,
    rps: result.requests.average,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    callsPerRequest: proxy && total ? (proxy.count() - callsBefore) / total : Number.NaN,
    cpuMsPerRequest: total ? (after.cpuMs - before.cpuMs) / total : 0,
    peakRssMiB: after.peakRssKiB / 1024,
    non2xx: unexpected,
  };
}

/**
 * Native bcrypt at cost 10 with the machine's cores busy: the physical limit of fresh
 * registrations (hashes/s), and the CPU one hash costs.
 */
async function bcryptLimit(): Promise<{ perSecond: number; cpuMsPerHash: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const n = 64;
  const parallel = Math.max(2, cpus().length * 2);
  for (let done = 0; done < n; done += parallel) await Promise.all(Array.from({ length: Math.min(parallel, n - done) }, () => hash('correct horse battery staple', 10)));
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: n / ((performance.now() - started) / 1000), cpuMsPerHash: (cpu.user + cpu.system) / 1000 / n };
}

const json = (value: object) => JSON.stringify(value);

interface Stack {
  supabase: Proc;
  proxy: Awaited<ReturnType<typeof countingProxy>>;
  api: Proc;
  keys: Record<string, string>;
}

/** The embedded Supabase (its own process), the counting proxy, and the built service in front of them. */
async function startStack(dbUrl: string | undefined): Promise<Stack> {
  const supabase = await startNode([new URL('dist/local-supabase/main.js', ROOT).pathname], {
    LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0',
    LOCAL_SUPABASE_DATA_DIR: 'memory://',
    ...(dbUrl ? { LOCAL_SUPABASE_DB_URL: dbUrl } : {}),
  });
  const proxy = await countingProxy(supabase.url);
  const keys = {
    SUPABASE_URL: proxy.url,
    SUPABASE_SERVICE_ROLE_KEY: LOCAL_SERVICE_ROLE_KEY,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
  };
  const api = await startApi(keys);
  return { supabase, proxy, api, keys };
}

/** The built service, as `npm start` runs it (without `supabase`: the embedded Supabase in its worker thread), with the event-loop probe. */
function startApi(supabase: Record<string, string> = {}): Promise<Proc> {
  const embedded = { LOCAL_SUPABASE_PORT: '0', LOCAL_SUPABASE_INBOX_PORT: '0', LOCAL_SUPABASE_DATA_DIR: 'memory://' };
  return startNode(
    [new URL('dist/server.js', ROOT).pathname],
    {
      ...(supabase.SUPABASE_URL ? supabase : embedded),
      PORT: '0',
      HOST: '127.0.0.1',
      // info prints the listening URL (and a line per request, which a production deployment keeps too).
      LOG_LEVEL: 'info',
      IDEMPOTENCY_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      REGISTER_RATE_LIMIT_PER_MINUTE: '0',
      RECOVERY_INTERVAL_SECONDS: '0',
    },
    { eventLoopProbe: true },
  );
}

const REGISTER = '/api/v1/institutions/register';
const freshRegistration = () => ({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() }, body: json(body()) });

/** The service as `npm start` runs it: fresh registrations with the embedded Supabase in the API process's worker thread. */
async function runEmbeddedDefault(): Promise<Row> {
  const api = await startApi();
  try {
    return await load('ims-api fresh registration (npm start: embedded PGlite in a worker thread)', { api }, REGISTER, freshRegistration, 201);
  } finally {
    await api.stop();
  }
}

async function runStack(dbUrl: string | undefined): Promise<{ rows: Row[]; stop(): Promise<void> }> {
  const { supabase, proxy, api, keys } = await startStack(dbUrl);
  const naive = await startNode(['--import', 'tsx', new URL('bench/naive-handler.ts', ROOT).pathname], keys, { eventLoopProbe: true });
  const engine = dbUrl ? 'postgres' : 'pglite';
  const ims: Target = { api, supabase, proxy };
  const rows: Row[] = [];
  rows.push(await load(`ims-api fresh registration (${engine}, embedded Supabase in its own process)`, ims, REGISTER, freshRegistration, 201));
  if (!dbUrl) {
    const settled = body();
    const key = randomUUID();
    await fetch(`${api.url}${REGISTER}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: json(settled) });
    rows.push(await load('ims-api replay (201)', ims, REGISTER, () => ({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: json(settled) }), 201));
    const rejectedKey = randomUUID();
    const taken = { ...body(), subdomain: settled.subdomain };
    await fetch(`${api.url}${REGISTER}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': rejectedKey }, body: json(taken) });
    rows.push(await load('ims-api settled 409 (replayed)', ims, REGISTER, () => ({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': rejectedKey }, body: json(taken) }), 409));
    const naiveTarget: Target = { api: naive, supabase, proxy };
    rows.push(await load('naive fresh registration', naiveTarget, '/register', () => ({ headers: { 'Content-Type': 'application/json' }, body: json(body()) }), 201));
    rows.push(await load('naive 409 (subdomain taken)', naiveTarget, '/register', () => ({ headers: { 'Content-Type': 'application/json' }, body: json({ ...body(), subdomain: settled.subdomain }) }), 409));
  }
  return {
    rows,
    async stop() {
      for (const proc of [api, naive, supabase]) await proc.stop();
      proxy.server.close();
    },
  };
}

/**
 * Registrations already stored, as far as the lookups of a new one are concerned: `n` auth users
 * (GoTrue's duplicate-email check) and `n` settled idempotency keys (the claim and the replay),
 * and `n` more settled keys past their retention, for the purge to forget. Returns the seconds it took.
 */
async function seed(dbUrl: string, n: number): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  await client.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', 'seed-' || g || '@example.com', '',
            '{"provider":"email","providers":["email"]}', '{}', now(), now()
       from generate_series(1, $1::int) g`,
    [n],
  );
  await client.query(
    `insert into public.idempotency_keys (scope, key, fingerprint, recovery_point, institution_id, director_user_id, saga_input, result, expires_at)
     select 'institutions.register', 'seed-' || g, 'seed', 'finished', gen_random_uuid(), gen_random_uuid(), '{}',
            '{"status":"rejected","reason":"subdomain_taken"}', now() + case when g <= $1 then interval '1 day' else interval '-1 hour' end
       from generate_series(1, 2 * $1::int) g`,
    [n],
  );
  await client.query('analyze auth.users; analyze public.idempotency_keys');
  await client.end();
  return (performance.now() - started) / 1000;
}

async function countKeys(dbUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const { rows } = await client.query<{ n: number }>('select count(*)::int as n from public.idempotency_keys');
  await client.end();
  return rows[0]!.n;
}

/** The service's purge (the rpc its scheduled task and `npm run purge` make), timed. */
async function purge(supabaseUrl: string): Promise<{ purged: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${supabaseUrl}/rest/v1/rpc/purge_expired_idempotency_keys`, {
    method: 'POST',
    headers: { apikey: LOCAL_SERVICE_ROLE_KEY, Authorization: `Bearer ${LOCAL_SERVICE_ROLE_KEY}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  return { purged: (await response.json()) as number, ms: performance.now() - started };
}

/** The largest size is measured only when seeding it (estimated from the one before) takes under 5 minutes. */
const SCALES = [1_000, 10_000, 100_000, 1_000_000];
const SEEDING_BUDGET_S = 300;

/**
 * Fresh registrations and replays with 10^3 … 10^6 registrations already stored (and as many
 * expired keys): the lookups must stay flat; then the purge forgets the expired keys and leaves
 * the table at the live ones.
 */
async function scaling(serverUrl: string): Promise<string[]> {
  const lines = [
    '',
    '### Scaling (PostgreSQL-backed stand-in)',
    '',
    '| stored (+ as many expired keys) | seeding s | fresh req/s | fresh p99 ms | replay req/s | replay p99 ms | keys before purge | purged | purge ms | keys after purge |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const results: { n: number; fresh: Row; replay: Row }[] = [];
  let lastSeedS = 0;
  for (const n of SCALES) {
    const previous = results[results.length - 1];
    if (previous && lastSeedS * (n / previous.n) > SEEDING_BUDGET_S) {
      lines.push(`| ${n} | skipped: seeding would take about ${Math.round(lastSeedS * (n / previous.n))} s (budget ${SEEDING_BUDGET_S} s) | | | | | | | | |`);
      continue;
    }
    const database = await freshDatabase(serverUrl, 'ims_bench');
    const stack = await startStack(database.url);
    try {
      lastSeedS = await seed(database.url, n);
      const fresh = await load(`fresh, ${n} stored`, stack, REGISTER, freshRegistration, 201);
      const settled = body();
      const key = randomUUID();
      await fetch(`${stack.api.url}${REGISTER}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: json(settled) });
      const replay = await load(`replay, ${n} stored`, stack, REGISTER, () => ({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: json(settled) }), 201);
      const before = await countKeys(database.url);
      const purged = await purge(stack.supabase.url);
      const after = await countKeys(database.url);
      results.push({ n, fresh, replay });
      lines.push(`| ${n} | ${lastSeedS.toFixed(0)} | ${fresh.rps.toFixed(1)} | ${fresh.p99} | ${replay.rps.toFixed(1)} | ${replay.p99} | ${before} | ${purged.purged} | ${purged.ms.toFixed(0)} | ${after} |`);
    } finally {
      for (const proc of [stack.api, stack.supabase]) await proc.stop();
      stack.proxy.server.close();
      await database.drop();
    }
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  lines.push(
    '',
    `${last.n} ÷ ${first.n} stored: fresh throughput ${(last.fresh.rps / first.fresh.rps).toFixed(2)}, replay throughput ${(last.replay.rps / first.replay.rps).toFixed(2)}, replay p99 ${(last.replay.p99 / first.replay.p99).toFixed(2)}.`,
    'After the purge the table holds the live keys only (those measured, and the seeded ones still within retention): it stays bounded by the registrations of one retention window.',
  );
  return lines;
}

const f = (n: number, digits = 1) => (Number.isNaN(n) ? '—' : n.toFixed(digits));
const postgresAt = process.argv.indexOf('--postgres');
const limit = await bcryptLimit();
const stacks = [await runStack(undefined)];
const database = postgresAt >= 0 ? await freshDatabase(process.argv[postgresAt + 1] ?? process.env.TEST_DATABASE_URL!, 'ims_bench') : undefined;
if (database) stacks.push(await runStack(database.url));
for (const stack of stacks) await stack.stop();
await database?.drop();
const rows = [...stacks.flatMap((stack) => stack.rows), await runEmbeddedDefault()];

const find = (prefix: string) => rows.find((row) => row.scenario.startsWith(prefix))!;
const imsFresh = find('ims-api fresh registration (pglite');
const naiveFresh = find('naive fresh');
const replay = find('ims-api replay');
const settled409 = find('ims-api settled 409');
const naive409 = find('naive 409');
const embeddedDefault = find('ims-api fresh registration (npm start');
const freshCpuMs = imsFresh.cpuMsPerRequest + (imsFresh.supabaseCpuMsPerRequest ?? 0);
const lines = [
  '# Benchmark results',
  '',
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${new Date().toISOString().slice(0, 10)}; autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per scenario after ${WARMUP_S} s of unmeasured warm-up.`,
  '',
  'Supabase calls / req counts what reached the embedded Supabase during the run through the counting proxy (requests still in flight when it ended included; — where it runs in the API process\'s worker thread, without the proxy). CPU ms / req: the API process (with its worker thread, when the embedded Supabase runs there) and the embedded Supabase\'s own process. Event-loop p99: how late the API process\'s main thread ran a 5 ms timer (a preloaded `monitorEventLoopDelay`, its interval taken off).',
  '',
  '| scenario | req/s | p50 ms | p95 ms | p99 ms | Supabase calls / req | API CPU ms / req | Supabase CPU ms / req | API peak RSS MiB | Supabase peak RSS MiB | API event-loop p99 ms | unexpected statuses |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.scenario} | ${f(row.rps)} | ${row.p50} | ${row.p95} | ${row.p99} | ${f(row.callsPerRequest, 2)} | ${f(row.cpuMsPerRequest, 2)} | ${f(row.supabaseCpuMsPerRequest ?? Number.NaN, 2)} | ${f(row.peakRssMiB, 0)} | ${f(row.supabasePeakRssMiB ?? Number.NaN, 0)} | ${f(row.eventLoopP99)} | ${row.non2xx} |`,
  ),
  '',
  `Native bcrypt (cost 10) of this machine, same run: ${f(limit.perSecond)} hashes/s with every core busy, ${f(limit.cpuMsPerHash)} CPU ms per hash.`,
  '',
  '| ratio (same run) | value |',
  '|---|---|',
  `| fresh registrations ÷ bcrypt limit | ${f(imsFresh.rps / limit.perSecond, 2)} |`,
  `| bcrypt's share of a fresh registration's CPU (API + embedded Supabase) | ${f(limit.cpuMsPerHash / freshCpuMs, 2)} |`,
  `| ims-api fresh ÷ naive fresh (throughput) | ${f(imsFresh.rps / naiveFresh.rps, 2)} |`,
  `| ims-api fresh ÷ naive fresh (p99) | ${f(imsFresh.p99 / naiveFresh.p99, 2)} |`,
  `| ims-api replay ÷ naive 409 (throughput) | ${f(replay.rps / naive409.rps, 2)} |`,
  `| ims-api settled 409 ÷ naive 409 (throughput) | ${f(settled409.rps / naive409.rps, 2)} |`,
  `| \`npm start\` fresh ÷ fresh with the embedded Supabase in its own process (throughput) | ${f(embeddedDefault.rps / imsFresh.rps, 2)} |`,
  '',
  '',
  '### Where the time goes',
  '',
  `- A fresh registration costs ${f(freshCpuMs)} CPU ms: the API ${f(imsFresh.cpuMsPerRequest)}, the embedded Supabase ${f(imsFresh.supabaseCpuMsPerRequest ?? Number.NaN)}, of which the password hash`,
  `  (bcrypt cost 10 in the auth layer) is ${f(limit.cpuMsPerHash)} — ${f(limit.cpuMsPerHash / freshCpuMs, 2)} of it. On this machine the API, the stand-in's SQL and HTTP, the proxy and the load`,
  '  generator share the cores the hash needs, so no handler reaches the bcrypt limit here (the naive one reaches',
  `  ${f(naiveFresh.rps / limit.perSecond, 2)} of it). ims-api's own part is ${f(imsFresh.cpuMsPerRequest / limit.cpuMsPerHash, 2)} of a hash: one API core serves ${f(1000 / imsFresh.cpuMsPerRequest, 0)} fresh registrations/s,`,
  `  ${f(1000 / imsFresh.cpuMsPerRequest / limit.perSecond, 1)}× what this whole machine can hash.`,
  `- A replay or a settled rejection is one read-only rpc: the embedded Supabase spends ${f(replay.supabaseCpuMsPerRequest ?? Number.NaN, 2)} ms on it against ${f(naive409.supabaseCpuMsPerRequest ?? Number.NaN, 2)} ms`,
  `  for the naive handler's select; the API spends ${f(replay.cpuMsPerRequest, 2)} ms against ${f(naive409.cpuMsPerRequest, 2)} ms — its request log line, security headers, validation,`,
  '  fingerprint HMAC and per-call timeout, which the naive handler goes without.',
  `- With the embedded Supabase in its worker thread (\`npm start\`), the API's event loop lags at most ${f(embeddedDefault.eventLoopP99)} ms (p99) at`,
  `  ${CONNECTIONS} concurrent fresh registrations. The embedded Supabase's peak RSS is PGlite's own: ≈800 MiB while it runs initdb and the`,
  '  migrations at start, ≈520 MiB idle after.',
];
if (database && process.argv.includes('--scale')) lines.push(...(await scaling(process.argv[postgresAt + 1] ?? process.env.TEST_DATABASE_URL!)));
const report = lines.join('\n');
process.stdout.write(`${report}\n`);
if (process.argv.includes('--write')) await writeFile(new URL('bench/RESULTS.md', ROOT), `${report}\n`);
process.exit(0);

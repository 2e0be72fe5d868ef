/** /rest/v1/<table>: read (GET), insert (POST), update (PATCH) and delete (DELETE) on the exposed `public` schema. */
import type { SqlExecutor } from '../database.js';
import { PostgrestError, notSingular, unsupported } from './errors.js';
import { parseFilters, parsePrefer, parseSelect, quoteIdent } from './query.js';
import { JSON_TYPE, OBJECT_TYPE, type RestResponse } from './response.js';

export interface TableRequest {
  method: string;
  table: string;
  query: URLSearchParams;
  singular: boolean;
  prefer: string | undefined;
  body: unknown;
}

interface Aggregate {
  many: string;
  one: string | null;
  n: number;
}

const aggregate = (source: string, projection: string) =>
  `select coalesce(json_agg(pgrst_t), '[]')::text as many, (json_agg(pgrst_t) -> 0)::text as one, count(*)::int as n
     from (select ${projection} from ${source}) pgrst_t`;

async function assertTableExists(tx: SqlExecutor, table: string): Promise<void> {
  const [found] = await tx.query<{ exists: boolean }>(
    `select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relname = $1 and c.relkind in ('r', 'v', 'm', 'p', 'f')) as exists`,
    [table],
  );
  if (!found?.exists) {
    throw new PostgrestError(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`);
  }
}

function answer(result: Aggregate, singular: boolean, status: number, extra: Record<string, string> = {}): RestResponse {
  if (singular && result.n !== 1) throw notSingular(result.n);
  return {
    status,
    headers: { 'Content-Type': singular ? OBJECT_TYPE : JSON_TYPE, ...extra },
    body: singular ? (result.one ?? 'null') : result.many,
  };
}

function rowsOf(body: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(body) ? body : [body];
  if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
    throw new PostgrestError(400, 'PGRST102', 'Invalid body: expected a JSON object or an array of objects');
  }
  return rows as Record<string, unknown>[];
}

function insertColumns(rows: Record<string, unknown>[], columnsParam: string | null): string[] {
  if (columnsParam) return columnsParam.split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1'));
  const first = Object.keys(rows[0] ?? {});
  const same = rows.every((row) => {
    const keys = Object.keys(row);
    return keys.length === first.length && keys.every((key) => first.includes(key));
  });
  if (!same) throw new PostgrestError(400, 'PGRST102', 'All object keys must match');
  return first;
}

export async function handleTable(tx: SqlExecutor, request: TableRequest): Promise<RestResponse> {
  await assertTableExists(tx, request.table);
  const table = `public.${quoteIdent(request.table)}`;
  const projection = parseSelect(request.query.get('select'));
  const prefer = parsePrefer(request.prefer);
  if (prefer.return === 'headers-only') throw unsupported('Prefer: return=headers-only');
  const representation = prefer.return === 'representation';
  const preferenceApplied = { 'Preference-Applied': 'return=representation' };

  if (request.method === 'GET' || request.method === 'HEAD') {
    const where = parseFilters(request.query);
    const [result] = await tx.query<Aggregate>(
      aggregate(`${table} where ${where.sql}`, projection),
      where.params,
    );
    const range = result!.n === 0 ? '*/*' : `0-${result!.n - 1}/*`;
    return answer(result!, request.singular, 200, { 'Content-Range': range });
  }

  if (request.method === 'POST') {
    const rows = rowsOf(request.body);
    const columns = insertColumns(rows, request.query.get('columns')).map(quoteIdent).join(', ');
    const insert = columns
      ? `insert into ${table} (${columns}) select ${columns} from json_populate_recordset(null::${table}, $1::json) returning *`
      : `insert into ${table} default values returning *`;
    const [result] = await tx.query<Aggregate>(
      `with pgrst_source as (${insert}) ${aggregate('pgrst_source', projection)}`,
      columns ? [JSON.stringify(rows)] : [],
    );
    if (!representation) {
      if (request.singular && result!.n !== 1) throw notSingular(result!.n);
      return { status: 201, headers: { 'Content-Range': '*/*' } };
    }
    return answer(result!, request.singular, 201, { 'Content-Range': '*/*', ...preferenceApplied });
  }

  if (request.method === 'PATCH') {
    const [row] = rowsOf(request.body);
    if (Array.isArray(request.body) || !row) throw new PostgrestError(400, 'PGRST102', 'Invalid body: expected a JSON object');
    const names = insertColumns([row], request.query.get('columns'));
    if (names.length === 0) throw unsupported('PATCH with an empty body');
    const columns = names.map(quoteIdent).join(', ');
    const where = parseFilters(request.query, 2);
    const [result] = await tx.query<Aggregate>(
      `with pgrst_source as (
         update ${table} set (${columns}) = (select ${columns} from json_populate_record(null::${table}, $1::json))
          where ${where.sql} returning *)
       ${aggregate('pgrst_source', projection)}`,
      [JSON.stringify(row), ...where.params],
    );
    // PostgREST's contentRangeH 0 (total - 1): "*/*" when nothing matched.
    const range = result!.n === 0 ? '*/*' : `0-${result!.n - 1}/*`;
    if (!representation) {
      if (request.singular && result!.n !== 1) throw notSingular(result!.n);
      return { status: 204, headers: { 'Content-Range': range } };
    }
    return answer(result!, request.singular, 200, { 'Content-Range': range, ...preferenceApplied });
  }

  if (request.method === 'DELETE') {
    const where = parseFilters(request.query);
    if (where.params.length === 0 && where.sql === 'true') {
      throw new PostgrestError(400, '21000', 'DELETE requires a WHERE clause');
    }
    const [result] = await tx.query<Aggregate>(
      `with pgrst_source as (delete from ${table} where ${where.sql} returning *) ${aggregate('pgrst_source', projection)}`,
      where.params,
    );
    if (!representation) {
      if (request.singular && result!.n !== 1) throw notSingular(result!.n);
      return { status: 204, headers: { 'Content-Range': '*/*' } };
    }
    return answer(result!, request.singular, 200, { 'Content-Range': '*/*', ...preferenceApplied });
  }

  throw unsupported(`${request.method} on a table`);
}

/**
 * The statements (PostgREST's Query/QueryBuilder.hs): read, insert (and upsert), update, delete
 * and call, each one SQL statement over `pgrst_source` that returns the JSON body and the row
 * count, plus the total when a count was asked for.
 */
import type { SqlExecutor } from '../../database.js';
import type { QueryParams, SelectEmbed } from '../api-request/query-params.js';
import type { Media } from '../api-request/media.js';
import type { Preferences } from '../api-request/preferences.js';
import { PostgrestError, unsupported } from '../errors.js';
import { resolveEmbed, type ResolvedEmbed } from '../plan/relationships.js';
import { quoteIdent, resolveType, type Column, type Relation, type Routine } from '../plan/schema-cache.js';
import { Params, embeddedRowsSql, orderSql, selectSql, whereSql, type Scope } from './sql-fragment.js';

/** The CLI's PostgREST `max_rows`: no read answers more rows than this. */
export const MAX_ROWS = 1000;

export interface Result {
  /** JSON text: an array of rows, or for a singular request the one row (`null` when none). */
  body: string;
  /** The body is one value by nature (a function returning one composite): never subject to the singular check. */
  single?: boolean;
  rows: number;
  total?: number;
  /** Rows an upsert inserted (the rest merged). */
  inserted?: number;
}

export interface Window {
  offset: number;
  limit?: number;
}

async function castsOf(tx: SqlExecutor, query: QueryParams): Promise<Map<string, string>> {
  const casts = new Map<string, string>();
  const columns = query.select.flatMap((item) => (item.kind === 'embed' ? item.children : [item]));
  for (const item of columns) {
    if (item.kind === 'column' && item.cast && !casts.has(item.cast)) casts.set(item.cast, await resolveType(tx, item.cast));
  }
  return casts;
}

/** The relationship of every embedded resource in the select list (embedding works on tables only). */
async function embedsOf(tx: SqlExecutor, table: Relation | undefined, query: QueryParams): Promise<Map<SelectEmbed, ResolvedEmbed>> {
  const embeds = new Map<SelectEmbed, ResolvedEmbed>();
  for (const item of query.select) {
    if (item.kind !== 'embed') continue;
    if (!table) throw unsupported('resource embedding on rpc results');
    embeds.set(item, await resolveEmbed(tx, table, item));
  }
  return embeds;
}

/** The select list over the rows a write returned (its casts and embeds resolved). */
async function writtenRowsProjection(tx: SqlExecutor, table: Relation, query: QueryParams, params: Params): Promise<string> {
  return selectSql(scopeOf(table), query.select, params, await castsOf(tx, query), await embedsOf(tx, table, query), query.embeddedWhere);
}

/** `!inner` embeds keep only the rows that have a match. */
function innerJoinsSql(scope: Scope, embeds: Map<SelectEmbed, ResolvedEmbed>, query: QueryParams, params: Params): string {
  return [...embeds.values()]
    .filter((resolved) => resolved.embed.join === 'inner')
    .map((resolved) => ` and exists (select 1 ${embeddedRowsSql(scope, resolved, params, query.embeddedWhere.get(resolved.name))})`)
    .join('');
}

/** `json_agg` of the projected rows, nulls stripped when the media type asks. */
function aggregate(source: string, projection: string, media: Media): string {
  const row = media.stripNulls ? 'json_strip_nulls(to_json(pgrst_row))' : 'to_json(pgrst_row)';
  return `select coalesce(json_agg(${row}), '[]')::text as many, (json_agg(${row}) -> 0)::text as one, count(*)::int as n
            from (select ${projection} from ${source}) pgrst_row`;
}

interface Aggregate {
  many: string;
  one: string | null;
  n: number;
}

const resultOf = (row: Aggregate, media: Media): Result => ({ body: media.singular ? (row.one ?? 'null') : row.many, rows: row.n });

async function countRows(tx: SqlExecutor, from: string, where: string, params: unknown[], mode: NonNullable<Preferences['count']>): Promise<number> {
  const planned = async () => {
    const [plan] = await tx.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`explain (format json) select 1 from ${from} where ${where}`, params);
    return plan!['QUERY PLAN'][0].Plan['Plan Rows'];
  };
  if (mode === 'planned') return planned();
  const [row] = await tx.query<{ total: number }>(`select count(*)::int as total from ${from} where ${where}`, params);
  // `estimated`: exact up to max_rows, the planner's estimate past it.
  return mode === 'estimated' && row!.total > MAX_ROWS ? planned() : row!.total;
}

function limitSql(window: Window, params: Params): string {
  const limit = Math.min(window.limit ?? MAX_ROWS, MAX_ROWS);
  return ` limit ${params.add(limit)} offset ${params.add(window.offset)}`;
}

/** Reads rows of `from` (a table, or a function call producing rows) through the request's select, filters, order and window. */
export async function readRows(
  tx: SqlExecutor,
  from: { sql: string; scope: Scope; params: unknown[]; table?: Relation },
  query: QueryParams,
  window: Window,
  media: Media,
  count: Preferences['count'],
): Promise<Result> {
  const casts = await castsOf(tx, query);
  const embeds = await embedsOf(tx, from.table, query);
  const params = new Params(from.params.length + 1);
  const projection = selectSql(from.scope, query.select, params, casts, embeds, query.embeddedWhere);
  const where = whereSql(from.scope, query.where, params) + innerJoinsSql(from.scope, embeds, query, params);
  const order = orderSql(from.scope, query.order, params);
  const source = `(select * from ${from.sql} pgrst_source where ${where}${order}${limitSql(window, params)}) pgrst_source`;
  const [row] = await tx.query<Aggregate>(aggregate(source, projection, media), [...from.params, ...params.values]);
  const result = resultOf(row!, media);
  if (count) {
    const countParams = new Params(from.params.length + 1);
    const countWhere = whereSql(from.scope, query.where, countParams) + innerJoinsSql(from.scope, embeds, query, countParams);
    result.total = await countRows(tx, `${from.sql} pgrst_source`, countWhere, [...from.params, ...countParams.values], count);
  }
  return result;
}

function payloadRows(body: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(body) ? body : [body];
  if (rows.length === 0 && Array.isArray(body)) return [];
  if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
    throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
  }
  return rows as Record<string, unknown>[];
}

/** The payload's columns: `columns=` when given, else the keys, which must be the same in every object. */
function payloadColumns(table: Relation, rows: Record<string, unknown>[], columnsParam: string[] | undefined): Column[] {
  let names: string[];
  if (columnsParam) names = columnsParam;
  else {
    names = Object.keys(rows[0] ?? {});
    const same = rows.every((row) => {
      const keys = Object.keys(row);
      return keys.length === names.length && keys.every((key) => names.includes(key));
    });
    if (!same) throw new PostgrestError(400, 'PGRST102', 'All object keys must match');
  }
  return names.map((name) => {
    const column = table.columns.get(name);
    if (!column) throw new PostgrestError(400, 'PGRST204', `Could not find the '${name}' column of '${table.name}' in the schema cache`);
    return column;
  });
}

const tableSql = (table: Relation) => `public.${quoteIdent(table.name)}`;
const scopeOf = (table: Relation): Scope => ({ relation: table.name, columns: table.columns });

/** The rows to write: from the JSON payload, with a key missing from an object as NULL — or as the column's DEFAULT with `missing=default`. */
function valuesSql(rows: Record<string, unknown>[], columns: Column[], params: Params, missingDefault: boolean): string {
  const list = columns.map((column) => quoteIdent(column.name)).join(', ');
  if (!missingDefault) {
    const record = columns.map((column) => `${quoteIdent(column.name)} ${column.type}`).join(', ');
    return `(${list}) select ${list} from json_to_recordset(${params.add(JSON.stringify(rows))}::json) as pgrst_body(${record})`;
  }
  const tuples = rows.map((row) => {
    const values = columns.map((column) =>
      Object.hasOwn(row, column.name)
        ? `(select pgrst_v from json_to_record(${params.add(JSON.stringify({ pgrst_v: row[column.name] }))}::json) as pgrst_x(pgrst_v ${column.type}))`
        : 'default',
    );
    return `(${values.join(', ')})`;
  });
  return `(${list}) values ${tuples.join(', ')}`;
}

export async function insertRows(
  tx: SqlExecutor,
  table: Relation,
  body: unknown,
  query: QueryParams,
  media: Media,
  preferences: Preferences,
): Promise<Result> {
  const rows = payloadRows(body);
  const columns = payloadColumns(table, rows, query.columns);
  const params = new Params();
  let conflict = '';
  if (preferences.resolution) {
    const keys = query.onConflict ?? table.primaryKey;
    if (keys.length === 0) throw unsupported('an upsert on a table without a primary key or on_conflict');
    const target = keys.map((key) => quoteIdent((table.columns.get(key) ?? { name: key }).name)).join(', ');
    const updates = columns.map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`).join(', ');
    conflict = preferences.resolution === 'ignore-duplicates' || updates === ''
      ? ` on conflict (${target}) do nothing`
      : ` on conflict (${target}) do update set ${updates}`;
  }
  if (rows.length === 0) return { body: '[]', rows: 0, inserted: 0, ...(preferences.count ? { total: 0 } : {}) };
  // xmax = 0 marks a row this statement inserted, as opposed to one an upsert merged into.
  const returning = ' returning pgrst_source as pgrst_row, (xmax = 0) as pgrst_inserted';
  const insert =
    columns.length === 0
      ? `insert into ${tableSql(table)} as pgrst_source default values${conflict}${returning}`
      : `insert into ${tableSql(table)} as pgrst_source ${valuesSql(rows, columns, params, preferences.missing === 'default')}${conflict}${returning}`;
  const projection = await writtenRowsProjection(tx, table, query, params);
  const [row] = await tx.query<Aggregate & { inserted: number }>(
    `with pgrst_written as (${insert}),
          pgrst_result as (${aggregate('(select (pgrst_written.pgrst_row).* from pgrst_written) pgrst_source', projection, media)})
     select pgrst_result.*, (select count(*)::int from pgrst_written where pgrst_inserted) as inserted from pgrst_result`,
    params.values,
  );
  return { ...resultOf(row!, media), inserted: row!.inserted, ...(preferences.count ? { total: row!.n } : {}) };
}

export async function updateRows(
  tx: SqlExecutor,
  table: Relation,
  body: unknown,
  query: QueryParams,
  media: Media,
  count: Preferences['count'],
): Promise<Result> {
  if (Array.isArray(body)) throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
  const [row] = payloadRows(body);
  const columns = payloadColumns(table, [row!], query.columns);
  if (columns.length === 0) return { body: '[]', rows: 0, ...(count ? { total: 0 } : {}) };
  const params = new Params();
  const list = columns.map((column) => quoteIdent(column.name)).join(', ');
  const record = columns.map((column) => `${quoteIdent(column.name)} ${column.type}`).join(', ');
  const assignment = `(${list}) = (select ${list} from json_to_record(${params.add(JSON.stringify(row))}::json) as pgrst_body(${record}))`;
  const where = whereSql(scopeOf(table), query.where, params);
  const projection = await writtenRowsProjection(tx, table, query, params);
  const [result] = await tx.query<Aggregate>(
    `with pgrst_written as (update ${tableSql(table)} pgrst_source set ${assignment} where ${where} returning pgrst_source.*)
     ${aggregate('pgrst_written pgrst_source', projection, media)}`,
    params.values,
  );
  return { ...resultOf(result!, media), ...(count ? { total: result!.n } : {}) };
}

export async function deleteRows(tx: SqlExecutor, table: Relation, query: QueryParams, media: Media, count: Preferences['count']): Promise<Result> {
  const params = new Params();
  const where = whereSql(scopeOf(table), query.where, params);
  const projection = await writtenRowsProjection(tx, table, query, params);
  const [result] = await tx.query<Aggregate>(
    `with pgrst_written as (delete from ${tableSql(table)} pgrst_source where ${where} returning pgrst_source.*)
     ${aggregate('pgrst_written pgrst_source', projection, media)}`,
    params.values,
  );
  return { ...resultOf(result!, media), ...(count ? { total: result!.n } : {}) };
}

export function readTable(tx: SqlExecutor, table: Relation, query: QueryParams, window: Window, media: Media, count: Preferences['count']): Promise<Result> {
  return readRows(tx, { sql: tableSql(table), scope: scopeOf(table), params: [], table }, query, window, media, count);
}

/** Calls `name` with the chosen signature; rows of a set or composite result go through the request's select, filters, order and window. */
export async function callRoutine(
  tx: SqlExecutor,
  name: string,
  routine: Routine,
  args: Record<string, unknown>,
  wholeBody: boolean,
  query: QueryParams,
  window: Window,
  media: Media,
  count: Preferences['count'],
): Promise<Result | 'void'> {
  const keys = Object.keys(args);
  const params = new Params();
  let callArgs: string;
  let from = '';
  if (wholeBody) callArgs = `${params.add(JSON.stringify(args))}::${routine.args[0]!.type}`;
  else if (keys.length === 0) callArgs = '';
  else {
    const used = routine.args.filter((arg) => keys.includes(arg.name));
    const record = used.map((arg) => `${quoteIdent(arg.name)} ${arg.type}`).join(', ');
    from = `json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${record})`;
    callArgs = used.map((arg) => `${quoteIdent(arg.name)} := pgrst_args.${quoteIdent(arg.name)}`).join(', ');
  }
  const call = `public.${quoteIdent(name)}(${callArgs})`;
  if (routine.returnsVoid) {
    await tx.query(`select ${call}${from ? ` from ${from}` : ''}`, params.values);
    return 'void';
  }
  if (routine.resultColumns.length > 0) {
    const source = from ? `(select pgrst_call.* from ${from}, lateral ${call} pgrst_call)` : call;
    const rows = { sql: source, scope: { relation: name, columns: routine.resultColumns }, params: params.values };
    // A function returning one composite answers an object, as PostgREST does.
    if (!routine.returnsSet) return { ...(await readRows(tx, rows, query, window, { ...media, singular: true }, count)), single: true };
    return readRows(tx, rows, query, window, media, count);
  }
  const transformed = query.select.some((item) => item.kind !== 'star') || query.where.children.length > 0 || query.order.length > 0;
  if (transformed) throw unsupported(`select, filters or order on the scalar result of rpc/${name}`);
  const scalar = routine.returnsSet
    ? `select coalesce(json_agg(pgrst_call), '[]')::text as body, count(*)::int as n from ${from ? `${from}, lateral ` : ''}${call} pgrst_call`
    : `select to_json(${call})::text as body, 1 as n${from ? ` from ${from}` : ''}`;
  const [row] = await tx.query<{ body: string | null; n: number }>(scalar, params.values);
  return { body: row?.body ?? 'null', rows: row?.n ?? 1, ...(count ? { total: row?.n ?? 1 } : {}) };
}

/**
 * What PostgREST keeps in its schema cache: a table's columns and primary key, and a function's
 * signatures and result columns, read from the catalogue. Every identifier that reaches SQL comes
 * from here. PostgREST reloads its cache when told (`NOTIFY pgrst`, sent by Supabase's DDL event
 * triggers) and may answer from a stale one until then; this cache is never stale: each request's
 * transaction reads the schema version that the DDL watch in bootstrap.ts bumps in every DDL
 * transaction, and only entries read at that version answer it.
 */
import type { SqlExecutor } from '../../database.js';
import { PostgrestError } from '../errors.js';

export interface Column {
  name: string;
  type: string;
}

export interface Relation {
  /** The table's name as the catalogue has it. */
  name: string;
  columns: Map<string, Column>;
  primaryKey: string[];
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Catalogue reads by name, each kept with the schema version it was read at. */
export class SchemaCache {
  private readonly tables = new Map<string, { version: string; relation: Relation }>();
  private readonly routines = new Map<string, { version: string; routines: Routine[] }>();

  /** Lets `tx` (a transaction that saw schema `version`) read through this cache. */
  serve(tx: SqlExecutor, version: string): void {
    servedBy.set(tx, { cache: this, version });
  }

  async table(tx: SqlExecutor, version: string, name: string): Promise<Relation> {
    const cached = this.tables.get(name);
    if (cached?.version === version) return cached.relation;
    const relation = await readTable(tx, name);
    this.tables.set(name, { version, relation });
    return relation;
  }

  async routinesNamed(tx: SqlExecutor, version: string, name: string): Promise<Routine[]> {
    const cached = this.routines.get(name);
    if (cached?.version === version) return cached.routines;
    const routines = await readRoutines(tx, name);
    // Only names that exist are kept, so requests for made-up names cannot grow the cache.
    if (routines.length > 0) this.routines.set(name, { version, routines });
    return routines;
  }
}

const servedBy = new WeakMap<SqlExecutor, { cache: SchemaCache; version: string }>();

/** The schema version this transaction sees; bootstrap.ts's DDL watch bumps it in every DDL transaction. */
export const SCHEMA_VERSION_SQL = '(select version::text from _local_supabase.schema_version)';

/** A table or view of the exposed schema (through the transaction's schema cache, when it has one); 404 PGRST205 when there is none. */
export function loadTable(tx: SqlExecutor, name: string): Promise<Relation> {
  const served = servedBy.get(tx);
  return served ? served.cache.table(tx, served.version, name) : readTable(tx, name);
}

/** The overloads of a function of the exposed schema (through the transaction's schema cache, when it has one). */
export function loadRoutines(tx: SqlExecutor, name: string): Promise<Routine[]> {
  const served = servedBy.get(tx);
  return served ? served.cache.routinesNamed(tx, served.version, name) : readRoutines(tx, name);
}

async function readTable(tx: SqlExecutor, name: string): Promise<Relation> {
  const rows = await tx.query<{ column_name: string | null; type: string | null; is_pk: boolean | null }>(
    `select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type,
            coalesce(a.attnum = any(i.indkey), false) as is_pk
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       left join pg_index i on i.indrelid = c.oid and i.indisprimary
      where n.nspname = 'public' and c.relname = $1 and c.relkind in ('r', 'v', 'm', 'p', 'f')
      order by a.attnum`,
    [name],
  );
  if (rows.length === 0) throw new PostgrestError(404, 'PGRST205', `Could not find the table 'public.${name}' in the schema cache`);
  const columns = new Map<string, Column>();
  for (const row of rows) if (row.column_name) columns.set(row.column_name, { name: row.column_name, type: row.type! });
  return { name, columns, primaryKey: rows.filter((row) => row.is_pk).map((row) => row.column_name!) };
}

export interface Routine {
  args: { name: string; type: string }[];
  required: number;
  returnsSet: boolean;
  returnsVoid: boolean;
  /** Columns of a composite or TABLE result (filters, select and order apply); empty for a scalar. */
  resultColumns: Column[];
}

interface RoutineRow {
  arg_names: string[] | null;
  arg_modes: string[] | null;
  all_arg_types: string[] | null;
  arg_types: string[];
  defaults: number;
  returns_set: boolean;
  return_type: string;
  composite_columns: Column[] | null;
}

async function readRoutines(tx: SqlExecutor, name: string): Promise<Routine[]> {
  const rows = await tx.query<RoutineRow>(
    `select p.proargnames as arg_names, p.proargmodes::text[] as arg_modes,
            array(select format_type(t, null) from unnest(p.proallargtypes) t) as all_arg_types,
            array(select format_type(t, null) from unnest(p.proargtypes) t) as arg_types,
            p.pronargdefaults as defaults, p.proretset as returns_set,
            format_type(p.prorettype, null) as return_type,
            (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
               from pg_type t join pg_attribute a on a.attrelid = t.typrelid
              where t.oid = p.prorettype and t.typrelid <> 0 and a.attnum > 0 and not a.attisdropped) as composite_columns
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname = $1 and p.prokind = 'f'`,
    [name],
  );
  return rows.map((row) => {
    const modes = row.arg_modes;
    const names = row.arg_names ?? [];
    const inputNames = names.filter((_, i) => !modes || ['i', 'b', 'v'].includes(modes[i]!));
    const tableColumns = modes
      ? names.flatMap((argName, i) => (modes[i] === 't' || modes[i] === 'o' ? [{ name: argName, type: row.all_arg_types![i]! }] : []))
      : [];
    return {
      args: row.arg_types.map((type, i) => ({ name: inputNames[i] ?? '', type })),
      required: row.arg_types.length - row.defaults,
      returnsSet: row.returns_set,
      returnsVoid: row.return_type === 'void',
      resultColumns: row.composite_columns ?? (tableColumns.length > 1 || row.return_type === 'record' ? tableColumns : []),
    };
  });
}

/** A type named in a request (`::cast`), as the catalogue spells it; unknown types are Postgres's 42704. */
export async function resolveType(tx: SqlExecutor, name: string): Promise<string> {
  const [row] = await tx.query<{ type: string | null }>('select format_type(to_regtype($1), null) as type', [name]);
  if (!row?.type) throw new PostgrestError(400, '42704', `type "${name}" does not exist`);
  return row.type;
}

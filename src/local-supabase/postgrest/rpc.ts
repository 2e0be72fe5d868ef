/** /rest/v1/rpc/<fn>: calls a `public` function with named arguments, shaped as PostgREST answers. */
import type { SqlExecutor } from '../database.js';
import { PostgrestError, unsupported } from './errors.js';
import { quoteIdent } from './query.js';
import { JSON_TYPE, type RestResponse } from './response.js';

interface Routine {
  args: { name: string; type: string }[];
  required: number;
  returnsSet: boolean;
  returnsVoid: boolean;
}

interface RoutineRow {
  arg_names: string[] | null;
  arg_modes: string[] | null;
  arg_types: string[];
  defaults: number;
  returns_set: boolean;
  return_type: string;
}

async function loadRoutines(tx: SqlExecutor, name: string): Promise<Routine[]> {
  const rows = await tx.query<RoutineRow>(
    `select p.proargnames as arg_names, p.proargmodes::text[] as arg_modes,
            array(select format_type(t, null) from unnest(p.proargtypes) t) as arg_types,
            p.pronargdefaults as defaults, p.proretset as returns_set,
            format_type(p.prorettype, null) as return_type
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname = $1 and p.prokind = 'f'`,
    [name],
  );
  return rows.map((row) => {
    const modes = row.arg_modes;
    const names = (row.arg_names ?? []).filter((_, i) => !modes || ['i', 'b', 'v'].includes(modes[i]!));
    return {
      args: row.arg_types.map((type, i) => ({ name: names[i] ?? '', type })),
      required: row.arg_types.length - row.defaults,
      returnsSet: row.returns_set,
      returnsVoid: row.return_type === 'void',
    };
  });
}

function noRoutine(name: string, keys: string[]): PostgrestError {
  const sorted = [...keys].sort();
  const signature = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
  const params = sorted.length
    ? `with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`
    : 'without parameters';
  return new PostgrestError(
    404,
    'PGRST202',
    `Could not find the function public.${name}${signature} in the schema cache`,
    `Searched for the function public.${name} ${params} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
  );
}

function choose(routines: Routine[], keys: string[]): { routine: Routine; wholeBody: boolean } | undefined {
  for (const routine of routines) {
    const names = routine.args.map((arg) => arg.name);
    const coversKeys = keys.every((key) => names.includes(key));
    const hasRequired = routine.args.slice(0, routine.required).every((arg) => keys.includes(arg.name));
    if (coversKeys && hasRequired) return { routine, wholeBody: false };
  }
  const single = routines.find(
    (routine) => routine.args.length === 1 && routine.args[0]!.name === '' && /^jsonb?$/.test(routine.args[0]!.type),
  );
  return single ? { routine: single, wholeBody: true } : undefined;
}

export async function handleRpc(
  tx: SqlExecutor,
  name: string,
  method: string,
  body: unknown,
): Promise<RestResponse> {
  if (method !== 'POST') throw unsupported(`${method} on rpc/${name} (only POST is implemented)`);
  const args = body ?? {};
  if (typeof args !== 'object' || Array.isArray(args)) throw unsupported('rpc with a non-object body');
  const keys = Object.keys(args);
  const match = choose(await loadRoutines(tx, name), keys);
  if (!match) throw noRoutine(name, keys);
  const { routine, wholeBody } = match;

  const callArgs = wholeBody
    ? `$1::${routine.args[0]!.type}`
    : routine.args
        .filter((arg) => keys.includes(arg.name))
        .map((arg) => `${quoteIdent(arg.name)} := pgrst_body.${quoteIdent(arg.name)}`)
        .join(', ');
  const recordType = routine.args
    .filter((arg) => keys.includes(arg.name))
    .map((arg) => `${quoteIdent(arg.name)} ${arg.type}`)
    .join(', ');
  const argsRecord = wholeBody || keys.length === 0 ? '' : `json_to_record($1::json) as pgrst_body(${recordType})`;
  const call = `public.${quoteIdent(name)}(${callArgs})`;
  const params = keys.length === 0 && !wholeBody ? [] : [JSON.stringify(args)];

  const from = argsRecord ? `from ${argsRecord}` : '';
  if (routine.returnsVoid) {
    await tx.query(`select ${call} ${from}`, params);
    return { status: 204, headers: {} };
  }
  const sql = routine.returnsSet
    ? `select coalesce(json_agg(pgrst_r), '[]')::text as body from ${argsRecord ? `${argsRecord}, lateral` : ''} ${call} pgrst_r`
    : `select to_json(${call})::text as body ${from}`;
  const [row] = await tx.query<{ body: string | null }>(sql, params);
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: row?.body ?? 'null' };
}

/** Which function an rpc request calls (Plan/CallPlan in PostgREST): by name and the argument names given. */
import type { SqlExecutor } from '../../database.js';
import { PostgrestError } from '../errors.js';
import { loadRoutines, type Routine } from './schema-cache.js';

function noRoutine(name: string, keys: string[]): PostgrestError {
  const sorted = [...keys].sort();
  const signature = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
  const params = sorted.length ? `with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}` : 'without parameters';
  return new PostgrestError(
    404,
    'PGRST202',
    `Could not find the function public.${name}${signature} in the schema cache`,
    `Searched for the function public.${name} ${params} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
  );
}

const isJsonArg = (routine: Routine) => routine.args.length === 1 && /^jsonb?$/.test(routine.args[0]!.type);

/** The overload whose argument names cover the keys and include every required one; or a single unnamed json/jsonb one taking the whole body. */
export async function planCall(
  tx: SqlExecutor,
  name: string,
  keys: string[],
  singleObject: boolean,
): Promise<{ routine: Routine; wholeBody: boolean }> {
  const routines = await loadRoutines(tx, name);
  if (singleObject) {
    const single = routines.find(isJsonArg);
    if (single) return { routine: single, wholeBody: true };
  }
  for (const routine of routines) {
    const names = routine.args.map((arg) => arg.name);
    const coversKeys = keys.every((key) => names.includes(key));
    const hasRequired = routine.args.slice(0, routine.required).every((arg) => keys.includes(arg.name));
    if (coversKeys && hasRequired) return { routine, wholeBody: false };
  }
  const unnamed = routines.find((routine) => isJsonArg(routine) && routine.args[0]!.name === '');
  if (unnamed) return { routine: unnamed, wholeBody: true };
  throw noRoutine(name, keys);
}

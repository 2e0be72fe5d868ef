/** Parses the PostgREST query-string subset we speak (select=, eq./neq./in./is. filters) into SQL. */
import { PostgrestError, unsupported } from './errors.js';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['select', 'columns', 'order', 'limit', 'offset', 'on_conflict', 'and', 'or', 'not']);

/** `select=*` or `select=a,b`: the projection, quoted. Embedding, casts and aliases are not ours. */
export function parseSelect(select: string | null): string {
  if (select === null || select === '*' || select === '') return '*';
  const columns = select.split(',').map((column) => column.trim());
  for (const column of columns) {
    if (column === '*') continue;
    if (!IDENTIFIER.test(column)) {
      if (/[():]/.test(column)) throw unsupported(`select=${select} (embedding, aliases and casts)`);
      throw new PostgrestError(400, 'PGRST100', `"failed to parse select parameter (${select})"`);
    }
  }
  return columns.map((column) => (column === '*' ? '*' : quoteIdent(column))).join(', ');
}

/** Splits `(a,"b,c",d)` into values, honouring PostgREST's double quotes and backslash escapes. */
function parseList(raw: string): string[] {
  if (!raw.startsWith('(') || !raw.endsWith(')')) {
    throw new PostgrestError(400, 'PGRST100', `"failed to parse filter (in.${raw})"`);
  }
  const values: string[] = [];
  const body = raw.slice(1, -1);
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quoted && char === '\\' && i + 1 < body.length) current += body[++i];
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      values.push(current);
      current = '';
    } else current += char;
  }
  if (body.length > 0) values.push(current);
  return values;
}

export interface WhereClause {
  sql: string;
  params: unknown[];
}

/** Every non-reserved query parameter is a filter `column=operator.value`. */
export function parseFilters(query: URLSearchParams, firstParam = 1): WhereClause {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const placeholder = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  for (const [column, expression] of query) {
    if (RESERVED.has(column)) {
      if (column === 'select' || column === 'columns') continue;
      throw unsupported(`the "${column}" query parameter`);
    }
    if (column === 'apikey') continue;
    if (!IDENTIFIER.test(column)) throw unsupported(`filter on "${column}"`);
    const dot = expression.indexOf('.');
    const operator = dot < 0 ? expression : expression.slice(0, dot);
    const value = dot < 0 ? '' : expression.slice(dot + 1);
    const target = quoteIdent(column);
    switch (operator) {
      case 'eq':
        conditions.push(`${target} = ${placeholder(value)}`);
        break;
      case 'neq':
        conditions.push(`${target} <> ${placeholder(value)}`);
        break;
      case 'in': {
        const values = parseList(value);
        conditions.push(values.length === 0 ? 'false' : `${target} in (${values.map(placeholder).join(', ')})`);
        break;
      }
      case 'is': {
        const literal = { null: 'null', true: 'true', false: 'false', unknown: 'unknown' }[value.toLowerCase()];
        if (!literal) throw new PostgrestError(400, 'PGRST100', `"failed to parse filter (is.${value})"`);
        conditions.push(`${target} is ${literal}`);
        break;
      }
      default:
        throw unsupported(`the "${operator}" filter operator`);
    }
  }
  return { sql: conditions.length ? conditions.join(' and ') : 'true', params };
}

/** `Prefer: return=…, count=…` → the return preference (minimal when absent, as PostgREST). */
export function parsePrefer(header: string | undefined): { return: 'minimal' | 'representation' | 'headers-only' } {
  const preferences = (header ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  let returning: 'minimal' | 'representation' | 'headers-only' = 'minimal';
  for (const preference of preferences) {
    const [key, value] = preference.split('=');
    if (key === 'return' && (value === 'minimal' || value === 'representation' || value === 'headers-only')) {
      returning = value;
    } else if (key === 'count' || key === 'resolution') {
      throw unsupported(`Prefer: ${preference}`);
    }
  }
  return { return: returning };
}

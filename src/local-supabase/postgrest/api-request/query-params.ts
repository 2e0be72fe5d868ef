/**
 * PostgREST's query string (ApiRequest/QueryParams.hs): `select`, filters and logic trees
 * (`or`, `and`, `not.`), `order`, `limit`/`offset`, `columns`, `on_conflict`. Everything is parsed
 * here, before any SQL: what does not parse is PGRST100, what parses but is not implemented is
 * refused by name.
 */
import { PostgrestError, unsupported } from '../errors.js';

/** A column reference with an optional JSON path: `data->a->>b` is column `data`, path [->a, ->>b]. */
export interface Field {
  column: string;
  path: { arrow: '->' | '->>'; key: string }[];
}

export interface SelectColumn {
  kind: 'column';
  field: Field;
  alias?: string;
  cast?: string;
}

/** `alias:relation!hint!inner(children)`: one level of resource embedding through a foreign key. */
export interface SelectEmbed {
  kind: 'embed';
  relation: string;
  alias?: string;
  /** A foreign key's name or one of its columns, to choose between relationships. */
  hint?: string;
  /** `inner` keeps only parents with a match; `left` (the default) keeps them all. */
  join: 'inner' | 'left';
  children: (SelectColumn | { kind: 'star' })[];
}

export type SelectItem = { kind: 'star' } | SelectColumn | SelectEmbed;

export type Operator =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'match' | 'imatch' | 'is' | 'isdistinct'
  | 'in' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj' | 'fts' | 'plfts' | 'phfts' | 'wfts';

export interface Condition {
  kind: 'condition';
  field: Field;
  negated: boolean;
  operator: Operator;
  /** `any`/`all` with eq, neq, gt, gte, lt, lte, like, ilike, match, imatch: the value is a list. */
  quantifier?: 'any' | 'all';
  /** The full-text search configuration of `fts(english)`. */
  language?: string;
  value: string;
  /** For `in`: the parsed list. */
  list?: string[];
}

export interface LogicTree {
  kind: 'logic';
  operator: 'and' | 'or';
  negated: boolean;
  children: (Condition | LogicTree)[];
}

export interface OrderTerm {
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

export interface QueryParams {
  select: SelectItem[];
  /** The root conjunction of every filter and logic parameter. */
  where: LogicTree;
  /** Filters on embedded resources (`messages.username=eq.x`), by the embed's alias or name. */
  embeddedWhere: Map<string, LogicTree>;
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  columns?: string[];
  onConflict?: string[];
  /** Parameters that are not filters: for a GET rpc, the function's arguments. */
  unclaimed: [string, string][];
}

const OPERATORS = new Set<string>([
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'is', 'isdistinct',
  'in', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'fts', 'plfts', 'phfts', 'wfts',
]);
const QUANTIFIABLE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);

const parseError = (message: string, details?: string) => new PostgrestError(400, 'PGRST100', message, details ?? null);

/** Splits at top-level commas, honouring parentheses and double-quoted strings (with backslash escapes). */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      current += char;
      if (char === '\\' && i + 1 < text.length) current += text[++i];
      else if (char === '"') quoted = false;
      continue;
    }
    if (char === '"') quoted = true;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** A bare or double-quoted name; quotes allow any character (`"column whitespace"`). */
function unquote(name: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(name);
  return quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : name;
}

/** `col`, `"quoted col"`, `col->a->>b`, `col->0`. */
export function parseField(text: string, context: string): Field {
  const pieces = text.split(/(->>|->)/);
  const column = unquote(pieces[0]!.trim());
  if (column === '' || (!/^".*"$/.test(pieces[0]!.trim()) && /[()\s:,]/.test(column))) throw parseError(`"failed to parse ${context}"`);
  const path: Field['path'] = [];
  for (let i = 1; i < pieces.length; i += 2) {
    const key = unquote(pieces[i + 1] ?? '');
    if (key === '') throw parseError(`"failed to parse ${context}"`);
    path.push({ arrow: pieces[i] as '->' | '->>', key });
  }
  return { column, path };
}

function parseColumn(item: string, raw: string): SelectColumn {
  const aliased = /^((?:"(?:[^"\\]|\\.)*")|[^:"]+):(?!:)(.*)$/.exec(item);
  const alias = aliased ? unquote(aliased[1]!) : undefined;
  const rest = aliased ? aliased[2]! : item;
  const [fieldText, cast, extra] = rest.split('::');
  if (extra !== undefined || (cast !== undefined && !/^[A-Za-z_][A-Za-z0-9_ ]*(\[\])?$/.test(cast))) {
    throw parseError(`"failed to parse select parameter (${raw})"`);
  }
  const column: SelectColumn = { kind: 'column', field: parseField(fieldText!, `select parameter (${raw})`) };
  if (alias !== undefined) column.alias = alias;
  if (cast !== undefined) column.cast = cast;
  return column;
}

const EMBED = /^(?:([A-Za-z_][\w]*):)?([A-Za-z_][\w]*)((?:![\w]+)*)\(([\s\S]*)\)$/;

function parseEmbed(item: string, raw: string): SelectEmbed {
  const match = EMBED.exec(item);
  if (!match) throw parseError(`"failed to parse select parameter (${raw})"`);
  const embed: SelectEmbed = { kind: 'embed', relation: match[2]!, join: 'left', children: [] };
  if (match[1]) embed.alias = match[1];
  for (const modifier of (match[3] ?? '').split('!').filter(Boolean)) {
    if (modifier === 'inner' || modifier === 'left') embed.join = modifier;
    else if (embed.hint === undefined) embed.hint = modifier;
    else throw parseError(`"failed to parse select parameter (${raw})"`);
  }
  const inner = match[4]!.trim();
  if (inner !== '') {
    for (const child of splitTopLevel(inner).map((part) => part.trim())) {
      if (child.includes('(') || child.startsWith('...')) throw unsupported(`select=${raw} (embedding more than one level, spreads and aggregates)`);
      embed.children.push(child === '*' ? { kind: 'star' } : parseColumn(child, raw));
    }
  }
  return embed;
}

function parseSelect(raw: string | null): SelectItem[] {
  if (raw === null || raw.trim() === '') return [{ kind: 'star' }];
  return splitTopLevel(raw).map((part) => {
    const item = part.trim();
    if (item === '*') return { kind: 'star' };
    if (item.startsWith('...') || /\.\w+\(\)/.test(item) || /^(\w+:)?(count|sum|avg|min|max)\(\)/.test(item)) {
      throw unsupported(`select=${raw} (spreads and aggregates)`);
    }
    if (item.includes('(')) return parseEmbed(item, raw);
    return parseColumn(item, raw);
  });
}

/** `(a,"b,c",d)` → values, honouring PostgREST's double quotes and backslash escapes. */
function parseList(raw: string, context: string): string[] {
  if (!raw.startsWith('(') || !raw.endsWith(')')) throw parseError(`"failed to parse filter (${context})"`);
  const body = raw.slice(1, -1);
  if (body === '') return [];
  return splitTopLevel(body).map((value) => unquote(value));
}

/** `[not.]op[(quantifier|language)].value` applied to `field`. */
function parseCondition(field: Field, expression: string): Condition {
  let rest = expression;
  let negated = false;
  if (rest.startsWith('not.')) {
    negated = true;
    rest = rest.slice(4);
  }
  const match = /^([a-z]+)(?:\(([^)]*)\))?\.([\s\S]*)$/.exec(rest);
  if (!match || !OPERATORS.has(match[1]!)) throw parseError(`"failed to parse filter (${expression})"`);
  const operator = match[1] as Operator;
  const modifier = match[2];
  const value = match[3]!;
  const condition: Condition = { kind: 'condition', field, negated, operator, value };
  if (modifier !== undefined) {
    if (['fts', 'plfts', 'phfts', 'wfts'].includes(operator)) condition.language = modifier;
    else if (QUANTIFIABLE.has(operator) && (modifier === 'any' || modifier === 'all')) condition.quantifier = modifier;
    else throw parseError(`"failed to parse filter (${expression})"`);
  }
  if (operator === 'in') condition.list = parseList(value, expression);
  if (operator === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(value.toLowerCase())) {
    throw parseError(`"failed to parse filter (${expression})"`);
  }
  return condition;
}

/** The inside of `or=(…)`: conditions `field.[not.]op.value` and nested `[not.]and(…)`/`[not.]or(…)`. */
function parseLogic(operator: 'and' | 'or', negated: boolean, raw: string): LogicTree {
  if (!raw.startsWith('(') || !raw.endsWith(')')) throw parseError(`"failed to parse logic tree (${raw})"`);
  const children = splitTopLevel(raw.slice(1, -1)).map((part): Condition | LogicTree => {
    const item = part.trim();
    const nested = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
    if (nested) return parseLogic(nested[2] as 'and' | 'or', nested[1] !== undefined, nested[3]!);
    const dot = item.search(/\.(?:not\.)?[a-z]+(?:\([^)]*\))?\./);
    if (dot <= 0) throw parseError(`"failed to parse logic tree (${raw})"`);
    return parseCondition(parseField(item.slice(0, dot), `logic tree (${raw})`), item.slice(dot + 1));
  });
  return { kind: 'logic', operator, negated, children };
}

function parseOrder(raw: string): OrderTerm[] {
  return splitTopLevel(raw).map((part) => {
    const pieces = part.trim().split('.');
    const modifiers: string[] = [];
    while (pieces.length > 1 && ['asc', 'desc', 'nullsfirst', 'nullslast'].includes(pieces[pieces.length - 1]!)) {
      modifiers.unshift(pieces.pop()!);
    }
    const term: OrderTerm = { field: parseField(pieces.join('.'), `order (${raw})`) };
    for (const modifier of modifiers) {
      if (modifier === 'asc' || modifier === 'desc') term.direction = modifier;
      else term.nulls = modifier === 'nullsfirst' ? 'first' : 'last';
    }
    return term;
  });
}

function parseNonNegative(raw: string, name: string): number {
  if (!/^\d+$/.test(raw)) throw parseError(`"failed to parse ${name} parameter (${raw})"`);
  return Number(raw);
}

/** Reads the query string; a parameter whose value is not `op.value` is left unclaimed: a GET rpc's argument, a table's parse error. */
export function parseQueryParams(query: URLSearchParams): QueryParams {
  const params: QueryParams = {
    select: parseSelect(query.get('select')),
    where: { kind: 'logic', operator: 'and', negated: false, children: [] },
    embeddedWhere: new Map(),
    order: [],
    unclaimed: [],
  };
  for (const [name, value] of query) {
    if (name === 'select' || name === 'apikey') continue;
    if (name.includes('.') && /^[^."]+\.(order|limit|offset|or|and|not\.or|not\.and|select)$/.test(name)) {
      throw unsupported(`the "${name}" parameter (filters and transforms on embedded resources)`);
    }
    switch (name) {
      case 'order':
        params.order = parseOrder(value);
        break;
      case 'limit':
        params.limit = parseNonNegative(value, 'limit');
        break;
      case 'offset':
        params.offset = parseNonNegative(value, 'offset');
        break;
      case 'columns':
        params.columns = splitTopLevel(value).map((column) => unquote(column.trim()));
        break;
      case 'on_conflict':
        params.onConflict = splitTopLevel(value).map((column) => unquote(column.trim()));
        break;
      case 'or':
      case 'and':
      case 'not.or':
      case 'not.and':
        params.where.children.push(parseLogic(name.endsWith('or') ? 'or' : 'and', name.startsWith('not.'), value));
        break;
      default:
        if (/^[a-z]+(\([^)]*\))?\./.test(value) || value.startsWith('not.')) {
          const embedded = /^([A-Za-z_]\w*)\.([^.]+)$/.exec(name);
          if (embedded && params.select.some((item) => item.kind === 'embed' && (item.alias ?? item.relation) === embedded[1])) {
            const tree = params.embeddedWhere.get(embedded[1]!) ?? { kind: 'logic', operator: 'and', negated: false, children: [] };
            tree.children.push(parseCondition(parseField(embedded[2]!, `filter (${name})`), value));
            params.embeddedWhere.set(embedded[1]!, tree);
          } else params.where.children.push(parseCondition(parseField(name, `filter (${name})`), value));
        } else params.unclaimed.push([name, value]);
    }
  }
  return params;
}

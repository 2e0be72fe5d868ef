/**
 * SQL fragments (PostgREST's Query/SqlFragment.hs): columns, JSON paths, conditions, logic trees,
 * ordering and the select list — identifiers only from the schema cache, quoted; every value a
 * parameter.
 */
import type { Condition, Field, LogicTree, OrderTerm, SelectColumn, SelectEmbed, SelectItem } from '../api-request/query-params.js';
import { PostgrestError } from '../errors.js';
import type { ResolvedEmbed } from '../plan/relationships.js';
import { quoteIdent, type Column } from '../plan/schema-cache.js';

/** Collects parameters and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];

  constructor(private readonly first = 1) {}

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.first + this.values.length - 1}`;
  }
}

/** The columns a fragment may name, and the relation name errors mention. */
export interface Scope {
  relation: string;
  columns: ReadonlyMap<string, Column> | readonly Column[];
  /** The SQL alias its rows go by; `pgrst_source` unless embedded. */
  alias?: string;
}

function columnOf(scope: Scope, name: string): Column {
  const column = Array.isArray(scope.columns)
    ? (scope.columns as readonly Column[]).find((candidate) => candidate.name === name)
    : (scope.columns as ReadonlyMap<string, Column>).get(name);
  if (!column) throw new PostgrestError(400, '42703', `column ${scope.relation}.${name} does not exist`);
  return column;
}

export function fieldSql(scope: Scope, field: Field, params: Params): string {
  let sql = `${scope.alias ?? 'pgrst_source'}.${quoteIdent(columnOf(scope, field.column).name)}`;
  for (const { arrow, key } of field.path) {
    sql += /^-?\d+$/.test(key) ? `${arrow}${params.add(Number(key))}::int` : `${arrow}${params.add(key)}::text`;
  }
  return sql;
}

const COMPARISON: Record<string, string> = {
  eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'like', ilike: 'ilike', match: '~', imatch: '~*',
  isdistinct: 'is distinct from', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-',
};
const TS_QUERY: Record<string, string> = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };

/** PostgREST lets `*` stand for `%` in like/ilike patterns. */
const pattern = (operator: string, value: string) => (operator === 'like' || operator === 'ilike' ? value.replaceAll('*', '%') : value);

function conditionSql(scope: Scope, condition: Condition, params: Params): string {
  const target = fieldSql(scope, condition.field, params);
  const { operator, value } = condition;
  let sql: string;
  if (operator === 'is') {
    const literal = { null: 'null', not_null: 'not null', true: 'true', false: 'false', unknown: 'unknown' }[value.toLowerCase()]!;
    sql = `${target} is ${literal}`;
  } else if (operator === 'in') {
    const list = condition.list!;
    sql = list.length === 0 ? 'false' : `${target} in (${list.map((item) => params.add(item)).join(', ')})`;
  } else if (TS_QUERY[operator]) {
    const language = condition.language === undefined ? '' : `${params.add(condition.language)}::regconfig, `;
    sql = `${target} @@ ${TS_QUERY[operator]}(${language}${params.add(value)})`;
  } else if (condition.quantifier) {
    const items = value.replace(/^\{|\}$/g, '') === '' ? [] : value.replace(/^\{|\}$/g, '').split(',').map((item) => pattern(operator, item.trim().replace(/^"(.*)"$/, '$1')));
    sql = `${target} ${COMPARISON[operator]} ${condition.quantifier}(${params.add(items)})`;
  } else {
    sql = `${target} ${COMPARISON[operator]} ${params.add(pattern(operator, value))}`;
  }
  return condition.negated ? `not (${sql})` : sql;
}

export function whereSql(scope: Scope, tree: LogicTree, params: Params): string {
  if (tree.children.length === 0) return tree.negated ? 'false' : 'true';
  const parts = tree.children.map((child) => (child.kind === 'logic' ? whereSql(scope, child, params) : conditionSql(scope, child, params)));
  const joined = `(${parts.join(` ${tree.operator} `)})`;
  return tree.negated ? `not ${joined}` : joined;
}

export function orderSql(scope: Scope, order: OrderTerm[], params: Params): string {
  if (order.length === 0) return '';
  const terms = order.map((term) => {
    const direction = term.direction ? ` ${term.direction}` : '';
    const nulls = term.nulls ? ` nulls ${term.nulls}` : '';
    return `${fieldSql(scope, term.field, params)}${direction}${nulls}`;
  });
  return ` order by ${terms.join(', ')}`;
}

function columnSql(scope: Scope, item: SelectColumn, params: Params, casts: ReadonlyMap<string, string>): string {
  const expression = fieldSql(scope, item.field, params);
  const cast = item.cast ? `::${casts.get(item.cast)}` : '';
  const lastKey = item.field.path[item.field.path.length - 1]?.key;
  const name = item.alias ?? lastKey ?? item.field.column;
  return `${expression}${cast} as ${quoteIdent(name)}`;
}

const EMBEDDED_ALIAS = 'pgrst_embedded';

/** The embedded rows matching the current row, with the embed's own filters: for `exists` (!inner) and for the JSON. */
export function embeddedRowsSql(outer: Scope, resolved: ResolvedEmbed, params: Params, where: LogicTree | undefined): string {
  const inner: Scope = { relation: resolved.target.name, columns: resolved.target.columns, alias: EMBEDDED_ALIAS };
  const join = resolved.on
    .map(([outerColumn, innerColumn]) => `${EMBEDDED_ALIAS}.${quoteIdent(innerColumn)} = ${outer.alias ?? 'pgrst_source'}.${quoteIdent(outerColumn)}`)
    .join(' and ');
  const filters = where ? ` and ${whereSql(inner, where, params)}` : '';
  return `from public.${quoteIdent(resolved.target.name)} ${EMBEDDED_ALIAS} where ${join}${filters}`;
}

function embedSql(outer: Scope, resolved: ResolvedEmbed, params: Params, casts: ReadonlyMap<string, string>, where: LogicTree | undefined): string {
  const inner: Scope = { relation: resolved.target.name, columns: resolved.target.columns, alias: EMBEDDED_ALIAS };
  const children = resolved.embed.children.length === 0 ? [] : resolved.embed.children;
  const projection = children.map((child) => (child.kind === 'star' ? `${EMBEDDED_ALIAS}.*` : columnSql(inner, child, params, casts))).join(', ');
  const rows = `select ${projection || 'null as pgrst_none'} ${embeddedRowsSql(outer, resolved, params, where)}`;
  const value = projection === '' ? `'{}'::json` : 'to_json(pgrst_e)';
  const sql = resolved.cardinality === 'one'
    ? `(select ${value} from (${rows} limit 1) pgrst_e)`
    : `coalesce((select json_agg(${value}) from (${rows}) pgrst_e), '[]'::json)`;
  return `${sql} as ${quoteIdent(resolved.name)}`;
}

/**
 * The select list; `casts` maps each requested cast to its catalogue spelling, `embeds` each
 * embedded resource to its relationship, `embeddedWhere` the filters on it.
 */
export function selectSql(
  scope: Scope,
  items: SelectItem[],
  params: Params,
  casts: ReadonlyMap<string, string>,
  embeds: ReadonlyMap<SelectEmbed, ResolvedEmbed> = new Map(),
  embeddedWhere: ReadonlyMap<string, LogicTree> = new Map(),
): string {
  return items
    .map((item) => {
      if (item.kind === 'star') return 'pgrst_source.*';
      if (item.kind === 'embed') {
        const resolved = embeds.get(item)!;
        return embedSql(scope, resolved, params, casts, embeddedWhere.get(resolved.name));
      }
      return columnSql(scope, item, params, casts);
    })
    .join(', ');
}

/**
 * Relationships for resource embedding (PostgREST's schema cache relationships, one level): the
 * foreign keys between the table and the embedded one, in either direction. Many-to-one and
 * one-to-one embed an object, one-to-many an array; more than one candidate needs a hint (the
 * key's name or one of its columns), as PostgREST's PGRST201 says.
 */
import type { SqlExecutor } from '../../database.js';
import type { SelectEmbed } from '../api-request/query-params.js';
import { PostgrestError } from '../errors.js';
import { loadTable, type Relation } from './schema-cache.js';

export interface ResolvedEmbed {
  embed: SelectEmbed;
  name: string;
  target: Relation;
  cardinality: 'one' | 'many';
  /** Pairs of (column of the embedding table, column of the embedded one) that must be equal. */
  on: [string, string][];
}

interface ForeignKey {
  name: string;
  source: string;
  target: string;
  source_columns: string[];
  target_columns: string[];
  /** The source columns are a primary key or unique: the relationship is one-to-one. */
  source_unique: boolean;
}

async function foreignKeys(tx: SqlExecutor, a: string, b: string): Promise<ForeignKey[]> {
  return tx.query<ForeignKey>(
    `select c.conname as name, s.relname as source, t.relname as target,
            array(select att.attname::text from unnest(c.conkey) with ordinality k(num, pos)
                    join pg_attribute att on att.attrelid = c.conrelid and att.attnum = k.num order by k.pos) as source_columns,
            array(select att.attname::text from unnest(c.confkey) with ordinality k(num, pos)
                    join pg_attribute att on att.attrelid = c.confrelid and att.attnum = k.num order by k.pos) as target_columns,
            exists (select from pg_index i where i.indrelid = c.conrelid and (i.indisprimary or i.indisunique)
                      and (select array_agg(x order by x) from unnest(i.indkey::int2[]) x) = (select array_agg(y order by y) from unnest(c.conkey) y)) as source_unique
       from pg_constraint c
       join pg_class s on s.oid = c.conrelid join pg_namespace sn on sn.oid = s.relnamespace
       join pg_class t on t.oid = c.confrelid join pg_namespace tn on tn.oid = t.relnamespace
      where c.contype = 'f' and sn.nspname = 'public' and tn.nspname = 'public'
        and ((s.relname = $1 and t.relname = $2) or (s.relname = $2 and t.relname = $1))
      order by c.conname`,
    [a, b],
  );
}

const describe = (key: ForeignKey, from: string) =>
  key.source === from
    ? { cardinality: key.source_unique ? 'one-to-one' : 'many-to-one', relationship: `${key.name} using ${key.source}(${key.source_columns.join(', ')}) and ${key.target}(${key.target_columns.join(', ')})` }
    : { cardinality: key.source_unique ? 'one-to-one' : 'one-to-many', relationship: `${key.name} using ${key.target}(${key.target_columns.join(', ')}) and ${key.source}(${key.source_columns.join(', ')})` };

export async function resolveEmbed(tx: SqlExecutor, table: Relation, embed: SelectEmbed): Promise<ResolvedEmbed> {
  const target = await loadTable(tx, embed.relation).catch(() => {
    throw new PostgrestError(400, 'PGRST200', `Could not find a relationship between '${table.name}' and '${embed.relation}' in the schema cache`, `Searched for a foreign key relationship between '${table.name}' and '${embed.relation}' in the schema 'public', but no matches were found.`);
  });
  if (target.name === table.name) {
    throw new PostgrestError(501, 'PGRST501', `Not implemented by the embedded local Supabase: embedding '${table.name}' in itself`);
  }
  let keys = await foreignKeys(tx, table.name, target.name);
  if (embed.hint) keys = keys.filter((key) => key.name === embed.hint || key.source_columns.includes(embed.hint!));
  if (keys.length === 0) {
    throw new PostgrestError(400, 'PGRST200', `Could not find a relationship between '${table.name}' and '${embed.relation}' in the schema cache`, `Searched for a foreign key relationship between '${table.name}' and '${embed.relation}'${embed.hint ? ` using the hint '${embed.hint}'` : ''} in the schema 'public', but no matches were found.`);
  }
  if (keys.length > 1) {
    throw new PostgrestError(
      300,
      'PGRST201',
      `Could not embed because more than one relationship was found for '${table.name}' and '${embed.relation}'`,
      keys.map((key) => ({ ...describe(key, table.name), embedding: `${table.name} with ${embed.relation}` })),
      `Try changing '${embed.relation}' to one of the following: ${keys.map((key) => `'${embed.relation}!${key.name}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
    );
  }
  const key = keys[0]!;
  const outgoing = key.source === table.name;
  const on = key.source_columns.map((column, i): [string, string] => (outgoing ? [column, key.target_columns[i]!] : [key.target_columns[i]!, column]));
  return {
    embed,
    name: embed.alias ?? embed.relation,
    target,
    cardinality: outgoing || key.source_unique ? 'one' : 'many',
    on,
  };
}

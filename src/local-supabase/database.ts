/** One small interface over the two real Postgres engines the embedded Supabase runs on. */
export interface SqlError {
  code: string;
  message: string;
  detail?: string | undefined;
  hint?: string | undefined;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs several statements without parameters (bootstrap, migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Which engine this is, for /healthz and logs: `pglite` or `postgres`. */
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A Postgres error as both drivers raise it: an object with a five-character SQLSTATE `code`. */
export function isSqlError(error: unknown): error is SqlError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}

/** What the embedded Supabase's worker thread tells the thread that started it. */
export type FromThread =
  | { kind: 'ready'; url: string; engine: 'pglite' | 'postgres'; appliedMigrations: string[] }
  /** Start-up failed; the message says what to change (a busy port, an unreachable database, a data directory in use). */
  | { kind: 'failed'; message: string };

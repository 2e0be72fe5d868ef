/** What the embedded Supabase's worker thread tells the thread that started it: one message, once it has started or failed to. */
export type FromThread =
  | { kind: 'ready'; url: string; engine: 'pglite' | 'postgres'; appliedMigrations: string[]; inboxUrl?: string }
  /** Start-up failed; the message says what to change (a busy port, an unreachable database, a data directory in use). */
  | { kind: 'failed'; message: string };

/** The one message the thread is sent: close the embedded Supabase (server, database, lock) and end. */
export const CLOSE = 'close';

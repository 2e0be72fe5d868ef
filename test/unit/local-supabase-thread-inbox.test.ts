/** The worker-thread runner passes `inboxPort` through and reports the inbox's URL (Mailpit's API) beside the API's. */
import { describe, expect, it } from 'vitest';
import { startLocalSupabaseThread } from '../../src/local-supabase/thread.js';

describe('startLocalSupabaseThread with inboxPort', () => {
  it('reports inboxUrl, which answers Mailpit\'s GET /api/v1/messages', async () => {
    const local = await startLocalSupabaseThread({ inboxPort: 0, migrationsDir: null }, () => undefined);
    try {
      expect(local.inboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${local.inboxUrl}/api/v1/messages`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ total: 0, messages: [] });
    } finally {
      await local.close();
    }
  });
});

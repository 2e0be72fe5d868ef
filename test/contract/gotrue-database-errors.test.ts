/**
 * GoTrue when the database refuses a write: adminUserCreate and adminUserDelete (supabase/auth
 * internal/api/admin.go) wrap the SQL error in NewInternalServerError, so the answer is 500
 * `unexpected_failure` with their own message, never the error itself. Triggers on auth.users
 * refuse users tagged for it; they need SQL access.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractTargets, useTarget } from '../support/target.js';

const FIXTURE = `
create function public.contract_refuse_user() returns trigger language plpgsql as $$
begin
  if (case when tg_op = 'DELETE' then old else new end).raw_user_meta_data ->> 'refuse' = lower(tg_op) then
    raise exception 'contract fixture refuses this %', lower(tg_op);
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger contract_refuse_insert before insert on auth.users for each row execute function public.contract_refuse_user();
create trigger contract_refuse_delete before delete on auth.users for each row execute function public.contract_refuse_user();
`;
const DROP = `
drop trigger if exists contract_refuse_insert on auth.users;
drop trigger if exists contract_refuse_delete on auth.users;
drop function if exists public.contract_refuse_user();
`;

describe.each(contractTargets())('GoTrue answers a refused write: $name', (factory) => {
  const t = useTarget(factory, { layout: FIXTURE, drop: DROP });
  const admin = (method: string, path: string, body?: object) =>
    fetch(`${t.url}/auth/v1/admin/users${path}`, {
      method,
      headers: { apikey: t.serviceRoleKey, Authorization: `Bearer ${t.serviceRoleKey}`, 'X-Supabase-Api-Version': '2024-01-01', 'Content-Type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  async function expectUnexpectedFailure(response: Response, message: string) {
    expect(response.status).toBe(500);
    expect(response.headers.get('x-sb-error-code')).toBe('unexpected_failure');
    expect(await response.json()).toEqual({ code: 'unexpected_failure', message });
  }

  it('a create the database refuses is 500 "Database error creating new user"', async () => {
    const refused = await admin('POST', '', { email: `refused-${randomUUID()}@example.com`, password: 'pw', user_metadata: { refuse: 'insert' } });
    await expectUnexpectedFailure(refused, 'Database error creating new user');
  });

  it('a delete the database refuses is 500 "Database error deleting user", and the user stays', async () => {
    const { data, error } = await t.service.auth.admin.createUser({ email: `kept-${randomUUID()}@example.com`, password: 'pw', user_metadata: { refuse: 'delete' } });
    expect(error).toBeNull();
    const id = data.user!.id;
    await expectUnexpectedFailure(await admin('DELETE', `/${id}`), 'Database error deleting user');
    expect((await t.service.auth.admin.deleteUser(id)).error).toMatchObject({ status: 500 });
    expect((await t.service.auth.admin.getUserById(id)).data.user?.id).toBe(id);
  });
});

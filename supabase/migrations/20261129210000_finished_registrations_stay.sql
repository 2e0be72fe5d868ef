-- A finished registration can never be undone, whatever the service believes about it.
--
-- An answer cut short can make the service think a step failed after it had committed. The
-- service now treats such answers as ambiguous; these guards hold even when it does not:
-- 1. registration_abort refuses a finished registration and says so, with the stored answer, so
--    the saga answers that instead of "nothing was saved".
-- 2. The director user of a finished registration cannot be deleted (a BEFORE DELETE guard that
--    mirrors the insert guard). To remove a registered director within the key's retention,
--    delete or purge its idempotency key first.
-- 3. registration_status tells a compensation or a refused step where the registration stands.
-- 4. registration_release_claim lets go of a claim whose answer was lost, by key and attempt.

drop function public.registration_abort(uuid, uuid, jsonb, text);

-- Compensation of step 1: delete the institution (its profiles cascade) and settle the key; with
-- p_result (a business rejection) it is remembered, without it forgotten. Answers `aborted`, or
-- `finished` with the stored answer when the registration had completed.
create function public.registration_abort(p_registration_id uuid, p_attempt uuid, p_result jsonb, p_error text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys := public.registration_hold(p_registration_id, p_attempt);
begin
  if k.recovery_point = 'finished' and k.result ->> 'status' = 'registered' then
    return jsonb_build_object('outcome', 'finished', 'result', k.result);
  end if;
  if k.recovery_point <> 'institution_created' then
    return jsonb_build_object('outcome', 'aborted');
  end if;
  -- Reverse order is the database's rule too: while the director's auth user exists, the
  -- institution stays and the key stays unsettled, so nothing is forgotten half-undone.
  if public.registration_director_exists(k.director_user_id) then
    raise exception using errcode = 'PT424', message = 'the director''s auth user still exists';
  end if;
  delete from public.institutions where id = k.institution_id and status = 'pending';
  update public.idempotency_keys
     set recovery_point = case when p_result is null then 'compensated' else 'finished' end,
         result = p_result, locked_until = null, last_error = p_error, updated_at = now()
   where id = k.id;
  return jsonb_build_object('outcome', 'aborted');
end
$$;

-- The director of a finished registration stays. FOR SHARE orders this against
-- registration_complete's FOR UPDATE: a delete either sees the registration finished (and is
-- refused), or happens first (and the completion then fails on the profile's foreign key).
create function public.registration_guard_director_delete() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tag text := old.raw_app_meta_data ->> 'registration_id';
  k public.idempotency_keys;
begin
  if v_tag is null or v_tag !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return old;
  end if;
  select * into k from public.idempotency_keys where id = v_tag::uuid for share;
  if found and k.director_user_id = old.id and k.recovery_point = 'finished' and k.result ->> 'status' = 'registered' then
    raise exception using errcode = 'P0001',
      message = 'registration ' || v_tag || ' is finished: its director user is kept';
  end if;
  return old;
end
$$;

create trigger registration_guard_director_delete
  before delete on auth.users
  for each row execute function public.registration_guard_director_delete();

-- Where a registration stands, without locking it: its recovery point, the attempt that holds
-- (or last held) it, and its stored answer; null when there is no such registration.
create function public.registration_status(p_registration_id uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('recovery_point', k.recovery_point, 'locked_by', k.locked_by, 'result', k.result)
    from public.idempotency_keys k
   where k.id = p_registration_id
$$;

-- After a claim whose answer was lost: let go of the lock it may have taken, keeping the recovery
-- point, so the client's retry resumes at once instead of waiting for the lock to expire.
create function public.registration_release_claim(p_scope text, p_key text, p_attempt uuid, p_error text)
returns void
language sql
set search_path = ''
as $$
  update public.idempotency_keys
     set locked_by = null, locked_until = null, last_error = p_error, updated_at = now()
   where scope = p_scope and key = p_key and locked_by = p_attempt and recovery_point = 'institution_created'
$$;

revoke all on function
  public.registration_abort(uuid, uuid, jsonb, text),
  public.registration_guard_director_delete(),
  public.registration_status(uuid),
  public.registration_release_claim(text, text, uuid, text)
from public, anon, authenticated;

grant execute on function
  public.registration_abort(uuid, uuid, jsonb, text),
  public.registration_status(uuid),
  public.registration_release_claim(text, text, uuid, text)
to service_role;

-- Exactly-once registration: idempotency keys that carry the saga's recovery point, and the
-- functions that move a registration between its atomic phases. Each function is one
-- transaction (one PostgREST rpc call), so "done" and "remembered" never drift apart.
--
-- Recovery points:
--   institution_created  the key is claimed and the institution exists as `pending`; the director's
--                        auth user may or may not exist (its id is chosen here, so GoTrue tells)
--   finished             `result` holds the final outcome, replayed to every retry
--   compensated          everything was undone and nothing is remembered: the next request with
--                        this key starts afresh

create table public.idempotency_keys (
  id uuid primary key default gen_random_uuid(),
  scope text not null check (char_length(scope) between 1 and 100),
  key text not null check (char_length(key) between 1 and 255),
  fingerprint text not null,
  recovery_point text not null,
  -- The attempt that holds the key, until when; a lock past locked_until belongs to a dead attempt.
  -- Once settled, locked_by names the attempt that settled it and locked_until is null.
  locked_by uuid,
  locked_until timestamptz,
  institution_id uuid not null,
  director_user_id uuid not null,
  -- The request without its password: what a recovery needs to finish the work.
  saga_input jsonb not null,
  result jsonb,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  expires_at timestamptz not null,
  constraint idempotency_keys_scope_key_key unique (scope, key),
  constraint idempotency_keys_recovery_point_check
    check (recovery_point in ('institution_created', 'finished', 'compensated')),
  constraint idempotency_keys_result_when_finished check ((recovery_point = 'finished') = (result is not null)),
  constraint idempotency_keys_no_password check (not saga_input ? 'directorPassword')
);

create index idempotency_keys_abandoned_idx on public.idempotency_keys (updated_at)
  where recovery_point = 'institution_created';
create index idempotency_keys_expires_at_idx on public.idempotency_keys (expires_at);

alter table public.idempotency_keys enable row level security;
revoke all on table public.idempotency_keys from anon, authenticated;

-- What a caller needs to go on with a registration it holds.
create function public.registration_state(k public.idempotency_keys, p_outcome text) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'outcome', p_outcome,
    'registration_id', k.id,
    'recovery_point', k.recovery_point,
    'institution_id', k.institution_id,
    'director_user_id', k.director_user_id,
    'saga_input', k.saga_input,
    'result', k.result)
$$;

-- Step 1, atomically with the claim: the institution as `pending`. A taken subdomain is a
-- definitive answer, remembered at once.
create function public.registration_create_institution(k public.idempotency_keys) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_constraint text;
begin
  begin
    insert into public.institutions (id, name, subdomain, status)
    values (k.institution_id, k.saga_input ->> 'name', k.saga_input ->> 'subdomain', 'pending');
  exception when unique_violation then
    get stacked diagnostics v_constraint = constraint_name;
    if v_constraint <> 'institutions_subdomain_key' then
      raise;
    end if;
    update public.idempotency_keys
       set recovery_point = 'finished',
           result = jsonb_build_object('status', 'rejected', 'reason', 'subdomain_taken'),
           locked_until = null, updated_at = now()
     where id = k.id
    returning * into k;
    return public.registration_state(k, 'finished');
  end;
  update public.idempotency_keys
     set recovery_point = 'institution_created', updated_at = now()
   where id = k.id
  returning * into k;
  return public.registration_state(k, 'proceed');
end
$$;

-- Call 1: claim the key (INSERT … ON CONFLICT) and create the institution, or say why not:
-- finished (replay), in_progress (another live attempt holds it), mismatch (other payload),
-- proceed (new: the institution was just created) or resume (taken over from a dead or failed
-- attempt, or our own retry after a lost response: an earlier call may have done more).
create function public.registration_begin(
  p_scope text,
  p_key text,
  p_fingerprint text,
  p_attempt uuid,
  p_lock_seconds integer,
  p_retention_hours integer,
  p_saga_input jsonb
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys;
  v_lock_until timestamptz := now() + make_interval(secs => p_lock_seconds);
begin
  insert into public.idempotency_keys as ik
    (scope, key, fingerprint, recovery_point, locked_by, locked_until, institution_id, director_user_id,
     saga_input, expires_at)
  values
    (p_scope, p_key, p_fingerprint, 'institution_created', p_attempt, v_lock_until, gen_random_uuid(),
     gen_random_uuid(), p_saga_input, now() + make_interval(hours => p_retention_hours))
  on conflict (scope, key) do nothing
  returning * into k;
  if found then
    return public.registration_create_institution(k);
  end if;

  select * into strict k from public.idempotency_keys where scope = p_scope and key = p_key for update;

  -- An expired key whose work is settled is forgotten: the request counts as new.
  if k.expires_at <= now() and k.recovery_point in ('finished', 'compensated') then
    k.recovery_point := 'compensated';
    k.fingerprint := p_fingerprint;
    k.created_at := now();
    k.expires_at := now() + make_interval(hours => p_retention_hours);
  end if;

  if k.fingerprint <> p_fingerprint then
    return jsonb_build_object('outcome', 'mismatch');
  end if;
  if k.recovery_point = 'finished' then
    return public.registration_state(k, 'finished');
  end if;
  if k.locked_by is distinct from p_attempt and k.locked_until > now() then
    return jsonb_build_object('outcome', 'in_progress',
      'retry_after_seconds', greatest(1, ceil(extract(epoch from k.locked_until - now()))::integer));
  end if;

  if k.recovery_point = 'compensated' then
    update public.idempotency_keys
       set fingerprint = k.fingerprint, recovery_point = 'institution_created', result = null,
           locked_by = p_attempt, locked_until = v_lock_until, institution_id = gen_random_uuid(),
           director_user_id = gen_random_uuid(), saga_input = p_saga_input, last_error = null,
           created_at = k.created_at, updated_at = now(), expires_at = k.expires_at
     where id = k.id
    returning * into k;
    return public.registration_create_institution(k);
  end if;

  update public.idempotency_keys
     set locked_by = p_attempt, locked_until = v_lock_until, updated_at = now()
   where id = k.id
  returning * into k;
  return public.registration_state(k, 'resume');
end
$$;

-- The recovery sweep's claim: take over an abandoned registration (lock free or expired).
create function public.registration_take_over(p_registration_id uuid, p_attempt uuid, p_lock_seconds integer)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys;
begin
  update public.idempotency_keys
     set locked_by = p_attempt, locked_until = now() + make_interval(secs => p_lock_seconds), updated_at = now()
   where id = p_registration_id
     and recovery_point = 'institution_created'
     and (locked_until is null or locked_until <= now())
  returning * into k;
  if not found then
    return null;
  end if;
  return public.registration_state(k, 'resume');
end
$$;

-- Locks a registration row for a write by the attempt that holds (or settled) it; PT409 tells a
-- late attempt that another one took over, so it stops without touching anything.
create function public.registration_hold(p_registration_id uuid, p_attempt uuid) returns public.idempotency_keys
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys;
begin
  select * into k from public.idempotency_keys where id = p_registration_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'registration not found';
  end if;
  if k.locked_by is distinct from p_attempt then
    raise exception using errcode = 'PT409', message = 'registration lock lost';
  end if;
  return k;
end
$$;

-- Call 3: the director's profile, activation (pending → trial) and the final answer, at once.
create function public.registration_complete(p_registration_id uuid, p_attempt uuid) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys := public.registration_hold(p_registration_id, p_attempt);
  v_institution public.institutions;
  v_result jsonb;
begin
  if k.recovery_point = 'finished' then
    return k.result;
  end if;
  if k.recovery_point = 'compensated' then
    raise exception using errcode = 'PT409', message = 'registration was compensated';
  end if;
  insert into public.user_profiles (user_id, institution_id, role, full_name)
  values (k.director_user_id, k.institution_id, 'director', k.saga_input ->> 'directorFullName');
  update public.institutions set status = 'trial'
   where id = k.institution_id and status = 'pending'
  returning * into v_institution;
  if not found then
    raise exception using errcode = 'PT409', message = 'institution is not pending';
  end if;
  v_result := jsonb_build_object(
    'status', 'registered',
    'registration', jsonb_build_object(
      'institution', jsonb_build_object(
        'id', v_institution.id, 'name', v_institution.name,
        'subdomain', v_institution.subdomain, 'status', v_institution.status),
      'director', jsonb_build_object(
        'id', k.director_user_id, 'email', k.saga_input ->> 'directorEmail',
        'fullName', k.saga_input ->> 'directorFullName')));
  update public.idempotency_keys
     set recovery_point = 'finished', result = v_result, locked_until = null,
         last_error = null, updated_at = now()
   where id = k.id;
  return v_result;
end
$$;

-- Whether GoTrue still has the auth user: auth.users belongs to GoTrue, so this reads it as the owner.
create function public.registration_director_exists(p_user_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select from auth.users where id = p_user_id)
$$;

-- Compensation of step 1 (runs after the auth user's): delete the institution (its profiles cascade) and settle the key: with
-- p_result (a definitive business answer) it is remembered; without, it is forgotten.
create function public.registration_abort(p_registration_id uuid, p_attempt uuid, p_result jsonb, p_error text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  k public.idempotency_keys := public.registration_hold(p_registration_id, p_attempt);
begin
  if k.recovery_point <> 'institution_created' then
    return;
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
end
$$;

-- A transient failure: let go of the lock, keep the recovery point, so a retry resumes.
create function public.registration_release(p_registration_id uuid, p_attempt uuid, p_error text)
returns void
language sql
set search_path = ''
as $$
  update public.idempotency_keys
     set locked_by = null, locked_until = null, last_error = p_error, updated_at = now()
   where id = p_registration_id and locked_by = p_attempt and recovery_point = 'institution_created'
$$;

-- Registrations nobody is working on: not settled, lock free or expired, untouched for a while.
create function public.registration_abandoned(p_idle_seconds integer, p_limit integer)
returns setof uuid
language sql
stable
set search_path = ''
as $$
  select id from public.idempotency_keys
   where recovery_point = 'institution_created'
     and (locked_until is null or locked_until <= now())
     and updated_at <= now() - make_interval(secs => p_idle_seconds)
   order by updated_at
   limit p_limit
$$;

-- Forgets settled keys past their retention window; unsettled ones wait for the recovery sweep.
create function public.purge_expired_idempotency_keys() returns integer
language sql
set search_path = ''
as $$
  with purged as (
    delete from public.idempotency_keys
     where expires_at <= now() and recovery_point in ('finished', 'compensated')
    returning 1
  )
  select count(*)::integer from purged
$$;

revoke all on function
  public.registration_state(public.idempotency_keys, text),
  public.registration_create_institution(public.idempotency_keys),
  public.registration_begin(text, text, text, uuid, integer, integer, jsonb),
  public.registration_take_over(uuid, uuid, integer),
  public.registration_hold(uuid, uuid),
  public.registration_director_exists(uuid),
  public.registration_complete(uuid, uuid),
  public.registration_abort(uuid, uuid, jsonb, text),
  public.registration_release(uuid, uuid, text),
  public.registration_abandoned(integer, integer),
  public.purge_expired_idempotency_keys()
from public, anon, authenticated;

grant execute on function
  public.registration_state(public.idempotency_keys, text),
  public.registration_create_institution(public.idempotency_keys),
  public.registration_hold(uuid, uuid),
  public.registration_director_exists(uuid),
  public.registration_begin(text, text, text, uuid, integer, integer, jsonb),
  public.registration_take_over(uuid, uuid, integer),
  public.registration_complete(uuid, uuid),
  public.registration_abort(uuid, uuid, jsonb, text),
  public.registration_release(uuid, uuid, text),
  public.registration_abandoned(integer, integer),
  public.purge_expired_idempotency_keys()
to service_role;

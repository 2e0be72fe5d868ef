-- A remembered answer is a promise kept for the key's retention: only settled facts are stored.
--
-- 1. A conflict with a registration still in flight (a `pending` institution, a director user
--    whose registration is unfinished) is not final: the claim answers `conflict_pending` and
--    the key is left compensated (bound to its payload, nothing remembered), so a retry with the
--    same key decides again.
-- 2. A fresh rejection answers `rejected`, distinct from `finished` (a replay).
-- 3. A director user can only come into existence while its registration is in flight: a
--    createUser that lands late, after the saga was undone, is refused by the database.
-- 4. The fingerprint secret of a setup without IDEMPOTENCY_SECRET lives beside the keys, so every
--    instance on one database fingerprints alike.

create index idempotency_keys_in_flight_director_idx on public.idempotency_keys (director_user_id)
  where recovery_point = 'institution_created';

-- Seconds until a registration in flight is expected to have ended: its live lock, or one lock
-- period (a released or abandoned one is resumed by a retry or the recovery sweep).
create function public.registration_retry_after(p_holder public.idempotency_keys, p_lock_seconds integer)
returns integer
language sql
stable
set search_path = ''
as $$
  select greatest(1, case
    when p_holder.locked_until > now() then ceil(extract(epoch from p_holder.locked_until - now()))::integer
    else p_lock_seconds
  end)
$$;

-- Step 1, atomically with the claim: the institution as `pending`. A subdomain held by a settled
-- institution is a definitive answer, remembered at once; one held by a registration in flight
-- is not: the key is left compensated and the caller is told to try again.
create or replace function public.registration_create_institution(k public.idempotency_keys) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_constraint text;
  v_holder public.institutions;
  v_holder_key public.idempotency_keys;
  v_lock_seconds integer := greatest(1, ceil(extract(epoch from k.locked_until - now()))::integer);
begin
  begin
    insert into public.institutions (id, name, subdomain, status)
    values (k.institution_id, k.saga_input ->> 'name', k.saga_input ->> 'subdomain', 'pending');
  exception when unique_violation then
    get stacked diagnostics v_constraint = constraint_name;
    if v_constraint <> 'institutions_subdomain_key' then
      raise;
    end if;
    select * into v_holder from public.institutions where subdomain operator(extensions.=) (k.saga_input ->> 'subdomain')::extensions.citext;
    if not found or v_holder.status = 'pending' then
      select * into v_holder_key from public.idempotency_keys
       where institution_id = v_holder.id and recovery_point = 'institution_created';
      update public.idempotency_keys
         set recovery_point = 'compensated', locked_until = null, updated_at = now(),
             last_error = 'subdomain claimed by a registration in flight'
       where id = k.id;
      return jsonb_build_object('outcome', 'conflict_pending', 'field', 'subdomain',
        'retry_after_seconds', public.registration_retry_after(v_holder_key, v_lock_seconds));
    end if;
    update public.idempotency_keys
       set recovery_point = 'finished',
           result = jsonb_build_object('status', 'rejected', 'reason', 'subdomain_taken'),
           locked_until = null, updated_at = now()
     where id = k.id
    returning * into k;
    return public.registration_state(k, 'rejected');
  end;
  update public.idempotency_keys
     set recovery_point = 'institution_created', updated_at = now()
   where id = k.id
  returning * into k;
  return public.registration_state(k, 'proceed');
end
$$;

-- Who holds an email address that GoTrue refused as taken: nobody (any more), a registration in
-- flight (not a final answer), or a settled user (a registered director, or one made elsewhere).
-- Looks where GoTrue's IsDuplicatedEmail looks: identities, then users; reads them as the owner.
create function public.registration_email_holder(p_email text, p_lock_seconds integer) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_user_id uuid;
  k public.idempotency_keys;
begin
  select user_id into v_user_id from auth.identities where email = lower(p_email) limit 1;
  if v_user_id is null then
    select id into v_user_id from auth.users where email = lower(p_email) and is_sso_user = false;
  end if;
  if v_user_id is null then
    return jsonb_build_object('holder', 'none');
  end if;
  select * into k from public.idempotency_keys
   where director_user_id = v_user_id and recovery_point = 'institution_created';
  if found then
    return jsonb_build_object('holder', 'in_flight',
      'retry_after_seconds', public.registration_retry_after(k, p_lock_seconds));
  end if;
  return jsonb_build_object('holder', 'settled');
end
$$;

-- A user tagged with a registration is let in only while that registration is in flight and
-- expects exactly this user. FOR SHARE orders it against registration_abort's FOR UPDATE: either
-- the abort sees the user (and refuses to forget the key), or the user sees the abort (and fails).
create function public.registration_guard_director_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tag text := new.raw_app_meta_data ->> 'registration_id';
  k public.idempotency_keys;
begin
  if v_tag is null or v_tag !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return new;
  end if;
  select * into k from public.idempotency_keys where id = v_tag::uuid for share;
  if not found or k.recovery_point <> 'institution_created' or k.director_user_id <> new.id then
    raise exception using errcode = 'P0001',
      message = 'registration ' || v_tag || ' is not in flight: its director user is refused';
  end if;
  return new;
end
$$;

create trigger registration_guard_director_user
  before insert on auth.users
  for each row execute function public.registration_guard_director_user();

-- The fingerprint secret for setups without IDEMPOTENCY_SECRET: one row, made on first use.
create table public.idempotency_settings (
  singleton boolean primary key default true check (singleton),
  fingerprint_secret text not null check (char_length(fingerprint_secret) >= 32),
  created_at timestamptz not null default now()
);
alter table public.idempotency_settings enable row level security;
revoke all on table public.idempotency_settings from anon, authenticated;

create function public.idempotency_fingerprint_secret() returns text
language plpgsql
set search_path = ''
as $$
declare
  v_secret text;
begin
  insert into public.idempotency_settings (fingerprint_secret)
  values (encode(extensions.gen_random_bytes(48), 'base64'))
  on conflict (singleton) do nothing;
  select fingerprint_secret into strict v_secret from public.idempotency_settings;
  return v_secret;
end
$$;

revoke all on function
  public.registration_retry_after(public.idempotency_keys, integer),
  public.registration_email_holder(text, integer),
  public.registration_guard_director_user(),
  public.idempotency_fingerprint_secret()
from public, anon, authenticated;

grant execute on function
  public.registration_retry_after(public.idempotency_keys, integer),
  public.registration_email_holder(text, integer),
  public.idempotency_fingerprint_secret()
to service_role;

-- Rate-limit counters shared by every API instance (express-rate-limit's Store, fixed window).
create table public.rate_limit_counters (
  key text primary key check (char_length(key) between 1 and 200),
  hits integer not null check (hits >= 0),
  reset_at timestamptz not null
);
create index rate_limit_counters_reset_at_idx on public.rate_limit_counters (reset_at);
alter table public.rate_limit_counters enable row level security;
revoke all on table public.rate_limit_counters from anon, authenticated;

-- Adds p_delta hits to p_key's window (a new window once the old one ended) and forgets windows
-- that ended a while ago, so the table holds only the clients of the last minutes.
create function public.rate_limit_hit(p_key text, p_window_ms integer, p_delta integer) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  c public.rate_limit_counters;
begin
  delete from public.rate_limit_counters where reset_at < now() - interval '10 minutes';
  insert into public.rate_limit_counters as r (key, hits, reset_at)
  values (p_key, greatest(p_delta, 0), now() + make_interval(secs => p_window_ms / 1000.0))
  on conflict (key) do update
     set hits = case when r.reset_at <= now() then excluded.hits else greatest(r.hits + p_delta, 0) end,
         reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
  returning * into c;
  return jsonb_build_object('hits', c.hits, 'reset_at', c.reset_at);
end
$$;

create function public.rate_limit_reset(p_key text) returns void
language sql
set search_path = ''
as $$
  delete from public.rate_limit_counters where key = p_key
$$;

revoke all on function public.rate_limit_hit(text, integer, integer), public.rate_limit_reset(text)
from public, anon, authenticated;
grant execute on function public.rate_limit_hit(text, integer, integer), public.rate_limit_reset(text)
to service_role;

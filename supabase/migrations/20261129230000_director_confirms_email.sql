-- An institution is usable once its director has proved the email address is theirs.
--
-- With DIRECTOR_EMAIL_CONFIRMATION=required the director's auth user is created unconfirmed; the
-- registration then finishes with its institution `unconfirmed` and, in the same transaction,
-- records the confirmation mail it owes in an outbox (sent by GoTrue's /resend right after the
-- answer, or by the sweep). The institution becomes `trial` when the director's
-- email_confirmed_at is set — in the database, so it holds whoever confirms and however
-- (GoTrue's verify link, an admin, a SQL console).

alter table public.institutions drop constraint institutions_status_check;
alter table public.institutions add constraint institutions_status_check
  check (status in ('pending', 'unconfirmed', 'trial', 'active', 'suspended'));

comment on column public.institutions.status is
  'pending while its registration runs (nothing may treat it as live); unconfirmed until its director confirms the email address; trial once registered and confirmed.';

-- Side effects a finished registration owes, drained at least once (brandur's transactionally
-- staged job drain): a row is claimed for a lease, then marked sent, or put back with a backoff.
create table public.registration_outbox (
  id bigint generated always as identity primary key,
  institution_id uuid not null,
  kind text not null check (kind in ('confirmation_email')),
  email text not null,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_until timestamptz,
  sent_at timestamptz,
  last_error text,
  constraint registration_outbox_once unique (institution_id, kind)
);
create index registration_outbox_due_idx on public.registration_outbox (next_attempt_at) where sent_at is null;
alter table public.registration_outbox enable row level security;
revoke all on table public.registration_outbox from anon, authenticated;

-- Whether GoTrue has the director's email confirmed: auth.users belongs to GoTrue, so this reads it as the owner.
create function public.registration_director_confirmed(p_user_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select from auth.users where id = p_user_id and email_confirmed_at is not null)
$$;

-- Call 3: the director's profile, activation (pending → trial, or unconfirmed while the director
-- has not confirmed the email) and the final answer, at once.
create or replace function public.registration_complete(p_registration_id uuid, p_attempt uuid) returns jsonb
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
  update public.institutions
     set status = case when public.registration_director_confirmed(k.director_user_id) then 'trial' else 'unconfirmed' end
   where id = k.institution_id and status = 'pending'
  returning * into v_institution;
  if not found then
    raise exception using errcode = 'PT409', message = 'institution is not pending';
  end if;
  if v_institution.status = 'unconfirmed' then
    insert into public.registration_outbox (institution_id, kind, email)
    values (k.institution_id, 'confirmation_email', k.saga_input ->> 'directorEmail')
    on conflict on constraint registration_outbox_once do nothing;
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

-- The director confirmed: their unconfirmed institutions become usable.
create function public.registration_director_confirmed_email() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.institutions i
     set status = 'trial'
    from public.user_profiles p
   where p.user_id = new.id and p.role = 'director' and p.institution_id = i.id and i.status = 'unconfirmed';
  return new;
end
$$;

create trigger registration_director_confirmed_email
  after update of email_confirmed_at on auth.users
  for each row
  when (old.email_confirmed_at is null and new.email_confirmed_at is not null)
  execute function public.registration_director_confirmed_email();

-- Claims due rows for `p_lease_seconds` (all due ones, or one institution's): a claim that
-- outlives its lease (the process died) is due again.
create function public.outbox_claim(p_limit integer, p_lease_seconds integer, p_institution_id uuid default null)
returns setof public.registration_outbox
language sql
set search_path = ''
as $$
  update public.registration_outbox o
     set claimed_until = now() + make_interval(secs => p_lease_seconds), attempts = o.attempts + 1
   where o.id in (
     select id from public.registration_outbox
      where sent_at is null and next_attempt_at <= now()
        and (claimed_until is null or claimed_until <= now())
        and (p_institution_id is null or institution_id = p_institution_id)
      order by next_attempt_at
      limit p_limit
      for update skip locked)
  returning o.*
$$;

create function public.outbox_sent(p_id bigint) returns void
language sql
set search_path = ''
as $$
  update public.registration_outbox set sent_at = now(), claimed_until = null, last_error = null where id = p_id
$$;

create function public.outbox_retry(p_id bigint, p_after_seconds integer, p_error text) returns void
language sql
set search_path = ''
as $$
  update public.registration_outbox
     set next_attempt_at = now() + make_interval(secs => p_after_seconds), claimed_until = null, last_error = p_error
   where id = p_id and sent_at is null
$$;

revoke all on function
  public.registration_director_confirmed(uuid),
  public.registration_director_confirmed_email(),
  public.outbox_claim(integer, integer, uuid),
  public.outbox_sent(bigint),
  public.outbox_retry(bigint, integer, text)
from public, anon, authenticated;
grant execute on function
  public.registration_director_confirmed(uuid),
  public.outbox_claim(integer, integer, uuid),
  public.outbox_sent(bigint),
  public.outbox_retry(bigint, integer, text)
to service_role;

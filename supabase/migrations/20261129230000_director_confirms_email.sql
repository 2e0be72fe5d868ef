-- An institution is usable once its director has proved the email address is theirs.
--
-- With DIRECTOR_EMAIL_CONFIRMATION=required the director's auth user is created unconfirmed; the
-- registration then finishes with its institution `unconfirmed`, and the institution becomes
-- `trial` when the director's email_confirmed_at is set — in the database, so it holds whoever
-- confirms and however (GoTrue's verify link, an admin, a SQL console).

alter table public.institutions drop constraint institutions_status_check;
alter table public.institutions add constraint institutions_status_check
  check (status in ('pending', 'unconfirmed', 'trial', 'active', 'suspended'));

comment on column public.institutions.status is
  'pending while its registration runs (nothing may treat it as live); unconfirmed until its director confirms the email address; trial once registered and confirmed.';

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

revoke all on function
  public.registration_director_confirmed(uuid),
  public.registration_director_confirmed_email()
from public, anon, authenticated;
grant execute on function public.registration_director_confirmed(uuid) to service_role;

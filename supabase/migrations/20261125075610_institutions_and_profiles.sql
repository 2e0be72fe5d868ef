-- Institutions and the profiles that link Supabase Auth users to them.
-- RLS is on for every table with no policy for anon/authenticated: only the service role
-- (which bypasses RLS) reads or writes them, through this API.

create extension if not exists citext with schema extensions;

create or replace function public.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create table public.institutions (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 3 and 200),
  -- citext makes the unique constraint case-insensitive; the check keeps stored values lower-case DNS labels.
  subdomain extensions.citext not null,
  status text not null default 'pending',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint institutions_subdomain_key unique (subdomain),
  constraint institutions_subdomain_dns_label check (
    char_length(subdomain::text) between 3 and 63
    and subdomain::text ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'
  ),
  constraint institutions_status_check check (status in ('pending', 'trial', 'active', 'suspended'))
);

comment on column public.institutions.status is
  'pending while its registration runs (nothing may treat it as live); trial once registered.';

create trigger institutions_set_updated_at
  before update on public.institutions
  for each row execute function public.set_updated_at();

create table public.user_profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  institution_id uuid not null references public.institutions (id) on delete cascade,
  role text not null,
  full_name text not null check (char_length(full_name) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint user_profiles_role_check check (role in ('director', 'admin', 'teacher', 'staff', 'student', 'guardian'))
);

create index user_profiles_institution_id_idx on public.user_profiles (institution_id);

create trigger user_profiles_set_updated_at
  before update on public.user_profiles
  for each row execute function public.set_updated_at();

alter table public.institutions enable row level security;
alter table public.user_profiles enable row level security;

revoke all on table public.institutions, public.user_profiles from anon, authenticated;
revoke all on function public.set_updated_at() from public, anon, authenticated;

-- GoTrue stores emails lower-cased, so this equality uses its users_email_partial_key index:
-- an index lookup instead of a listUsers() scan.
create function public.auth_user_id_by_email(p_email text) returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id from auth.users u where u.email = lower(p_email) and u.is_sso_user = false
$$;

revoke all on function public.auth_user_id_by_email(text) from public, anon, authenticated;
grant execute on function public.auth_user_id_by_email(text) to service_role;

-- Readiness proves that a write commits: a database that still answers reads while refusing every
-- write (a full disk, a read-only standby, default_transaction_read_only) cannot register anyone.
-- /readyz calls readiness_write_probe, which upserts one row; service_role only.

create table public.readiness_probe (
  singleton boolean primary key default true check (singleton),
  probed_at timestamptz not null
);
alter table public.readiness_probe enable row level security;
revoke all on table public.readiness_probe from anon, authenticated;

create function public.readiness_write_probe() returns timestamptz
language sql
set search_path = ''
as $$
  insert into public.readiness_probe (probed_at) values (now())
  on conflict (singleton) do update set probed_at = excluded.probed_at
  returning probed_at
$$;

revoke all on function public.readiness_write_probe() from public, anon, authenticated;
grant execute on function public.readiness_write_probe() to service_role;

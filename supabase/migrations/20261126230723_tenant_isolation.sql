-- Tenant isolation, as a Supabase app relies on it: a signed-in user (role `authenticated`, its id
-- in auth.uid()) reads their own profile and the institutions their profiles belong to; anon
-- reads nothing (an empty result); nobody but service_role writes these tables or sees
-- idempotency_keys, idempotency_settings or rate_limit_counters (no grants at all there).

grant select on table public.institutions, public.user_profiles to anon, authenticated;

-- `(select auth.uid())` is evaluated once per statement, not per row (Supabase's RLS advice).
create policy "profiles: a user reads their own"
  on public.user_profiles for select to authenticated
  using (user_id = (select auth.uid()));

create policy "institutions: members read theirs"
  on public.institutions for select to authenticated
  using (
    exists (
      select 1 from public.user_profiles p
       where p.institution_id = institutions.id and p.user_id = (select auth.uid())
    )
  );

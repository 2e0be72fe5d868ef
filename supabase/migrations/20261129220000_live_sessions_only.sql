-- A member reads through a live session only. PostgREST checks an access token's signature and
-- expiry, nothing more, so a token signed out (its session deleted), or a banned user's, would
-- read for up to an hour. The tenant policies now also require the token's session to exist,
-- belong to the token's user and be within its not_after, and the user not to be banned: one
-- primary-key lookup per statement (`(select …)` is an init plan, evaluated once, not per row).

create function public.session_is_live() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from auth.sessions s
      join auth.users u on u.id = s.user_id
     where s.id = nullif(auth.jwt() ->> 'session_id', '')::uuid
       and s.user_id = auth.uid()
       and (s.not_after is null or s.not_after > now())
       and (u.banned_until is null or u.banned_until <= now())
  )
$$;

revoke all on function public.session_is_live() from public, anon;
grant execute on function public.session_is_live() to authenticated, service_role;

drop policy "profiles: a user reads their own" on public.user_profiles;
create policy "profiles: a user reads their own"
  on public.user_profiles for select to authenticated
  using (user_id = (select auth.uid()) and (select public.session_is_live()));

drop policy "institutions: members read theirs" on public.institutions;
create policy "institutions: members read theirs"
  on public.institutions for select to authenticated
  using (
    (select public.session_is_live())
    and exists (
      select 1 from public.user_profiles p
       where p.institution_id = institutions.id and p.user_id = (select auth.uid())
    )
  );

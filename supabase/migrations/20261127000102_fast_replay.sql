-- Replays and remembered rejections without a write: registration_begin first reads a settled
-- key without locking it, and only claims (INSERT … ON CONFLICT, then FOR UPDATE) when the key
-- is new, unsettled or expired. Same answers, same single call.

create or replace function public.registration_begin(
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
  -- Fast path: a settled, unexpired answer is read without a lock and without a write (no WAL
  -- to flush), so a replay or a remembered rejection costs a read.
  select * into k from public.idempotency_keys where scope = p_scope and key = p_key;
  if found and k.recovery_point = 'finished' and k.expires_at > now() then
    if k.fingerprint <> p_fingerprint then
      return jsonb_build_object('outcome', 'mismatch');
    end if;
    return public.registration_state(k, 'finished');
  end if;

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

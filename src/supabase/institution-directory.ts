/** Reads an institution through Supabase as the signed-in user (their token, the anon key), so RLS decides what they see. */
import type { SupabaseClient } from '@supabase/supabase-js';
import { DirectoryUnavailableError, MemberInstitution, type InstitutionDirectory } from '../institutions/member-institution.js';
import { withinBudget } from './transport.js';

/** `budgetMs` bounds the whole read: postgrest-js's own GET retries (1, 2, 4 s, a fresh timeout each) are off. */
export function supabaseInstitutionDirectory(asUser: (accessToken: string) => SupabaseClient, budgetMs: number): InstitutionDirectory {
  return {
    async forMember(accessToken, institutionId) {
      const supabase = asUser(accessToken);
      // Both reads are filtered by the caller's row-level security: their own profile, their institutions.
      const [institution, profile] = await withinBudget(budgetMs, () =>
        Promise.all([
          supabase.from('institutions').select('id, name, subdomain, status').eq('id', institutionId).retry(false).maybeSingle(),
          supabase.from('user_profiles').select('role').eq('institution_id', institutionId).retry(false).maybeSingle(),
        ]),
      );
      const failed = institution.error ?? profile.error;
      if (failed) throw new DirectoryUnavailableError(`reading the institution failed: ${failed.code ?? ''} ${failed.message}`.trim());
      if (!institution.data || !profile.data) return null;
      return MemberInstitution.parse({ institution: institution.data, role: profile.data.role });
    },
  };
}

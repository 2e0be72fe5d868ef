/** Reads an institution through Supabase as the signed-in user (their token, the anon key), so RLS decides what they see. */
import type { SupabaseClient } from '@supabase/supabase-js';
import { DirectoryUnavailableError, MemberInstitution, type InstitutionDirectory } from '../institutions/member-institution.js';

export function supabaseInstitutionDirectory(asUser: (accessToken: string) => SupabaseClient): InstitutionDirectory {
  return {
    async forMember(accessToken, institutionId) {
      const supabase = asUser(accessToken);
      // Both reads are filtered by the caller's row-level security: their own profile, their institutions.
      const [institution, profile] = await Promise.all([
        supabase.from('institutions').select('id, name, subdomain, status').eq('id', institutionId).maybeSingle(),
        supabase.from('user_profiles').select('role').eq('institution_id', institutionId).maybeSingle(),
      ]);
      const failed = institution.error ?? profile.error;
      if (failed) throw new DirectoryUnavailableError(`reading the institution failed: ${failed.code ?? ''} ${failed.message}`.trim());
      if (!institution.data || !profile.data) return null;
      return MemberInstitution.parse({ institution: institution.data, role: profile.data.role });
    },
  };
}

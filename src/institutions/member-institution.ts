/** An institution as one of its members may see it, and the port that reads it with the member's own rights. */
import { z } from 'zod';
import { InstitutionStatus } from '../registration/schema.js';

export const MemberInstitution = z.object({
  institution: z.object({ id: z.uuid(), name: z.string(), subdomain: z.string(), status: InstitutionStatus }),
  /** The caller's role in it, from their profile. */
  role: z.string(),
});
export type MemberInstitution = z.infer<typeof MemberInstitution>;

/** The directory could not answer (Supabase unreachable or failing); a retry may. */
export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}

export interface InstitutionDirectory {
  /**
   * Reads the institution on behalf of the token's user, so the database's row-level security
   * decides; null when the user is not a member (whether or not it exists). Throws
   * DirectoryUnavailableError when Supabase cannot answer.
   */
  forMember(accessToken: string, institutionId: string): Promise<MemberInstitution | null>;
}

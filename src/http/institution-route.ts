/** GET /api/v1/institutions/{id}: the institution a signed-in member belongs to (the Location of a 201), and their role in it. */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { AccessTokenVerifier } from '../auth/access-token.js';
import { AppError } from '../errors.js';
import { DirectoryUnavailableError, type InstitutionDirectory } from '../institutions/member-institution.js';
import { authenticate } from './bearer.js';

export const INSTITUTION_PATH = '/api/v1/institutions/:id';

const InstitutionId = z.uuid();

export function institutionRouter(directory: InstitutionDirectory, verify: AccessTokenVerifier): Router {
  const router = express.Router();
  router.get(INSTITUTION_PATH, async (req, res) => {
    const { token } = await authenticate(req, verify);
    const id = InstitutionId.safeParse(req.params.id);
    if (!id.success) {
      throw new AppError('invalid_request', 'invalid_institution_id', 'The institution id must be a UUID.', {
        fields: [{ field: 'id', message: 'must be a UUID' }],
      });
    }
    let found;
    try {
      found = await directory.forMember(token, id.data.toLowerCase());
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      throw new AppError('unavailable', 'supabase_unavailable', 'The data service could not be reached; try again.', { retryAfterSeconds: 1, cause: error });
    }
    // Not a member and no such institution look alike: the answer never reveals that it exists.
    if (!found) throw new AppError('not_found', 'institution_not_found', 'No institution with this id that you belong to.');
    res.status(200).json(found);
  });
  return router;
}

/** GoTrue's GET /user (internal/api/user.go UserGet): the signed-in user, if the token's audience is the request's. */
import { validationFailed } from './errors.js';
import type { Authenticated } from './authentication.js';
import { userJson } from './user-json.js';

export function currentUser(authenticated: Authenticated, requestAud: string): Record<string, unknown> {
  const { aud } = authenticated.claims;
  const audience = Array.isArray(aud) ? aud[0] : aud;
  if (audience !== requestAud) throw validationFailed("Token audience doesn't match request audience");
  return userJson(authenticated.user, { withConfirmedAt: true });
}

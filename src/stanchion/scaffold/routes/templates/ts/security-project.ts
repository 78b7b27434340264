// Yours to edit: stanchion scaffold routes writes this file once and keeps it when it regenerates.
// How credentials are verified, wired to this project's own JWTs (src/services/tokens.ts): a bearer token is
// an access token signed with JWT_SECRET, unexpired and of type "access". Every hook returns the caller (a
// principal with its scopes) or null; null means 401 and the handler is never called. A missing scope means
// 403: the user's role is its one scope here; map roles to the spec's scopes below if the spec declares any.
import { loadConfig } from "../config/index.js";
import { verifyAccessToken } from "../services/tokens.js";
import type { SecurityHooks } from "./generated/runtime.js";

let secret: string | undefined;

function jwtSecret(): string {
  secret ??= loadConfig().JWT_SECRET;
  return secret;
}

export const security: SecurityHooks = {
  // Bearer tokens (http bearer, oauth2, openIdConnect): the project's access tokens (POST /auth/login).
  verifyBearer(token, _ctx) {
    const claims = verifyAccessToken(token, jwtSecret());
    return claims ? { id: claims.sub, role: claims.role, scopes: [claims.role] } : null;
  },
  // HTTP basic: check the user and password against your store.
  verifyBasic(_user, _password, _ctx) {
    return null;
  },
  // API keys (header, query or cookie): look the key up in your store.
  lookupApiKey(_key, _ctx) {
    return null;
  },
};

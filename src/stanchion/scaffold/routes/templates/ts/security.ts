// Yours to edit: stanchion scaffold routes writes this file once and keeps it when it regenerates.
// How credentials are verified. Every hook returns the caller (a principal with its scopes) or null;
// null means 401 and the handler is never called. A missing scope means 403.
import type { SecurityHooks } from "./generated/runtime.js";

export const security: SecurityHooks = {
  // Bearer tokens (http bearer, oauth2, openIdConnect): verify the JWT's signature, expiry and audience here,
  // e.g. with the `jose` package: const { payload } = await jwtVerify(token, key); return { id: payload.sub, scopes: ... }
  verifyBearer(_token, _ctx) {
    return null;
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

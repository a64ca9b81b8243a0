/* Signing in to the hub from a page: the token lives in this tab's session storage, is sent as
 * "Authorization: Bearer ...", and never appears in a URL. Used by the dashboard (and the console).
 */
(function () {
  "use strict";
  const KEY = "lapor-hub-token";

  function token() { return sessionStorage.getItem(KEY); }
  function signOut() { sessionStorage.removeItem(KEY); }

  async function signIn(username, password) {
    const response = await fetch("/api/v1/auth/token", {
      method: "POST", cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || `the hub answered ${response.status}`);
    sessionStorage.setItem(KEY, body.access_token);
    return body;
  }

  /* fetch with the token; a 401 forgets it, so the page asks to sign in again */
  async function authorizedFetch(url, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    const current = token();
    if (current) headers.Authorization = `Bearer ${current}`;
    const response = await fetch(url, Object.assign({ cache: "no-store" }, options, { headers }));
    if (response.status === 401) signOut();
    return response;
  }

  /* a token obtained elsewhere (the console's OpenID Connect sign-in) */
  function adopt(accessToken) { sessionStorage.setItem(KEY, accessToken); }

  window.LaporAuth = { token, signIn, signOut, adopt, fetch: authorizedFetch };
})();

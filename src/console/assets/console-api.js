// Shared by the console's modules: the one fetch to the console's API
// (with the session's CSRF token on changes), the status line, and the
// signed-out view. The session cookie is HttpOnly: scripts only ever hold
// the CSRF token.
export const $ = (id) => document.getElementById(id);
export const session = { csrf: null };

export function say(text, error = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", error);
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (session.csrf && method !== "GET") headers["x-csrf-token"] = session.csrf;
  const res = await fetch(`/console/api/${path}`, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON
  }
  return { res, json };
}

export function showSignIn() {
  session.csrf = null;
  $("signed-in").hidden = true;
  $("signin").hidden = false;
}

export function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

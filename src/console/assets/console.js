// The console page: sign in, show the Worker's status, sign out. No
// framework; the session cookie is HttpOnly, so this script only ever holds
// the CSRF token, which it sends as x-csrf-token on changes.
const $ = (id) => document.getElementById(id);
let csrf = null;

function say(text, error = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", error);
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
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

function showSignIn() {
  csrf = null;
  $("status").hidden = true;
  $("signin").hidden = false;
}

async function showStatus(focus) {
  const { res, json } = await api("GET", "status");
  if (!res.ok) return showSignIn();
  $("token").textContent = json.api_token.configured ? "configured" : "not configured";
  $("environment").textContent = json.environment === "custom" ? `custom (${json.api_host})` : json.environment;
  $("signin").hidden = true;
  $("status").hidden = false;
  if (focus) $("status-title").focus();
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("passphrase");
  if (!field.value) {
    say("Enter the admin passphrase.", true);
    return field.focus();
  }
  const { res, json } = await api("POST", "session", { passphrase: field.value });
  field.value = "";
  if (res.ok) {
    csrf = json.csrf_token;
    say("Signed in.");
    return showStatus(true);
  }
  if (res.status === 429) {
    const minutes = Math.ceil(Number(res.headers.get("retry-after") || 600) / 60);
    say(`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, true);
  } else if (res.status === 401) {
    say("That passphrase is not right.", true);
  } else {
    say(`Could not sign in (${res.status}).`, true);
  }
  field.focus();
});

$("signout").addEventListener("click", async () => {
  await api("DELETE", "session");
  showSignIn();
  say("Signed out.");
  $("passphrase").focus();
});

const { res, json } = await api("GET", "session");
if (res.ok) {
  csrf = json.csrf_token;
  await showStatus(false);
}

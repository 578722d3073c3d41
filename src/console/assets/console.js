// The console page: sign in, then each section (its own module), sign
// out. No framework, no inline script (the CSP allows only these files).
import { $, api, say, session, showSignIn } from "./console-api.js";
import { showLogs, showSavings } from "./console-logs.js";
import { showNexus } from "./console-nexus.js";
import { showSettings, showStatus } from "./console-settings.js";
import { showSync } from "./console-sync.js";

async function showSignedIn(focus) {
  if (!(await showStatus()) || !(await showSettings()) || !(await showNexus())) return showSignIn();
  await showSavings();
  await showLogs(1);
  await showSync();
  $("signin").hidden = true;
  $("signed-in").hidden = false;
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
    session.csrf = json.csrf_token;
    say("Signed in.");
    return showSignedIn(true);
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
  session.csrf = json.csrf_token;
  await showSignedIn(false);
}

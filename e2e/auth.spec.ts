// Accounts in the browser, against a second server started with --auth on the test database: sign-in,
// sign-out, creating a personal access token, a READ-only user who cannot delete, permissions UI.
import { expect, test } from "@playwright/test";
import { uniqueName } from "../lib/testing/http";
import { basic, bearer, call, startAuthServer, type AuthServer } from "../lib/testing/auth";

let srv: AuthServer;
let admin: Record<string, string>;
const reader = { username: uniqueName("e2e-reader"), password: "reader-password-1" };
let experimentName: string;
let experimentId: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  srv = await startAuthServer();
  admin = basic(srv.admin.username, srv.admin.password);
  expect((await call(srv.url, "POST", "/api/auth/users", reader, admin)).status).toBe(201);
  experimentName = uniqueName("e2e-auth");
  const e = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { name: experimentName }, admin);
  expect(e.status).toBe(200);
  experimentId = e.json.experiment_id;
});

test.afterAll(async () => {
  await srv?.stop();
});

async function signIn(page: import("@playwright/test").Page, username: string, password: string, path = "/") {
  await page.goto(srv.url + path);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("sign-in with a wrong password fails; the right one returns to the page asked for; sign-out ends the session", async ({ page }) => {
  await signIn(page, reader.username, "not-the-password", "/settings/tokens");
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/auth-login-error.png" });

  await page.getByLabel("Password").fill(reader.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByText(`Signed in as ${reader.username}`)).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto(srv.url + "/settings/tokens");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings%2Ftokens/);
});

test("before the page's scripts run, the sign-in button is disabled: a click cannot submit the password in a URL", async ({ page }) => {
  // server HTML only: the scripts that hydrate the form never arrive
  await page.route("**/_next/static/**/*.js", (r) => r.abort());
  await page.goto(srv.url + "/login");
  await page.getByLabel("Username").fill(reader.username);
  await page.getByLabel("Password").fill(reader.password);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeDisabled();
  await page.getByLabel("Password").press("Enter"); // implicit submission skips a disabled default button
  expect(page.url()).not.toContain(reader.password);
  await page.unroute("**/_next/static/**/*.js");
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
});

test("creating a personal access token shows it once; it works as MLFLOW_TRACKING_TOKEN; revoking it ends that", async ({ page }) => {
  await signIn(page, reader.username, reader.password, "/settings/tokens");
  await expect(page.getByRole("heading", { name: "Access tokens" })).toBeVisible();
  await page.getByLabel("Token name").fill("laptop");
  await page.getByRole("button", { name: "Create token" }).click();
  const value = page.getByTestId("token-value");
  await expect(value).toHaveText(/^ft_/);
  const token = (await value.textContent())!;
  await page.screenshot({ path: "e2e/screenshots/auth-token-created.png", fullPage: true });

  const r = await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, bearer(token));
  expect(r.status).toBe(200);

  await page.reload();
  await expect(page.getByTestId("token-value")).toHaveCount(0);
  const row = page.getByRole("row", { name: /laptop/ });
  await expect(row).toContainText("ft_");
  expect(await row.textContent()).not.toContain(token);
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, bearer(token))).status).toBe(401);
});

test("a READ-only user cannot delete: the server refuses and the experiment stays", async ({ page }) => {
  await signIn(page, reader.username, reader.password, `/?q=${encodeURIComponent(experimentName)}`);
  await expect(page.getByRole("link", { name: experimentName })).toBeVisible();
  // the same call the UI makes, from the signed-in page (cookie session, same origin)
  const status = await page.evaluate(async (id) => {
    const r = await fetch("/ajax-api/2.0/mlflow/experiments/delete", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ experiment_id: id }) });
    return r.status;
  }, experimentId);
  expect(status).toBe(403);
  // and through the UI's own Delete dialog
  await page.getByRole("button", { name: `Actions for ${experimentName}` }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Experiment" });
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(dialog).toContainText("Permission denied");
  await page.screenshot({ path: "e2e/screenshots/auth-reader-delete.png" });
  const e = await call(srv.url, "GET", `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, undefined, admin);
  expect(e.json.experiment.lifecycle_stage).toBe("active");
  // and the permissions page of the experiment does not exist for them
  const perm = await page.goto(`${srv.url}/settings/experiments/${experimentId}/permissions`);
  expect(perm?.status()).toBe(404);
});

test("an admin grants EDIT on the experiment's permissions page; the change is audited", async ({ page }) => {
  await signIn(page, srv.admin.username, srv.admin.password, `/settings/experiments/${experimentId}/permissions`);
  await expect(page.getByRole("heading", { name: "Permissions" })).toBeVisible();
  const form = page.getByRole("form", { name: "Grant permission" });
  await form.getByLabel("Username").fill(reader.username);
  await form.getByLabel("Permission").selectOption("EDIT");
  await form.getByRole("button", { name: "Grant" }).click();
  await expect(page.getByRole("row", { name: new RegExp(reader.username) })).toBeVisible();
  await expect(page.getByTestId("audit")).toContainText(`${srv.admin.username} set ${reader.username} to EDIT`);
  await page.screenshot({ path: "e2e/screenshots/auth-permissions.png", fullPage: true });
  const tag = await call(srv.url, "POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { experiment_id: experimentId, key: "k", value: "v" }, basic(reader.username, reader.password));
  expect(tag.status).toBe(200);
});

test("admin users page: add a user, disable them", async ({ page }) => {
  const name = uniqueName("e2e-new");
  await signIn(page, srv.admin.username, srv.admin.password, "/settings/users");
  const form = page.getByRole("form", { name: "Add user" });
  await form.getByLabel("Username").fill(name);
  await form.getByLabel("Initial password").fill("initial-pass-1");
  await form.getByRole("button", { name: "Add user" }).click();
  const row = page.locator(`tr[data-username="${name}"]`);
  await expect(row).toContainText("active");
  expect((await call(srv.url, "GET", "/api/auth/tokens", undefined, basic(name, "initial-pass-1"))).status).toBe(200);
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  await page.screenshot({ path: "e2e/screenshots/auth-users.png", fullPage: true });
  expect((await call(srv.url, "GET", "/api/auth/tokens", undefined, basic(name, "initial-pass-1"))).status).toBe(401);
});

test("after sign-in, a callbackUrl that parses to another origin lands on our own origin", async ({ page }) => {
  for (const callbackUrl of ["/\\evil.example/x", "/\t/evil.example/x"]) {
    await page.context().clearCookies();
    await page.goto(`${srv.url}/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await page.getByLabel("Username").fill(reader.username);
    await page.getByLabel("Password").fill(reader.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // the login page made it "/" (before: the browser went to http://evil.example/x)
    await expect(page).toHaveURL(`${srv.url}/`);
    await expect(page.getByRole("heading", { name: "Experiments" })).toBeVisible();
  }
});

test("the sign-in page and the signed-in home page hydrate under the nonce CSP with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const res = await page.goto(`${srv.url}/login`);
  expect(res?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-/);
  expect(res?.headers()["content-security-policy"]).not.toMatch(/script-src[^;]*unsafe-inline/);
  await page.getByLabel("Username").fill(reader.username);
  await page.getByLabel("Password").fill(reader.password);
  await page.getByRole("button", { name: "Sign in" }).click(); // enabled only once hydrated
  await expect(page).toHaveURL(`${srv.url}/`);
  await expect(page.getByRole("heading", { name: "Experiments" })).toBeVisible();
  await expect(page.getByText(reader.username)).toBeVisible(); // the user menu
  expect(violations).toEqual([]);
});

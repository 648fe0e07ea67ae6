import { expect, test } from "@playwright/test";
import { uniqueName } from "../lib/testing/http";

test("home page lists experiments with the Default experiment", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("link", { name: "flowtrace" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Experiments" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Default", exact: true })).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/home.png", fullPage: true });
});

test("pages load without a failed request: the icon is served (no /favicon.ico 404)", async ({ page, request }) => {
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Experiments" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(failed).toEqual([]);
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});

test("Create an experiment with the keyboard only: the name field has focus, Enter creates, Escape cancels", async ({ page }) => {
  const name = uniqueName("ui-keys");
  await page.goto("/");
  const create = page.getByRole("button", { name: "Create", exact: true });
  await expect(create).toBeEnabled();
  const dialog = page.getByRole("dialog", { name: "Create Experiment" });
  await create.focus();
  await expect(create).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Experiment Name")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(create).toBeFocused(); // the dialog gives focus back to the button that opened it
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Experiment Name")).toBeFocused();
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/experiments\/\d+\/traces$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
});

test("Create dialog validates, shows the server's duplicate-name error, and opens the new experiment", async ({ page }) => {
  const name = uniqueName("ui-home");
  await page.goto("/");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Create Experiment" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Experiment Name")).toBeVisible();
  // Artifact Location sits under "Advanced"
  await dialog.getByRole("button", { name: "Advanced" }).click();
  await expect(dialog.getByLabel(/Artifact Location/)).toBeVisible();

  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Please enter an experiment name.")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/home-create-empty.png" });

  await dialog.getByLabel("Experiment Name").fill("Default");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText(/already exists/i);
  await page.screenshot({ path: "e2e/screenshots/home-create-duplicate.png" });

  await dialog.getByLabel("Experiment Name").fill(name);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(/\/experiments\/\d+\/traces$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("No traces yet")).toBeVisible();
  await expect(page.getByTestId("send-traces-snippet")).toContainText("mlflow.set_experiment");
  await page.screenshot({ path: "e2e/screenshots/experiment-empty.png" });

  // rename and delete from the home page's ⋮ menu
  await page.goto(`/?q=${encodeURIComponent(name)}`);
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const renamed = `${name}-renamed`;
  await page.getByLabel("New name").fill(renamed);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog", { name: "Rename Experiment" })).toBeHidden();
  await expect(page.getByRole("link", { name: name, exact: true })).toHaveCount(0);
  await page.goto(`/?q=${encodeURIComponent(renamed)}`);
  await expect(page.getByRole("link", { name: renamed })).toBeVisible();
  await page.getByRole("button", { name: `Actions for ${renamed}` }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete Experiment" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("link", { name: renamed })).toHaveCount(0);
  await expect(page.getByText(/No experiment name contains/)).toBeVisible();
});

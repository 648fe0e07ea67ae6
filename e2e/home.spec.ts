import { expect, test } from "@playwright/test";

test("home page shows the application shell and the experiments list", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("link", { name: "flowtrace" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Experiments" })).toBeVisible();
  await expect(page.getByText("Default")).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/home.png", fullPage: true });
});

// The sort rule the Sessions and Users lists share: defaults stay out of the URL.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sortParam } from "./urlState";

function click(query: string, column: string) {
  const patches: Record<string, string | null | undefined>[] = [];
  const { sort, toggle } = sortParam(new URLSearchParams(query), (p) => void patches.push(p), "last_activity");
  toggle(column);
  return { sort, patch: patches[0] };
}

test("the default order is the default column, descending", () => {
  assert.deepEqual(click("", "turns").sort, { id: "last_activity", dir: "desc" });
  assert.deepEqual(click("sort=turns&dir=asc", "turns").sort, { id: "turns", dir: "asc" });
});

test("a click on the sorted column flips it; on another column sorts by it descending", () => {
  assert.deepEqual(click("", "last_activity").patch, { dir: "asc" });
  assert.deepEqual(click("dir=asc", "last_activity").patch, { dir: null });
  assert.deepEqual(click("", "turns").patch, { sort: "turns", dir: null });
  assert.deepEqual(click("sort=turns&dir=asc", "last_activity").patch, { sort: null, dir: null });
});

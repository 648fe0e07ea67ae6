"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * false while hydrating server HTML, true after. Uses: texts that differ between server and browser (local
 * time zones, "ago"), and submit buttons of forms whose handler is React's: clicked before hydration, the
 * browser would submit the form natively (a GET of the page with the fields, passwords included, in the URL)
 * and the click would be lost.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}

import { useEffect, useState } from "react";

/**
 * What the user is typing into a field whose committed value lives elsewhere (the URL, a prop): it
 * starts from that value and is reset to it whenever it changes, so Back, links and Clear show through.
 */
export function useDraft(value: string) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return [draft, setDraft] as const;
}

import { ApiError } from "@/lib/errors";
import type { Page } from "@/lib/store/sessions";

/** What Next.js hands a list page under one experiment. */
export interface ExperimentListPageProps {
  params: Promise<{ experimentId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * The first page of a list for the server's first paint, or null when the URL's query is refused: the
 * client then makes its own request and shows the error with the filters still on screen.
 */
export async function firstPageOrNull<T>(load: () => Promise<Page<T>>): Promise<Page<T> | null> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

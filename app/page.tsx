import { ExperimentsHome } from "@/components/experiments/ExperimentsHome";
import { experimentListFilter } from "@/lib/auth/guard";
import { authorizePage, pageRequest } from "@/lib/auth/page";
import { listExperimentSummaries, type ExperimentSort } from "@/lib/store/trace-view";

export const dynamic = "force-dynamic";

const SORTS: ExperimentSort[] = ["created", "name", "last_trace", "traces"];

export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage({ kind: "authenticated" }, "/");
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q : "";
  const sort = SORTS.includes(sp.sort as ExperimentSort) ? (sp.sort as ExperimentSort) : "created";
  const dir = sp.dir === "asc" ? "asc" : "desc";
  const experiments = await listExperimentSummaries({ q, sort, dir, visible: await experimentListFilter(await pageRequest()) });
  return <ExperimentsHome experiments={experiments} q={q} sort={sort} dir={dir} />;
}

import { prisma } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const experiments = await prisma.experiment.findMany({
    where: { lifecycleStage: "active" },
    orderBy: [{ creationTime: "desc" }, { id: "asc" }],
    select: { id: true, name: true, creationTime: true },
    take: 100,
  });
  return (
    <div className="mx-auto max-w-6xl p-6">
      <div className="flex items-center justify-between mb-4">
        <h1 className="text-xl font-semibold">Experiments</h1>
      </div>
      {experiments.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
          No experiments yet.
        </div>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {experiments.map((e) => (
            <li key={e.id.toString()} className="px-4 py-3 flex justify-between">
              <span className="font-medium">{e.name}</span>
              <span className="text-sm text-slate-500">ID {e.id.toString()}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

import { Skeleton } from "@/components/ui/States";

export default function TraceLoading() {
  return (
    <div className="flex flex-1 flex-col">
      <div className="space-y-2 border-b border-slate-200 bg-white p-4">
        <Skeleton className="h-5 w-80" />
        <Skeleton className="h-9 w-full" />
      </div>
      <div className="flex flex-1 gap-4 p-4">
        <div className="w-[46%] space-y-1.5">
          {Array.from({ length: 14 }, (_, i) => (
            <Skeleton key={i} className="h-5" />
          ))}
        </div>
        <Skeleton className="flex-1" />
      </div>
    </div>
  );
}

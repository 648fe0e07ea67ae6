import { Skeleton } from "@/components/ui/States";

export default function TracesLoading() {
  return (
    <div className="flex flex-col gap-2 p-4">
      <Skeleton className="h-8 w-full max-w-3xl" />
      <Skeleton className="h-6 w-96" />
      <div className="mt-2 space-y-1.5">
        {Array.from({ length: 12 }, (_, i) => (
          <Skeleton key={i} className="h-7 w-full" />
        ))}
      </div>
    </div>
  );
}

import { Skeleton } from "@/components/ui/States";

export default function ExperimentLoading() {
  return (
    <div className="space-y-3 p-6">
      <Skeleton className="h-6 w-64" />
      <Skeleton className="h-4 w-40" />
      <Skeleton className="mt-6 h-64 w-full" />
    </div>
  );
}

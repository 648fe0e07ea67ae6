import { Skeleton } from "@/components/ui/States";

export default function Loading() {
  return (
    <div className="mx-auto w-full max-w-6xl space-y-3 px-6 py-6">
      <Skeleton className="h-6 w-48" />
      <Skeleton className="h-72 w-full" />
    </div>
  );
}

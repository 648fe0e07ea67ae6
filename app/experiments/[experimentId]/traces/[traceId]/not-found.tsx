import { EmptyState } from "@/components/ui/States";

export default function TraceNotFound() {
  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-16">
      <EmptyState title="Trace not found">It does not exist in this experiment, or it was deleted.</EmptyState>
    </div>
  );
}

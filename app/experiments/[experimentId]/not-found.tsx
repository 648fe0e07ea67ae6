import Link from "next/link";
import { EmptyState } from "@/components/ui/States";

export default function ExperimentNotFound() {
  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-16">
      <EmptyState title="Experiment not found" action={<Link href="/" className="text-sm font-medium text-indigo-600 hover:underline">Back to experiments</Link>}>
        It does not exist or was deleted.
      </EmptyState>
    </div>
  );
}

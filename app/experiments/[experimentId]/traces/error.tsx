"use client";
import { Button } from "@/components/ui/Button";
import { ErrorState } from "@/components/ui/States";

export default function TracesError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="p-6">
      <ErrorState title="Traces could not be loaded" message={error.digest ? `${error.message} (${error.digest})` : error.message} action={<Button onClick={reset}>Try again</Button>} />
    </div>
  );
}

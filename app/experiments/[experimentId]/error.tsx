"use client";
import { Button } from "@/components/ui/Button";
import { ErrorState } from "@/components/ui/States";

export default function ExperimentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-16">
      <ErrorState title="This page could not be loaded" message={error.digest ? `${error.message} (${error.digest})` : error.message} action={<Button onClick={reset}>Try again</Button>} />
    </div>
  );
}

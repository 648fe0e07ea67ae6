"use client";
// What an App Router error boundary (error.tsx) shows: the message (with Next's digest, which names the
// server log line) and a retry. Each segment's error.tsx only says what could not be loaded.
import { Button } from "./Button";
import { cn } from "./cn";
import { ErrorState } from "./States";

export type RouteErrorProps = { error: Error & { digest?: string }; reset: () => void };

export function RouteError({ error, reset, title, className }: RouteErrorProps & { title: string; className?: string }) {
  return (
    <div className={cn(className ?? "mx-auto w-full max-w-3xl px-6 py-16")}>
      <ErrorState title={title} message={error.digest ? `${error.message} (${error.digest})` : error.message} action={<Button onClick={reset}>Try again</Button>} />
    </div>
  );
}

import { cn } from "./cn";
import { IconAlert } from "./Icons";

export function Spinner({ className }: { className?: string }) {
  return <span aria-label="Loading" role="status" className={cn("inline-block h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600", className)} />;
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cn("animate-pulse rounded bg-slate-200/70", className)} />;
}

export function EmptyState({ icon, title, children, action, className }: { icon?: React.ReactNode; title: string; children?: React.ReactNode; action?: React.ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col items-center justify-center rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center", className)}>
      {icon && <div className="mb-3 flex h-10 w-10 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">{icon}</div>}
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {children && <div className="mt-1 max-w-md text-sm text-slate-500">{children}</div>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

export function ErrorState({ title = "Something went wrong", message, action, className }: { title?: string; message?: string; action?: React.ReactNode; className?: string }) {
  return (
    <div role="alert" className={cn("flex flex-col items-center justify-center rounded-xl border border-red-200 bg-red-50/50 px-6 py-10 text-center", className)}>
      <div className="mb-2 text-red-600"><IconAlert size={22} /></div>
      <h3 className="text-sm font-semibold text-red-800">{title}</h3>
      {message && <p className="mt-1 max-w-lg break-words font-mono text-xs text-red-700">{message}</p>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

/** What a not-found.tsx shows: what is missing, and why it may be. */
export function NotFoundNotice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-16">
      <EmptyState title={title}>{children}</EmptyState>
    </div>
  );
}

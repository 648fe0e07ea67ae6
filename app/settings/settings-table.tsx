import { cn } from "@/components/ui/cn";

/** The list on a settings page: one header per column plus an unlabelled actions column, and a sentence instead of no rows. */
export function SettingsTable({
  columns,
  empty,
  className,
  children,
}: {
  columns: string[];
  /** shown as the only row when given (the caller passes it only when it has no rows) */
  empty?: string | false;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <table className={cn("w-full text-sm border border-slate-200 bg-white", className)}>
      <thead className="bg-slate-50 text-left text-slate-600">
        <tr>
          {columns.map((c) => (
            <th key={c} className="px-3 py-2 font-medium">
              {c}
            </th>
          ))}
          <th className="px-3 py-2 font-medium" aria-label="Actions" />
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {empty && (
          <tr>
            <td colSpan={columns.length + 1} className="px-3 py-6 text-center text-slate-500">
              {empty}
            </td>
          </tr>
        )}
        {children}
      </tbody>
    </table>
  );
}

"use client";
// Pieces the Sessions and Users lists share: the sortable header row and the loading rows.
import { cn } from "@/components/ui/cn";
import { IconArrowDown, IconArrowUp } from "@/components/ui/Icons";
import { Skeleton } from "@/components/ui/States";

export interface SortableColumn<K extends string> {
  key: K;
  label: string;
  align?: "right";
  className?: string;
}

/** The header row: each column sorts on click (aria-sort on the current one), then an empty links column. */
export function SortableHeaderRow<K extends string>({ columns, sort, dir, onSort }: { columns: SortableColumn<K>[]; sort: K; dir: "asc" | "desc"; onSort: (key: K) => void }) {
  return (
    <tr>
      {columns.map((c) => (
        <th
          key={c.key}
          scope="col"
          aria-sort={sort === c.key ? (dir === "asc" ? "ascending" : "descending") : undefined}
          className={cn("border-b border-slate-200 px-3 py-2 text-left text-xs font-medium text-slate-500 whitespace-nowrap", c.align === "right" && "text-right", c.className)}
        >
          <button type="button" onClick={() => onSort(c.key)} className={cn("inline-flex items-center gap-1 hover:text-slate-900", sort === c.key && "text-slate-900")}>
            {c.label}
            {sort === c.key && (dir === "asc" ? <IconArrowUp size={11} /> : <IconArrowDown size={11} />)}
          </button>
        </th>
      ))}
      <th className="border-b border-slate-200 px-3 py-2" aria-label="Links" />
    </tr>
  );
}

/** Eight placeholder rows while the first page loads. */
export function ListSkeleton({ rowClassName }: { rowClassName: string }) {
  return (
    <div className="space-y-2 p-5">
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} className={cn(rowClassName, "w-full")} />
      ))}
    </div>
  );
}

"use client";
// The body of the Sessions and Users lists: keyset pages from the server (the first one rendered on the
// server when its key still matches the URL), loading, error and empty states, the table and the footer
// that loads the next page as it scrolls into view.
import { useInfiniteQuery, type UseInfiniteQueryResult, type InfiniteData } from "@tanstack/react-query";
import { useMemo } from "react";
import { apiFetch, errorMessage } from "@/components/api";
import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import { columnHelper, DataTable, type DataTableColumn, type DataTableProps } from "@/components/ui/DataTable";
import { formatCost, formatCount } from "@/components/ui/format";
import type { RowData } from "@tanstack/react-table";
import { LoadMoreFooter } from "@/components/ui/LoadMoreFooter";
import { ErrorState, Skeleton } from "@/components/ui/States";
import { cn } from "@/components/ui/cn";
import { DateTime, RelativeTime } from "@/components/ui/Time";
import type { Page } from "@/lib/store/sessions";

const PAGE_SIZE = 50;

/** Pages of `/api/ui/experiments/:id/<resource>?<key>`; `key` is the list's canonical query string. */
export function useKeysetList<T>(resource: "sessions" | "users", experimentId: string, key: string, initial?: { page?: Page<T> | null; key?: string }) {
  return useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, unknown[], string | null>({
    queryKey: [resource, experimentId, key],
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams(key);
      p.set("size", String(PAGE_SIZE));
      if (pageParam) p.set("page_token", pageParam);
      return apiFetch(`/api/ui/experiments/${encodeURIComponent(experimentId)}/${resource}?${p}`, { signal });
    },
    initialPageParam: null,
    getNextPageParam: (last) => last.nextPageToken,
    initialData: initial?.page && initial.key === key ? { pages: [initial.page], pageParams: [null] } : undefined,
  });
}

/** Turns with an error: a red count, or a quiet 0. */
export function errorsColumn<T extends RowData>(errors: (row: T) => number, cellTestId?: string): DataTableColumn<T> {
  return columnHelper<T>().display({
    id: "errors",
    header: "Errors",
    meta: { align: "right", cellTestId },
    cell: ({ row }) => {
      const n = errors(row.original);
      return n > 0 ? <Badge tone="red">{formatCount(n)}</Badge> : <span className="text-slate-400">0</span>;
    },
  });
}

/** Tokens of all the row's turns, compact (1.2k). */
export function tokensColumn<T extends RowData & { totalTokens: number }>(cellTestId?: string): DataTableColumn<T> {
  return columnHelper<T>().display({ id: "tokens", header: "Tokens", meta: { align: "right", cellClassName: "text-slate-600", cellTestId }, cell: ({ row }) => formatCount(row.original.totalTokens, true) });
}

export function costColumn<T extends RowData & { cost: number | null }>(): DataTableColumn<T> {
  return columnHelper<T>().display({ id: "cost", header: "Cost", meta: { align: "right", cellClassName: "text-slate-600" }, cell: ({ row }) => formatCost(row.original.cost) });
}

/** A moment of the row: as a date and time, or (for the latest activity) relative to now. */
export function timeColumn<T extends RowData>(id: string, header: string, ms: (row: T) => number | null, relative = false): DataTableColumn<T> {
  return columnHelper<T>().display({
    id,
    header,
    meta: { cellClassName: "whitespace-nowrap text-slate-600" },
    cell: ({ row }) => (relative ? <RelativeTime ms={ms(row.original)} /> : <DateTime ms={ms(row.original)} />),
  });
}

/** The row's traces in the trace table, shown on hover or keyboard focus. */
export function tracesLinkColumn<T extends RowData>(href: (row: T) => string): DataTableColumn<T> {
  return columnHelper<T>().display({
    id: "links",
    enableSorting: false,
    meta: { ariaLabel: "Links", align: "right", cellClassName: "whitespace-nowrap" },
    cell: ({ row }) => (
      <Link href={href(row.original)} className="text-xs text-slate-500 opacity-0 hover:text-indigo-700 group-hover:opacity-100 focus:opacity-100">
        Traces →
      </Link>
    ),
  });
}

export function KeysetTable<T extends RowData>({
  list,
  noun,
  errorTitle,
  skeletonRowClassName,
  empty,
  ...table
}: Omit<DataTableProps<T>, "data" | "empty"> & {
  list: UseInfiniteQueryResult<InfiniteData<Page<T>>, Error>;
  noun: string;
  errorTitle: string;
  skeletonRowClassName: string;
  /** shown instead of the table when the list is empty */
  empty: React.ReactNode;
}) {
  // one array per fetched page set, not per render: the table rebuilds its row model when `data` changes
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  return (
    <div className="min-h-0 flex-1 overflow-auto">
      {list.isError ? (
        <ErrorState className="m-5" title={errorTitle} message={errorMessage(list.error)} />
      ) : list.isPending ? (
        <div className="space-y-2 p-5">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className={cn(skeletonRowClassName, "w-full")} />
          ))}
        </div>
      ) : rows.length === 0 ? (
        empty
      ) : (
        <DataTable {...table} data={rows} />
      )}
      <LoadMoreFooter fetching={list.isFetchingNextPage} hasMore={Boolean(list.hasNextPage)} count={rows.length} noun={noun} onMore={() => void list.fetchNextPage()} />
    </div>
  );
}

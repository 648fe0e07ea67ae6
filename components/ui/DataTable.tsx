"use client";
// The one list table (Sessions, Users, Experiments): @tanstack/react-table owns the column model and the
// sort state, we own the markup. Sorting is manual: the server sorts (keyset pages), so the table only
// shows which column is sorted and reports clicks; each page keeps its own toggle rule in the URL.
import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type CellData, type ColumnDef, type RowData, type SortingState, type TableFeatures } from "@tanstack/react-table";
import { useMemo } from "react";
import { cn } from "./cn";
import { IconArrowDown, IconArrowUp } from "./Icons";

// Per-column presentation, typed on every column definition (the parameters must repeat the library's).
declare module "@tanstack/table-core" {
  interface ColumnMeta<in out TFeatures extends TableFeatures, in out TData extends RowData, TValue extends CellData = CellData> {
    align?: "right";
    /** on the header cell: widths (`w-24`, `min-w-[18rem]`) */
    headerClassName?: string;
    cellClassName?: string;
    cellTestId?: string;
    /** names a column whose header is empty (the row links) for screen readers */
    ariaLabel?: string;
  }
}

const features = tableFeatures({ rowSortingFeature });
export type DataTableFeatures = typeof features;
// any: a list mixes columns of different cell value types, which ColumnDef's TValue cannot express
export type DataTableColumn<T extends RowData> = ColumnDef<DataTableFeatures, T, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** Typed column builders for a row type: `columnHelper<Row>().display({ id, header, cell })`. */
export const columnHelper = <T extends RowData>() => createColumnHelper<DataTableFeatures, T>();

const VARIANTS = {
  // full-height lists under a filter bar: sticky header, separated borders so the sticky header keeps its line
  flush: {
    table: "w-full border-separate border-spacing-0 text-sm",
    thead: "sticky top-0 z-10 bg-slate-50",
    th: "border-b border-slate-200 px-3 py-2 text-xs font-medium text-slate-500 whitespace-nowrap",
    td: "border-b border-slate-100 px-3 py-2",
    tbody: "",
    row: "group hover:bg-indigo-50/40",
    arrow: 11,
  },
  // a card on a page: fixed layout so the header's widths hold whatever the names are
  card: {
    table: "w-full table-fixed text-sm",
    thead: "border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-500",
    th: "px-4 py-2 font-medium",
    td: "px-4 py-2.5",
    tbody: "divide-y divide-slate-100",
    row: "group hover:bg-slate-50",
    arrow: 12,
  },
} as const;

export interface DataTableProps<T extends RowData> {
  columns: DataTableColumn<T>[];
  data: T[];
  getRowId: (row: T) => string;
  /** the server's current order; columns with `enableSorting: false` are plain labels */
  sort?: { id: string; dir: "asc" | "desc" };
  onSort?: (columnId: string) => void;
  variant?: keyof typeof VARIANTS;
  /** e.g. "sessions-table"; rows get `${rowTestId}` */
  testId?: string;
  rowTestId?: string;
  /** shown as one full-width row when `data` is empty */
  empty?: React.ReactNode;
  /** on every body cell, e.g. `align-top` for rows with a second line */
  cellClassName?: string;
}

export function DataTable<T extends RowData>({ columns, data, getRowId, sort, onSort, variant = "flush", testId, rowTestId, empty, cellClassName }: DataTableProps<T>) {
  const v = VARIANTS[variant];
  // callers pass a fresh `sort` object each render; the table's state should change only with its values
  const sortId = sort?.id;
  const sortDir = sort?.dir;
  const sorting = useMemo<SortingState>(() => (sortId ? [{ id: sortId, desc: sortDir === "desc" }] : []), [sortId, sortDir]);
  const table = useTable({
    features,
    columns,
    data,
    getRowId,
    manualSorting: true,
    state: { sorting },
  });
  return (
    <table className={v.table} data-testid={testId}>
      <thead className={v.thead}>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => {
              const { column } = header;
              const meta = column.columnDef.meta;
              // not column.getCanSort(): that needs an accessor, and the server sorts columns the rows only display
              const sortable = Boolean(onSort) && column.columnDef.enableSorting !== false;
              const sorted = column.getIsSorted();
              const label = header.isPlaceholder ? null : <table.FlexRender header={header} />;
              return (
                <th
                  key={header.id}
                  scope="col"
                  aria-sort={sorted ? (sorted === "asc" ? "ascending" : "descending") : undefined}
                  aria-label={meta?.ariaLabel}
                  className={cn(v.th, meta?.align === "right" ? "text-right" : "text-left", meta?.headerClassName)}
                >
                  {sortable ? (
                    <button type="button" onClick={() => onSort?.(column.id)} className={cn("inline-flex items-center gap-1 hover:text-slate-900", sorted && "text-slate-900")}>
                      {label}
                      {sorted && (sorted === "asc" ? <IconArrowUp size={v.arrow} /> : <IconArrowDown size={v.arrow} />)}
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody className={v.tbody}>
        {data.length === 0 && empty && (
          <tr>
            <td colSpan={columns.length} className="px-4 py-10 text-center text-sm text-slate-500">
              {empty}
            </td>
          </tr>
        )}
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id} className={v.row} data-testid={rowTestId}>
            {row.getAllCells().map((cell) => {
              const meta = cell.column.columnDef.meta;
              return (
                <td key={cell.id} className={cn(v.td, cellClassName, meta?.align === "right" && "text-right tabular-nums", meta?.cellClassName)} data-testid={meta?.cellTestId}>
                  <table.FlexRender cell={cell} />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

"use client";
// The one list table (Sessions, Users, Experiments, Traces): @tanstack/react-table owns the column model
// and the sort state, we own the markup. Sorting is manual: the server sorts (keyset pages), so the table only
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
    /** px width of the column in the "grid" variant's colgroup; absent: the column takes what is left */
    width?: number;
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
  // a dense, wide grid (traces): fixed layout from the columns' widths, scrolls sideways past them
  grid: {
    table: "w-full table-fixed border-separate border-spacing-0 text-[13px]",
    thead: "sticky top-0 z-10 bg-slate-50 text-xs text-slate-500",
    th: "truncate border-b border-slate-200 px-2 py-2 font-medium",
    td: "overflow-hidden border-b border-slate-100 px-2 py-1.5 whitespace-nowrap",
    tbody: "",
    row: "",
    arrow: 12,
  },
} as const;

// the "grid" variant's width of a column without one, for the table's minimum width
const GRID_FLEX_WIDTH = 180;
const SELECT_WIDTH = 36;

/** Row attributes from the caller: click handlers, state classes, `data-*` ids, `aria-selected`. */
export type DataTableRowProps = React.ComponentPropsWithoutRef<"tr"> & { [data: `data-${string}`]: string | undefined };

/** A checkbox column before the others; the selection itself is the caller's (it outlives the page of rows). */
export interface DataTableSelection<T> {
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (select: boolean) => void;
  allLabel: string;
  rowLabel: (row: T) => string;
}

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
  /** rows shown in place of `empty` while `data` is empty (loading skeletons, an error, an empty state) */
  placeholder?: (colSpan: number) => React.ReactNode;
  rowProps?: (row: T) => DataTableRowProps;
  selection?: DataTableSelection<T>;
  role?: "grid";
  ariaLabel?: string;
}

export function DataTable<T extends RowData>({ columns, data, getRowId, sort, onSort, variant = "flush", testId, rowTestId, empty, cellClassName, placeholder, rowProps, selection, role, ariaLabel }: DataTableProps<T>) {
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
  const colSpan = columns.length + (selection ? 1 : 0);
  const allSelected = Boolean(selection) && data.length > 0 && data.every((r) => selection!.selected.has(getRowId(r)));
  const grid = variant === "grid";
  const minWidth = grid ? (selection ? SELECT_WIDTH : 0) + columns.reduce((n, c) => n + (c.meta?.width || GRID_FLEX_WIDTH), 0) : undefined;
  return (
    <table className={v.table} style={minWidth ? { minWidth } : undefined} data-testid={testId} role={role} aria-label={ariaLabel}>
      {grid && (
        <colgroup>
          {selection && <col style={{ width: SELECT_WIDTH }} />}
          {table.getAllLeafColumns().map((c) => (
            <col key={c.id} style={c.columnDef.meta?.width ? { width: c.columnDef.meta.width } : undefined} />
          ))}
        </colgroup>
      )}
      <thead className={v.thead}>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {selection && (
              <th className={v.th}>
                <input type="checkbox" aria-label={selection.allLabel} checked={allSelected} onChange={() => selection.onToggleAll(!allSelected)} className="h-3.5 w-3.5 accent-indigo-600" />
              </th>
            )}
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
        {data.length === 0 && placeholder?.(colSpan)}
        {data.length === 0 && !placeholder && empty && (
          <tr>
            <td colSpan={colSpan} className="px-4 py-10 text-center text-sm text-slate-500">
              {empty}
            </td>
          </tr>
        )}
        {table.getRowModel().rows.map((row) => {
          const extra = rowProps?.(row.original);
          return (
            <tr key={row.id} data-testid={rowTestId} {...extra} className={cn(v.row, extra?.className)}>
              {selection && (
                // the checkbox's cell is not the row's: a near miss must not open the row
                <td className={v.td} onClick={(e) => e.stopPropagation()}>
                  <input type="checkbox" aria-label={selection.rowLabel(row.original)} checked={selection.selected.has(row.id)} onChange={() => selection.onToggle(row.id)} className="h-3.5 w-3.5 accent-indigo-600" />
                </td>
              )}
              {row.getAllCells().map((cell) => {
                const meta = cell.column.columnDef.meta;
                return (
                  <td key={cell.id} className={cn(v.td, cellClassName, meta?.align === "right" && "text-right tabular-nums", meta?.cellClassName)} data-testid={meta?.cellTestId}>
                    <table.FlexRender cell={cell} />
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

"use client";
// The traces table of an experiment: search, quick filters, keyset pages, selection with bulk actions,
// and the trace drawer. Data and live updates come from useTraceList, keys from useTraceKeyboard, columns
// from the field registry through traceColumns.tsx.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { SendTracesPanel } from "@/components/experiments/SendTracesPanel";
import { Button } from "@/components/ui/Button";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { DataTable } from "@/components/ui/DataTable";
import { IconChevronLeft, IconChevronRight, IconRefresh, IconTag, IconTrash } from "@/components/ui/Icons";
import { EmptyState, ErrorState, Skeleton, Spinner } from "@/components/ui/States";
import { toggled } from "@/components/toggled";
import { useUrlState } from "@/components/useUrlState";
import { TRACE_COLUMNS } from "@/lib/search/fields";
import type { TraceOrderKey } from "@/lib/store/trace-view";
import { ColumnPicker, useVisibleColumns } from "./ColumnPicker";
import { DeleteTracesDialog } from "./DeleteTracesDialog";
import { QuickFilters } from "./QuickFilters";
import { TagTracesDialog } from "./TagTracesDialog";
import { TraceSearchBox } from "./TraceSearchBox";
import { TraceDrawer } from "./TraceDrawer";
import { useTraceColumns } from "./traceColumns";
import { useTraceKeyboard } from "./useTraceKeyboard";
import { DEFAULT_ORDER, useTraceList, type TraceListInitial } from "./useTraceList";

const PAGE_SIZES = [25, 50, 100, 200];

export function TracesPage(props: { experimentId: string; experimentName: string } & TraceListInitial) {
  const { experimentId } = props;
  const { params, set } = useUrlState();
  const filter = params.get("filter") ?? "";
  const order = params.get("order") ?? DEFAULT_ORDER;
  const range = params.get("range") ?? "";
  const pageToken = params.get("page_token") ?? "";
  const pageNo = Number(params.get("page") ?? "1") || 1;
  const size = Number(params.get("size")) || 50;
  const openTrace = params.get("trace");

  const { list, count, rows, listError, newCount, acknowledgeNew, reload, restartRange, refresh } = useTraceList(experimentId, { filter, order, range, pageToken, size }, props);
  const rowIds = useMemo(() => rows.map((r) => r.traceId), [rows]);

  // Selection is keyed by trace id: rows that leave the page (deleted, paged away) leave it too.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => {
    setSelected((s) => (s.size ? new Set([...s].filter((id) => rowIds.includes(id))) : s));
  }, [rowIds]);
  const toggleSelected = useCallback((id: string) => setSelected((s) => toggled(s, id)), []);

  const tableRef = useRef<HTMLDivElement>(null);
  const { focusId, openRow } = useTraceKeyboard({ ids: rowIds, openTrace, set, toggleSelected, tableRef });
  const applyFilter = (f: string) => set({ filter: f.trim() || null, page_token: null, page: null }, "push");

  const { key: sortKey, desc } = (() => {
    const [k, d] = order.split(/\s+/);
    return { key: k as TraceOrderKey, desc: (d ?? "DESC").toUpperCase() !== "ASC" };
  })();
  // the table speaks column ids, the URL's order speaks the registry's order keys
  const sortColumn = TRACE_COLUMNS.find((c) => c.orderKey === sortKey)?.id;
  const toggleSort = (columnId: string) => {
    const k = TRACE_COLUMNS.find((c) => c.id === columnId)?.orderKey;
    if (!k) return;
    const next = k === sortKey ? `${k} ${desc ? "ASC" : "DESC"}` : `${k} DESC`;
    set({ order: next === DEFAULT_ORDER ? null : next, page_token: null, page: null }, "push");
  };

  const columns = useTraceColumns(experimentId);
  const [visibleKeys, setVisibleKeys] = useVisibleColumns("flowtrace.traces.columns.v1", TRACE_COLUMNS);
  const visible = useMemo(() => columns.filter((c) => c.id && visibleKeys.has(c.id)), [columns, visibleKeys]);

  // Keyset pages only go forward; the tokens of the pages behind this one make "Prev" possible.
  const [pageStack, setPageStack] = useState<string[]>([]);
  useEffect(() => {
    if (!pageToken) setPageStack([]);
  }, [pageToken, filter, order, range, size]);
  const [tagging, setTagging] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const total = count.data?.count;
  const firstRow = (pageNo - 1) * size + 1;
  const showingEmptyExperiment = !filter && !range && !pageToken && !listError && list.data && rows.length === 0 && (total === undefined || total === 0);

  const openIdx = openTrace ? rowIds.indexOf(openTrace) : -1;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className={cn("flex flex-col gap-2 border-b border-slate-200 bg-white px-4 py-2.5", showingEmptyExperiment && "hidden")}>
        <TraceSearchBox value={filter} error={listError && /INVALID_PARAMETER|column/i.test(listError + (props.initialError?.code ?? "")) ? listError : null} onSubmit={applyFilter} />
        <div className="flex flex-wrap items-center gap-2">
          <QuickFilters
            filter={filter}
            range={range}
            onFilter={applyFilter}
            onRange={(r) => {
              restartRange();
              set({ range: r || null, page_token: null, page: null }, "push");
            }}
          />
          <div className="ml-auto flex items-center gap-2 text-xs text-slate-500">
            {(list.isFetching || count.isFetching) && <Spinner className="h-3.5 w-3.5" />}
            <span data-testid="trace-count">
              {listError ? "" : total === undefined ? (count.isError ? "count unavailable" : "counting…") : `${formatCount(total)} trace${total === 1 ? "" : "s"}`}
            </span>
            <button
              type="button"
              title="Refresh"
              aria-label="Refresh"
              onClick={reload}
              className="rounded p-1 hover:bg-slate-100 hover:text-slate-800"
            >
              <IconRefresh size={14} />
            </button>
            <ColumnPicker columns={TRACE_COLUMNS} visible={visibleKeys} onChange={setVisibleKeys} />
          </div>
        </div>
      </div>

      {selected.size > 0 && (
        <div className="flex items-center gap-3 border-b border-indigo-200 bg-indigo-50 px-4 py-1.5 text-sm">
          <span className="font-medium text-indigo-900">{selected.size} selected</span>
          <Button size="sm" onClick={() => setTagging(true)}>
            <IconTag size={13} /> Add tag
          </Button>
          <Button size="sm" variant="danger" onClick={() => setDeleting(true)}>
            <IconTrash size={13} /> Delete
          </Button>
          <button type="button" className="text-xs text-indigo-700 hover:underline" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}

      {newCount > 0 && (
        <div className="flex justify-center border-b border-slate-200 bg-white py-1">
          <button
            type="button"
            className="rounded-full bg-indigo-600 px-3 py-0.5 text-xs font-medium text-white shadow hover:bg-indigo-700"
            onClick={() => {
              acknowledgeNew();
              set({ page_token: null, page: null }, "push");
            }}
          >
            {newCount} new trace{newCount === 1 ? "" : "s"}: go to the newest
          </button>
        </div>
      )}

      <div className="flex min-h-0 flex-1">
        <div ref={tableRef} className="scroll-thin min-h-0 min-w-0 flex-1 overflow-auto">
          {listError && !/INVALID_PARAMETER|column/i.test(listError) ? (
            <div className="p-6">
              <ErrorState title="Traces could not be loaded" message={listError} action={<Button onClick={() => list.refetch()}>Try again</Button>} />
            </div>
          ) : showingEmptyExperiment ? (
            <div className="mx-auto max-w-3xl px-6 py-10">
              <div className="mb-5 text-center">
                <h2 className="text-base font-semibold">No traces yet</h2>
                <p className="mt-1 text-sm text-slate-500">
                  Send traces to this experiment with the MLflow SDKs or any OpenTelemetry exporter. They appear here as they arrive, no reload needed.
                </p>
              </div>
              <SendTracesPanel experimentId={experimentId} experimentName={props.experimentName} />
              <p className="mt-3 flex items-center justify-center gap-2 text-xs text-slate-500">
                <Spinner className="h-3 w-3" /> Waiting for the first trace…
              </p>
            </div>
          ) : (
            <DataTable
              variant="grid"
              role="grid"
              ariaLabel="Traces"
              columns={visible}
              data={rows}
              getRowId={(r) => r.traceId}
              sort={sortColumn ? { id: sortColumn, dir: desc ? "desc" : "asc" } : undefined}
              onSort={toggleSort}
              selection={{
                selected,
                onToggle: toggleSelected,
                onToggleAll: (all) => setSelected(all ? new Set(rowIds) : new Set()),
                allLabel: "Select all on this page",
                rowLabel: (r) => `Select trace ${r.traceId}`,
              }}
              rowProps={(r) => {
                const isSel = selected.has(r.traceId);
                return {
                  "data-trace-id": r.traceId,
                  "aria-selected": isSel,
                  onClick: () => openRow(r.traceId),
                  className: cn(
                    "cursor-pointer",
                    r.traceId === openTrace ? "bg-indigo-50" : isSel ? "bg-indigo-50/50" : "hover:bg-slate-50",
                    r.traceId === focusId && "outline outline-2 -outline-offset-2 outline-indigo-400",
                  ),
                };
              }}
              placeholder={(colSpan) =>
                !list.data && !listError ? (
                  Array.from({ length: 10 }, (_, i) => (
                    <tr key={i}>
                      <td colSpan={colSpan} className="border-b border-slate-100 px-3 py-2">
                        <Skeleton className="h-4 w-full" />
                      </td>
                    </tr>
                  ))
                ) : !list.data ? (
                  <tr>
                    <td colSpan={colSpan} className="px-4 py-16 text-center text-sm text-slate-500">
                      Fix the filter above to see traces.
                    </td>
                  </tr>
                ) : (
                  <tr>
                    <td colSpan={colSpan} className="px-4 py-16 text-center">
                      <EmptyState title="No traces match" className="mx-auto max-w-md border-none">
                        Nothing in this experiment matches the filter{range ? " and time range" : ""}.{" "}
                        <button type="button" className="text-indigo-600 hover:underline" onClick={() => set({ filter: null, range: null, page_token: null, page: null }, "push")}>
                          Clear filters
                        </button>
                      </EmptyState>
                    </td>
                  </tr>
                )
              }
            />
          )}
        </div>
        {openTrace && (
          <TraceDrawer
            traceId={openTrace}
            experimentId={experimentId}
            onClose={() => openRow(null)}
            onPrev={openIdx > 0 ? () => openRow(rowIds[openIdx - 1]) : undefined}
            onNext={openIdx >= 0 && openIdx < rowIds.length - 1 ? () => openRow(rowIds[openIdx + 1]) : undefined}
            position={openIdx >= 0 ? `${firstRow + openIdx} of ${total !== undefined ? formatCount(total) : "…"}` : undefined}
            neighbors={openIdx >= 0 ? [rowIds[openIdx - 1], rowIds[openIdx + 1]].filter((x): x is string => !!x) : []}
          />
        )}
      </div>

      {!showingEmptyExperiment && (
        <div className="flex items-center gap-3 border-t border-slate-200 bg-white px-4 py-1.5 text-xs text-slate-600">
          <span className="tabular-nums">
            {rows.length ? `${formatCount(firstRow)}–${formatCount(firstRow + rows.length - 1)}` : "0"}
            {total !== undefined && ` of ${formatCount(total)}`}
          </span>
          <span className="hidden text-slate-400 md:inline">j/k to move · Enter to open · x to select · Esc to close</span>
          <label className="ml-auto flex items-center gap-1">
            Rows
            <select
              aria-label="Rows per page"
              value={size}
              onChange={(e) => set({ size: e.target.value === "50" ? null : e.target.value, page_token: null, page: null }, "push")}
              className="rounded border border-slate-300 bg-white px-1 py-0.5"
            >
              {PAGE_SIZES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <Button
            size="sm"
            variant="ghost"
            disabled={pageNo <= 1}
            onClick={() => {
              const prev = pageStack[pageStack.length - 1];
              setPageStack((st) => st.slice(0, -1));
              set({ page_token: prev || null, page: pageNo - 1 > 1 && prev ? String(pageNo - 1) : null }, "push");
            }}
            aria-label="Previous page"
          >
            <IconChevronLeft size={14} /> Prev
          </Button>
          <Button size="sm" variant="ghost" disabled={pageNo <= 1} onClick={() => set({ page_token: null, page: null }, "push")}>
            First
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={!list.data?.nextPageToken}
            onClick={() => {
              setPageStack((st) => [...st, pageToken]);
              set({ page_token: list.data!.nextPageToken, page: String(pageNo + 1) }, "push");
            }}
            aria-label="Next page"
          >
            Next <IconChevronRight size={14} />
          </Button>
        </div>
      )}

      <TagTracesDialog open={tagging} traceIds={[...selected]} onClose={() => setTagging(false)} onDone={refresh} />
      <DeleteTracesDialog
        open={deleting}
        experimentId={experimentId}
        traceIds={[...selected]}
        onClose={() => setDeleting(false)}
        onDone={() => {
          setSelected(new Set());
          if (openTrace && selected.has(openTrace)) openRow(null);
          refresh();
        }}
      />
    </div>
  );
}

// The shared list table renders from its column definitions: the server's sort order on the header
// (aria-sort, a button per sortable column), test ids on rows and cells, and the empty row.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { columnHelper, DataTable } from "./DataTable";

interface Row {
  id: string;
  name: string;
  count: number;
}
const col = columnHelper<Row>();
const columns = [
  col.display({ id: "name", header: "Name", cell: ({ row }) => <a href={`/r/${row.original.id}`}>{row.original.name}</a> }),
  col.display({ id: "count", header: "Count", meta: { align: "right", cellTestId: "row-count" }, cell: ({ row }) => row.original.count }),
  col.display({ id: "links", enableSorting: false, meta: { ariaLabel: "Links" }, cell: () => "→" }),
];
const rows: Row[] = [
  { id: "a", name: "Alpha", count: 3 },
  { id: "b", name: "Beta", count: 5 },
];

test("rows, cells and the server's sort order render from the column definitions", () => {
  const html = renderToStaticMarkup(<DataTable columns={columns} data={rows} getRowId={(r) => r.id} sort={{ id: "count", dir: "asc" }} onSort={() => {}} testId="t" rowTestId="t-row" />);
  assert.equal(html.match(/data-testid="t-row"/g)?.length, 2);
  assert.match(html, /<a href="\/r\/b">Beta<\/a>/);
  assert.match(html, /aria-sort="ascending"[^>]*><button[^>]*>Count/);
  assert.equal(html.match(/aria-sort=/g)?.length, 1, "only the sorted column says so");
  // sortable columns are buttons; the links column is not, and is named for screen readers
  assert.equal(html.match(/<button/g)?.length, 2);
  assert.match(html, /aria-label="Links"/);
  assert.match(html, /<td class="[^"]*text-right[^"]*" data-testid="row-count">5<\/td>/);
});

test("without onSort the headers are plain labels; an empty list shows the empty row", () => {
  const html = renderToStaticMarkup(<DataTable columns={columns} data={[]} getRowId={(r) => r.id} empty="Nothing here" />);
  assert.doesNotMatch(html, /<button/);
  assert.match(html, /<td colSpan="3"[^>]*>Nothing here<\/td>/i);
});

test("the grid variant: a colgroup from the widths, a selection column, the caller's row attributes and placeholder rows", () => {
  const sized = [
    col.display({ id: "name", header: "Name", meta: { width: 120 }, cell: ({ row }) => row.original.name }),
    col.display({ id: "count", header: "Count", cell: ({ row }) => row.original.count }),
  ];
  const selection = { selected: new Set(["b"]), onToggle: () => {}, onToggleAll: () => {}, allLabel: "Select all", rowLabel: (r: Row) => `Select ${r.id}` };
  const html = renderToStaticMarkup(
    <DataTable
      variant="grid"
      role="grid"
      ariaLabel="Things"
      columns={sized}
      data={rows}
      getRowId={(r) => r.id}
      selection={selection}
      rowProps={(r) => ({ "data-row-id": r.id, "aria-selected": selection.selected.has(r.id), className: r.id === "a" ? "bg-open" : undefined })}
    />,
  );
  // the selection column's 36px, then the named width; a column without one takes the rest (180 toward the minimum)
  assert.match(html, /<table[^>]*style="min-width:336px"[^>]*role="grid" aria-label="Things"/);
  assert.match(html, /<colgroup><col style="width:36px"\/><col style="width:120px"\/><col\/><\/colgroup>/);
  assert.match(html, /<input type="checkbox" aria-label="Select all"(?![^>]*checked)/);
  assert.match(html, /<tr data-row-id="a" aria-selected="false" class="bg-open">/);
  assert.match(html, /<tr data-row-id="b" aria-selected="true" class="">/);
  assert.match(html, /aria-label="Select b"[^>]*checked=""/);

  const loading = renderToStaticMarkup(
    <DataTable variant="grid" columns={sized} data={[]} getRowId={(r) => r.id} selection={selection} empty="unused" placeholder={(span) => <tr><td colSpan={span}>Loading</td></tr>} />,
  );
  assert.match(loading, /<td colSpan="3">Loading<\/td>/i);
  assert.doesNotMatch(loading, /unused/);
});

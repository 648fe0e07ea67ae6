import { Button } from "@/components/ui/Button";
import { IconX } from "@/components/ui/Icons";
import { cn } from "@/components/ui/cn";

/** The toolbar above the Sessions and Users tables: its fields, Search (also on Enter) and, once filtered, Clear. */
export function FilterBar({
  onSearch,
  onClear,
  filtered,
  className,
  children,
}: {
  onSearch: () => void;
  onClear: () => void;
  filtered: boolean;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <form
      className={cn("flex items-center gap-2 border-b border-slate-200 bg-white px-5 py-2.5", className)}
      onSubmit={(e) => {
        e.preventDefault();
        onSearch();
      }}
    >
      {children}
      <Button type="submit" variant="primary">
        Search
      </Button>
      {filtered && (
        <Button variant="ghost" onClick={onClear}>
          <IconX size={13} /> Clear
        </Button>
      )}
    </form>
  );
}

import { IconSearch } from "./Icons";
import { cn } from "./cn";

type Size = "sm" | "md";

// The two densities in use: toolbars of pages (md) and the compact span tree header (sm). The glass is
// centred by translate, not flex, so its half-pixel offset in the 28px field stays as it was drawn.
const SIZES: Record<Size, { icon: number; iconClassName: string; inputClassName: string }> = {
  sm: { icon: 13, iconClassName: "left-2", inputClassName: "h-7 pl-7 text-xs" },
  md: { icon: 14, iconClassName: "left-2.5", inputClassName: "h-8 pl-8 text-sm" },
};

export interface SearchInputProps extends Omit<React.InputHTMLAttributes<HTMLInputElement>, "size" | "value" | "onChange"> {
  value: string;
  onValueChange: (value: string) => void;
  size?: Size;
  /** the wrapper, which sets the width (the input fills it) */
  className?: string;
  inputClassName?: string;
}

/** A text input with a search glass inside its left edge. */
export function SearchInput({ value, onValueChange, size = "md", className, inputClassName, ...rest }: SearchInputProps) {
  const s = SIZES[size];
  return (
    <label className={cn("relative flex items-center", className)}>
      <IconSearch size={s.icon} className={cn("pointer-events-none absolute top-1/2 -translate-y-1/2 text-slate-400", s.iconClassName)} />
      <input
        {...rest}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        className={cn(
          "w-full rounded-md border border-slate-300 bg-white pr-2 outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/20",
          s.inputClassName,
          inputClassName,
        )}
      />
    </label>
  );
}

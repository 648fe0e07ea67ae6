"use client";
// The end of an infinitely scrolled list: the scroll sentinel, then "loading…", "Load more" or the total.
import type { Ref } from "react";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/States";
import { formatCount } from "@/components/ui/format";

export function LoadMoreFooter(props: {
  sentinel: Ref<HTMLDivElement>;
  fetching: boolean;
  hasMore: boolean;
  count: number;
  noun: string;
  onMore: () => void;
}) {
  const { sentinel, fetching, hasMore, count, noun, onMore } = props;
  return (
    <div ref={sentinel} className="flex h-12 items-center justify-center text-xs text-slate-500">
      {fetching ? (
        <>
          <Spinner className="mr-2" /> Loading more {noun}s…
        </>
      ) : hasMore ? (
        <Button size="sm" onClick={onMore}>
          Load more
        </Button>
      ) : count > 0 ? (
        `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`
      ) : null}
    </div>
  );
}

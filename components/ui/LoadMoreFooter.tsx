"use client";
// The end of an infinitely scrolled list: loads the next page when it comes into view, and shows
// "loading…", "Load more" or the total.
import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/States";
import { formatCount } from "@/components/ui/format";

export function LoadMoreFooter(props: { fetching: boolean; hasMore: boolean; count: number; noun: string; onMore: () => void }) {
  const { fetching, hasMore, count, noun, onMore } = props;
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && hasMore && !fetching) onMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, fetching, onMore]);
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

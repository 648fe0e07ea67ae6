import Link from "next/link";
import { EmptyState } from "@/components/ui/States";

export default function NotFound() {
  return (
    <div className="mx-auto w-full max-w-3xl px-6 py-16">
      <EmptyState title="Page not found" action={<Link href="/" className="text-sm font-medium text-indigo-600 hover:underline">Go to experiments</Link>}>
        Nothing lives at this address.
      </EmptyState>
    </div>
  );
}

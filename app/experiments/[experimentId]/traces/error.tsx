"use client";
import { RouteError, type RouteErrorProps } from "@/components/ui/RouteError";

export default function TracesError(props: RouteErrorProps) {
  return <RouteError {...props} title="Traces could not be loaded" className="p-6" />;
}

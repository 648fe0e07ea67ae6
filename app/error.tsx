"use client";
import { RouteError, type RouteErrorProps } from "@/components/ui/RouteError";

export default function RootError(props: RouteErrorProps) {
  return <RouteError {...props} title="Something went wrong" />;
}

"use client";
import { RouteError, type RouteErrorProps } from "@/components/ui/RouteError";

export default function ExperimentError(props: RouteErrorProps) {
  return <RouteError {...props} title="This page could not be loaded" />;
}

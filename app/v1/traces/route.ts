import { handleOtlpTracesRequest } from "@/lib/tracing/otlp-http";

export const dynamic = "force-dynamic";

export const POST = handleOtlpTracesRequest;

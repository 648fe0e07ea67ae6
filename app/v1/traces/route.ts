import { handleOtlpTracesRequest } from "@/lib/http/otlp";

export const dynamic = "force-dynamic";

export const POST = handleOtlpTracesRequest;

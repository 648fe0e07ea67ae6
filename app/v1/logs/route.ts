import { acceptAndDropOtlp } from "@/lib/http/otlp";

export const dynamic = "force-dynamic";

export const POST = acceptAndDropOtlp;

// Reads the recorded client exchanges of shared/fixtures/wire (tests and the benchmark).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface WireLine {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body_encoding: string;
  body_text?: string;
  body_base64?: string;
  body_otlp?: Record<string, unknown>;
}

export function fixturesDir(): string {
  const candidates = [process.env.FLOWTRACE_FIXTURES, path.resolve(process.cwd(), "..", "shared", "fixtures", "wire"), "/work/shared/fixtures/wire"];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error("wire fixtures not found (set FLOWTRACE_FIXTURES)");
}

export function readWire(file: string): WireLine[] {
  return readFileSync(path.join(fixturesDir(), file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as WireLine);
}

export function otlpLines(file: string): WireLine[] {
  return readWire(file).filter((l) => l.method === "POST" && l.path === "/v1/traces");
}

/** The exact request body bytes of a recorded line. */
export function bodyOf(l: WireLine): Buffer {
  if (l.body_base64 !== undefined) return Buffer.from(l.body_base64, "base64");
  return Buffer.from(l.body_text ?? "", "utf8");
}

/** The span type of each span of the recorded agent trace (the wire fixtures' "agent_turn"), as derived at ingest. */
export const FIXTURE_SPAN_TYPES: Readonly<Record<string, string>> = {
  agent_turn: "AGENT",
  plan: "CHAIN",
  retrieve_docs: "RETRIEVER",
  web_search: "TOOL",
  calculator: "TOOL",
  generate_answer: "CHAT_MODEL",
  format_output: "PARSER",
  Completions: "LLM",
};

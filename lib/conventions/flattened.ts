// OpenInference (llm.input_messages.0.message.role) and Traceloop (gen_ai.prompt.0.role) flatten lists of
// objects into indexed attribute keys; both conventions read them back with these two functions.
import { contentToText, normalizeRole, toolCallFrom, withOptional, type ChatMessage, type Obj, type ToolCall } from "../chat/payload";
import type { Attrs } from "./attrs";

/** `prefix.N.field` (and `prefix.N.a.M.b`) flattened attributes → [{field: …}] in index order. */
export function indexedObjects(a: Attrs, prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const p = prefix + ".";
  for (const k in a) {
    if (!k.startsWith(p)) continue;
    const rest = k.slice(p.length);
    const dot = rest.indexOf(".");
    if (dot <= 0) continue;
    const idx = Number(rest.slice(0, dot));
    if (!Number.isInteger(idx) || idx < 0 || idx > 10_000) continue;
    const path = rest.slice(dot + 1).split(".");
    let o = (out[idx] ??= {});
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i];
      o = (o[seg] ??= {}) as Record<string, unknown>;
    }
    o[path[path.length - 1]] = a[k];
  }
  // nested numeric objects ({"0": …}) → arrays
  const fix = (v: unknown): unknown => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    const o = v as Record<string, unknown>;
    if (keys.length && keys.every((k) => /^\d+$/.test(k))) return keys.sort((x, y) => Number(x) - Number(y)).map((k) => fix(o[k]));
    for (const k of keys) o[k] = fix(o[k]);
    return o;
  };
  return out.filter(Boolean).map((x) => fix(x) as Record<string, unknown>);
}

/** Flattened messages as chat messages (display); `inner` is the per-message prefix OpenInference adds. */
export function flattenedMessages(attrs: Obj, prefix: string, inner: string): ChatMessage[] | null {
  const byIndex = new Map<number, Obj>();
  for (const [k, val] of Object.entries(attrs)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const m = /^(\d+)\.(.+)$/.exec(rest);
    if (!m) continue;
    let field = m[2];
    if (inner && field.startsWith(inner)) field = field.slice(inner.length);
    const entry = byIndex.get(Number(m[1])) ?? {};
    entry[field] = val;
    byIndex.set(Number(m[1]), entry);
  }
  if (!byIndex.size) return null;
  const out: ChatMessage[] = [];
  for (const idx of [...byIndex.keys()].sort((a, b) => a - b)) {
    const e = byIndex.get(idx)!;
    const role = normalizeRole(e.role);
    if (!role) continue;
    // tool calls: tool_calls.0.tool_call.function.name (OpenInference) / tool_calls.0.name (Traceloop)
    const calls = new Map<number, Obj>();
    for (const [f, val] of Object.entries(e)) {
      const tm = /^tool_calls\.(\d+)\.(?:tool_call\.)?(?:function\.)?(name|arguments|id)$/.exec(f);
      if (!tm) continue;
      const c = calls.get(Number(tm[1])) ?? {};
      c[tm[2]] = val;
      calls.set(Number(tm[1]), c);
    }
    const toolCalls = [...calls.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, c]) => toolCallFrom(c))
      .filter((x): x is ToolCall => x !== null);
    out.push(withOptional({ role, content: contentToText(e.content) }, { toolCalls, toolCallId: e.tool_call_id, name: e.name }));
  }
  return out.length ? out : null;
}
// Input and output of one call often repeat each other; one rule for showing them as one conversation.
import type { ChatMessage } from "./payload";

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  if (a.role !== b.role || a.content.trim() !== b.content.trim()) return false;
  if ((a.toolCallId ?? "") !== (b.toolCallId ?? "")) return false;
  const ta = a.toolCalls ?? [];
  const tb = b.toolCalls ?? [];
  return ta.length === tb.length && ta.every((t, i) => t.name === tb[i].name);
}

/**
 * Input then output, without showing twice what the output repeats of the input (mlflow#25718: agent
 * frameworks return the whole history, translators re-emit the input).
 */
export function mergeConversation(input: ChatMessage[], output: ChatMessage[]): ChatMessage[] {
  if (!output.length) return input;
  if (!input.length) return output;
  // the output contains the whole input, in order: it is the full history
  for (let start = 0; start + input.length <= output.length; start++) {
    if (input.every((m, i) => sameMessage(m, output[start + i]))) return output;
  }
  // the output starts with the end of the input
  for (let k = Math.min(input.length, output.length); k > 0; k--) {
    let ok = true;
    for (let i = 0; i < k && ok; i++) ok = sameMessage(input[input.length - k + i], output[i]);
    if (ok) return [...input, ...output.slice(k)];
  }
  return [...input, ...output];
}

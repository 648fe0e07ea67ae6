// The MLflow SDKs' own keys. MLflow's span keys (mlflow.spanType, spanInputs, …) are what the other
// conventions are mapped to, so this mapper only supplies what MLflow records elsewhere: trace session and
// user metadata, and the legacy (< 3.3) normalized conversation mlflow.chat.messages.
import { messagesFromList, parseMaybeJson } from "../chat/payload";
import { has } from "./attrs";
import type { Convention } from "./Convention";

export const mlflow: Convention = {
  name: "MLflow SDKs",
  sessionKeys: ["mlflow.trace.session"],
  userKeys: ["mlflow.trace.user"],
  chat(a) {
    if (!has(a, "mlflow.chat.messages")) return null;
    const legacy = parseMaybeJson(a["mlflow.chat.messages"]);
    if (!Array.isArray(legacy)) return null;
    const ms = messagesFromList(legacy);
    return ms && ms.length ? ms : null;
  },
};

// FLOWTRACE_CPU_PROFILE=<file.cpuprofile>: the server records a V8 CPU profile from start to shutdown and
// writes it there (open it in Chrome DevTools). For finding where server time goes under a benchmark's load,
// where `node --cpu-prof` cannot be passed (it is not allowed in NODE_OPTIONS).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

let session: Session | undefined;

export function startCpuProfile(): void {
  if (!process.env.FLOWTRACE_CPU_PROFILE || session) return;
  session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
}

export function stopCpuProfile(): Promise<void> {
  const s = session;
  const file = process.env.FLOWTRACE_CPU_PROFILE;
  if (!s || !file) return Promise.resolve();
  session = undefined;
  return new Promise((resolve) => {
    s.post("Profiler.stop", (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
      s.disconnect();
      resolve();
    });
  });
}

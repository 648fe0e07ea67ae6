// Files uploaded through the mlflow-artifacts proxy (spec §4.5) that are not trace data. traces.json is
// never kept here: it is parsed into span rows and regenerated from them (lib/mlflow/routes/artifacts.ts).
import { getPool } from "../db";
import { invalidParameter } from "../errors";

/** A relative artifact path with no way out of the artifact root: no "..", ".", empty or absolute parts. */
export function normalizeArtifactPath(path: string, allowEmpty = false): string {
  if (path.includes("\u0000") || path.includes("\\")) throw invalidParameter(`Invalid artifact path: '${path}'`);
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  if (!trimmed) {
    if (allowEmpty) return "";
    throw invalidParameter("Invalid artifact path: ''");
  }
  const parts = trimmed.split("/");
  // a segment may still be percent-encoded ("%2e%2e"): judge what it would mean once decoded too
  const decoded = (p: string) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  };
  const unsafe = (p: string) => p === "" || p === "." || p === ".." || p.includes("/") || p.includes("\\") || p.includes("\u0000");
  if (parts.some((p) => unsafe(p) || unsafe(decoded(p))) || /^[a-zA-Z]:/.test(trimmed) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw invalidParameter(`Invalid artifact path: '${path}'. Paths must be relative and must not contain '..'.`);
  }
  return parts.join("/");
}

export async function putArtifact(path: string, content: Uint8Array, contentType: string | null): Promise<void> {
  await getPool().query(
    `INSERT INTO artifacts (path, content, content_type, size, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (path) DO UPDATE SET content = EXCLUDED.content, content_type = EXCLUDED.content_type, size = EXCLUDED.size, created_at = EXCLUDED.created_at`,
    [path, Buffer.from(content.buffer, content.byteOffset, content.byteLength), contentType, content.byteLength, Date.now()],
  );
}

export async function getArtifact(path: string): Promise<{ content: Buffer; contentType: string | null } | null> {
  const { rows } = await getPool().query<{ content: Buffer; content_type: string | null }>(`SELECT content, content_type FROM artifacts WHERE path = $1`, [path]);
  return rows[0] ? { content: rows[0].content, contentType: rows[0].content_type } : null;
}

export async function deleteArtifact(path: string): Promise<void> {
  // the path itself, or everything below it when it names a directory
  await getPool().query(`DELETE FROM artifacts WHERE path = $1 OR (left(path, length($1) + 1) = $1 || '/')`, [path]);
}

export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Direct children of a directory: files with their size, sub-directories once each. */
export async function listArtifacts(dir: string): Promise<ArtifactFile[]> {
  const prefix = dir ? dir + "/" : "";
  const { rows } = await getPool().query<{ path: string; size: string }>(
    `SELECT path, size FROM artifacts WHERE left(path, length($1)) = $1 ORDER BY path LIMIT 10000`,
    [prefix],
  );
  const out = new Map<string, ArtifactFile>();
  for (const r of rows) {
    const rest = r.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) out.set(rest, { path: prefix + rest, is_dir: false, file_size: Number(r.size) });
    else if (!out.has(rest.slice(0, slash))) out.set(rest.slice(0, slash), { path: prefix + rest.slice(0, slash), is_dir: true });
  }
  return [...out.values()];
}

/**
 * The experiments (ids) whose artifact location is `path` or a folder above it: mlflow-artifacts:/<folder> (or
 * mlflow-artifacts:///<folder>, with or without a trailing slash). Authorization of paths outside the numeric
 * "<experiment id>/…" folders (lib/auth/guard.ts, access kind "artifact") goes by these.
 */
export async function experimentsHoldingArtifactPath(path: string): Promise<string[]> {
  const parts = path.split("/").filter(Boolean);
  const candidates: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join("/");
    for (const scheme of ["mlflow-artifacts:/", "mlflow-artifacts:///"]) candidates.push(scheme + p, scheme + p + "/");
  }
  if (!candidates.length) return [];
  const { rows } = await getPool().query<{ e: string }>("SELECT experiment_id::text AS e FROM experiments WHERE artifact_location = ANY($1::text[])", [candidates]);
  return rows.map((r) => r.e);
}

import { UsersTable } from "@/components/sessions/UsersTable";
import { ApiError } from "@/lib/errors";
import type { Page } from "@/lib/store/sessions";
import { parseUserListQuery, userListKey } from "@/lib/store/sessions-query";
import { listUsers, type UserSummary } from "@/lib/store/users";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

export default async function UsersRoute({ params, searchParams }: { params: Promise<{ experimentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experimentId } = await params;
  const sp = await searchParams;
  let initial: Page<UserSummary> | null = null;
  try {
    initial = await listUsers({ experimentId, ...parseUserListQuery(sp), pageSize: 50, pageToken: undefined });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  return <UsersTable experimentId={experimentId} initial={initial} initialKey={userListKey(sp)} />;
}

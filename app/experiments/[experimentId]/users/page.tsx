import { UsersTable } from "@/components/sessions/UsersTable";
import { parseUserListQuery, userListKey } from "@/lib/store/sessions-query";
import { listUsers } from "@/lib/store/users";
import { firstPageOrNull, type ExperimentListPageProps } from "../first-page-or-null";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

export default async function UsersRoute({ params, searchParams }: ExperimentListPageProps) {
  const { experimentId } = await params;
  const sp = await searchParams;
  const initial = await firstPageOrNull(() => listUsers({ experimentId, ...parseUserListQuery(sp), pageSize: 50, pageToken: undefined }));
  return <UsersTable experimentId={experimentId} initial={initial} initialKey={userListKey(sp)} />;
}

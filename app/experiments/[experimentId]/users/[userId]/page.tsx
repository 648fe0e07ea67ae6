import { notFound } from "next/navigation";
import { SessionsTable } from "@/components/sessions/SessionsTable";
import { UserHeader } from "@/components/sessions/UserHeader";
import { ApiError } from "@/lib/errors";
import { listSessions } from "@/lib/store/sessions";
import { parseSessionListQuery, sessionListKey } from "@/lib/store/sessions-query";
import { getUser } from "@/lib/store/users";

export const dynamic = "force-dynamic";

type Params = Promise<{ experimentId: string; userId: string }>;

export async function generateMetadata({ params }: { params: Params }) {
  const { userId } = await params;
  return { title: `User ${decodeURIComponent(userId)}` };
}

// A user's totals and their sessions (the sessions table, filtered by the user).
export default async function UserRoute({ params, searchParams }: { params: Params; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experimentId, userId: raw } = await params;
  const userId = decodeURIComponent(raw);
  const sp = await searchParams;
  try {
    const [user, sessions] = await Promise.all([
      getUser(experimentId, userId),
      listSessions({ experimentId, ...parseSessionListQuery(sp), userId, pageSize: 50, pageToken: undefined }),
    ]);
    return (
      <div className="flex min-h-0 flex-1 flex-col">
        <UserHeader experimentId={experimentId} user={user} />
        <SessionsTable experimentId={experimentId} fixedUser={userId} initial={sessions} initialKey={sessionListKey(sp, userId)} />
      </div>
    );
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  }
}

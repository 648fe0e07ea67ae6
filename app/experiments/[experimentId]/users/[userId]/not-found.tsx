import { NotFoundNotice } from "@/components/ui/States";

export default function UserNotFound() {
  return <NotFoundNotice title="User not found">No trace of this experiment carries this user id (or its traces were deleted).</NotFoundNotice>;
}

import { NotFoundNotice } from "@/components/ui/States";

export default function SessionNotFound() {
  return <NotFoundNotice title="Session not found">No trace of this experiment carries this session id (or its traces were deleted).</NotFoundNotice>;
}

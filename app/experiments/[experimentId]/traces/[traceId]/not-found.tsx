import { NotFoundNotice } from "@/components/ui/States";

export default function TraceNotFound() {
  return <NotFoundNotice title="Trace not found">It does not exist in this experiment, or it was deleted.</NotFoundNotice>;
}

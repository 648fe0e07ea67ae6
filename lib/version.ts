// The MLflow server version flowtrace reports on GET /version. Python clients only send spans
// incrementally over OTLP when this parses as >= 3.4 (spec §1.6, §4.1).
export const MLFLOW_COMPAT_VERSION = "3.6.0";

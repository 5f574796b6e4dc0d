# The Eventline Lab as an image. The build stage bundles the Lab server
# (scripts/build-lab.js: lab/main.ts with src/, the blog, Fastify and the PostgreSQL and
# NATS clients) and builds the page; the runtime stage holds that bundle, the page and
# the package's production dependencies (better-sqlite3, whose native addon loads from
# its own folder), and runs it with plain node as an unprivileged user.
#
#   docker build -t eventline-lab .
#   docker run -p 127.0.0.1:3000:3000 -e EVENTLINE_TOKEN=… -e EVENTLINE_KEK="$(openssl rand -base64 32)" eventline-lab
#
# The Lab listens on 0.0.0.0 inside, so it refuses to start without EVENTLINE_TOKEN.

# Compilers for better-sqlite3, should its prebuilt addon not fit.
FROM node:20-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS build
# No install scripts but the two addons' own: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY examples ./examples
COPY lab ./lab
RUN npm run build && node scripts/build-lab.js

FROM toolchain AS production-deps
# @opentelemetry/api is Eventline's optional peer, loaded at run time beside the bundle:
# with it the Lab's OTLP export (OTEL_EXPORTER_OTLP_ENDPOINT) carries Eventline's spans
# too. The version is the lock's.
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 \
 && npm install --no-save --ignore-scripts --omit=dev \
      "@opentelemetry/api@$(node -p "require('./package-lock.json').packages['node_modules/@opentelemetry/api'].version")"

FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    EVENTLINE_STORE=sqlite:/var/lib/eventline/eventline.db \
    EVENTLINE_ARCHIVE_DIR=/var/lib/eventline/archives \
    EVENTLINE_KEK_FILE=/etc/eventline/keys/eventline.kek
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist/lab ./dist/lab
COPY --from=build /app/dist/lab-ui ./dist/lab-ui
# The data and the key-encryption key in volumes of their own: a backup of the data
# must not carry the key (whoever holds both reads forgotten personal data).
RUN mkdir -p /var/lib/eventline /etc/eventline/keys \
 && chown node:node /var/lib/eventline /etc/eventline/keys \
 && chmod 700 /etc/eventline/keys
VOLUME ["/var/lib/eventline", "/etc/eventline/keys"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains the Lab (requests in flight, workflows, projections), then it exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/lab/main.js"]

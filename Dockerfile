# syntax=docker/dockerfile:1
# PASS production image. Node 24 runs the TypeScript sources directly (type stripping), so the
# image ships the sources PASS was tested with; the build stage refuses code that does not typecheck.
# Both stages that install use `npm ci`: exactly package-lock.json, or the build fails.

# The base is an argument only so that a machine without access to a container registry can build
# the same image on a stand-in made from Debian's packages (deploy/image/stand-in-base.sh).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# An extra CA for npm behind a TLS-inspecting proxy: a path mounted at build time, never copied in.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json jest.config.js ./
COPY src ./src
COPY migrations ./migrations
COPY clients ./clients
COPY test ./test
COPY bench ./bench
RUN npm run typecheck

FROM ${NODE_IMAGE} AS deps
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 PASS_MODELS_DIR=/app/models
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/src ./src
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/clients ./clients
COPY views ./views
COPY config ./config
# Models are not baked in: mount them and set PASS_MODELS_DIR (deploy/ mounts them read-only at
# /var/lib/pass/models), or run `npm run models:fetch` in an init step.
COPY models/manifest.json ./models/manifest.json
RUN chown -R node:node /app/models
# The image's `node` user by number, so that Kubernetes' runAsNonRoot can check it (deploy/kubernetes).
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations run as a separate step (`node src/cli/main.ts migrate`); PASS refuses an outdated schema.
# PASS writes nothing to its own filesystem: run it with a read-only root (deploy/ does).
CMD ["node", "clients/main.ts"]

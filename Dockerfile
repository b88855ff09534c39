# One image for both apps, the migrations and the partner sandbox; the compose file picks the command.
# Node 24 LTS: Node 20 reached end of life in April 2026. The suite (.ci/run) passes on 20.20, 22.23
# and 24.22; package.json's engines keeps 20.19+ for development machines.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
COPY test/partner-sandbox ./test/partner-sandbox
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# --max-old-space-size: see README "Memory"; without a bound V8 lets the old generation fill with
# garbage for a long time (a 1M-row audit export peaked at ~250 MB RSS; 256 keeps it flat near 150).
CMD ["node", "--max-old-space-size=256", "dist/apps/records-api/src/main.js"]

# samestory service image: one image for the API (`samestory api`) and the workers (`samestory worker`).
# Build: docker build -t samestory .   Run: see docker-compose.yml.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here because `prepare` builds from sources not copied yet; we build below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
# The dashboard's page, script and styles are served from the sources' folder (src/dashboard/plugin.ts).
COPY src/dashboard/static ./src/dashboard/static
USER node
EXPOSE 8080
# Configuration comes from the environment: see src/service/config.ts and docs/service.md.
ENTRYPOINT ["node", "bin/samestory.js"]
CMD ["api"]

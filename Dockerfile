# The reference stack (and the suite) as one image, for docker-compose.e2e.yaml.
#   docker build -t attune-acceptance .
# The stack's services run under its supervisor; the same image runs the suite as a one-shot container.
FROM node:20-bookworm-slim

# what the stack's workers and the suite's shell actions use: bubblewrap + static busybox (container runner),
# python3 with venv and pip (Python actions), curl and jq (actions that call the API), ca-certificates
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      bubblewrap busybox-static python3 python3-venv python3-pip curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /attune
COPY package.json package-lock.json ./
COPY stack/package.json stack/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p stack/tsconfig.json && bash scripts/build-container-rootfs.sh

# Listen on every interface inside the container; the compose file names the database and the broker.
ENV ATTUNE__SERVER__HOST=0.0.0.0 \
    ATTUNE__NOTIFIER__HOST=0.0.0.0
EXPOSE 18080 18081 18099
CMD ["node", "stack/dist/supervisor.js"]

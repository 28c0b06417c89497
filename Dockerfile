# syntax=docker/dockerfile:1
# One image for every Xingcun process; the arguments choose which (deploy/docker/entrypoint.py):
#   docker run xingcun:0.1.0 api registry | worker publicity | probe | xingcun contracts check
# Configuration only through XINGCUN_* environment variables (shared/config.py).

# Pinned to an exact patch release; the same Python minor as pyproject.toml's requires-python.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
# Only for the dashboards' third-party files (ECharts, Tianjin's geometry, an SSE parser): npm ci
# from the lock file; nothing of Node reaches the image.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS dashboard
WORKDIR /dashboard
COPY shared/dashboard/package.json shared/dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, from pyproject.toml alone: this layer is reused until it changes.
COPY pyproject.toml ./
RUN mkdir shared services xingcun_cli \
 && touch shared/__init__.py services/__init__.py xingcun_cli/__init__.py \
 && pip install . \
 && pip uninstall -y xingcun
COPY shared ./shared
COPY services ./services
COPY xingcun_cli ./xingcun_cli
# The wheel never holds node_modules (pyproject excludes it, .dockerignore keeps it out):
# the few files the dashboards serve come from the npm stage (shared/dashboard/vendor.py: FILES).
COPY --from=dashboard /dashboard/node_modules /tmp/node_modules
COPY deploy/docker/install_vendor.py /tmp/install_vendor.py
RUN pip install --no-deps . \
 && cd / && python /tmp/install_vendor.py /tmp/node_modules \
 && rm -rf /tmp/node_modules /tmp/install_vendor.py \
 && python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    XINGCUN_STATE_DIR=/var/lib/xingcun
# A fixed numeric user, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 xingcun \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/xingcun --no-create-home \
      --shell /usr/sbin/nologin xingcun \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/xingcun
COPY --from=build /opt/venv /opt/venv
COPY --chmod=0755 deploy/docker/entrypoint.py /usr/local/bin/xingcun-container
USER 10001:10001
WORKDIR /var/lib/xingcun
EXPOSE 8001 8002 8003 8004 8005
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["xingcun-container", "probe"]
ENTRYPOINT ["xingcun-container"]

# One image for every process: `reservations api` (default), `reservations worker`,
# `reservations migrate`. Build: docker build -t reservations .
# Secrets (JWT_SECRET, provider keys) come from the environment at run time, never
# from the image: .dockerignore keeps .env files out of the build context.

# the web front ends (guest widget, staff console), built from web/package-lock.json
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# the locked runtime dependencies, hash-checked: exactly the versions the tests ran
# (requirements/runtime.txt, written by `make lock`); this layer is reused until it changes
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt
# then the project itself, resolving nothing again; .dockerignore leaves out tests,
# docs, benchmarks, var/ and local virtualenvs
COPY . .
RUN pip install --no-deps .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    ENVIRONMENT=production \
    API_HOST=0.0.0.0 \
    WEB_DIST_DIR=/app/web/dist
RUN useradd --create-home --uid 10001 --user-group app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# migrations are not part of the wheel: `reservations migrate` finds alembic.ini here
COPY alembic.ini ./
COPY migrations ./migrations
COPY --from=web /web/dist ./web/dist
RUN mkdir -p /app/var && chown app:app /app/var
# numeric, so the runtime can tell it is not root without reading /etc/passwd
USER 10001:10001
# 8000: the API; 9464: the worker's Prometheus /metrics (WORKER_METRICS_PORT)
EXPOSE 8000 9464
CMD ["reservations", "api", "--host", "0.0.0.0"]

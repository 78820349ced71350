# One image for every process: `reservations api` (default), `reservations worker`,
# `reservations migrate`. Build: docker build -t reservations .

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# only what the wheel needs; tests, var/ and local virtualenvs stay out of the image
COPY pyproject.toml ./
COPY reservations ./reservations
COPY models ./models
COPY api ./api
COPY services ./services
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY rules ./rules
RUN pip install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    ENVIRONMENT=production \
    API_HOST=0.0.0.0
RUN useradd --create-home --uid 10001 --user-group app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# migrations are not part of the wheel: `reservations migrate` finds alembic.ini here
COPY alembic.ini ./
COPY migrations ./migrations
RUN mkdir -p /app/var && chown app:app /app/var
USER app
# 8000: the API; 9464: the worker's Prometheus /metrics (WORKER_METRICS_PORT)
EXPOSE 8000 9464
CMD ["reservations", "api", "--host", "0.0.0.0"]

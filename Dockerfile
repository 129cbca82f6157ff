# syntax=docker/dockerfile:1
# Multi-stage build: wheels are built in a full image; the runtime is slim and runs
# as a non-root user. The sea graph is built once at image build time into the
# runtime user's cache, so a container answers within seconds of starting.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY routing ./routing
COPY maps ./maps
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RELOS_DATA_DIR=/srv/data \
    RELOS_CACHE_DIR=/home/relos/.cache/relos-planner \
    RELOS_DATABASE_URL=sqlite:////home/relos/data/relos.sqlite
RUN useradd --create-home --uid 10001 relos
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY data /srv/data
USER relos
WORKDIR /home/relos
RUN mkdir -p /home/relos/data \
 && python -c "from app.main import build_services; from app.settings import Settings; build_services(Settings())"
VOLUME ["/home/relos/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"
# One server process that answers, two compute processes (one per core, at a lower CPU
# priority) that route, plan and draw, two heavy requests computing at once: cheap
# requests stay quick under load (app/compute.py, app/workload.py, bench/bench_load.py).
ENV RELOS_WORKERS=1 \
    RELOS_COMPUTE_PROCESSES=2 \
    RELOS_HEAVY_CONCURRENCY=2
CMD ["relos", "serve", "--host", "0.0.0.0", "--port", "8000"]

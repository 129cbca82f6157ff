# syntax=docker/dockerfile:1
# Multi-stage build: wheels are built in a full image, the runtime is slim and
# runs as a non-root user. The sea graph is built once at image build time
# into the runtime user's cache, so a container answers within seconds.

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
    RELOS_CACHE_DIR=/home/relos/.cache/relos-planner \
    RELOS_FACILITIES_PATH=/srv/data/facilities.geojson \
    RELOS_AGREEMENTS_PATH=/srv/data/agreements.json \
    RELOS_PLATFORMS_PATH=/srv/data/platforms.json
RUN useradd --create-home --uid 10001 relos
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY data /srv/data
USER relos
WORKDIR /home/relos
# Warm the graph cache (built from the shipped catalogue) so start-up is fast.
RUN python -c "from app.main import create_app; from fastapi.testclient import TestClient; \
c = TestClient(create_app()); c.__enter__(); print(c.get('/health').json())" || true
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]

# Siaga 110 application image: API, ingest worker and fleet simulator share it.
# Stage 1: the web map's front-end packages (Leaflet and friends), served locally, never from a CDN.
FROM node:20-slim AS webassets
WORKDIR /webmap
COPY webmap/package.json webmap/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY geo geo
COPY jurisdictions jurisdictions
COPY tracking tracking
COPY dispatch dispatch
COPY api api
COPY webmap webmap
COPY migrations migrations
COPY data data
COPY --from=webassets /webmap/node_modules webmap/node_modules
# Editable install: pages and assets are served from the source tree.
RUN pip install --no-cache-dir -e .
RUN useradd --system --home /app siaga
USER siaga
EXPOSE 8000
CMD ["siaga", "api"]

# Siaga 110 application image: the API, the trackers' HTTP input, the workers (ingest,
# dispatch, piket), the fleet simulator and the one-shot jobs (migrate, demo data) share it.
# Stage 1: the web map's front-end packages, served locally, never from a CDN.
FROM node:20-slim AS webassets
WORKDIR /webmap
COPY webmap/package.json webmap/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim
# No embedded PostGIS or broker in a container: they are compose's db and broker services.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SIAGA_STATE_DIR=/var/lib/siaga SIAGA_EMBEDDED_SERVICES=false
# WeasyPrint (PDF documents) needs Pango; fonts for documents and labels are local;
# osm2pgsql imports the demo's OpenStreetMap streets (siaga demo-data).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core osm2pgsql \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
# Every package pyproject.toml lists (tests/test_compose.py keeps the two lists equal).
COPY core core
COPY geo geo
COPY jurisdictions jurisdictions
COPY places places
COPY roads roads
COPY tracking tracking
COPY dispatch dispatch
COPY piket piket
COPY spkt spkt
COPY api api
COPY webmap webmap
COPY migrations migrations
COPY data data
COPY --from=webassets /webmap/node_modules webmap/node_modules
# Editable install: pages and assets are served from the source tree.
RUN pip install --no-cache-dir -e .
COPY deploy/entrypoint.sh /usr/local/bin/siaga-entrypoint
# The state folder (token secret fallback, road data, demo user list) belongs to the
# container user; a named volume mounted here starts with this owner and mode.
# /var/lib/siaga-broker: the units' broker accounts (the migrate service's broker-units volume).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/siaga siaga \
 && mkdir -p /var/lib/siaga /var/lib/siaga-broker \
 && chown siaga:siaga /var/lib/siaga /var/lib/siaga-broker \
 && chmod 0700 /var/lib/siaga \
 && chmod 0755 /usr/local/bin/siaga-entrypoint
USER siaga
EXPOSE 8000 5055
ENTRYPOINT ["siaga-entrypoint"]
CMD ["siaga", "api"]

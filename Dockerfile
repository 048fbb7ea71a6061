# Siaga 110 application image: API, ingest worker and fleet simulator share it.
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
RUN pip install --no-cache-dir .
RUN useradd --system --home /app siaga
USER siaga
EXPOSE 8000
CMD ["siaga", "api"]

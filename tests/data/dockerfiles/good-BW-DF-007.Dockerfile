FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=20230311 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
USER 10001
HEALTHCHECK CMD ["/bin/true"]

FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# a comment before the instruction
RUN set -eux; \
    # comments inside a continuation are dropped
    apt-get update; \

    apt-get install -y \
        --no-install-recommends \
        tini=0.19.0-1 \
    ; \
    rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/app/bin:$PATH \
    LANG=C.UTF-8
USER 10001
HEALTHCHECK CMD ["/bin/true"]

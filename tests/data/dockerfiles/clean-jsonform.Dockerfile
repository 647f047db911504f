FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN ["/bin/sh", "-c", "echo | tee /tmp/x"]
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
EXPOSE 8080/tcp
LABEL org.opencontainers.image.source="https://example.com/repo" \
      org.opencontainers.image.description="a | b && curl is just text"
USER 10001
CMD ["app", "--port", "8080"]
HEALTHCHECK NONE
HEALTHCHECK --interval=5m CMD curl -f http://localhost:8080/ || exit 1

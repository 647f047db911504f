FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
USER 10001
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/health", "--quick"]

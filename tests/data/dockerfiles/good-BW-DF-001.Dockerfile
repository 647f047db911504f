FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN useradd -u 10001 app
USER app
HEALTHCHECK CMD ["/bin/true"]

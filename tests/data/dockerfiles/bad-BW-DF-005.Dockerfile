FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ADD https://example.com/tool-1.2.tar.gz /opt/
USER 10001
HEALTHCHECK CMD ["/bin/true"]

FROM registry.example.com:5000/base/debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
USER 10001
HEALTHCHECK CMD ["/bin/true"]

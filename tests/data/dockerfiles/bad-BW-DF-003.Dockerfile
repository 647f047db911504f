FROM debian:latest
USER 10001
HEALTHCHECK CMD ["/bin/true"]

FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN curl -fsSL https://get.example.com/install.sh | bash -
USER 10001
HEALTHCHECK CMD ["/bin/true"]

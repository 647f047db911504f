# syntax=docker/dockerfile:1.7
FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN <<EOT
set -e
apt-get update
apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
rm -rf /var/lib/apt/lists/*
EOT
COPY <<-CONF /etc/app.conf
	USER root
	FROM evil:latest
	WORKDIR relative
	CONF
RUN <<'SCRIPT' bash
echo "ADD https://example.com/x /x"
echo "sudo is only a word here"
SCRIPT
USER 10001
HEALTHCHECK CMD ["/bin/true"]

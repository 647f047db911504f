FROM debian:12.5@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ARG APP_VERSION=1.2.3
ENV DB_PASSWORD_FILE=/run/secrets/db_password DB_USER=app
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc true
USER 10001
HEALTHCHECK CMD ["/bin/true"]

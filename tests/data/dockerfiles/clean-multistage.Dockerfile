ARG GO_IMAGE=golang:1.22.1-bookworm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ARG RUNTIME_TAG=nonroot
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app
FROM gcr.io/distroless/static-debian12:${RUNTIME_TAG:-nonroot}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS runtime
COPY --from=build /out/app /app
USER 65532:65532
FROM runtime
HEALTHCHECK CMD ["/app", "-health"]
ENTRYPOINT ["/app"]

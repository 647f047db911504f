FROM python:3.12.1-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN pip install --no-cache-dir flask requests==2.31.0
USER 10001
HEALTHCHECK CMD ["/bin/true"]

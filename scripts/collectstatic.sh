#!/bin/sh
# The production static build, run by the Dockerfile and by CI (.ci/run) alike: collects every static file
# through the manifest storage (DEBUG off), which fails on any file a stylesheet or script names but the
# repository lacks. STATIC_ROOT may point elsewhere (CI collects into a temporary folder); PYTHON picks the interpreter.
set -eu
DJANGO_DEBUG=false SECRET_KEY=build-only-key-not-used-at-run-time-0123456789abcdef ALLOWED_HOSTS=build \
    exec "${PYTHON:-python}" manage.py collectstatic --noinput

#!/usr/bin/env bash
# The Debian packages the test suite needs besides Python's: Chromium for the browser tests
# (Playwright must use /usr/bin/chromium, it cannot download a browser here), gettext for the
# translations, nginx for the deployment proxy's test (deploy/nginx.conf). Installs what is
# missing when it can (root with apt-get), so `make test` needs nothing done by hand; else says
# what to install, and the tests that need it fail with the same hint.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The nginx package starts a server on port 80; the tests run their own, on free ports.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then service nginx stop >/dev/null 2>&1 || true; fi
else
  echo "the test suite needs these Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
fi

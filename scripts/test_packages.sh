#!/usr/bin/env bash
# The Debian packages the test suite needs besides Python's: Chromium for the browser tests
# (Playwright must use /usr/bin/chromium, it cannot download a browser here), gettext for the
# translations, nginx for the deployment proxy's test (deploy/nginx.conf). Installs what is
# missing when it can (root with apt-get), so `make test` needs nothing done by hand; else it
# stops, saying what to install.
set -euo pipefail
missing() {
  local out=()
  [ -x /usr/bin/chromium ] || out+=(chromium chromium-driver)
  command -v msgfmt >/dev/null || out+=(gettext)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || out+=(nginx-light)
  echo "${out[*]}"
}
need=$(missing)
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: $need"
  apt-get update -qq
  # shellcheck disable=SC2086  # a list of package names
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  # The nginx package starts a server on port 80; the tests run their own, on free ports.
  if [[ " $need " == *" nginx-light "* ]]; then service nginx stop >/dev/null 2>&1 || true; fi
  need=$(missing)
fi
if [ -n "$need" ]; then
  echo "the test suite needs these Debian packages: $need (apt-get install -y $need)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs what the crawl benchmark needs beyond npm's dev dependencies: Debian's python3-scrapy,
# for the Scrapy column of bench/crawl (Crawlee comes from npm). Run as root; non-interactive;
# idempotent (nothing is installed when /usr/bin/python3 already imports scrapy). Not part of CI:
# the benchmark is run by hand, and a missing Scrapy only skips its column.
set -euo pipefail

PYTHON=/usr/bin/python3

if [ -x "$PYTHON" ] && version=$("$PYTHON" -c 'import scrapy; print(scrapy.__version__)' 2>/dev/null); then
  echo "setup.sh: Scrapy $version present ($PYTHON)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: Scrapy is missing and only root can install it; run: sudo bash bench/setup.sh" >&2
  echo "setup.sh: (it runs: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-scrapy)" >&2
  exit 1
fi

echo "setup.sh: installing python3-scrapy with apt-get"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-scrapy > /tmp/gleaner-bench-apt.log 2>&1 \
  || { tail -40 /tmp/gleaner-bench-apt.log >&2; exit 1; }
"$PYTHON" -c 'import scrapy; print("setup.sh: Scrapy " + scrapy.__version__ + " installed")'

#!/bin/sh
# Installs stashd as a systemd service (run as root, after building):
#
#   scripts/install.sh [path/to/stashd]     # default: build/server/stashd
#
# It installs
#   /usr/local/bin/stashd                    the server
#   /etc/stashd/stashd.conf                  the configuration (kept if present)
#   /etc/systemd/system/stashd.service       the unit (replaced)
#   /usr/local/share/doc/stashd/README.md    the documentation
# and creates the system user and group `stashd`. The data directory
# /var/lib/stashd is created by systemd (StateDirectory=) at the first start.
#
# Then:  systemctl enable --now stashd && systemctl status stashd
#
# Run it again to upgrade: the binary and the unit are replaced, the
# configuration is kept (the new one is installed as stashd.conf.new).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$here/build/server/stashd}
prefix=${PREFIX:-/usr/local}

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo $0)" >&2
  exit 1
fi
if [ ! -x "$binary" ]; then
  echo "install.sh: no stashd binary at $binary (build it first: scripts/build.sh)" >&2
  exit 1
fi

# The service user: a system account without a shell or a home.
if ! getent group stashd >/dev/null; then
  groupadd --system stashd
fi
if ! getent passwd stashd >/dev/null; then
  useradd --system --gid stashd --home-dir /var/lib/stashd --no-create-home \
    --shell /usr/sbin/nologin --comment "stashd server" stashd
fi

install -D -m 0755 "$binary" "$prefix/bin/stashd"

# /etc/stashd belongs to the service user, so that CONFIG REWRITE and ACL SAVE
# can replace files in it.
install -d -m 0750 -o stashd -g stashd /etc/stashd
if [ -e /etc/stashd/stashd.conf ]; then
  install -m 0640 -o stashd -g stashd "$here/conf/stashd.conf" /etc/stashd/stashd.conf.new
  echo "install.sh: kept /etc/stashd/stashd.conf; the new default is /etc/stashd/stashd.conf.new"
else
  install -m 0640 -o stashd -g stashd "$here/conf/stashd.conf" /etc/stashd/stashd.conf
fi
if ! "$prefix/bin/stashd" --test-config /etc/stashd/stashd.conf; then
  echo "install.sh: /etc/stashd/stashd.conf has errors; fix it before starting the service" >&2
fi

sed "s|/usr/local/bin/stashd|$prefix/bin/stashd|" "$here/conf/stashd.service" \
  >/etc/systemd/system/stashd.service
chmod 0644 /etc/systemd/system/stashd.service
install -D -m 0644 "$here/README.md" "$prefix/share/doc/stashd/README.md"

systemctl daemon-reload
echo "install.sh: installed. Start it with: systemctl enable --now stashd"

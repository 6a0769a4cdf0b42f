#!/usr/bin/env bash
# Installs and starts what ceplus needs to build, test and run its demo on a Debian machine:
# nmap (network discovery), rpm (real RPM databases for the rpm source's tests; rpmbuild for
# make package), dpkg-deb (make package), protoc (make proto)
# and a PostgreSQL server (the store's PostgreSQL tests). Safe to run repeatedly; it only acts
# where something is missing. Without root it prints what is missing and goes on.
set -u
need=()
command -v nmap >/dev/null 2>&1 || need+=(nmap)
command -v rpm >/dev/null 2>&1 && command -v rpmbuild >/dev/null 2>&1 || need+=(rpm)
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
ls /etc/postgresql/*/main >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null \
      || echo "setup: WARNING: could not install ${need[*]}; tests that need them will say so"
  else
    echo "setup: WARNING: missing ${need[*]} (run this script as root on Debian to install them)"
  fi
fi
# PostgreSQL: start the local cluster if it is installed but not running.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
    done
    for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  # Trust auth on loopback and a database named test, as the tests expect.
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      su postgres -c "psql -q -c \"CREATE DATABASE test\"" >/dev/null 2>&1 || true
    fi
  fi
else
  echo "setup: WARNING: no PostgreSQL on 127.0.0.1:5432; the PostgreSQL store tests will be skipped (loudly)"
fi
exit 0

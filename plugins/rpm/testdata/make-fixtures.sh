#!/bin/sh
# make-fixtures.sh regenerates the rpm source test roots with the real tools: rpmbuild builds
# the packages of specs/, rpm writes a real sqlite rpmdb, createrepo_c and modifyrepo_c write
# the repository metadata that dnf, yum and zypper keep in their caches.
#
# Needs: rpm and rpmbuild (Debian package rpm), createrepo_c and modifyrepo_c (createrepo-c),
# gpg. Run from anywhere; it rewrites the generated files under roots/ and keeps the
# hand-written ones (os-release, hostname, repo files) and the third-party database files
# (see README.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
roots=$here/roots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export SOURCE_DATE_EPOCH=1700000000

build() { # build SPEC [rpmbuild args...]
	spec=$1
	shift
	rpmbuild -bb --quiet \
		--define "_topdir $work/build" \
		--define "_rpmdir $work/rpms" \
		--define '_buildhost fixtures.ceplus.invalid' \
		--define 'use_source_date_epoch_as_buildtime 1' \
		--define '_build_id_links none' \
		--target x86_64 "$@" "$here/specs/$spec" >/dev/null
}

stub() { # stub NAME EPOCH VERSION RELEASE (epoch "-" for none)
	if [ "$2" = - ]; then
		build stub.spec --define "stub_name $1" --define "stub_version $3" --define "stub_release $4"
	else
		build stub.spec --define "stub_name $1" --define "stub_epoch $2" --define "stub_version $3" --define "stub_release $4"
	fi
}

rpms() { # rpms PATTERN... : paths of built packages
	for p in "$@"; do
		ls "$work"/rpms/*/$p
	done
}

# repo DIR COMPRESS UPDATEINFO RPMS... : a dnf/zypper cache directory DIR/repodata with primary
# (and updateinfo when UPDATEINFO is not "-"); filelists and other stay listed in repomd.xml
# but are not kept, as dnf does not download them by default.
repo() {
	dir=$1 compress=$2 updateinfo=$3
	shift 3
	src=$work/repo-$(basename "$dir")
	rm -rf "$src" "$dir/repodata"
	mkdir -p "$src" "$dir"
	cp "$@" "$src/"
	createrepo_c --quiet --no-database --general-compress-type "$compress" "$src" >/dev/null
	if [ "$updateinfo" != - ]; then
		cp "$here/$updateinfo" "$work/updateinfo.xml"
		modifyrepo_c --mdtype updateinfo --compress-type "$compress" "$work/updateinfo.xml" "$src/repodata" >/dev/null
	fi
	rm -f "$src"/repodata/*-filelists.* "$src"/repodata/*-other.*
	cp -r "$src/repodata" "$dir/"
}

rm -rf "$work/rpms"

# Installed packages.
build ceplus-openssl.spec
build ceplus-tilde.spec
build ceplus-caret.spec
installed=$(rpms 'ceplus-openssl-3.0.7-16.el9_2.*' 'ceplus-openssl-libs-3.0.7-16.el9_2.*' \
	'ceplus-tilde-1.2~rc1-1.el9.*' 'ceplus-caret-1.0^git20230101-2.el9.*')

# Repository builds.
build ceplus-openssl.spec --define 'rel 10.el9_2'
build ceplus-openssl.spec --define 'rel 17.el9_2'
build ceplus-tilde.spec --define 'ver 1.2'
build ceplus-caret.spec --define 'ver 1.0' --define 'rel 1.el9'
stub ceplus-openssl 1 3.1.0 1.el9
stub hello 1 0.0.2 rls
stub bash - 4.4 19.9.1

# A throwaway signing key, imported so that the rpmdb holds a gpg-pubkey pseudo-package.
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'ceplus fixtures <fixtures@ceplus.invalid>' ed25519 sign never
gpg --batch --quiet --armor --export fixtures@ceplus.invalid >"$work/key.asc"

# Rocky Linux 9 with pending updates (sqlite rpmdb in var/lib/rpm, as RHEL 9 keeps it).
db=$work/rpmdb
mkdir -p "$db"
rpm --initdb --dbpath "$db"
# shellcheck disable=SC2086
rpm -i --justdb --nodeps --noscripts --ignorearch --dbpath "$db" $installed
rpm --import --dbpath "$db" "$work/key.asc"
rpm --dbpath "$db" --rebuilddb
for r in rocky9 alma9-patched; do
	mkdir -p "$roots/$r/var/lib/rpm"
	rm -f "$roots/$r/var/lib/rpm/"rpmdb.sqlite*
	cp "$db/rpmdb.sqlite" "$roots/$r/var/lib/rpm/rpmdb.sqlite"
done

c=$roots/rocky9/var/cache/dnf
rm -rf "$c"
repo "$c/baseos-0f1e2d3c4b5a6978" gz updateinfo/rocky9-baseos.xml \
	$(rpms 'ceplus-openssl-3.0.7-1[07].el9_2.*' 'ceplus-openssl-libs-*3.0.7-1[07].el9_2.*' 'ceplus-caret-1.0-1.el9.*')
repo "$c/appstream-1a2b3c4d5e6f7081" xz updateinfo/rocky9-appstream.xml \
	$(rpms 'ceplus-tilde-*.noarch.rpm')
repo "$c/devel-2b3c4d5e6f708192" bz2 - $(rpms 'ceplus-openssl-3.1.0-1.el9.*')

# AlmaLinux 9, fully patched: the cache holds exactly the installed builds and older ones.
c=$roots/alma9-patched/var/cache/dnf
rm -rf "$c"
repo "$c/baseos-3c4d5e6f70819203" gz updateinfo/alma9-baseos.xml \
	$(rpms 'ceplus-openssl-3.0.7-1[06].el9_2.*' 'ceplus-openssl-libs-*3.0.7-1[06].el9_2.*' 'ceplus-caret-*')
repo "$c/appstream-4d5e6f7081920314" xz - $(rpms 'ceplus-tilde-1.2~rc1-*')

# RHEL 7 with yum: Berkeley DB rpmdb (third-party file, see README.md) and yum's cache layout,
# repomd.xml next to the bzip2'd primary sqlite database and no repodata/ directory.
c=$roots/el7-bdb/var/cache/yum/x86_64/7/base
rm -rf "$c"
mkdir -p "$c"
rm -rf "$work/repo-base"
mkdir -p "$work/repo-base"
cp $(rpms 'hello-0.0.2-rls.*') "$work/repo-base/"
createrepo_c --quiet --database "$work/repo-base" >/dev/null
cp "$work/repo-base/repodata/repomd.xml" "$work/repo-base/repodata/"*-primary.sqlite.bz2 "$c/"

# SUSE Linux Enterprise 15 with zypper: ndb rpmdb (third-party file) and zypper's raw cache.
c=$roots/sle15-ndb/var/cache/zypp/raw/SLE-Module-Basesystem15-SP4-Updates
rm -rf "$c"
repo "$c" gz updateinfo/sle15-basesystem.xml $(rpms 'bash-4.4-19.9.1.*')

echo "fixtures written under $roots"
rpm -qa --dbpath "$roots/rocky9/var/lib/rpm" --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\n' | sort

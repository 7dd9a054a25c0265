#!/usr/bin/env bash
# Makes a private copy of the PostgreSQL installation in DIR, for developing several checkouts
# side by side: PostgreSQL finds its lib and share directories relative to its own binaries,
# so each copy has its own installed migration_guard.
#
#   bash scripts/private_pg.sh /tmp/pgroot-a
#   MG_PG_ROOT=/tmp/pgroot-a bash scripts/test.sh     builds, installs into the copy, tests it
set -euo pipefail
dir=${1:?usage: private_pg.sh DIR}
major=${PG_MAJOR:-15}
mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql" "$dir/usr/include"
cp -a "/usr/lib/postgresql/$major" "$dir/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$major" "$dir/usr/share/postgresql/"
cp -a /usr/include/postgresql "$dir/usr/include/"
chmod 755 "$dir"
"$dir/usr/lib/postgresql/$major/bin/pg_config" --pkglibdir

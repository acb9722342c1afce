#!/bin/sh
# Stands in for docker-library/postgres 11/alpine docker-entrypoint.sh: its directory
# handling, its user switch and its checks before initdb, then a listener on 5432.
set -e
POSTGRES_USER="${POSTGRES_USER:-postgres}"
if [ "$1" = postgres ]; then
  # docker_create_db_directories (as root: PGDATA and the socket dir are taken for postgres)
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  mkdir -p /var/run/postgresql || :
  chmod 775 /var/run/postgresql || :
  if [ "$(id -u)" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    # exec su-exec postgres "$BASH_SOURCE" "$@"
    exec su -p -s /bin/sh postgres -c "exec /usr/local/bin/docker-entrypoint.sh $*"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # docker_verify_minimum_env
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-md5}" != trust ]; then
      cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html
EOE
      exit 1
    fi
    # initdb refuses a data directory that is not empty (e.g. a volume root with lost+found)
    if [ -n "$(ls -A "$PGDATA")" ]; then
      echo "initdb: error: directory \"$PGDATA\" exists but is not empty" >&2
      exit 1
    fi
    echo "The files belonging to this database system will be owned by user \"$(id -un)\"."
    echo 11 >"$PGDATA/PG_VERSION"
    mkdir -p "$PGDATA/base" "$PGDATA/global" "$PGDATA/pg_wal"
    echo "host all all all md5" >"$PGDATA/pg_hba.conf"
    echo
    echo 'PostgreSQL init process complete; ready for start up.'
    echo
  else
    echo
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    echo
  fi
  echo "$(date -u '+%Y-%m-%d %H:%M:%S.000 UTC') [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"
  echo "$(date -u '+%Y-%m-%d %H:%M:%S.000 UTC') [1] LOG:  database system is ready to accept connections"
  echo "$$" >"$PGDATA/postmaster.pid"
  exec httpd -f -p 0.0.0.0:5432 -h /var/run/postgresql
fi
exec "$@"

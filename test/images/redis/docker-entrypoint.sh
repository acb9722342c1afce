#!/bin/sh
# Stands in for docker-library/redis 6.2/alpine docker-entrypoint.sh: as root it takes the
# working directory (/data) for redis and re-runs itself as redis (su-exec; busybox su here).
set -e
# first arg is `-f` or `--some-option`, or `something.conf`
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
# allow the container to be started with `--user`
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  q=''; for a in "$@"; do q="$q '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
  exec su -p -s /bin/sh redis -c "exec /usr/local/bin/docker-entrypoint.sh$q"
fi
# set an appropriate umask (if one isn't set already)
um="$(umask)"
if [ "$um" = '0022' ]; then umask 0077; fi
exec "$@"

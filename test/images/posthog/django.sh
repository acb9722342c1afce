#!/bin/sh
# Stands in for what every Django start of posthog/posthog release-1.43.0 does before its
# command runs (`python manage.py …`, gunicorn, celery): settings import, then
# PostHogConfig.ready(). Sourced by python and bin/*. README.md in test/images lists each
# rule and its source.

# posthog/settings/data_stores.py: neither DATABASE_URL nor POSTHOG_DB_NAME -> ImproperlyConfigured
if [ -z "${DATABASE_URL:-}" ] && [ -z "${POSTHOG_DB_NAME:-}" ]; then
  echo 'django.core.exceptions.ImproperlyConfigured: The environment vars "DATABASE_URL" or "POSTHOG_DB_NAME" are absolutely required to run this software' >&2
  exit 1
fi

# posthog/settings/utils.py str_to_bool
str_to_bool() { case "$(echo "${1:-}" | tr A-Z a-z)" in y|yes|t|true|on|1) return 0 ;; *) return 1 ;; esac; }

# posthog/version_requirement.py version_string_to_semver: drop "(…)" and "-…", then major.minor.patch
semver() { v="${1%%(*}"; v="${v%%-*}"; v="$(echo "$v" | tr -d ' ')"; IFS=. read -r ma mi pa _ <<EOV
$v
EOV
  echo "${ma:-0}.${mi:-0}.${pa:-0}"; }
# a <= b for x.y.z
ver_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" = "$1" ]; }

# posthog/settings/service_requirements.py (1.4x): SKIP_SERVICE_VERSION_REQUIREMENTS
# defaults to TEST or IS_COLLECT_STATIC or DEBUG (all unset in the image's production run)
if str_to_bool "${SKIP_SERVICE_VERSION_REQUIREMENTS:-}"; then
  str_to_bool "${DEBUG:-}" || echo "Skipping service version requirements. This is dangerous and PostHog might not work as expected!" >&2
else
  # posthog/apps.py PostHogConfig.ready(): each requirement out of range -> the line, exit(1).
  # The version each data store would answer (SHOW server_version, INFO redis_version) is
  # read from VH_CONTRACT_POSTGRES_VERSION / VH_CONTRACT_REDIS_VERSION, which the test sets
  # (a busybox image speaks neither protocol); unset, the versions vh-deploy pins.
  requirement() { # SERVICE VERSION_STRING FLOOR CEILING (a function: the caller's arguments stay)
    v="$(semver "$2")"
    if ! ver_le "$3" "$v" || ! ver_le "$v" "$4"; then
      printf '\033[91mService %s is in version %s. Expected range: >=%s,<=%s. PostHog may not work correctly with the current version. To continue anyway, add SKIP_SERVICE_VERSION_REQUIREMENTS=1 as an environment variable\033[0m\n' "$1" "$v" "$3" "$4"
      exit 1
    fi
  }
  requirement postgresql "${VH_CONTRACT_POSTGRES_VERSION:-11.7}" 11.0.0 14.1.0
  requirement redis "${VH_CONTRACT_REDIS_VERSION:-6.2.7}" 5.0.0 6.3.0
fi

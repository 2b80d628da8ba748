#!/bin/sh
# tailshard container entrypoint: one image, two tiers.
#
#   tailshard lb-tier       [TIER OPTIONS]   (or: lb)
#   tailshard sampling-tier [TIER OPTIONS]   (or: sampling)
#   TAILSHARD_TIER=lb-tier tailshard [TIER OPTIONS]
#
# The first argument names the tier; without one, $TAILSHARD_TIER does. Every other argument goes
# to the tier (--config FILE, --validate, --shutdown-timeout DUR, --help, --version).
# The JVM gets $JAVA_OPTS (the image sets -XX:MaxRAMPercentage; Kubernetes manifests set it per
# tier). exec: the JVM is PID 1's replacement, so SIGTERM from the kubelet reaches the tier and
# starts its graceful stop.
set -eu

home="${TAILSHARD_HOME:-/opt/tailshard}"

usage() {
  echo "usage: tailshard {lb-tier|sampling-tier} [--config FILE] [--validate] [--shutdown-timeout DUR] [--help]" >&2
  echo "       (or set TAILSHARD_TIER and pass only the tier's options)" >&2
}

tier=""
if [ "$#" -gt 0 ]; then
  case "$1" in
    lb|lb-tier) tier=lb-tier; shift ;;
    sampling|sampling-tier) tier=sampling-tier; shift ;;
    -*) ;;
    *)
      echo "tailshard: unknown tier '$1'" >&2
      usage
      exit 2
      ;;
  esac
fi
if [ -z "$tier" ]; then
  case "${TAILSHARD_TIER:-}" in
    lb|lb-tier) tier=lb-tier ;;
    sampling|sampling-tier) tier=sampling-tier ;;
    "")
      echo "tailshard: no tier given" >&2
      usage
      exit 2
      ;;
    *)
      echo "tailshard: unknown tier in TAILSHARD_TIER: '$TAILSHARD_TIER'" >&2
      usage
      exit 2
      ;;
  esac
fi

jar="$home/$tier.jar"
if [ ! -f "$jar" ]; then
  echo "tailshard: $jar is missing from the image" >&2
  exit 1
fi

# $JAVA_OPTS is split on spaces on purpose: it holds several JVM options.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"

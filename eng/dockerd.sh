# Shared by ./test.sh (sourced, not run): a Docker daemon for the docker runtime's tests.

# ensure_dockerd: uses a daemon that answers (DOCKER_HOST or the default socket); else starts dockerd in the
# background without iptables rules or the default bridge (nothing to configure on a CI host, and no image
# is ever pulled: the tests build theirs locally) and waits until it answers. Sets DOCKERD_STARTED_PID when it
# started one, so stop_dockerd stops only that.
DOCKERD_STARTED_PID=""
ensure_dockerd() {
  if docker version >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "agentfense: no Docker daemon answers and only root can start one; docker tests will be skipped" >&2
    return 0
  fi
  local log="$1"
  mkdir -p "$(dirname "$log")"
  dockerd --iptables=false --bridge=none >"$log" 2>&1 &
  DOCKERD_STARTED_PID=$!
  local i
  for i in $(seq 1 60); do
    if docker version >/dev/null 2>&1; then
      echo "agentfense: started dockerd (pid $DOCKERD_STARTED_PID, log $log)" >&2
      return 0
    fi
    if ! kill -0 "$DOCKERD_STARTED_PID" 2>/dev/null; then
      echo "agentfense: dockerd exited at start; its log:" >&2
      tail -n 30 "$log" >&2
      DOCKERD_STARTED_PID=""
      return 1
    fi
    sleep 0.5
  done
  echo "agentfense: dockerd did not answer within 30 s; its log:" >&2
  tail -n 30 "$log" >&2
  return 1
}

# stop_dockerd: stops the daemon ensure_dockerd started (by its pid), if any, and waits for it.
stop_dockerd() {
  [ -n "$DOCKERD_STARTED_PID" ] || return 0
  kill "$DOCKERD_STARTED_PID" 2>/dev/null || true
  wait "$DOCKERD_STARTED_PID" 2>/dev/null || true
  DOCKERD_STARTED_PID=""
}

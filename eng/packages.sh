# Shared by ./agentfense and ./test.sh: the Debian packages AgentFense needs, and how to get them.
# Sourced, not run.

# What the CLI needs at run time: fusermount3 for unprivileged mounts, bwrap for boxes, slirp4netns for
# boxes with network, setpriv (util-linux) to drop to the box user.
AGENTFENSE_RUNTIME_PACKAGES=(fuse3 bubblewrap slirp4netns util-linux)
# What the tests need on top: gcc for the seccomp probe, attr for xattr tools, procps inside boxes; docker.io
# for the docker runtime's daemon and busybox-static for its busybox test image (tests/images/build.sh).
AGENTFENSE_TEST_PACKAGES=("${AGENTFENSE_RUNTIME_PACKAGES[@]}" attr gcc procps python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev docker.io busybox-static)

# ensure_packages PKG...: installs what is missing when root; otherwise prints the exact command and
# exits 2, because a half-working install is worse than a clear instruction.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "agentfense: missing system packages: ${missing[*]}" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "agentfense: installing ${missing[*]} ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "agentfense: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2
    exit 2
  fi
}

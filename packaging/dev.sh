#!/usr/bin/env bash
# Kiln's developer entry point, used by the README's quick start and by CI.
#   packaging/dev.sh run     install dependencies, build, launch Kiln on the default workspace
#   packaging/dev.sh test    install dependencies, build, run every test (ctest)
#   packaging/dev.sh build   install dependencies and build only
#   packaging/dev.sh bench   build and run the benchmarks in tests/bench
# BUILD_DIR (default: build) and BUILD_TYPE (default: RelWithDebInfo) may be set.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-"$here/build"}
build_type=${BUILD_TYPE:-RelWithDebInfo}

# Debian 12 packages: build tools, Qt 6 (HttpServer for kiln-serve), SQLite, libarchive, OpenSSL
# (SHA-256), XGBoost, Eigen, libssh (SSH targets), libsecret (the desktop keychain); the test
# tools (Xvfb and xdotool for the desktop smoke test, python3 for crafted archives, pandas for
# the benchmark baseline; sshd, docker-registry, skopeo and curl for the deployment targets'
# tests, dbus and gnome-keyring for the keychain's, wrk for the serving benchmark; PostgreSQL
# (libpq for team stores, the server for their tests), Slurm and munge for the cluster
# executor's tests; python3-yaml for the MLflow tests; dpkg-dev, file,
# desktop-file-utils, appstream and shared-mime-info for building and checking the .deb),
# librsvg2-bin (the app icon's PNG sizes), and the linters CI runs.
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-svg-dev
  qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev libqt6sql6-sqlite
  libarchive-dev libsqlite3-dev libssl-dev libxgboost-dev libeigen3-dev libgl-dev libssh-dev libsecret-1-dev libpq-dev
  libyaml-cpp-dev librsvg2-bin
  xvfb xauth xdotool x11-utils fonts-dejavu-core
  python3 python3-pandas tar gzip xz-utils bzip2 zstd
  openssh-server openssh-client docker-registry skopeo curl wrk dbus gnome-keyring
  postgresql slurm-wlm munge python3-yaml
  dpkg-dev file desktop-file-utils appstream shared-mime-info
  clang-format clang-tidy
)

install_dependencies() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DKILN_WARNINGS_AS_ERRORS=ON
  cmake --build "$build_dir" --parallel "$(nproc)"
}

case "${1:-}" in
  run)
    install_dependencies
    build
    exec "$build_dir/app/kiln/kiln" "${@:2}"
    ;;
  test)
    install_dependencies
    build
    cd "$build_dir"
    ctest --output-on-failure --parallel "$(nproc)"
    ;;
  build)
    install_dependencies
    build
    ;;
  bench)
    install_dependencies
    build
    cmake --build "$build_dir" --target bench
    ;;
  *)
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

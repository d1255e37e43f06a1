#!/usr/bin/env bash
# Builds the local provider's control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kube-proxy) from the upstream Go
# modules into one multi-call binary, cached outside the repo and keyed by
# version: ~/.cache/vipcheck/k8s-<version>/bin. Does nothing when the cache
# already holds a complete build. Set VIPCHECK_CACHE to move the cache.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/.*"kubernetes": *"\(v[0-9.]*\)".*/\1/p' "$repo/versions.json")
[ -n "$version" ] || { echo "build-control-plane: no \"kubernetes\" version in $repo/versions.json" >&2; exit 1; }
cache=${VIPCHECK_CACHE:-$HOME/.cache/vipcheck}
out=$cache/k8s-$version
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kube-proxy)

if [ -f "$out/bin/.complete" ] && [ -x "$out/bin/vc-k8s" ]; then
  echo "control plane $version: cached in $out/bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-control-plane: Go is not installed or not on PATH; install Go >= 1.26 (Debian: golang, or go.dev) and run again" >&2
  exit 1
fi

minor=${version#v1.}; minor=${minor%%.*}; patch=${version##*.}
staging=v0.$minor.$patch
src=$out/src
mkdir -p "$src" "$out/bin"
cp "$repo/scripts/control-plane/main.go" "$src/main.go"

step() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "control plane $version: reading the staging modules of k8s.io/kubernetes@$version"
modfile=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
mapfile -t staged < <(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$modfile")
[ "${#staged[@]}" -gt 10 ] || { echo "build-control-plane: found only ${#staged[@]} staging modules in $modfile" >&2; exit 1; }
goline=$(sed -n 's/^go \(.*\)/\1/p' "$modfile")

{
  echo "module vipcheck.dev/control-plane"
  echo
  echo "go $goline"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  for m in "${staged[@]}"; do echo "	$m => $m $staging"; done
  echo ")"
} > "$src/go.mod"
step "go.mod: k8s.io/kubernetes $version with ${#staged[@]} staging modules at $staging"

cd "$src"
step "resolving dependencies (go mod tidy)"
go mod tidy

pkg=k8s.io/component-base/version
cpkg=k8s.io/client-go/pkg/version
ldflags="-s -w"
for p in $pkg $cpkg; do
  ldflags+=" -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done

step "compiling vc-k8s (a cold build takes several minutes on 2 cores)"
start=$(date +%s)
/usr/bin/time -f '%M' -o "$out/peak-kib" go build -trimpath -ldflags "$ldflags" -o "$out/bin/vc-k8s.tmp" .
mv "$out/bin/vc-k8s.tmp" "$out/bin/vc-k8s"
for c in "${components[@]}"; do ln -sf vc-k8s "$out/bin/vc-$c"; done
seconds=$(( $(date +%s) - start ))
printf '{"version":"%s","buildSeconds":%d,"peakMemoryMiB":%d}\n' "$version" "$seconds" $(( $(cat "$out/peak-kib") / 1024 )) > "$out/build.json"
touch "$out/bin/.complete"
step "built in ${seconds}s: $out/bin ($(cat "$out/build.json"))"
"$out/bin/vc-kube-apiserver" --version

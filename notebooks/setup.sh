#!/usr/bin/env bash
# Sets up what notebooks/run.sh needs, on a machine with Go and Debian's apt:
#
#   - Jupyter's nbconvert and client, from Debian;
#   - GoNB (the Go kernel) and goimports, built from a small tools module
#     (`go install pkg@version` is not needed, nor always allowed);
#   - the GoNB kernel, installed for Jupyter with a go.work that uses this
#     checkout, so that the notebooks import its packages.
#
# It can be run again: what is there at the right version is kept, and the
# kernel is reinstalled for the checkout this script is in.
#
#   notebooks/setup.sh && notebooks/run.sh
#
# The binaries go to $GONB_BIN, or /usr/local/bin when writable, else
# $(go env GOPATH)/bin; that directory must be on PATH when Jupyter runs
# (run.sh adds $(go env GOPATH)/bin itself).
set -euo pipefail

gonb_version=v0.11.4
tools_version=v0.52.0 # golang.org/x/tools, for goimports

root=$(cd "$(dirname "$0")/.." && pwd)

# Jupyter, from Debian.
if ! command -v jupyter-nbconvert >/dev/null || ! python3 -c 'import jupyter_client' 2>/dev/null; then
	sudo=
	if [ "$(id -u)" != 0 ]; then
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends jupyter-nbconvert jupyter-client >/dev/null
fi

# GoNB and goimports.
bin=${GONB_BIN:-}
if [ -z "$bin" ]; then
	if [ -w /usr/local/bin ]; then
		bin=/usr/local/bin
	else
		bin=$(go env GOPATH)/bin
	fi
fi
mkdir -p "$bin"

# built MODULE VERSION BINARY: whether BINARY was built from MODULE at VERSION.
built() {
	[ -x "$3" ] && go version -m "$3" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]*$1[[:space:]]*$2[[:space:]]"
}
if ! built github.com/janpfeifer/gonb "$gonb_version" "$bin/gonb" ||
	! built golang.org/x/tools "$tools_version" "$bin/goimports"; then
	tools=$(mktemp -d)
	trap 'rm -rf "$tools"' EXIT
	(
		cd "$tools"
		go mod init profundo-notebook-tools >/dev/null 2>&1
		if ! log=$(go get "github.com/janpfeifer/gonb@$gonb_version" "golang.org/x/tools/cmd/goimports@$tools_version" 2>&1); then
			echo "$log" >&2
			exit 1
		fi
		go build -o "$bin/gonb" github.com/janpfeifer/gonb
		go build -o "$bin/goimports" golang.org/x/tools/cmd/goimports
	)
	echo "built gonb $gonb_version and goimports ($tools_version) into $bin"
fi
case ":$PATH:" in
*":$bin:"*) ;;
*) echo "note: $bin is not on PATH; add it before starting Jupyter (run.sh adds $(go env GOPATH)/bin)" >&2 ;;
esac

# The kernel. Without gopls (used only for auto-completion) GoNB installs
# with --force_deps; --raw_error writes errors as plain text, which nbconvert
# shows; --go_work makes each notebook's module a workspace with this
# checkout.
"$bin/gonb" --install --force_deps --raw_error --logtostderr=false --go_work="$root"
echo "GoNB kernel installed for $root"

#!/usr/bin/env bash
# Executes the notebooks headlessly with nbconvert, in order, and fails if a
# cell of any of them fails (a panic, a compile error, an error exit). Each
# notebook's run time is printed. Executed copies go to a temporary directory
# that is removed at the end, or to $NOTEBOOKS_OUT when it is set; the
# notebooks in the repository are never written. Temporary files of the
# notebooks themselves go to a temporary directory too (TMPDIR).
#
#   notebooks/run.sh                               # every notebooks/*.ipynb
#   notebooks/run.sh notebooks/02_prepare_data.ipynb
#
# It needs what notebooks/setup.sh installs, for this checkout. It also checks
# that the committed notebooks carry no outputs (clear them with
# `jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
export PATH="$PATH:$(go env GOPATH)/bin" # where setup.sh may have put gonb and goimports

if [ $# -gt 0 ]; then
	notebooks=("$@")
else
	notebooks=("$here"/*.ipynb)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${NOTEBOOKS_OUT:-$work/out}
mkdir -p "$out" "$work/tmp"

# The notebooks carry no outputs, and the kernel uses this checkout.
python3 - "$root" "${notebooks[@]}" <<'EOF'
import json, os, subprocess, sys

root, paths = sys.argv[1], sys.argv[2:]
bad = []
for path in paths:
    with open(path) as f:
        nb = json.load(f)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            bad.append(path)
            break
if bad:
    sys.exit("these notebooks carry outputs; clear them with\n  jupyter nbconvert --clear-output --inplace " + " ".join(bad))

specs = json.loads(subprocess.run(["jupyter", "kernelspec", "list", "--json"], check=True, capture_output=True, text=True).stdout)
spec = specs["kernelspecs"].get("gonb")
if spec is None:
    sys.exit("the gonb kernel is not installed: run notebooks/setup.sh")
work = [a.split("=", 1)[1] for a in spec["spec"]["argv"] if a.startswith("-go_work=") or a.startswith("--go_work=")]
if [os.path.realpath(w) for w in work] != [os.path.realpath(root)]:
    sys.exit("the gonb kernel uses the checkout %s, not %s: run notebooks/setup.sh from this one" % (",".join(work) or "(none)", root))
EOF

# report NOTEBOOK: prints the cells of the executed NOTEBOOK that failed, with
# their output, and fails if there is one.
report() {
	python3 - "$1" <<'EOF'
import json, sys

with open(sys.argv[1]) as f:
    nb = json.load(f)
failed = False
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code" or not any(o["output_type"] == "error" for o in cell["outputs"]):
        continue
    failed = True
    print("--- cell %d failed:\n%s\n--- its output:" % (i + 1, "".join(cell["source"]).strip()[:2000]))
    for o in cell["outputs"]:
        if o["output_type"] == "stream":
            lines = [l for l in "".join(o["text"]).splitlines() if not l.startswith("go: ")]
            print("\n".join(lines[-40:]))
        elif o["output_type"] == "error":
            print("\n".join(o.get("traceback") or [o.get("evalue", "")])[-3000:])
sys.exit(1 if failed else 0)
EOF
}

failed=()
for nb in "${notebooks[@]}"; do
	name=$(basename "$nb" .ipynb)
	start=$(date +%s%N)
	# With allow_errors, nbconvert records a failing cell in the executed copy,
	# with its output (a panic's message and stack, which nbconvert's own
	# error message leaves out), runs the remaining cells and exits 0; report
	# then finds the failure.
	status=ok
	if ! TMPDIR="$work/tmp" jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.allow_errors=True \
		--output-dir "$out" "$nb" >"$work/$name.log" 2>&1; then
		status=FAILED
		grep -v -e '^go: ' -e 'MissingIDFieldWarning' "$work/$name.log" | tail -n 40 >"$work/$name.report"
	elif ! report "$out/$name.ipynb" >"$work/$name.report"; then
		status=FAILED
	fi
	tenths=$((($(date +%s%N) - start) / 100000000))
	printf '%-32s %-6s %4d.%d s\n' "$name" "$status" $((tenths / 10)) $((tenths % 10))
	if [ "$status" = FAILED ]; then
		failed+=("$name")
		cat "$work/$name.report"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}" >&2
	exit 1
fi
echo "all ${#notebooks[@]} notebooks ran"

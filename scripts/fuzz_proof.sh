#!/usr/bin/env bash
# Proof that the API fuzz test (tests/api/test_schemathesis.py) finds the defects that fuzzing
# found in issue 16. Each tests/api/mutations/*.patch puts one defect back into a throw-away
# copy of the working tree (a detached git worktree under a temp folder; production code is
# never touched); the fuzz test runs there at CI's settings and must fail with the defect's
# own error (the patch's "Expect:" line). Exit status 0 only if every defect is caught.
#
#   scripts/fuzz_proof.sh                      # CI's derandomized cases
#   SIAGA_FUZZ_PROOF_SEEDS="ci 1 2 3" scripts/fuzz_proof.sh   # also cases of other seeds
#   scripts/fuzz_proof.sh crew_null            # only the named mutations
#
# Uses the running embedded services of this checkout (make services) and a database of its
# own (SIAGA_TEST_DB + _proof). SIAGA_FUZZ_EXAMPLES / SIAGA_FUZZ_SCENARIOS pass through.
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
python=$repo/.venv/bin/python
seeds=${SIAGA_FUZZ_PROOF_SEEDS:-ci}
work=$(mktemp -d)
tree=$work/tree
cleanup() {
    git -C "$repo" worktree remove --force "$tree" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The working tree as it is now (tracked files, committed or not).
snapshot=$(git -C "$repo" stash create)
git -C "$repo" worktree add --detach -q "$tree" "${snapshot:-HEAD}"
export SIAGA_STATE_DIR=${SIAGA_STATE_DIR:-$repo/.state}
export SIAGA_TEST_DB=${SIAGA_TEST_DB:-siaga_test}_proof
export SIAGA_SHARED_DATA_DIR=${SIAGA_SHARED_DATA_DIR:-$repo/../shared/data}

located=$(cd "$tree" && "$python" -c 'import dispatch.intake as m; print(m.__file__)')
if [[ $located != "$tree"/* ]]; then
    echo "fuzz_proof: the copy's code is not the one imported ($located)" >&2
    exit 2
fi

missed=0
printf '%-26s %-6s %-8s %8s  %s\n' mutation seed result seconds "failed tests"
patches=("$repo"/tests/api/mutations/*.patch)
if (($#)); then patches=("${@/#/$repo/tests/api/mutations/}") && patches=("${patches[@]/%/.patch}"); fi
for patch in "${patches[@]}"; do
    name=$(basename "$patch" .patch)
    expect=$(sed -n 's/^Expect: //p' "$patch")
    for seed in $seeds; do
        git -C "$tree" checkout -q -- .
        git -C "$tree" apply "$patch"
        log=$work/$name-$seed.log
        start=$(date +%s)
        status=0
        (
            cd "$tree"
            [[ $seed == ci ]] || export SIAGA_FUZZ_SEED=$seed
            "$python" -m pytest tests/api/test_schemathesis.py -q -p no:cacheprovider
        ) >"$log" 2>&1 || status=$?
        seconds=$(($(date +%s) - start))
        # The failing tests as pytest heads their reports ("test_x[PATCH /api/units/{unit_id}]").
        failed=$(sed -n 's/^_\+ \(test_.*[^ ]\) _\+$/\1/p' "$log" | sort -u | tr '\n' ';')
        if [[ $status == 0 ]]; then
            result=MISSED
        elif grep -qF -- "$expect" "$log"; then
            result=caught
        else
            result=OTHER # failed, but not with the defect's error: read the log
        fi
        cp "$log" "$repo/.state/fuzz_proof-$name-$seed.log"
        [[ $result == caught ]] || missed=$((missed + 1))
        printf '%-26s %-6s %-8s %8s  %s\n' "$name" "$seed" "$result" "$seconds" "$failed"
    done
done
exit $((missed > 0))

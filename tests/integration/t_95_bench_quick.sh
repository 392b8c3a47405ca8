#!/usr/bin/env bash
# The read-path benchmark in quick mode (a few GPOs, one run of each
# step), so that it never rots; its table is in this test's log. The full
# benchmark is run by hand: tests/bench/run full.
GPOFS_BENCH=quick exec bash "$(dirname "$0")/../bench/bench.sh"

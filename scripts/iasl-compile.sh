#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Compile an ACPI data table source (iasl -d style .dsl) into its binary.
# usage: iasl-compile.sh IASL INPUT.dsl OUTPUT
set -eu
iasl=$1 in=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$in" "$tmp/table.dsl"
if ! "$iasl" -we "$tmp/table.dsl" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "iasl-compile.sh: iasl failed on $in" >&2
    exit 1
fi
cp "$tmp/table.aml" "$out"

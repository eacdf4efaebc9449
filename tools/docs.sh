#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build Documentation/ as HTML with Sphinx, warnings as errors, into OUTDIR
# (make docs: build/docs).  Extracts kernel-doc first (tools/ksrc.sh).
# Usage: tools/docs.sh OUTDIR.  Exit status: 0, or 1 with the warnings.
set -eu

out=$1
tools/ksrc.sh build/ksrc
rm -rf "$out"
sphinx-build -W --keep-going -q -b html -d "$out/.doctrees" Documentation "$out"
echo "docs: $out/index.html"

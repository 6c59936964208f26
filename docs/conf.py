# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sphinx configuration of the project's documentation, built as QEMU
# builds its own (reStructuredText, warnings are errors): by the test
# "docs" (tests/meson.build), or by hand:
#   sphinx-build -W -b html docs build/docs

project = "xen-rdm"
copyright = "2026, The xen-rdm project authors"
master_doc = "index"
exclude_patterns = []
html_theme = "alabaster"

# The man page of the tool (meson builds build/xen-rdm-plan.1 from
# docs/xen-rdm-plan.rst: man -l build/xen-rdm-plan.1)
man_pages = [
    ("xen-rdm-plan", "xen-rdm-plan",
     "plan a Xen HVM guest's memory around reserved device memory",
     ["The xen-rdm project authors"], 1),
]

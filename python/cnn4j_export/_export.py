"""export(): a torch.nn.Module as a cnn4j model, the architecture JSON plus a .safetensors file of its weights.

The module is traced with torch.fx in eval mode and ShapeProp runs the example input through the graph, so that
translations can look at shapes (x.view(-1, 400) is a flatten only if 400 is what the rest of x holds). Every
node reachable from the outputs must translate (see _layers.py and the family modules it names); the refusal lists all that do not.
"""
import json
from pathlib import Path

import torch
import torch.fx
from torch.fx.passes.shape_prop import ShapeProp

from ._layers import FUNCTIONS, HELPER_FUNCTIONS, HELPER_METHODS, METHODS, may_write_input
from ._modules import _MAX_UNPOOLS, module_layer
from ._pooling import max_unpool
from ._translate import Steps, Unsupported, tensor_shape
from ._parametric import FUNCTIONS as PARAMETRIC_FUNCTIONS
from ._safetensors import write_safetensors

FORMAT_VERSION = 2

# Module names of builtins as users write them.
_PUBLIC_MODULES = {"torch._C._VariableFunctions": "torch", "torch._C._nn": "torch.nn.functional",
                   "_operator": "operator", "builtins": ""}


def export(module, example_input, path, name=None, labels=None, preprocess=None, input_names=None,
           output_names=None):
    """Writes `path` (the architecture JSON) and `<its stem>.safetensors` beside it; returns the JSON as a dict.

    example_input: a tensor, or a tuple of tensors for a model with several inputs; it fixes every dimension of
    the inputs but the first (the batch). name defaults to the file's stem. labels: class names of the last
    dimension of the first output. preprocess: how an image file becomes the input, as the format describes.
    input_names (default: forward's parameter names) and output_names (default: the layers' own ids) name the
    model's inputs and the ids of its output layers.
    Raises ValueError listing every node the format cannot express.
    """
    path = Path(path)
    examples = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            layers, inputs, outputs, tensors = _describe(module, examples, input_names, output_names)
    finally:
        module.train(was_training)
    weights_path = path.with_suffix(".safetensors")
    model = {"cnn4j": FORMAT_VERSION, "name": name if name is not None else path.stem}
    if tensors:
        model["weights"] = weights_path.name
    model["inputs"] = inputs
    model["outputs"] = outputs
    if preprocess is not None:
        model["preprocess"] = dict(preprocess)
    if labels is not None:
        model["labels"] = [str(label) for label in labels]
    model["layers"] = layers
    path.parent.mkdir(parents=True, exist_ok=True)
    if tensors:
        write_safetensors(weights_path, tensors)
    path.write_text(dumps(model), encoding="utf-8")
    return model


def dumps(model):
    """The model JSON with one layer per line, so that a diff or a reader sees the architecture at a glance."""
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in model.items() if key != "layers"]
    layers = ",\n".join(f"    {json.dumps(layer)}" for layer in model["layers"])
    lines.append(f'  "layers": [\n{layers}\n  ]')
    return "{\n" + ",\n".join(lines) + "\n}\n"


class _Layer:
    """One layer in graph order, before ids are chosen: `key` is unique, `inputs` are keys."""

    def __init__(self, key, type_, args, name, inputs, base_id):
        self.key, self.type, self.args, self.name, self.inputs, self.base_id = \
            key, type_, args, name, inputs, base_id


def _describe(module, examples, input_names, output_names):
    try:
        graph_module = torch.fx.symbolic_trace(module)
    except Exception as error:
        raise ValueError(f"cannot export {type(module).__name__}: torch.fx cannot trace it: {error}") from error
    nodes = list(graph_module.graph.nodes)
    placeholders = [node for node in nodes if node.op == "placeholder"]
    if len(placeholders) != len(examples):
        raise ValueError(f"cannot export {type(module).__name__}: forward takes {len(placeholders)} inputs "
                         f"({', '.join(p.target for p in placeholders)}), got {len(examples)} example inputs")
    input_names = _check_names("input_names", input_names, [p.target for p in placeholders])
    ShapeProp(graph_module).propagate(*examples)

    order = {node: index for index, node in enumerate(nodes)}
    translations, names, failures, always_reported = {}, {}, {}, set()
    for node in nodes:
        if node.op in ("placeholder", "output"):
            continue
        try:
            translations[node], names[node] = _translate(module, node)
            writes = translations[node] is not None and translations[node].inplace
        except Unsupported as error:
            failures[node] = str(error)
            writes = may_write_input(node)
        if writes:
            reason = _read_after_write(node, order)
            if reason:
                failures[node] = reason
                always_reported.add(node)
                translations.pop(node, None)

    output = nodes[-1]
    results = output.args[0]
    results = list(results) if isinstance(results, (tuple, list)) else [results]
    problems = [f"output {r.name if isinstance(r, torch.fx.Node) else r!r}: not a tensor computed by the model"
                for r in results if tensor_shape(r) is None]

    live = _live(results, translations, failures)
    problems += [f"{node.name} ({node.op} {_target(module, node)}): {failures[node]}"
                 for node in nodes if node in failures and (node in live or node in always_reported)]
    if problems:
        raise ValueError(f"cannot export {type(module).__name__} to the cnn4j model format; "
                         f"{len(problems)} unsupported node(s):\n  " + "\n  ".join(problems))

    inputs = [{"name": n, "shape": [-1] + list(x.shape[1:])} for n, x in zip(input_names, examples)]
    result_of = {p: ("input", index) for index, p in enumerate(placeholders)}
    layers = []
    for node in nodes:
        steps = translations.get(node)
        if node not in live or steps is None:
            continue
        previous = [result_of[x] for x in steps.inputs]
        result_of[node] = previous[0]
        for step, (type_, args) in enumerate(steps.layers):
            last = step == len(steps.layers) - 1
            key = (node.name, step)
            layers.append(_Layer(key, type_, args, names[node], previous,
                                 node.name if last else f"{node.name}_{step}"))
            result_of[node], previous = key, [key]
    output_keys = []
    for result in results:
        key = result_of[result]
        if key[0] == "input":  # the format names layers as outputs: pass a model input through Identity
            layers.append(_Layer(("output", len(output_keys)), "Identity", {}, None, [key],
                                 f"{input_names[key[1]]}_out"))
            key = layers[-1].key
        output_keys.append(key)

    output_names = _check_names("output_names", output_names, [None] * len(output_keys))
    wanted = {}
    for key, output_name in zip(output_keys, output_names):
        if output_name is not None and wanted.setdefault(key, output_name) != output_name:
            raise ValueError(f"output_names: {wanted[key]!r} and {output_name!r} name the same layer")
    if set(wanted.values()) & set(input_names):
        raise ValueError(f"output_names: {sorted(set(wanted.values()) & set(input_names))} are input names")
    ids = _choose_ids(layers, input_names, output_keys, wanted)
    id_of = {("input", index): input_name for index, input_name in enumerate(input_names)}
    id_of.update({layer.key: ids[index][0] for index, layer in enumerate(layers)})
    entries = []
    previous = [("input", 0)]
    for index, layer in enumerate(layers):
        entry = {"type": layer.type}
        if layer.name is not None:
            entry["name"] = layer.name
        layer_id, explicit = ids[index]
        if explicit:
            entry["id"] = layer_id
        entry.update(layer.args)
        if layer.inputs != previous:
            entry["inputs"] = [id_of[key] for key in layer.inputs]
        entries.append(entry)
        previous = [layer.key]

    tensors = {}
    for layer in layers:
        if layer.name is not None:
            tensors.update(_parameters(module, layer.name))
    return entries, inputs, [id_of[key] for key in output_keys], tensors


def _translate(module, node):
    """(Steps, module path if the layer has weights) for a node; (None, None) for a helper like x.size(0)."""
    if node.op == "call_module":
        submodule = module.get_submodule(node.target)
        if isinstance(submodule, _MAX_UNPOOLS):
            return max_unpool(submodule, node), None
        type_, args, writes = module_layer(submodule)
        if len(node.args) != 1 or node.kwargs:
            raise Unsupported("a module layer takes exactly one tensor")
        if tensor_shape(node.args[0]) is None:
            raise Unsupported(f"input {node.args[0]!r} is not a tensor computed by the model")
        name = node.target if _parameters(module, node.target) else None
        return Steps([(type_, args)], [node.args[0]], writes), name
    if node.op == "get_attr":
        raise Unsupported("a parameter, buffer or constant used outside a supported module")
    if node.op == "call_method":
        helper, translate = node.target in HELPER_METHODS, METHODS.get(node.target)
    else:
        helper = node.target in HELPER_FUNCTIONS
        translate = FUNCTIONS.get(node.target) or PARAMETRIC_FUNCTIONS.get(node.target)
    if helper and tensor_shape(node) is None:
        return None, None
    if translate is None:
        raise Unsupported("not in the cnn4j model format")
    steps = translate(node)
    return steps, steps.name


def _parameters(module, path):
    """The state_dict() tensors of the module at path under their full keys, less BatchNorm's step counter."""
    state = module.get_submodule(path).state_dict()
    return {f"{path}.{key}": value for key, value in state.items() if key != "num_batches_tracked"}


def _read_after_write(node, order):
    """Why an in-place node cannot be a layer, or None: layers never write into their input, so nothing may
    read the overwritten tensor after this node."""
    target = node.args[0] if node.args else None
    if not isinstance(target, torch.fx.Node):
        return None
    later = [user.name for user in target.users if user is not node and order[user] > order[node]]
    if later:
        return f"writes into {target.name} in place, which {', '.join(later)} read(s) afterwards"
    return None


def _live(results, translations, failures):
    """The nodes the outputs depend on (all arguments of an untranslatable node count, to be safe)."""
    live, stack = set(), [r for r in results if isinstance(r, torch.fx.Node)]
    while stack:
        node = stack.pop()
        if node in live:
            continue
        live.add(node)
        if translations.get(node) is not None:
            stack.extend(translations[node].inputs)
        elif node in failures:
            stack.extend(node.all_input_nodes)
    return live


def _check_names(argument, names, default):
    if names is None:
        return default
    names = list(names)
    if len(names) != len(default) or not all(isinstance(n, str) and n for n in names) or len(set(names)) < len(names):
        raise ValueError(f"{argument} must be {len(default)} distinct non-empty strings, got {names!r}")
    return names


def _choose_ids(layers, input_names, output_keys, wanted):
    """[(id, written explicitly)] per layer; wanted: {layer key: the id the user asked for}.

    A layer's id defaults to its name, else its index. Explicit ids are written where the default would clash
    (a module called twice, a Sequential child "3" against layer index 3) and for unnamed layers that are
    referred to, so that a person editing the file never depends on an index.
    """
    referred = set(output_keys)
    previous = ("input", 0)
    for layer in layers:
        if layer.inputs != [previous]:
            referred.update(layer.inputs)
        previous = layer.key
    taken = set(input_names) | set(wanted.values())
    ids = [(wanted[layer.key], wanted[layer.key] != layer.name) if layer.key in wanted else None
           for layer in layers]
    for index, layer in enumerate(layers):
        if ids[index] is None and layer.name is not None and layer.name not in taken:
            ids[index] = (layer.name, False)
            taken.add(layer.name)
    for index, layer in enumerate(layers):
        if ids[index] is None and layer.name is None and layer.key not in referred and str(index) not in taken:
            ids[index] = (str(index), False)
            taken.add(str(index))
    for index, layer in enumerate(layers):
        if ids[index] is None:
            candidate, suffix = layer.base_id, 1
            while candidate in taken:
                candidate, suffix = f"{layer.base_id}_{suffix}", suffix + 1
            ids[index] = (candidate, True)
            taken.add(candidate)
    return ids


def _target(module, node):
    if node.op == "call_module":
        return f"{type(module.get_submodule(node.target)).__name__} {node.target}"
    if node.op == "call_method":
        return f"Tensor.{node.target}"
    if node.op == "get_attr":
        return node.target
    owner = getattr(node.target, "__module__", None) or ""
    owner = _PUBLIC_MODULES.get(owner, owner)
    name = getattr(node.target, "__name__", repr(node.target))
    return f"{owner}.{name}" if owner else name

"""Multiply-adds per sample for the layers where the compute lives.

Counted: Dense and EinsumDense, every convolution (plain, transposed, depthwise,
separable), SimpleRNN, GRU, LSTM, Bidirectional and TimeDistributed wrappers,
Embedding (a lookup: zero) and the attention layers. Other layers (pooling,
normalisation, activations, merges) cost little next to these and are not
counted: their rows show "-".

`count(layer, input_shapes, output_shapes)` returns an int, `UNKNOWN` when a
dimension it needs is not known (a variable sequence length), or `None` when
the layer kind is not counted.
"""

from __future__ import annotations

import functools
import math
from typing import Any

UNKNOWN = -1


def _prod(dims: Any) -> int | None:
    dims = tuple(dims)
    if any(d is None for d in dims):
        return None
    return math.prod(dims)


def _known(*values: int | None) -> bool:
    return all(v is not None for v in values)


def count(
    layer: Any, input_shapes: list[tuple], output_shapes: list[tuple]
) -> int | None:
    if layer is None or not input_shapes or not output_shapes:
        return None
    for kind, counter in _counters():
        if isinstance(layer, kind):
            value = counter(layer, input_shapes, output_shapes)
            return UNKNOWN if value is None else int(value)
    return None


def _channels_axis(layer: Any) -> int:
    return (
        1 if getattr(layer, "data_format", "channels_last") == "channels_first" else -1
    )


def _spatial(shape: tuple, layer: Any) -> tuple:
    return shape[2:] if _channels_axis(layer) == 1 else shape[1:-1]


def _conv(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    in_channels = ins[0][_channels_axis(layer)]
    positions = _prod(_spatial(outs[0], layer))
    if not _known(in_channels, positions):
        return None
    per_position = math.prod(layer.kernel_size) * (in_channels // layer.groups)
    return positions * per_position * layer.filters


def _conv_transpose(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    in_channels = ins[0][_channels_axis(layer)]
    positions = _prod(_spatial(ins[0], layer))
    if not _known(in_channels, positions):
        return None
    return positions * math.prod(layer.kernel_size) * in_channels * layer.filters


def _depthwise(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    in_channels = ins[0][_channels_axis(layer)]
    positions = _prod(_spatial(outs[0], layer))
    if not _known(in_channels, positions):
        return None
    return (
        positions * math.prod(layer.kernel_size) * in_channels * layer.depth_multiplier
    )


def _separable(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    in_channels = ins[0][_channels_axis(layer)]
    positions = _prod(_spatial(outs[0], layer))
    if not _known(in_channels, positions):
        return None
    depthwise = math.prod(layer.kernel_size) * in_channels * layer.depth_multiplier
    pointwise = in_channels * layer.depth_multiplier * layer.filters
    return positions * (depthwise + pointwise)


def _dense(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    rows = _prod(outs[0][1:-1])
    in_features = ins[0][-1]
    if not _known(rows, in_features):
        return None
    return rows * in_features * layer.units


def _einsum_dense(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    # Each output element sums over the axes the kernel shares with the input
    # and the output drops ("ab,bc->ac" contracts b).
    outputs = _prod(outs[0][1:])
    kernel = getattr(layer, "kernel", None)
    if outputs is None or kernel is None:
        return None
    operands, output_spec = layer.equation.split("->")
    input_spec, kernel_spec = operands.split(",")
    sizes = dict(zip(kernel_spec, kernel.shape, strict=False))
    contracted = (set(input_spec) & set(kernel_spec)) - set(output_spec) - {"."}
    return outputs * math.prod(int(sizes[axis]) for axis in contracted)


def _recurrent(gates: int):
    def counter(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
        steps, features = ins[0][1], ins[0][-1]
        if not _known(steps, features):
            return None
        units = layer.units
        return steps * gates * (features * units + units * units)

    return counter


def _bidirectional(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    total = 0
    for wrapped in (layer.forward_layer, layer.backward_layer):
        value = count(wrapped, ins[:1], outs[:1])
        if value is None or value == UNKNOWN:
            return None
        total += value
    return total


def _time_distributed(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    steps = ins[0][1]
    per_step = count(
        layer.layer,
        [(ins[0][0], *ins[0][2:])],
        [(outs[0][0], *outs[0][2:])],
    )
    if per_step is None or per_step == UNKNOWN or steps is None:
        return None
    return steps * per_step


def _query_key_value(ins: list[tuple]) -> tuple:
    """(steps, features) of query, key and value; key and value default as in Keras."""
    query, value = ins[0], ins[1] if len(ins) > 1 else ins[0]
    key = ins[2] if len(ins) > 2 else value
    return query[1], query[-1], key[1], key[-1], value[1], value[-1]


def _multi_head_attention(
    layer: Any, ins: list[tuple], outs: list[tuple]
) -> int | None:
    t_q, d_q, t_k, d_k, t_v, d_v = _query_key_value(ins)
    heads, key_dim = layer.num_heads, layer.key_dim
    value_dim = layer.value_dim or key_dim
    d_out = outs[0][-1]
    if not _known(t_q, d_q, t_v, d_v, t_k, d_k, d_out):
        return None
    projections = heads * (
        t_q * d_q * key_dim + t_k * d_k * key_dim + t_v * d_v * value_dim
    )
    attention = heads * t_q * t_k * (key_dim + value_dim)
    return projections + attention + t_q * heads * value_dim * d_out


def _grouped_query_attention(
    layer: Any, ins: list[tuple], outs: list[tuple]
) -> int | None:
    t_q, d_q, t_k, d_k, t_v, d_v = _query_key_value(ins)
    q_heads, kv_heads = layer.num_query_heads, layer.num_key_value_heads
    head_dim = layer.head_dim
    d_out = outs[0][-1]
    if not _known(t_q, d_q, t_k, d_k, t_v, d_v, d_out):
        return None
    projections = head_dim * (t_q * d_q * q_heads + (t_k * d_k + t_v * d_v) * kv_heads)
    attention = 2 * q_heads * t_q * t_k * head_dim
    return projections + attention + t_q * q_heads * head_dim * d_out


def _dot_attention(layer: Any, ins: list[tuple], outs: list[tuple]) -> int | None:
    query, value = ins[0], ins[1] if len(ins) > 1 else ins[0]
    t_q, d_q, t_v, d_v = query[1], query[-1], value[1], value[-1]
    if not _known(t_q, d_q, t_v, d_v):
        return None
    return t_q * t_v * (d_q + d_v)


def _embedding(layer: Any, ins: list[tuple], outs: list[tuple]) -> int:
    return 0


@functools.cache
def _counters() -> list[tuple[type, Any]]:
    """Layer classes and their counters, most specific first."""
    from keras import layers as L

    table: list[tuple[type, Any]] = [
        ((L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose), _conv_transpose),
        ((L.DepthwiseConv1D, L.DepthwiseConv2D), _depthwise),
        ((L.SeparableConv1D, L.SeparableConv2D), _separable),
        ((L.Conv1D, L.Conv2D, L.Conv3D), _conv),
        (L.Dense, _dense),
        (L.EinsumDense, _einsum_dense),
        (L.LSTM, _recurrent(4)),
        (L.GRU, _recurrent(3)),
        (L.SimpleRNN, _recurrent(1)),
        (L.Bidirectional, _bidirectional),
        (L.TimeDistributed, _time_distributed),
        (L.MultiHeadAttention, _multi_head_attention),
        ((L.Attention, L.AdditiveAttention), _dot_attention),
        (L.Embedding, _embedding),
    ]
    gqa = getattr(L, "GroupQueryAttention", None)
    if gqa is not None:
        table.append((gqa, _grouped_query_attention))
    return table

"""Lay out a network's branches and merges as vertical lanes, like `git log --graph`.

Each step of the network is drawn in one lane. A tensor that feeds several later
steps keeps its lane until its last consumer; a step that reads several lanes
merges them. Connections are drawn on one connector row above the step, with a
horizontal line from every input lane to the step's lane.

The layout is pure data (which lines go up, down, left and right in each cell);
`text.py` turns it into ASCII or Unicode characters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """The lines that meet in one lane cell."""

    up: bool = False
    down: bool = False
    left: bool = False
    right: bool = False
    node: bool = False  # the step itself
    bridge: bool = False  # a horizontal passing behind an unrelated lane


@dataclass(frozen=True)
class LaneRow:
    cells: tuple[Cell, ...]
    # gaps[i] is True where a horizontal line runs between cell i and i + 1
    gaps: tuple[bool, ...] = ()


@dataclass(frozen=True)
class StepLanes:
    connector: LaneRow | None  # drawn above the step, when lanes join or split
    node: LaneRow  # the step's own line, with the node marker
    flow: LaneRow  # lines below the node: the lanes that go on


@dataclass(frozen=True)
class LaneLayout:
    steps: tuple[StepLanes, ...]
    width: int  # the most lanes open at once

    @property
    def is_chain(self) -> bool:
        """True when the network is one straight line: no lanes need drawing."""
        return self.width <= 1 and all(s.connector is None for s in self.steps)


_VERTICAL = Cell(up=True, down=True)


def layout(parents: list[list[int]]) -> LaneLayout:
    """Lanes for steps given, for each step, the earlier steps that feed it.

    >>> shape = layout([[], [0], [0], [1, 2]])  # a branch and a merge
    >>> shape.width, [step.connector is not None for step in shape.steps]
    (2, [False, True, False, True])
    """
    waiting = [0] * len(parents)  # consumers of each step not drawn yet
    for sources in parents:
        for source in sources:
            waiting[source] += 1
    lanes: list[int | None] = []
    rows: list[StepLanes] = []
    widest = 0
    for step, sources in enumerate(parents):
        source_lane = {source: lanes.index(source) for source in sources}
        for source in sources:
            waiting[source] -= 1
        freed = [source for source in sources if waiting[source] == 0]
        if freed:
            lane = min(source_lane[source] for source in freed)
        else:
            lane = lanes.index(None) if None in lanes else len(lanes)
            if lane == len(lanes):
                lanes.append(None)
        connector = _connector(lanes, lane, source_lane, set(freed))
        for source in freed:
            lanes[source_lane[source]] = None
        widest = max(widest, len(lanes))
        node = _row(
            [_VERTICAL if s is not None else Cell() for s in lanes],
            lane,
            Cell(node=True, up=bool(sources), down=waiting[step] > 0),
        )
        lanes[lane] = step if waiting[step] > 0 else None
        flow = _row([_VERTICAL if s is not None else Cell() for s in lanes])
        while lanes and lanes[-1] is None:
            lanes.pop()
        rows.append(StepLanes(connector, node, flow))
    return LaneLayout(tuple(rows), widest)


def _row(cells: list[Cell], at: int | None = None, cell: Cell | None = None) -> LaneRow:
    if at is not None and cell is not None:
        cells[at] = cell
    return LaneRow(tuple(cells), (False,) * max(0, len(cells) - 1))


def _connector(
    lanes: list[int | None], lane: int, source_lane: dict[int, int], freed: set[int]
) -> LaneRow | None:
    joined = set(source_lane.values())
    if not joined or joined == {lane}:
        return None  # a straight line down: nothing to draw
    low, high = min(joined | {lane}), max(joined | {lane})
    lane_source = {column: source for source, column in source_lane.items()}
    cells = []
    for column, occupant in enumerate(lanes):
        spans_left, spans_right = low < column, column < high
        if column == lane:
            cells.append(
                Cell(up=column in joined, down=True, left=spans_left, right=spans_right)
            )
        elif column in lane_source:
            continues = lane_source[column] not in freed
            cells.append(
                Cell(up=True, down=continues, left=spans_left, right=spans_right)
            )
        elif low < column < high:
            cells.append(
                Cell(
                    up=occupant is not None,
                    down=occupant is not None,
                    left=True,
                    right=True,
                    bridge=occupant is not None,
                )
            )
        else:
            cells.append(_VERTICAL if occupant is not None else Cell())
    gaps = tuple(low <= column < high for column in range(len(lanes) - 1))
    return LaneRow(tuple(cells), gaps)

"""Plane geometry for the body figures: vectors, smooth outlines (Catmull-Rom drawn as cubic Béziers) and the
point-in-outline test, all in SVG units (x to the viewer's right, y down the page)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Vec:
    """A point or a direction on the page."""

    x: float
    y: float

    def __add__(self, other: Vec) -> Vec:
        return Vec(self.x + other.x, self.y + other.y)

    def __sub__(self, other: Vec) -> Vec:
        return Vec(self.x - other.x, self.y - other.y)

    def __mul__(self, k: float) -> Vec:
        return Vec(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __neg__(self) -> Vec:
        return Vec(-self.x, -self.y)

    def length(self) -> float:
        return math.hypot(self.x, self.y)

    def unit(self) -> Vec:
        n = self.length()
        if n == 0:
            raise ValueError("a zero vector has no direction")
        return Vec(self.x / n, self.y / n)

    def dot(self, other: Vec) -> float:
        return self.x * other.x + self.y * other.y

    def perp(self) -> Vec:
        """This direction turned a quarter turn clockwise on the page (x right, y down): (x, y) → (-y, x)."""
        return Vec(-self.y, self.x)

    def distance(self, other: Vec) -> float:
        return (self - other).length()


def lerp(a: Vec, b: Vec, t: float) -> Vec:
    """The point a fraction `t` of the way from `a` to `b`."""
    return a + (b - a) * t


def distance_to_segment(p: Vec, a: Vec, b: Vec) -> float:
    ab = b - a
    t = 0.0 if ab.length() == 0 else max(0.0, min(1.0, (p - a).dot(ab) / ab.dot(ab)))
    return p.distance(a + ab * t)


@dataclass(frozen=True, slots=True)
class Node:
    """A node of an outline; a sharp node makes a corner (armpit, crotch, between the fingers)."""

    at: Vec
    sharp: bool = False


Bezier = tuple[Vec, Vec, Vec, Vec]


def _controls(nodes: Sequence[Node], closed: bool, tension: float = 1.0) -> list[Bezier]:
    n = len(nodes)
    segments: list[Bezier] = []
    last = n if closed else n - 1
    for i in range(last):
        p1, p2 = nodes[i], nodes[(i + 1) % n]
        p0 = nodes[(i - 1) % n] if closed or i > 0 else p1
        p3 = nodes[(i + 2) % n] if closed or i + 2 < n else p2
        c1 = p1.at if p1.sharp else p1.at + (p2.at - p0.at) * (tension / 6)
        c2 = p2.at if p2.sharp else p2.at - (p3.at - p1.at) * (tension / 6)
        segments.append((p1.at, c1, c2, p2.at))
    return segments


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("-0.0", "0.0") else text.removesuffix(".0")


def path_d(nodes: Sequence[Node], closed: bool = True) -> str:
    """An SVG path through the nodes, smoothed with Catmull-Rom splines except at sharp nodes."""
    if len(nodes) < 2:
        raise ValueError("a path needs at least two nodes")
    segs = _controls(nodes, closed)
    parts = [f"M{_fmt(segs[0][0].x)} {_fmt(segs[0][0].y)}"]
    for _, c1, c2, p in segs:
        parts.append(f"C{_fmt(c1.x)} {_fmt(c1.y)} {_fmt(c2.x)} {_fmt(c2.y)} {_fmt(p.x)} {_fmt(p.y)}")
    if closed:
        parts.append("Z")
    return "".join(parts)


def _bezier_at(seg: Bezier, t: float) -> Vec:
    a, b, c, d = seg
    u = 1 - t
    return a * (u * u * u) + b * (3 * u * u * t) + c * (3 * u * t * t) + d * (t * t * t)


def sample(nodes: Sequence[Node], closed: bool = True, steps: int = 12) -> list[Vec]:
    """The drawn curve as a dense polyline (for the point-in-outline test and bounding boxes)."""
    out: list[Vec] = []
    for seg in _controls(nodes, closed):
        out.extend(_bezier_at(seg, k / steps) for k in range(steps))
    if not closed:
        out.append(nodes[-1].at)
    return out


def inside(p: Vec, polygon: Sequence[Vec]) -> bool:
    """Whether `p` lies inside the closed polygon (even-odd ray casting)."""
    hit = False
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[(i + 1) % n]
        if (a.y > p.y) != (b.y > p.y):
            x_cross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)
            if p.x < x_cross:
                hit = not hit
    return hit


def distance_to_polyline(p: Vec, polygon: Sequence[Vec]) -> float:
    """The distance from `p` to the nearest edge of the closed polygon."""
    n = len(polygon)
    return min(distance_to_segment(p, polygon[i], polygon[(i + 1) % n]) for i in range(n))


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle on the page."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def grow(self, margin: float) -> Box:
        return Box(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def contains(self, p: Vec) -> bool:
        return self.x0 <= p.x <= self.x1 and self.y0 <= p.y <= self.y1

    def clamp_inside(self, outer: Box) -> Box:
        """This box moved (not resized, unless it is larger) so that it lies inside `outer`."""
        w, h = min(self.width, outer.width), min(self.height, outer.height)
        x0 = min(max(self.x0, outer.x0), outer.x1 - w)
        y0 = min(max(self.y0, outer.y0), outer.y1 - h)
        return Box(x0, y0, x0 + w, y0 + h)


def bounds(points: Iterable[Vec]) -> Box:
    pts = list(points)
    return Box(min(p.x for p in pts), min(p.y for p in pts), max(p.x for p in pts), max(p.y for p in pts))

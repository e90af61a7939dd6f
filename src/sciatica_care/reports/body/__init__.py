"""The body model: six views in SVG units built from proportional B-cun, and point placement from the knowledge.

    from sciatica_care.reports.body import place, view
    place(point, "left").at        # where GB30 is drawn on the patient's left, in the back view's SVG units

See `views` for each view's orientation (which side is which) and `place` for how a Placement is computed.
"""

from .geometry import Box, Node, Vec
from .place import Placed, Unplaceable, place, placements, sides
from .views import VIEW_NAMES, Frame, OutOfPlane, Side, View, side_canvas, view, views

__all__ = [
    "VIEW_NAMES", "Box", "Frame", "Node", "OutOfPlane", "Placed", "Side", "Unplaceable", "Vec", "View", "place",
    "placements", "side_canvas", "sides", "view", "views",
]

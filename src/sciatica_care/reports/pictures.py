"""Simple line pictures for the patient handout: one per exercise (a figure in the start position, the end position
lighter or dashed, an arrow for the movement) and the heat and ice signs. Drawn by the project.

A pose is a set of joints on a 220 x 130 canvas with the floor at y = 118; the near limbs are drawn dark and the
far limbs light, so the picture reads as a body seen from the side. An exercise the pictures do not know yet gets
a plain standing figure, so a new exercise in the knowledge base never breaks the handout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .svg import document, el, num

W, H, FLOOR = 220.0, 130.0, 118.0
NEAR = "#4f6b80"
FAR = "#a9bac8"
GHOST = "#c5d1db"
PROP = "#b9aea4"
ARROW = "#0072B2"

Joint = tuple[float, float]
Pose = Mapping[str, Joint]
_LIMBS = (("neck", "hip"), ("shoulder", "elbow"), ("elbow", "hand"), ("hip", "knee"), ("knee", "ankle"),
          ("ankle", "toe"))


def _seg(a: Joint, b: Joint, colour: str, width: float = 7.0, dash: str | None = None) -> str:
    return el("path", d=f"M{num(a[0])} {num(a[1])}L{num(b[0])} {num(b[1])}", stroke=colour, stroke_width=width,
              stroke_linecap="round", fill="none", stroke_dasharray=dash)


def _figure(near: Pose, far: Pose | None = None, ghost: Pose | None = None) -> str:
    """A body: far limbs first (light), then the trunk and head, then near limbs; `ghost` limbs dashed."""
    parts: list[str] = []
    for pose, colour, dash in ((far, FAR, None), (ghost, GHOST, "3 4")):
        if pose is None:
            continue
        parts += [_seg(pose[a], pose[b], colour, 6.0, dash) for a, b in _LIMBS if a in pose and b in pose]
    parts.append(_seg(near["neck"], near["hip"], NEAR, 9.0))
    parts.append(el("circle", cx=near["head"][0], cy=near["head"][1], r=8.5, fill=NEAR))
    parts += [_seg(near[a], near[b], NEAR) for a, b in _LIMBS[1:] if a in near and b in near]
    return "".join(parts)


def _floor() -> str:
    return el("path", d=f"M8 {num(FLOOR + 4)}H{num(W - 8)}", stroke=PROP, stroke_width=1.5)


def _mat(x0: float, x1: float) -> str:
    return el("rect", x=x0, y=FLOOR - 1, width=x1 - x0, height=5, rx=2, fill="#e9e2da")


def _arrow(d: str, head: Joint, angle_deg: float) -> str:
    """A movement arrow along path `d` with its head at `head`, pointing at `angle_deg` (0 = to the right)."""
    import math

    a = math.radians(angle_deg)
    back = (head[0] - 8 * math.cos(a), head[1] - 8 * math.sin(a))
    left = (back[0] + 4.5 * math.sin(a), back[1] - 4.5 * math.cos(a))
    right = (back[0] - 4.5 * math.sin(a), back[1] + 4.5 * math.cos(a))
    pts = " ".join(f"{num(x)},{num(y)}" for x, y in (head, left, right))
    return (el("path", d=d, stroke=ARROW, stroke_width=2, fill="none", stroke_linecap="round")
            + el("polygon", points=pts, fill=ARROW))


def _chair(x: float, seat_y: float = 80.0, back: bool = True) -> str:
    parts = [el("path", d=f"M{num(x)} {num(seat_y)}H{num(x + 46)}", stroke=PROP, stroke_width=4,
                stroke_linecap="round"),
             el("path", d=f"M{num(x + 4)} {num(seat_y)}V{num(FLOOR + 3)}M{num(x + 42)} {num(seat_y)}V{num(FLOOR + 3)}",
                stroke=PROP, stroke_width=3)]
    if back:
        parts.append(el("path", d=f"M{num(x + 44)} {num(seat_y)}L{num(x + 48)} {num(seat_y - 46)}", stroke=PROP,
                        stroke_width=4, stroke_linecap="round"))
    return "".join(parts)


def _lying(hip_x: float = 112.0) -> dict[str, Joint]:
    return {"head": (30, 104), "neck": (44, 108), "hip": (hip_x, 110), "shoulder": (50, 108)}


def _neural_flossing() -> str:
    body = {"head": (99, 19), "neck": (104, 32), "hip": (108, 74), "shoulder": (104, 38), "elbow": (98, 56),
            "hand": (92, 72), "knee": (72, 76), "ankle": (38, 66), "toe": (35, 57)}
    far = {"hip": (108, 74), "knee": (72, 78), "ankle": (72, 116), "toe": (60, 117), "shoulder": (104, 38),
           "elbow": (112, 56), "hand": (112, 72)}
    ghost = {"knee": (72, 76), "ankle": (70, 116), "toe": (58, 117)}
    return (_floor() + _chair(66) + _figure(body, far, ghost)
            + _arrow("M64 112Q38 106 40 78", (40, 76), -90) + _arrow("M118 26Q114 12 104 10", (101, 10), 190))


def _piriformis() -> str:
    """Seated figure four: the painful leg's ankle on the other knee, leaning forward from the hips."""
    body = {"head": (76, 25), "neck": (84, 36), "hip": (104, 76), "shoulder": (85, 42), "elbow": (76, 60),
            "hand": (70, 72), "knee": (86, 68), "ankle": (62, 71), "toe": (56, 63)}
    far = {"hip": (104, 76), "knee": (66, 79), "ankle": (66, 116), "toe": (54, 117), "shoulder": (85, 42),
           "elbow": (92, 60), "hand": (88, 72)}
    return (_floor() + _chair(66) + _figure(body, far)
            + _arrow("M100 18Q86 6 70 14", (67, 16), 150))


def _hamstring() -> str:
    """Standing, the heel of the painful leg on a low step, hinging forward a little from the hips."""
    body = {"head": (94, 16), "neck": (100, 28), "hip": (112, 66), "shoulder": (100, 34), "elbow": (95, 50),
            "hand": (88, 66), "knee": (84, 80), "ankle": (58, 92), "toe": (53, 84)}
    far = {"hip": (112, 66), "knee": (113, 91), "ankle": (112, 116), "toe": (101, 117), "shoulder": (100, 34),
           "elbow": (104, 50), "hand": (98, 64)}
    step = el("rect", x=30, y=96, width=44, height=22, rx=2, fill="#e9e2da", stroke=PROP, stroke_width=1.5)
    return _floor() + step + _figure(body, far) + _arrow("M116 12Q104 0 88 6", (85, 8), 160)


def _hip_flexor() -> str:
    body = {"head": (104, 12), "neck": (106, 24), "hip": (110, 66), "shoulder": (106, 30), "elbow": (98, 48),
            "hand": (88, 66), "knee": (132, 114), "ankle": (164, 114), "toe": (170, 118)}
    far = {"hip": (110, 66), "knee": (72, 70), "ankle": (72, 114), "toe": (56, 117), "shoulder": (106, 30),
           "elbow": (112, 48), "hand": (100, 64)}
    return _floor() + _mat(40, 190) + _figure(body, far) + _arrow("M122 84Q108 90 96 84", (93, 82), 200)


def _bird_dog() -> str:
    body = {"head": (42, 62), "neck": (54, 72), "hip": (128, 76), "shoulder": (60, 76), "elbow": (58, 96),
            "hand": (56, 116), "knee": (132, 114), "ankle": (168, 116), "toe": (176, 116)}
    far = {"shoulder": (60, 76), "elbow": (34, 68), "hand": (10, 62), "hip": (128, 76), "knee": (162, 74),
           "ankle": (196, 70), "toe": (204, 76)}
    return _floor() + _mat(30, 200) + _figure(body, far) + _arrow("M186 92Q200 86 204 76", (205, 72), -70)


def _dead_bug() -> str:
    body = {**_lying(), "elbow": (50, 80), "hand": (50, 54), "knee": (114, 74), "ankle": (142, 74),
            "toe": (148, 66)}
    far = {"shoulder": (50, 108), "elbow": (30, 96), "hand": (10, 100), "hip": (112, 110), "knee": (150, 100),
           "ankle": (188, 106), "toe": (196, 100)}
    return _floor() + _mat(4, 206) + _figure(body, far) + _arrow("M150 82Q176 84 186 96", (188, 99), 60)


def _pelvic_tilt() -> str:
    body = {**_lying(), "elbow": (74, 112), "hand": (96, 112), "knee": (146, 78), "ankle": (170, 114),
            "toe": (182, 116)}
    return (_floor() + _mat(14, 200) + _figure(body)
            + _arrow("M92 92Q108 80 124 92", (126, 95), 60) + _arrow("M124 96Q108 108 92 98", (89, 96), 200))


def _standing(hip_x: float = 100.0) -> dict[str, Joint]:
    return {"head": (hip_x, 12), "neck": (hip_x, 24), "hip": (hip_x, 66), "shoulder": (hip_x, 30)}


def _posture_breaks() -> str:
    body = {**_standing(120), "elbow": (116, 48), "hand": (114, 66), "knee": (121, 91), "ankle": (120, 116),
            "toe": (130, 117)}
    far = {"hip": (120, 66), "knee": (118, 91), "ankle": (114, 116), "toe": (124, 117), "shoulder": (120, 30),
           "elbow": (126, 48), "hand": (128, 64)}
    clock = (el("circle", cx=180, cy=40, r=20, fill="#ffffff", stroke=NEAR, stroke_width=2.5)
             + el("path", d="M180 40V26M180 40L190 46", stroke=NEAR, stroke_width=2.5, stroke_linecap="round"))
    return _floor() + _chair(36) + _figure(body, far) + clock + _arrow("M78 60Q92 40 106 48", (108, 50), 40)


def _walking() -> str:
    body = {**_standing(98), "elbow": (90, 46), "hand": (82, 60), "knee": (112, 90), "ankle": (124, 114),
            "toe": (134, 116)}
    far = {"hip": (98, 66), "knee": (92, 92), "ankle": (74, 110), "toe": (80, 117), "shoulder": (98, 30),
           "elbow": (108, 46), "hand": (118, 58)}
    return _floor() + _figure(body, far) + _arrow("M148 70H186", (190, 70), 0)


def _generic() -> str:
    body = {**_standing(110), "elbow": (106, 48), "hand": (104, 66), "knee": (111, 91), "ankle": (110, 116),
            "toe": (120, 117)}
    far = {"hip": (110, 66), "knee": (108, 91), "ankle": (104, 116), "toe": (114, 117), "shoulder": (110, 30),
           "elbow": (116, 48), "hand": (118, 64)}
    return _floor() + _figure(body, far)


_EXERCISES = {
    "neural_flossing": _neural_flossing, "piriformis_stretch": _piriformis, "hamstring_stretch": _hamstring,
    "hip_flexor_stretch": _hip_flexor, "bird_dog": _bird_dog, "dead_bug": _dead_bug, "pelvic_tilts": _pelvic_tilt,
    "posture_breaks": _posture_breaks, "walking": _walking,
}


def exercise_svg(exercise_id: str, name: str, uid: str = "ex") -> str:
    """A picture of the exercise (a plain figure for one the pictures do not know)."""
    body = _EXERCISES.get(exercise_id, _generic)()
    return document(W, H, name, f"A simple drawing of the exercise: {name}.", body, uid)


def _snowflake(cx: float, cy: float, r: float) -> str:
    import math

    parts = []
    for i in range(6):
        a = math.radians(60 * i)
        x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        parts.append(f"M{num(cx)} {num(cy)}L{num(x)} {num(y)}")
        for s in (-1, 1):
            b = a + s * math.radians(40)
            mx, my = cx + r * 0.6 * math.cos(a), cy + r * 0.6 * math.sin(a)
            parts.append(f"M{num(mx)} {num(my)}L{num(mx + r * 0.3 * math.cos(b))} {num(my + r * 0.3 * math.sin(b))}")
    return el("path", d="".join(parts), stroke="#0072B2", stroke_width=3, stroke_linecap="round", fill="none")


def _heat(cx: float, cy: float) -> str:
    waves = "".join(f"M{num(cx + dx)} {num(cy + 10)}q-6 -8 0 -16t0 -16" for dx in (-12, 0, 12))
    pack = el("rect", x=cx - 22, y=cy + 14, width=44, height=16, rx=6, fill="#f3c6a5", stroke="#D55E00",
              stroke_width=2)
    return el("path", d=waves, stroke="#D55E00", stroke_width=3, stroke_linecap="round", fill="none") + pack


def thermal_svg(thermal: str, uid: str = "thermal") -> str | None:
    """The sign for ice, heat or both; None when neither is advised."""
    if thermal == "ice":
        body, w = _snowflake(40, 40, 26), 80.0
    elif thermal == "heat":
        body, w = _heat(40, 30), 80.0
    elif thermal == "ice_then_heat":
        body, w = _snowflake(40, 40, 26) + _heat(120, 30), 160.0
    else:
        return None
    words = {"ice": "Ice", "heat": "Heat", "ice_then_heat": "Ice for flare-ups, heat for stiffness"}[thermal]
    return document(w, 80, words, f"Sign: {words.lower()}.", body, uid)


def exercise_ids() -> Sequence[str]:
    return tuple(_EXERCISES)

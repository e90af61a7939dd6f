"""The body's proportions in B-cun: one figure, one unit, every view drawn from these numbers.

The WHO proportional (B-cun) measures fix the leg and the back:
- greater trochanter (prominence) to popliteal crease: 19 B-cun;
- gluteal fold to popliteal crease: 14 B-cun (so the fold lies 5 below the trochanter);
- popliteal crease to the prominence of the lateral malleolus: 16 B-cun;
- prominence of the lateral malleolus to the sole: 3 B-cun;
- posterior midline to the medial border of the scapula: 3 B-cun;
- cubital crease to wrist crease: 12 B-cun.
The rest (the spine's levels, the widths of the trunk and limbs) is drawn to match an adult of average build at
the scale those measures give (about 2.3 cm to the cun, so 74 cun from vertex to sole); those numbers only shape
the drawing and never decide where a point lies except through a landmark.

Levels (`*_Y`) are measured down from the vertex; widths (`*_X`) out from the posterior (or anterior) midline.
"""

from __future__ import annotations

# --- the WHO measures -------------------------------------------------------------------------------------------
TROCHANTER_TO_POPLITEAL = 19.0
GLUTEAL_FOLD_TO_POPLITEAL = 14.0
POPLITEAL_TO_LATERAL_MALLEOLUS = 16.0
LATERAL_MALLEOLUS_TO_SOLE = 3.0
SCAPULA_MEDIAL_BORDER_X = 3.0
CUBITAL_TO_WRIST = 12.0

# --- levels, from the vertex ------------------------------------------------------------------------------------
TROCHANTER_Y = 36.0
POPLITEAL_Y = TROCHANTER_Y + TROCHANTER_TO_POPLITEAL  # 55
GLUTEAL_FOLD_Y = POPLITEAL_Y - GLUTEAL_FOLD_TO_POPLITEAL  # 41
LATERAL_MALLEOLUS_Y = POPLITEAL_Y + POPLITEAL_TO_LATERAL_MALLEOLUS  # 71
SOLE_Y = LATERAL_MALLEOLUS_Y + LATERAL_MALLEOLUS_TO_SOLE  # 74
MEDIAL_MALLEOLUS_Y = LATERAL_MALLEOLUS_Y - 0.4  # the inner ankle bone sits a little higher than the outer
GASTROCNEMIUS_JUNCTION_Y = POPLITEAL_Y + 8.0  # about halfway from the knee crease to the ankle
FIBULAR_HEAD_Y = POPLITEAL_Y + 1.2  # just below the knee joint line

C7_Y = 10.8
ACROMION_Y = 13.6
ELBOW_CREASE_Y = 26.5
WRIST_CREASE_Y = ELBOW_CREASE_Y + CUBITAL_TO_WRIST  # 38.5

# The lumbar spinous processes are about 1.5 cun apart; the line across the tops of the iliac crests meets the
# spine at the lower border of L4 (the L4/L5 gap); the second sacral tubercle is level with the PSIS; the sacral
# hiatus lies a little above the level of the greater trochanters.
SPINOUS_LOWER_Y = {"L2": 26.0, "L3": 27.5, "L4": 29.0, "L5": 30.5, "S1": 31.7, "S2": 32.8}
ILIAC_CREST_TOP_Y = SPINOUS_LOWER_Y["L4"] + 0.2
PSIS_Y = SPINOUS_LOWER_Y["S2"]
SACRAL_FORAMEN_4_Y = 34.5
SACRAL_HIATUS_Y = 35.2
ASIS_Y = ILIAC_CREST_TOP_Y + 2.2

# --- widths, from the midline (back and front views) ------------------------------------------------------------
ACROMION_X = 8.2
TROCHANTER_X = 7.3
ILIAC_CREST_TOP_X = 6.0
PSIS_X = 2.0
ASIS_X = 5.0
KNEE_X = 4.2  # centre of the knee: the popliteal crease's midpoint
GLUTEAL_FOLD_MID_X = 4.1
ANKLE_X = 4.15  # centre of the ankle
LATERAL_MALLEOLUS_X = 5.1
MEDIAL_MALLEOLUS_X = 3.2

# The arm hangs a little away from the body, palm forward: (x, y) of its axis and the half-width there.
ARM_AXIS = (
    (8.5, 15.0, 1.95),  # shoulder (deltoid)
    (8.8, 21.0, 1.7),  # mid upper arm
    (9.1, ELBOW_CREASE_Y, 1.95),  # elbow: the crease runs about 1.6 cun each side of its midpoint
    (9.4, ELBOW_CREASE_Y + 3.0, 1.9),
    (9.9, WRIST_CREASE_Y - 1.5, 1.45),
    (10.0, WRIST_CREASE_Y, 1.25),  # the wrist is about 2.5 cun across
    (10.2, WRIST_CREASE_Y + 2.6, 1.55),  # palm
    (10.35, WRIST_CREASE_Y + 5.6, 1.3),  # fingers
)
FINGERTIP_Y = WRIST_CREASE_Y + 7.6

"""The contract's vocabularies, as the forms show them (the engine owns their meaning; we only label them)."""

from __future__ import annotations

AREAS = ["lower_back", "buttock", "hip_lateral", "groin", "anterior_thigh", "posterior_thigh", "lateral_thigh",
         "medial_thigh", "knee_posterior", "anterior_shin", "medial_calf", "lateral_calf", "posterior_calf",
         "medial_ankle", "dorsum_foot", "big_toe", "sole", "lateral_foot", "heel"]
QUALITIES = ["shooting", "burning", "electric", "numbness", "pins_and_needles", "aching", "throbbing", "stabbing",
             "cramping", "dull"]
MODIFIERS = ["sitting", "standing", "walking", "bending_forward", "extension", "coughing_sneezing", "lying", "rest",
             "activity", "cold_damp", "heat", "night", "morning"]
WEAKNESS = ["hip_flexion", "knee_extension", "ankle_dorsiflexion", "great_toe_extension", "hip_abduction",
            "ankle_eversion", "plantarflexion", "knee_flexion"]
IMAGING = ["disc_herniation", "spinal_stenosis", "spondylolisthesis", "degenerative_changes", "normal"]
RED_FLAG_GROUPS = [
    ("Cauda equina — same-day emergency", [
        ("bladder_dysfunction", "New difficulty passing urine, retention or incontinence?"),
        ("bowel_dysfunction", "New loss of bowel control or constipation with numbness?"),
        ("saddle_anaesthesia", "Numbness around the back passage, genitals or inner thighs?"),
        ("sexual_dysfunction", "New sexual dysfunction?"),
        ("bilateral_sudden", "Sudden pain or numbness in both legs?"),
        ("progressive_weakness", "Weakness in the leg that is getting worse?"),
    ]),
    ("Cancer", [
        ("history_of_cancer", "Ever had cancer?"),
        ("unexplained_weight_loss", "Unexplained weight loss?"),
        ("unrelenting_night_pain", "Pain at night that nothing eases?"),
    ]),
    ("Infection", [
        ("fever", "Fever or feeling unwell?"),
        ("iv_drug_use", "Injects drugs?"),
        ("immunosuppression", "Immunosuppressed (medication or illness)?"),
    ]),
    ("Fracture", [
        ("significant_trauma", "Significant fall or accident?"),
        ("osteoporosis", "Osteoporosis?"),
        ("long_term_steroids", "Long-term steroid tablets?"),
    ]),
    ("Other", [("incapacitating_pain", "Pain so bad they cannot function?")]),
]
RED_FLAGS = [code for _, flags in RED_FLAG_GROUPS for code, _ in flags]
RED_FLAG_LABELS = {code: label for _, flags in RED_FLAG_GROUPS for code, label in flags}
MEDICAL = ["pacemaker", "epilepsy", "anticoagulants", "bleeding_disorder", "diabetes", "peripheral_neuropathy",
           "dvt_suspected", "skin_lesion_at_site", "active_cancer", "needle_phobia", "metal_allergy",
           "recent_spinal_surgery"]
TCM_SIGNS = ["cold_worse", "heat_relief", "heaviness", "fixed_stabbing_pain", "moving_pain", "low_back_weakness",
             "fatigue", "stress_irritability", "heat_sensation", "night_worse"]
TONGUE = ["pale", "red", "purple", "thick_white_coat", "greasy_yellow_coat", "thin_coat", "swollen"]
PULSE = ["wiry", "choppy", "deep_weak", "slippery", "tight", "rapid", "thready"]
MODALITIES = ["acupuncture", "electroacupuncture", "massage", "cupping", "acupressure", "dry_needling"]
MASSAGE_TECHNIQUES = ["trigger_point_release", "myofascial_release", "effleurage", "petrissage", "tuina",
                      "gua_sha", "stretching"]
SIDES = ["left", "right", "both", "midline"]
#: Medical items that sit somewhere on the body: the intake asks where (contract 1.1 `medical_sites`).
SITE_BOUND = ["pacemaker", "skin_lesion_at_site", "dvt_suspected", "recent_spinal_surgery"]
#: What each site-bound item's site is, in the form's words.
SITE_QUESTIONS = {
    "pacemaker": "Where are the generator and leads?",
    "skin_lesion_at_site": "Where is the lesion?",
    "dvt_suspected": "Which leg, and where?",
    "recent_spinal_surgery": "Where was the operation?",
}
#: The pain areas grouped by region, so a site is found at a glance.
AREA_REGIONS = [
    ("Back and hip", ["lower_back", "buttock", "hip_lateral", "groin"]),
    ("Thigh and knee", ["anterior_thigh", "posterior_thigh", "lateral_thigh", "medial_thigh", "knee_posterior"]),
    ("Lower leg", ["anterior_shin", "medial_calf", "lateral_calf", "posterior_calf", "medial_ankle"]),
    ("Foot", ["dorsum_foot", "big_toe", "sole", "lateral_foot", "heel"]),
]
#: The MRC scale (Medical Research Council muscle power, 0-5), as the grid explains each grade.
MRC_GRADES = [
    (0, "no contraction"),
    (1, "flicker of contraction"),
    (2, "moves with gravity eliminated"),
    (3, "moves against gravity, not resistance"),
    (4, "moves against some resistance"),
    (5, "normal power"),
]
#: Ankle dorsiflexion at or below this grade is an acute foot drop (contract 1.1).
FOOT_DROP_GRADE = 3

LABELS = {
    "medical": {"pacemaker": "Pacemaker or implanted device", "dvt_suspected": "Suspected DVT",
                "skin_lesion_at_site": "Skin lesion at a site"},
}


def label(value: str) -> str:
    """`posterior_thigh` → `Posterior thigh`; rule ids such as `pregnancy-not-recorded` → `Pregnancy not recorded`."""
    for table in LABELS.values():
        if value in table:
            return table[value]
    return value.replace("_", " ").replace("-", " ").capitalize()

"""Records that travel: standard codes applied to a case, billing rules, FHIR resources, letters' content.

Pure where it can be (no Django, no clock, no database, no files): the modules here take typed values and the
knowledge, and answer typed values.
"""

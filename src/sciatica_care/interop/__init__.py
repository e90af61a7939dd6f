"""Records that travel: standard formats built from the clinic's records. Pure where it can be (no Django, no
clock, no database, no files): the edge gathers the rows and hands them in."""

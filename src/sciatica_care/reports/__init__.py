"""What the system prints and draws, from a plan: text for the terminal, body figures, handouts, the plan print.

- plan_text, point_text: the plan and a point as text (the CLI's `plan` and `points`).
- body/: the body model in SVG units (views, landmarks, point placement) and the figures (`body.figure`).
- pictures: the handout's exercise pictures and heat/ice signs.
- handout: the patient handout (HTML, PDF); practitioner: the one-page plan print (PDF); pdf: shared PDF layout.
- progress_chart: an episode's scores over time (SVG); discharge_pdf: the discharge summary's layout (PDF).
- letter_content: what the letters to the patient's doctor say (referral, progress, discharge); letter_pdf: their
  layout (PDF).

Nothing heavy is imported here: the CLI (`cli/plan_commands.py`) imports this package on its cold path. fpdf2 is
imported only by the functions that write a PDF.
"""

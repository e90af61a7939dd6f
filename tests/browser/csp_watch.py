"""Pages that record every Content-Security-Policy violation, for the browser tests to assert there is none."""

from __future__ import annotations

from typing import Any


def watched_page(context: Any) -> Any:
    """A new page of `context` whose `csp_violations` collects every Content-Security-Policy violation: the
    console's, and the browser's own report of every blocked script, style, image or connection on every page
    loaded."""
    pg = context.new_page()
    pg.csp_violations = []
    pg.on("console", lambda msg: pg.csp_violations.append(msg.text)
          if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
    context.expose_function("reportCspViolation", lambda text: pg.csp_violations.append(text))
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => window.reportCspViolation("
                            "`${e.violatedDirective} blocked ${e.blockedURI} on ${e.documentURI}`))")
    pg.set_default_timeout(15000)
    return pg

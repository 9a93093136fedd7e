"""Figures and the policy report of an experiment.

- `registry`: which figures a report has (one `FigureSpec` each), without importing matplotlib;
- `jobs`: getting them drawn, in a process pool or here;
- `draw`: the drawing, one module per kind of figure (and `draw.run` for a single run);
- `html`: report.html (self-contained) and report.md.
"""

"""Maintainer tooling of the course (not used by the chapters, not shipped to students).

- :mod:`tools.student`: builds the student edition (``make student``).
- :mod:`tools.bench`: times every chapter in a fresh kernel (``make bench``).
- :mod:`tools.seeds`: the worst fit check per model over a seed sweep (``make seeds``).
"""

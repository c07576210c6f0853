"""Bring an article in: fetch a URL safely, extract the article's own text from HTML, text or PDF.

The thesis ranking itself is pure and lives in ``bot.domain.thesis``.
"""

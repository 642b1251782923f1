"""Sahaja Lekat: the shared, dependency-free part (queue core, config, protocol, i18n)."""

"""The counter button box application (``sahaja-counter``): rules, settings, server link."""

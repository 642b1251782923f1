"""Device adapters: printer, buttons, status light, audio. They know no app and no server."""

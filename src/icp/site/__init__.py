"""Django project wiring: settings, URLs, base templates, static files and the home dashboard."""

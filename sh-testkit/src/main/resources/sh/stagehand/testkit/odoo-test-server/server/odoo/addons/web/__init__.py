"""Core addon `web` of the test server: a manifest so that addons depending on it resolve."""

"""Static files in production: WhiteNoise's compressed, hashed copies, with each name's address remembered.

Finding a file's hashed name reads the manifest and splits the name and its fragment each time;
every page asks for the same four or five files, so each answer is kept for the process's life
(the manifest does not change while it runs: a deployment starts new processes).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            found = self._urls[name] = super().url(name)
            return found

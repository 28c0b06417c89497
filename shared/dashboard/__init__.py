"""大屏的第三方文件 / the dashboards' third-party files, kept once for every service that serves a page.

``package.json`` and ``package-lock.json`` here name them (npm, installed by ``make dashboard``
into the git-ignored ``node_modules`` beside them; the image gets only the files listed in
``vendor.FILES``, from its npm stage). ``vendor.py`` serves them under ``/dashboard/vendor/``.
"""

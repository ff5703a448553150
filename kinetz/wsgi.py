import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetz.settings")
# The embedding model runs numpy on every core by default; one thread per process keeps
# web and worker processes from starving each other (see shared MODELS.md).
os.environ.setdefault("OMP_NUM_THREADS", "1")

application = get_wsgi_application()

# Everything loaded so far lives as long as the process. Freezing it keeps Python's full
# garbage collections from walking it again and again; they made the slowest API requests
# several times slower than the median.
gc.freeze()

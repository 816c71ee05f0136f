from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _hotlists_changed(sender, **kwargs):
    from .matching import invalidate

    invalidate()  # a new token in the change's transaction: this process now, others once it commits
    transaction.on_commit(invalidate)  # and in the shared cache once it is visible to them


class PlatesConfig(AppConfig):
    name = "plates"

    def ready(self):
        from . import lookups  # noqa: F401  (registers the plate LIKE lookup)
        from .models import Hotlist, HotlistEntry

        # Cache invalidation only: any change to a hotlist, from admin, import or code, rebuilds the match index.
        for model in (Hotlist, HotlistEntry):
            post_save.connect(_hotlists_changed, sender=model, dispatch_uid=f"hotlist-index-{model.__name__}-save")
            post_delete.connect(_hotlists_changed, sender=model, dispatch_uid=f"hotlist-index-{model.__name__}-delete")
